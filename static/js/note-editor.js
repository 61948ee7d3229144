// The note body's editor on the admin change page: CodeMirror over the body textarea (which
// stays the form field and is kept in step, so the form saves as without JavaScript), a live
// preview rendered by the server (papers.editor.preview) with its math typeset here, image
// upload by paste, drop or button (papers.editor.upload_image), and a draft in localStorage
// that survives a reload or a crash until the note is saved.
//
// CodeMirror lives in a shadow root: there it styles itself with a constructed stylesheet,
// where on the page it would add a <style> element that the site's Content-Security-Policy
// (style-src 'self') refuses. Its colours are the admin's own variables, which reach into the
// shadow root, so it follows the admin's light or dark theme.

import {
  bracketMatching,
  Decoration,
  defaultKeymap,
  drawSelection,
  EditorState,
  EditorView,
  highlightActiveLine,
  highlightActiveLineGutter,
  HighlightStyle,
  history,
  historyKeymap,
  indentWithTab,
  keymap,
  lineNumbers,
  MatchDecorator,
  markdown,
  markdownLanguage,
  syntaxHighlighting,
  tags,
  ViewPlugin,
} from "../vendor/codemirror/codemirror.js";
import { typeset } from "./math.js";

const PREVIEW_DELAY_MS = 300;
const DRAFT_DELAY_MS = 400;
// Which draft the last submitted form was saving; forgotten once the admin says it saved.
const SAVING_KEY = "note-editor:saving";
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/gif", "image/webp"];
// $$..$$, $..$, \(..\) and \[..\] on one line, and TeX commands anywhere (\frac, \begin).
const TEX_SPAN = /\$\$.+?\$\$|\$[^$\s](?:[^$]*[^$\s])?\$|\\\(.+?\\\)|\\\[.+?\\\]/g;
const TEX_COMMAND = /\\[A-Za-z]+/g;
// A colour mixed with the text colour, as callouts do: darker on light, lighter on dark.
const tinted = (colour) => `color-mix(in srgb, ${colour} 65%, var(--body-fg))`;
const THEME = EditorView.theme({
  "&": { height: "100%", background: "var(--body-bg)", color: "var(--body-fg)" },
  "&.cm-focused": { outline: "2px solid var(--link-fg)" },
  ".cm-scroller": {
    fontFamily: 'ui-monospace, "SFMono-Regular", Menlo, Consolas, "Noto Sans Mono CJK SC", monospace',
    fontSize: "0.875rem",
    lineHeight: "1.6",
  },
  ".cm-gutters": {
    background: "var(--darkened-bg)",
    color: "var(--body-quiet-color)",
    borderRightColor: "var(--hairline-color)",
  },
  ".cm-activeLine, .cm-activeLineGutter": { background: "var(--selected-bg)" },
  ".cm-cursor": { borderLeftColor: "var(--body-fg)" },
  ".cm-tex-math": { color: tinted("#8250df") },
  ".cm-tex-command": { color: tinted("#cf222e") },
});
const MARKDOWN_STYLE = HighlightStyle.define([
  { tag: tags.heading, fontWeight: "700", color: "var(--body-loud-color)" },
  { tag: tags.emphasis, fontStyle: "italic" },
  { tag: tags.strong, fontWeight: "700" },
  { tag: [tags.link, tags.url], color: "var(--link-fg)" },
  { tag: [tags.meta, tags.processingInstruction], color: "var(--body-quiet-color)" },
  { tag: tags.monospace, color: tinted("#1a7f37") },
  { tag: tags.quote, color: "var(--body-quiet-color)" },
]);

forgetSavedDraft();
for (const textarea of document.querySelectorAll("textarea[data-markdown-editor]")) {
  startEditor(textarea);
}

// NoteAdmin's media load this module on the changelist too, where "保存" lands.
function forgetSavedDraft() {
  const key = sessionStorage.getItem(SAVING_KEY);
  if (!key) return;
  sessionStorage.removeItem(SAVING_KEY);
  if (document.querySelector(".messagelist .success")) localStorage.removeItem(key);
}

