// Passage annotations on the note page, the way Hypothesis does them. Selecting text inside the
// note body ([data-note-body]) shows a "批注" button; its form posts the passage as code-point
// offsets over the body's plain text (plain-text.js, the same rule as the server) to the API
// (annotations/api.py). Highlights are <mark class="annotation-highlight"> elements around the
// covered text (a math element is wrapped whole); overlapping annotations split into pieces
// that list every annotation covering them in data-annotation-ids. Clicking a highlight shows
// its annotations; the side list ([data-annotations]) shows them all in document order, orphans
// (whose passage the author deleted) last with their quote. A card quotes the passage as its
// reader chose it, and, when the author has reworded it since ("原文已修改"), its words now,
// the words that differ marked (word-diff.js).

import { threadParts, timeElement } from "./annotation-thread.js";
import { typeset } from "./math.js";
import { pieces, rangeOffsets, slice, snap, textRuns } from "./plain-text.js";
import { wordDiff } from "./word-diff.js";

const QUOTE_LENGTH = 140; // characters of a quote a card shows
const CONTEXT_LENGTH = 30; // characters kept before the first change of a cut quote

const panel = document.querySelector("[data-annotations]");
const body = document.querySelector("[data-note-body]");
if (panel && body) setUp(panel, body);

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name === "html") node.innerHTML = value; // server-sanitized HTML only
    else node.setAttribute(name, value);
  }
  node.append(...children);
  return node;
}

function linkButton(text, flag) {
  return element("button", { type: "button", class: "link-button", [flag]: "", text });
}

