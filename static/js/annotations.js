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

import { openDialog } from "./annotation-dialog.js";
import { threadParts, timeElement } from "./annotation-thread.js";
import { typeset } from "./math.js";
import { enableKeyboardSelection } from "./keyboard-selection.js";
import { pieces, rangeOf, rangeOffsets, slice, snap, textRuns } from "./plain-text.js";
import { wordDiff } from "./word-diff.js";

const QUOTE_LENGTH = 140; // characters of a quote a card shows
const CONTEXT_LENGTH = 30; // characters kept before the first change of a cut quote
const LABEL_LENGTH = 30; // characters of the passage a highlight's accessible name says
const RESUME_KEY = "notesite:annotate-after-login"; // sessionStorage: the passage to select again
const EDITABLE = "input, textarea, select, [contenteditable]"; // where Alt+A types (å on a Mac)

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

// Where `tex` is in `text` as a whole, not inside a word ("x" in "max"); -1 when nowhere.
function texIndex(text, tex) {
  const word = /[A-Za-z0-9]/;
  for (let index = text.indexOf(tex); index >= 0; index = text.indexOf(tex, index + 1)) {
    const before = text[index - 1] ?? "";
    const after = text[index + tex.length] ?? "";
    const joinsBefore = word.test(tex[0]) && word.test(before);
    const joinsAfter = word.test(tex[tex.length - 1]) && word.test(after);
    if (!joinsBefore && !joinsAfter) return index;
  }
  return -1;
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
  const status = panel.querySelector("[data-annotation-status]");
  let annotations = [];
  let pending = null; // the selected passage: {exact, start, end, range}
  let mathRuns = []; // the body's math elements as plain-text runs (plain-text.js)

  // Keyboard and screen readers: the body is a tab stop where arrows move a caret and
  // Shift+arrows select (keyboard-selection.js); Tab or Alt+A then reaches 批注 with the
  // selection kept. The first highlight of each annotation is a button (Enter opens its
  // popover, Escape returns to it); public highlights are underlined solid, private ones dashed,
  // and their names say which. What changes is announced in the panel's live region.
  enableKeyboardSelection(body, { label: "笔记正文" });
  body.setAttribute("aria-describedby", "annotation-keys"); // the panel's hint on the keys

  function announce(message) {
    status.textContent = "";
    requestAnimationFrame(() => {
      status.textContent = message; // a new text node, so that the same words are said again
    });
  }

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
    mathRuns = runs.filter((run) => run.atomic);
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
    const privateIds = annotations.filter((a) => a.visibility === "private").map((a) => a.id);
    // Last first: splitting a text node keeps the earlier part in the node the runs point to.
    for (const interval of intervals.reverse()) {
      const onlyPrivate = interval.ids.every((id) => privateIds.includes(id));
      for (const piece of pieces(runs, interval.start, interval.end).reverse()) {
        wrap(piece, interval.ids, onlyPrivate);
      }
    }
    for (const span of spans) makeFocusable(span, slice(runs, span.start, span.end));
  }

  function wrap(piece, ids, onlyPrivate) {
    const mark = element("mark", {
      class: "annotation-highlight",
      "data-annotation-ids": ids.join(" "),
    });
    if (ids.length > 1) mark.classList.add("annotation-highlight--overlap");
    if (onlyPrivate) mark.classList.add("annotation-highlight--private");
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

  // One tab stop per annotation: its first highlight outside a link (a button inside a link
  // would be a control inside a control); the side list reaches the others.
  function makeFocusable({ id }, passage) {
    const mark = marksOf(id).find((candidate) => !candidate.closest("a"));
    if (!mark || mark.hasAttribute("tabindex")) return;
    const ids = mark.dataset.annotationIds.split(" ");
    const kind =
      ids.length > 1
        ? `${ids.length} 条批注`
        : mark.classList.contains("annotation-highlight--private")
          ? "仅自己可见的批注"
          : "公开批注";
    const text = [...passage];
    const shown = text.slice(0, LABEL_LENGTH).join("") + (text.length > LABEL_LENGTH ? "…" : "");
    mark.tabIndex = 0;
    mark.setAttribute("role", "button");
    mark.setAttribute("aria-label", `${kind}:${shown}`);
  }

  // The passage's math, as the plain text has it (TeX), in a quote becomes an .arithmatex
  // element again, for typeset() to show it as KaTeX: as many times as the passage has it, the
  // longest first. An orphan's passage is nowhere in the body, so its quote keeps the TeX.
  function markMath(block, start, end) {
    const left = new Map(); // TeX -> how many of the passage's math elements are still to find
    for (const run of mathRuns) {
      const inPassage = run.start < end && run.end > start && run.text.trim();
      if (inPassage) left.set(run.text, (left.get(run.text) ?? 0) + 1);
    }
    const sources = [...left.keys()].sort((a, b) => b.length - a.length);
    const walker = document.createTreeWalker(block, NodeFilter.SHOW_TEXT);
    const nodes = [];
    for (let node = walker.nextNode(); node; node = walker.nextNode()) nodes.push(node);
    for (let node of nodes) {
      for (;;) {
        const hits = sources
          .filter((tex) => left.get(tex) > 0)
          .map((tex) => [texIndex(node.data, tex), tex])
          .filter(([index]) => index >= 0);
        if (!hits.length) break;
        const [index, tex] = hits.reduce((first, hit) => (hit[0] < first[0] ? hit : first));
        left.set(tex, left.get(tex) - 1);
        const math = node.splitText(index);
        node = math.splitText(tex.length);
        math.replaceWith(element("span", { class: "arithmatex", text: `\\(${tex}\\)` }));
      }
    }
    return block;
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
    const anchored = annotation.state === "anchored";
    const withMath = (block) =>
      anchored ? markMath(block, annotation.start, annotation.end) : block;
    if (!annotation.text_changed) return [withMath(quoteBlock([{ text: annotation.quote }]))];
    const [chosen, now] = wordDiff(annotation.quote, annotation.exact);
    const label = (text) => element("p", { class: "annotation__quote-label", text });
    return [
      label("批注时的原文:"),
      withMath(quoteBlock(chosen, { tag: "del" })),
      label("现在的原文:"),
      withMath(quoteBlock(now, { tag: "ins", modifier: "annotation__quote--now" })),
    ];
  }

  function card(annotation, { inList }) {
    const orphan = annotation.state === "orphaned";
    const item = element("li", {
      // annotation--mine: print.js prints the reader's own annotations as endnotes.
      class: `annotation${orphan ? " annotation--orphan" : ""}${annotation.mine ? " annotation--mine" : ""}`,
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
    item.append(threadParts(annotation, { send, signedIn, onHidden: removed }));
    if (!item.id) item.removeAttribute("id");
    return item;
  }

  // An annotation deleted by its author or hidden by a moderator leaves the page at once; the
  // focus, which was on its card, goes to the note body.
  function removed(annotation, message = "批注已隐藏。") {
    annotations = annotations.filter((a) => a !== annotation);
    popover.hidden = true;
    render();
    body.focus({ preventScroll: true });
    announce(message);
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

  const popover = element("div", {
    class: "annotation-popover",
    role: "dialog",
    "aria-label": "批注",
    tabindex: "-1",
    hidden: "",
  });
  document.body.append(popover);
  let popoverOpener = null; // the highlight that opened it, to give the focus back to

  // Below the passage, unless it would run past the window's bottom and fits above: a
  // highlight on the last lines of the screen would otherwise open its popover out of sight.
  function place(floating, rect) {
    const height = floating.offsetHeight;
    const above = rect.top - 6 - height;
    const fitsBelow = rect.bottom + 6 + height <= window.innerHeight - 8;
    const top = fitsBelow || above < 8 ? rect.bottom + 6 : above;
    floating.style.top = `${window.scrollY + top}px`;
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
    popoverOpener = mark;
    popover.focus({ preventScroll: true });
  }

  // The popover is placed in page coordinates, so it scrolls with the page; a resize reflows
  // the text under it (and a scrolled box moves its highlight), so it is placed again then.
  let placementQueued = false;
  function followOpener() {
    if (popover.hidden || !popoverOpener?.isConnected || placementQueued) return;
    placementQueued = true;
    requestAnimationFrame(() => {
      placementQueued = false;
      if (!popover.hidden) place(popover, popoverOpener.getBoundingClientRect());
    });
  }
  window.addEventListener("resize", followOpener);
  document.addEventListener("scroll", followOpener, { capture: true, passive: true });

  function closePopover() {
    if (popover.hidden) return;
    popover.hidden = true;
    if (popover.contains(document.activeElement) || document.activeElement === document.body) {
      popoverOpener?.focus({ preventScroll: true });
    }
  }

  body.addEventListener("click", (event) => {
    const mark = event.target.closest("mark.annotation-highlight");
    if (mark && window.getSelection().isCollapsed) showPopover(mark);
  });
  body.addEventListener("keydown", (event) => {
    const mark = event.target.closest("mark.annotation-highlight[tabindex]");
    if (mark && (event.key === "Enter" || event.key === " ")) {
      event.preventDefault();
      showPopover(mark);
    }
  });
  // A click elsewhere closes the popover. Its path, not its target: a button in the popover
  // may have replaced itself by then (加标签 becomes a form), and the target is then nowhere.
  document.addEventListener("click", (event) => {
    const outside = !event.composedPath().includes(popover);
    if (outside && !event.target.closest("mark.annotation-highlight, dialog")) popover.hidden = true;
  });
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("dialog")) return; // its own Escape closes only the dialog
    if (event.key === "Escape") {
      closePopover();
      cancelEditor();
    } else if (event.altKey && event.code === "KeyA" && !event.target.closest(EDITABLE)) {
      event.preventDefault(); // Alt+A: with a selection, as 批注; on a Mac, not "å"
      annotateSelection();
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
      const confirmed = await openDialog({ title: "删除这条批注?", confirm: "删除" });
      if (confirmed === null) return;
      try {
        await send(annotation.url, "DELETE");
        removed(annotation, "批注已删除。");
      } catch (error) {
        await openDialog({ title: "没能删除", message: error.message, confirm: null, cancel: "关闭" });
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
        announce("批注已保存。");
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
  body.after(button, editor); // next in the tab order after the passage they are for

  function currentPassage() {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const runs = textRuns(body);
    const offsets = rangeOffsets(body, range, runs);
    if (!offsets) return null;
    const exact = slice(runs, offsets.start, offsets.end);
    if (!exact.trim()) return null;
    return { exact, ...offsets, range: range.cloneRange() };
  }

  function showButton(passage) {
    pending = passage;
    button.hidden = false;
    place(button, passage.range.getBoundingClientRect());
  }

  // The passage selected now, shown with 批注; null without one. Tab and Alt+A read it at once:
  // the reader may press them before the debounced selectionchange below has run.
  function readSelection() {
    clearTimeout(selectionTimer);
    const passage = currentPassage();
    if (passage) showButton(passage);
    return passage;
  }

  let selectionTimer = null;
  document.addEventListener("selectionchange", () => {
    clearTimeout(selectionTimer);
    selectionTimer = setTimeout(() => {
      if (!editor.hidden || document.activeElement === button) return; // the passage is kept
      const passage = currentPassage();
      const shown = !button.hidden;
      if (passage) showButton(passage);
      else button.hidden = true;
      if (passage && !shown && body.matches(":focus-visible")) {
        announce("已选中文字,按 Tab 或 Alt+A 批注。");
      }
    }, 120);
  });
  button.addEventListener("mousedown", (event) => event.preventDefault()); // keep the selection
  button.addEventListener("click", annotateSelection);
  // Tab from a selection in the body goes to 批注, Shift+Tab back; neither loses the selection.
  body.addEventListener("keydown", (event) => {
    if (event.key === "Tab" && !event.shiftKey && event.target === body && readSelection()) {
      event.preventDefault();
      button.focus();
    }
  });
  button.addEventListener("keydown", (event) => {
    if (event.key === "Tab" && event.shiftKey) {
      event.preventDefault();
      body.focus();
    }
  });

  function annotateSelection() {
    if (document.activeElement !== button) readSelection();
    if (!pending || button.hidden) {
      announce("请先在正文中选中要批注的文字。");
      return;
    }
    if (!signedIn) {
      const { exact, start, end } = pending;
      const saved = { path: window.location.pathname, exact, start, end };
      try {
        window.sessionStorage.setItem(RESUME_KEY, JSON.stringify(saved));
      } catch {
        // storage turned off: the reader logs in all the same, without the selection kept
      }
      window.location.assign(loginUrl);
      return;
    }
    button.hidden = true;
    const quote = editor.querySelector("[data-editor-quote]");
    const text = element("span", { text: pending.exact });
    quote.replaceChildren(markMath(text, pending.start, pending.end));
    typeset(quote);
    editor.hidden = false;
    place(editor, pending.range.getBoundingClientRect()); // where the passage is now
    editor.elements.body.focus();
  }

  function closeEditor() {
    const passage = pending;
    editor.hidden = true;
    editor.reset();
    editor.querySelector("[data-editor-error]").hidden = true;
    pending = null;
    return passage;
  }

  // Back to the body with the passage selected again, so that the reader can go on from it.
  function cancelEditor() {
    if (editor.hidden) return;
    const passage = closeEditor();
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(passage.range);
    body.focus({ preventScroll: true });
  }
  editor.querySelector("[data-editor-cancel]").addEventListener("click", cancelEditor);

  // The passage a reader chose before being sent to log in, selected again on return, 批注 in
  // focus; nothing when the note's words there have changed since.
  function resumeAfterLogin() {
    let saved = null;
    try {
      saved = JSON.parse(window.sessionStorage.getItem(RESUME_KEY) ?? "null");
    } catch {
      return; // storage turned off, or not our JSON
    }
    if (!signedIn || saved?.path !== window.location.pathname) return;
    window.sessionStorage.removeItem(RESUME_KEY);
    const runs = textRuns(body);
    const range = rangeOf(runs, saved.start, saved.end);
    if (!range || slice(runs, saved.start, saved.end) !== saved.exact) return;
    window.scrollBy(0, range.getBoundingClientRect().top - window.innerHeight / 3);
    const selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
    showButton({ exact: saved.exact, start: saved.start, end: saved.end, range });
    button.focus({ preventScroll: true });
    announce("已选中登录前选择的文字,按 Enter 批注。");
  }

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
      (marksOf(created.id).find((mark) => mark.hasAttribute("tabindex")) ?? body).focus();
      announce("批注已保存。");
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
    resumeAfterLogin();
    panel.dataset.loaded = ""; // tests wait for it
  });
}