function startEditor(textarea) {
  const form = textarea.form;
  const saved = textarea.value;
  // A form sent back with errors holds what the author typed, not what is stored.
  const refused = document.querySelector(".errornote") !== null;
  const parts = buildParts(textarea);
  const draft = draftStore(textarea.dataset.draftKey);
  let submitting = false;

  const refreshPreview = previewer(parts, textarea);
  const schedulePreview = debounce(() => refreshPreview(view), PREVIEW_DELAY_MS);
  const scheduleDraft = debounce(() => {
    if (!parts.banner.isConnected) draft.write(view.state.doc.toString());
  }, DRAFT_DELAY_MS);

  const root = parts.source.attachShadow({ mode: "open" });
  const view = new EditorView({
    root,
    parent: root,
    state: EditorState.create({
      doc: saved,
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        history(),
        drawSelection(),
        bracketMatching(),
        EditorView.lineWrapping,
        markdown({ base: markdownLanguage }),
        THEME,
        syntaxHighlighting(MARKDOWN_STYLE),
        texHighlighting(TEX_SPAN, "cm-tex-math"),
        texHighlighting(TEX_COMMAND, "cm-tex-command"),
        keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
        // tabindex: editable text is reached by Tab anyway; saying so tells checkers (axe) that
        // the editor's scrolling box holds something the keyboard reaches.
        EditorView.contentAttributes.of({
          "aria-label": textarea.labels[0]?.textContent ?? "",
          tabindex: "0",
        }),
        EditorView.domEventHandlers({
          paste: (event, view) => insertImages(event.clipboardData, view, parts, textarea),
          drop: (event, view) => {
            const at = view.posAtCoords({ x: event.clientX, y: event.clientY });
            return insertImages(event.dataTransfer, view, parts, textarea, at);
          },
        }),
        EditorView.updateListener.of((update) => {
          if (!update.docChanged) return;
          textarea.value = update.state.doc.toString();
          schedulePreview();
          scheduleDraft();
        }),
      ],
    }),
  });
  view.scrollDOM.addEventListener("scroll", () => followScroll(view, parts.preview));

  parts.pick.addEventListener("change", () => {
    uploadImages([...parts.pick.files], view, parts, textarea);
    parts.pick.value = "";
  });
  offerDraft(draft, saved, view, parts);
  document.addEventListener("keydown", (event) => {
    if ((event.ctrlKey || event.metaKey) && event.key.toLowerCase() === "s") {
      event.preventDefault();
      form.requestSubmit(form.querySelector("[name=_continue]"));
    }
  });
  form.addEventListener("submit", () => {
    submitting = true;
    textarea.value = view.state.doc.toString();
    sessionStorage.setItem(SAVING_KEY, draft.key);
  });
  window.addEventListener("beforeunload", (event) => {
    if (!submitting && (refused || view.state.doc.toString() !== saved)) event.preventDefault();
  });
  refreshPreview(view);
}

// The editor's markup, placed where the textarea was; the textarea stays in the form, hidden.
function buildParts(textarea) {
  const element = (tag, className, text = "") => {
    const node = document.createElement(tag);
    node.className = className;
    node.textContent = text;
    return node;
  };
  const root = element("div", "note-editor");
  const toolbar = element("div", "note-editor__toolbar");
  const pickButton = element("button", "button note-editor__pick", "插入图片");
  pickButton.type = "button";
  const pick = element("input", "note-editor__file");
  Object.assign(pick, { type: "file", accept: IMAGE_TYPES.join(","), multiple: true, hidden: true });
  pickButton.addEventListener("click", () => pick.click());
  const status = element("span", "note-editor__status");
  status.setAttribute("role", "status");
  toolbar.append(pickButton, pick, status);
  const banner = element("div", "note-editor__banner");
  const panes = element("div", "note-editor__panes");
  const source = element("div", "note-editor__source");
  const preview = element("div", "note-editor__preview note-content");
  // A named region (a bare div may not carry a label), in the tab order: it scrolls on its own.
  preview.setAttribute("role", "region");
  preview.setAttribute("aria-label", "实时预览");
  preview.tabIndex = 0;
  panes.append(source, preview);
  const errors = element("ul", "note-editor__errors");
  errors.setAttribute("aria-live", "polite");
  root.append(toolbar, panes, errors);
  textarea.hidden = true;
  textarea.after(root);
  return { root, toolbar, banner, source, preview, errors, status, pick };
}

function draftStore(key) {
  return {
    key,
    read() {
      try {
        return JSON.parse(localStorage.getItem(key));
      } catch {
        return null; // a draft written by something else: nothing to offer
      }
    },
    write(body) {
      localStorage.setItem(key, JSON.stringify({ body, savedAt: new Date().toISOString() }));
    },
    clear() {
      localStorage.removeItem(key);
    },
  };
}

// A draft that differs from what the page holds is offered back; nothing is replaced unasked.
function offerDraft(draft, saved, view, parts) {
  const found = draft.read();
  if (typeof found?.body !== "string" || found.body === saved) return;
  const when = new Date(found.savedAt).toLocaleString();
  const text = document.createElement("span");
  text.textContent = `有一份未保存的草稿(${when})。`;
  const restore = bannerButton("恢复", () => {
    view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: found.body } });
  });
  const discard = bannerButton("丢弃", () => draft.clear());
  parts.banner.append(text, restore, discard);
  parts.banner.setAttribute("role", "alert");
  parts.root.prepend(parts.banner);

  function bannerButton(label, action) {
    const button = document.createElement("button");
    Object.assign(button, { type: "button", className: "button", textContent: label });
    button.addEventListener("click", () => {
      parts.banner.remove(); // before the action: restoring writes the draft again
      action();
    });
    return button;
  }
}