function setUp(panel, body) {
  const listUrl = panel.dataset.listUrl;
  const loginUrl = panel.dataset.loginUrl;
  const signedIn = panel.dataset.signedIn === "true";
  const list = panel.querySelector("[data-annotation-list]");
  const empty = panel.querySelector("[data-annotation-empty]");
  const count = panel.querySelector("[data-annotation-count]");
  let annotations = [];
  let pending = null; // the selected passage: {exact, start, end}

  function csrfToken() {
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : panel.dataset.csrfToken;
  }

  async function send(url, method, data) {
    const response = await fetch(url, {
      method,
      headers: {
        Accept: "application/json",
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
      },
      credentials: "same-origin",
      body: data === undefined ? undefined : JSON.stringify(data),
    });
    const payload = response.status === 204 ? {} : await response.json().catch(() => ({}));
    if (!response.ok) {
      const fields = payload.errors ? Object.values(payload.errors).flat().join(" ") : "";
      throw new Error(payload.error ?? (fields || `出错了(${response.status}),请稍后再试。`));
    }
    return payload;
  }

  // --- highlights ------------------------------------------------------------------------------

  function clearHighlights() {
    for (const mark of body.querySelectorAll("mark.annotation-highlight")) {
      mark.replaceWith(...mark.childNodes);
    }
    body.normalize();
  }

  function drawHighlights() {
    clearHighlights();
    const runs = textRuns(body);
    const spans = annotations
      .filter((annotation) => annotation.state === "anchored")
      .map(({ id, start, end }) => ({ id, ...snap(runs, start, end) }));
    const bounds = [...new Set(spans.flatMap((span) => [span.start, span.end]))].sort(
      (a, b) => a - b,
    );
    const intervals = [];
    for (let i = 0; i + 1 < bounds.length; i += 1) {
      const [start, end] = [bounds[i], bounds[i + 1]];
      const ids = spans.filter((span) => span.start <= start && span.end >= end).map((s) => s.id);
      if (ids.length) intervals.push({ start, end, ids });
    }
    // Last first: splitting a text node keeps the earlier part in the node the runs point to.
    for (const interval of intervals.reverse()) {
      for (const piece of pieces(runs, interval.start, interval.end).reverse()) {
        wrap(piece, interval.ids);
      }
    }
  }

  function wrap(piece, ids) {
    const mark = element("mark", {
      class: "annotation-highlight",
      "data-annotation-ids": ids.join(" "),
    });
    if (ids.length > 1) mark.classList.add("annotation-highlight--overlap");
    let target = piece.element;
    if (!target) {
      let node = piece.node;
      if (!node.data.slice(piece.from, piece.to).trim()) return; // whitespace between blocks
      if (piece.to < node.length) node.splitText(piece.to);
      if (piece.from > 0) node = node.splitText(piece.from);
      target = node;
    }
    target.replaceWith(mark);
    mark.append(target);
  }

  function marksOf(id) {
    return [...body.querySelectorAll("mark.annotation-highlight")].filter((mark) =>
      mark.dataset.annotationIds.split(" ").includes(String(id)),
    );
  }

  // --- the side list and the popover ---------------------------------------------------------

  // A quote of at most QUOTE_LENGTH characters, "…" where cut; its changed runs (quotes())
  // are wrapped in `tag`. When too long, a long unchanged start keeps only its last
  // CONTEXT_LENGTH characters, so that the first change shows.
  function quoteBlock(runs, { tag = "span", modifier = "" } = {}) {
    const length = (run) => [...run.text].length;
    const [first, ...rest] = runs;
    const tooLong = runs.reduce((total, run) => total + length(run), 0) > QUOTE_LENGTH;
    if (tooLong && rest.length && !first.changed && length(first) > CONTEXT_LENGTH) {
      runs = [{ text: `…${[...first.text].slice(-CONTEXT_LENGTH).join("")}` }, ...rest];
    }
    const block = element("blockquote", { class: `annotation__quote ${modifier}`.trim() });
    let room = QUOTE_LENGTH;
    for (const run of runs) {
      const text = [...run.text].slice(0, Math.max(room, 0)).join("");
      if (text) block.append(run.changed ? element(tag, { text }) : text);
      room -= length(run);
    }
    if (room < 0) block.append("…");
    return block;
  }

  // The passage as the reader chose it. When the author has reworded it since, the words it is
  // on now follow, so the note is read against both; the words that differ are marked.
  function quotes(annotation) {
    if (!annotation.text_changed) return [quoteBlock([{ text: annotation.quote }])];
    const [chosen, now] = wordDiff(annotation.quote, annotation.exact);
    const label = (text) => element("p", { class: "annotation__quote-label", text });
    return [
      label("批注时的原文:"),
      quoteBlock(chosen, { tag: "del" }),
      label("现在的原文:"),
      quoteBlock(now, { tag: "ins", modifier: "annotation__quote--now" }),
    ];
  }

  function card(annotation, { inList }) {
    const orphan = annotation.state === "orphaned";
    const item = element("li", {
      class: `annotation${orphan ? " annotation--orphan" : ""}`,
      id: inList ? `annotation-${annotation.id}` : "",
      "data-annotation-id": annotation.id,
    });
    const header = element(
      "p",
      { class: "annotation__header" },
      element("span", { class: "annotation__author", text: annotation.author }),
      ...timeElement(annotation.created_at, annotation.edited),
    );
    if (annotation.visibility === "private") {
      header.append(element("span", { class: "annotation__badge", text: "仅自己可见" }));
    }
    if (orphan) header.append(element("span", { class: "annotation__orphan", text: "原文已删除" }));
    if (annotation.text_changed) {
      header.append(element("span", { class: "annotation__changed", text: "原文已修改" }));
    }
    item.append(header, ...quotes(annotation));
    if (annotation.body_html) {
      item.append(element("div", { class: "annotation__body", html: annotation.body_html }));
    }
    if (annotation.mine) {
      item.append(
        element(
          "p",
          { class: "annotation__actions" },
          linkButton("编辑", "data-edit"),
          linkButton("删除", "data-delete"),
        ),
      );
    }
    item.append(threadParts(annotation, { send, signedIn }));
    if (!item.id) item.removeAttribute("id");
    return item;
  }

  function renderList() {
    list.replaceChildren(...annotations.map((annotation) => card(annotation, { inList: true })));
    typeset(list);
    count.textContent = annotations.length ? String(annotations.length) : "";
    empty.hidden = annotations.length > 0;
  }

  function render() {
    annotations.sort(
      (a, b) =>
        (a.state === "orphaned") - (b.state === "orphaned") ||
        (a.state === "orphaned" ? 0 : a.start - b.start || a.end - b.end) ||
        a.id - b.id,
    );
    drawHighlights();
    renderList();
  }

  const popover = element("div", { class: "annotation-popover", role: "dialog", hidden: "" });
  popover.setAttribute("aria-label", "批注");
  document.body.append(popover);

  function place(floating, rect) {
    floating.style.top = `${window.scrollY + rect.bottom + 6}px`;
    const right = window.innerWidth - floating.offsetWidth - 8;
    floating.style.left = `${window.scrollX + Math.max(8, Math.min(rect.left, right))}px`;
  }

  function showPopover(mark) {
    const ids = mark.dataset.annotationIds.split(" ").map(Number);
    const shown = annotations.filter((annotation) => ids.includes(annotation.id));
    popover.replaceChildren(
      element(
        "ol",
        { class: "annotation-popover__list" },
        ...shown.map((annotation) => card(annotation, { inList: false })),
      ),
    );
    typeset(popover);
    popover.hidden = false;
    place(popover, mark.getBoundingClientRect());
  }

  body.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.annotation-highlight");
    if (mark && window.getSelection().isCollapsed) showPopover(mark);
  });
  document.addEventListener("click", (event) => {
    const outside = !popover.contains(event.target);
    if (outside && !event.target.closest("mark.annotation-highlight")) popover.hidden = true;
  });
  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      popover.hidden = true;
      closeEditor();
    }
  });

  function showPassage(id) {
    const marks = marksOf(id);
    if (!marks.length) return false;
    marks[0].scrollIntoView({ block: "center" });
    for (const mark of marks) {
      mark.classList.remove("annotation-highlight--flash");
      void mark.offsetWidth; // restart the outline
      mark.classList.add("annotation-highlight--flash");
    }
    return true;
  }

  list.addEventListener("click", (event) => {
    const item = event.target.closest("[data-annotation-id]");
    if (item && !event.target.closest("button, a, form")) showPassage(item.dataset.annotationId);
  });

  // --- own annotations: edit and delete --------------------------------------------------------

  async function onAction(event) {
    const button = event.target.closest(
      "[data-edit], [data-delete], [data-save-edit], [data-cancel-edit]",
    );
    if (!button) return;
    const item = button.closest("[data-annotation-id]");
    const annotation = annotations.find((a) => String(a.id) === item.dataset.annotationId);
    if (!annotation) return;
    event.stopPropagation();
    if (button.matches("[data-delete]")) {
      if (!window.confirm("删除这条批注?")) return;
      try {
        await send(annotation.url, "DELETE");
        annotations = annotations.filter((a) => a !== annotation);
        popover.hidden = true;
        render();
      } catch (error) {
        window.alert(error.message);
      }
    } else if (button.matches("[data-edit]")) {
      const form = element(
        "form",
        { class: "annotation__edit" },
        element("textarea", { name: "body", rows: "3", "aria-label": "批注内容" }),
        element(
          "label",
          { class: "annotation-editor__public" },
          element("input", { type: "checkbox", name: "public" }),
          " 公开",
        ),
        element("p", { class: "annotation-editor__error", hidden: "" }),
        element(
          "p",
          { class: "annotation-editor__buttons" },
          element("button", { type: "button", class: "button", "data-save-edit": "", text: "保存" }),
          linkButton("取消", "data-cancel-edit"),
        ),
      );
      form.elements.body.value = annotation.body;
      form.elements.public.checked = annotation.visibility === "public";
      item.querySelector(".annotation__actions").replaceWith(form);
    } else if (button.matches("[data-cancel-edit]")) {
      render();
    } else {
      const form = button.closest("form");
      try {
        const updated = await send(annotation.url, "PATCH", {
          body: form.elements.body.value,
          visibility: form.elements.public.checked ? "public" : "private",
        });
        Object.assign(annotation, updated);
        popover.hidden = true;
        render();
      } catch (error) {
        const message = form.querySelector(".annotation-editor__error");
        message.textContent = error.message;
        message.hidden = false;
      }
    }
  }
  list.addEventListener("click", onAction);
  popover.addEventListener("click", onAction);

  // --- selecting and annotating ----------------------------------------------------------------

  const button = element("button", {
    type: "button",
    class: "annotate-button",
    hidden: "",
    "data-annotate": "",
    text: signedIn ? "批注" : "登录后批注",
  });
  const editor = element(
    "form",
    { class: "annotation-editor", hidden: "", "data-annotation-editor": "" },
    element("blockquote", { class: "annotation__quote", "data-editor-quote": "" }),
    element("textarea", {
      name: "body",
      rows: "4",
      placeholder: "写点什么(可选):支持 *强调*、`代码`、$公式$",
      "aria-label": "批注内容",
    }),
    element(
      "label",
      { class: "annotation-editor__public" },
      element("input", { type: "checkbox", name: "public" }),
      " 公开(其他读者可见)",
    ),
    element("p", { class: "annotation-editor__error", hidden: "", "data-editor-error": "" }),
    element(
      "p",
      { class: "annotation-editor__buttons" },
      element("button", { type: "submit", class: "button", text: "保存" }),
      linkButton("取消", "data-editor-cancel"),
    ),
  );
  document.body.append(button, editor);

  function currentPassage() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const runs = textRuns(body);
    const offsets = rangeOffsets(body, range, runs);
    if (!offsets) return null;
    const exact = slice(runs, offsets.start, offsets.end);
    if (!exact.trim()) return null;
    return { exact, ...offsets, rect: range.getBoundingClientRect() };
  }

  let selectionTimer = null;
  document.addEventListener("selectionchange", () => {
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(() => {
      if (!editor.hidden) return;
      const passage = currentPassage();
      button.hidden = !passage;
      if (passage) {
        pending = passage;
        place(button, passage.rect);
      }
    }, 120);
  });
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  button.addEventListener("click", () => {
    if (!pending) return;
    if (!signedIn) {
      window.location.assign(loginUrl);
      return;
    }
    button.hidden = true;
    editor.querySelector("[data-editor-quote]").textContent = pending.exact;
    editor.hidden = false;
    place(editor, pending.rect);
    editor.elements.body.focus();
  });

  function closeEditor() {
    editor.hidden = true;
    editor.reset();
    editor.querySelector("[data-editor-error]").hidden = true;
    pending = null;
  }
  editor.querySelector("[data-editor-cancel]").addEventListener("click", closeEditor);

  editor.addEventListener("submit", async (event) => {
    event.preventDefault();
    const submit = editor.querySelector("button[type=submit]");
    const error = editor.querySelector("[data-editor-error]");
    submit.disabled = true;
    try {
      const created = await send(listUrl, "POST", {
        exact: pending.exact,
        start: pending.start,
        end: pending.end,
        body: editor.elements.body.value,
        visibility: editor.elements.public.checked ? "public" : "private",
      });
      annotations.push(created);
      window.getSelection().removeAllRanges();
      closeEditor();
      render();
    } catch (failure) {
      error.textContent = failure.message;
      error.hidden = false;
    } finally {
      submit.disabled = false;
    }
  });

  // --- load ------------------------------------------------------------------------------------

  async function load() {
    try {
      const data = await send(listUrl, "GET");
      annotations = data.annotations;
      render();
      // A permalink (note URL + #annotation-ID): the passage, else the annotation in the list.
      // Opened with its card, as a shared link promises.
      const linked = window.location.hash.match(/^#annotation-(\d+)$/);
      if (linked && showPassage(linked[1])) showPopover(marksOf(linked[1])[0]);
      else if (linked) document.getElementById(`annotation-${linked[1]}`)?.scrollIntoView();
    } catch {
      empty.textContent = "批注加载失败。";
      empty.hidden = false;
    }
  }

  load().then(() => {
    panel.dataset.loaded = ""; // tests wait for it
  });
}