// The preview's refresh: the server renders, here math is typeset and its errors listed. A
// newer refresh aborts the one still waiting, so an older answer never overwrites a newer.
function previewer(parts, textarea) {
  let pending = null;
  return async (view) => {
    pending?.abort();
    const request = new AbortController();
    pending = request;
    const body = view.state.doc.toString();
    let answer;
    try {
      answer = await post(textarea.dataset.previewUrl, { body }, textarea.form, request);
    } catch (error) {
      if (error.name !== "AbortError") showStatus(parts, `预览失败:${error.message}`, true);
      return;
    }
    if (parts.status.textContent.startsWith("预览失败")) showStatus(parts, "");
    parts.preview.innerHTML = answer.html; // sanitized by the server (papers.rendering)
    const problems = [];
    typeset(parts.preview, (element, tex, error) => {
      problems.push({ line: sourceLineOf(tex, element, view.state.doc), message: error.message });
    });
    showTexErrors(parts.errors, problems);
    followScroll(view, parts.preview);
  };
}

// The line of `tex` in the source: searched from the first line of its top-level block.
function sourceLineOf(tex, element, doc) {
  const block = blockStartLine(element);
  const from = doc.line(Math.min(block, doc.lines)).from;
  const at = doc.sliceString(from).indexOf(tex);
  return at < 0 ? block : doc.lineAt(from + at).number;
}

function blockStartLine(element) {
  let node = element;
  while (node.parentElement && !node.parentElement.classList.contains("note-editor__preview")) {
    node = node.parentElement;
  }
  while (node && !node.dataset?.line) node = node.previousElementSibling;
  return node ? Number(node.dataset.line) : 1;
}

function showTexErrors(list, problems) {
  list.replaceChildren(
    ...problems.map(({ line, message }) => {
      const item = document.createElement("li");
      item.textContent = `第 ${line} 行:${message}`;
      return item;
    }),
  );
}

// Scrolls the preview to the place of the editor's top line, between the markers around it.
function followScroll(view, preview) {
  const top = view.lineBlockAtHeight(view.scrollDOM.scrollTop);
  const line = view.state.doc.lineAt(top.from).number;
  const markers = [...preview.querySelectorAll("[data-line]")];
  let before = null;
  let after = null;
  for (const marker of markers) {
    if (Number(marker.dataset.line) <= line) before = marker;
    else {
      after = marker;
      break;
    }
  }
  if (!before) {
    preview.scrollTop = 0;
    return;
  }
  const fromLine = Number(before.dataset.line);
  const toLine = after ? Number(after.dataset.line) : view.state.doc.lines + 1;
  const toTop = after ? after.offsetTop : preview.scrollHeight;
  const share = (line - fromLine) / Math.max(toLine - fromLine, 1);
  preview.scrollTop = before.offsetTop + (toTop - before.offsetTop) * share;
}

function insertImages(transfer, view, parts, textarea, at = null) {
  const files = [...(transfer?.files ?? [])].filter((file) => file.type.startsWith("image/"));
  if (!files.length) return false;
  if (at !== null) view.dispatch({ selection: { anchor: at } });
  uploadImages(files, view, parts, textarea);
  return true;
}

async function uploadImages(files, view, parts, textarea) {
  for (const file of files) {
    showStatus(parts, `正在上传 ${file.name}…`);
    try {
      const answer = await post(textarea.dataset.uploadUrl, { image: file }, textarea.form);
      view.dispatch(view.state.replaceSelection(`${answer.markdown}\n`));
      showStatus(parts, `已插入 ${file.name}`);
    } catch (error) {
      showStatus(parts, `${file.name}:${error.message}`, true);
      return;
    }
  }
  view.focus();
}

function showStatus(parts, message, isError = false) {
  parts.status.textContent = message;
  parts.status.classList.toggle("note-editor__status--error", isError);
}

// POSTs `fields` with the form's CSRF token; the JSON answer, or an Error with its message.
async function post(url, fields, form, controller = new AbortController()) {
  const body = new FormData();
  body.append("csrfmiddlewaretoken", form.elements.csrfmiddlewaretoken.value);
  for (const [name, value] of Object.entries(fields)) body.append(name, value);
  const response = await fetch(url, { method: "POST", body, signal: controller.signal });
  const answer = await response.json().catch(() => ({ error: `服务器答 ${response.status}` }));
  if (!response.ok) throw new Error(answer.error ?? `服务器答 ${response.status}`);
  return answer;
}

function texHighlighting(regexp, className) {
  const decorator = new MatchDecorator({ regexp, decoration: Decoration.mark({ class: className }) });
  return ViewPlugin.define((view) => ({
    decorations: decorator.createDeco(view),
    update(update) {
      this.decorations = decorator.updateDeco(update, this.decorations);
    },
  }), { decorations: (plugin) => plugin.decorations });
}

function debounce(action, delay) {
  let timer = null;
  return () => {
    clearTimeout(timer);
    timer = setTimeout(action, delay);
  };
}
