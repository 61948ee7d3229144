// Selecting text of the note body with the keyboard, for readers without a mouse. Chrome extends
// a range with Shift+arrows in a page's text, but it has no caret to start one from unless the
// reader turned on caret browsing (F7). So the body is a tab stop; when it gets the keyboard's
// focus a caret is put at the start of the first line in view and drawn (a page's caret is
// invisible), arrows move it, Shift+arrows select (Ctrl: by word), as in a text editor and as
// caret browsing does. After a click in the body the arrows scroll the page as usual.

const KEYS = {
  ArrowLeft: ["backward", "character"],
  ArrowRight: ["forward", "character"],
  ArrowUp: ["backward", "line"],
  ArrowDown: ["forward", "line"],
};

function firstTextInView(body) {
  const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
  const probe = document.createRange();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    if (!node.data.trim() || node.parentElement.closest(".katex")) continue;
    probe.selectNodeContents(node);
    if (probe.getBoundingClientRect().bottom > 0) return node;
  }
  return null;
}

export function enableKeyboardSelection(body, { label }) {
  body.tabIndex = 0;
  body.setAttribute("role", "region");
  body.setAttribute("aria-label", label);
  const caret = document.createElement("span");
  caret.className = "keyboard-caret";
  caret.hidden = true;
  caret.setAttribute("aria-hidden", "true");
  document.body.append(caret);

  const selectionInBody = () => {
    const selection = window.getSelection();
    if (!selection.rangeCount) return false;
    return body.contains(selection.getRangeAt(0).commonAncestorContainer);
  };

  function drawCaret() {
    const selection = window.getSelection();
    const collapsed = selection.isCollapsed && selectionInBody();
    caret.hidden = !(collapsed && body.matches(":focus-visible"));
    if (caret.hidden) return;
    const rect = selection.getRangeAt(0).getClientRects()[0];
    if (!rect) return;
    caret.style.top = `${window.scrollY + rect.top}px`;
    caret.style.left = `${window.scrollX + rect.left}px`;
    caret.style.height = `${rect.height}px`; // Selection.modify() scrolls it into view
  }

  body.addEventListener("focus", () => {
    if (body.matches(":focus-visible") && !selectionInBody()) {
      const node = firstTextInView(body);
      if (node) window.getSelection().collapse(node, node.data.search(/\S/));
    }
    drawCaret();
  });
  body.addEventListener("blur", () => {
    caret.hidden = true;
  });
  document.addEventListener("selectionchange", drawCaret);

  body.addEventListener("keydown", (event) => {
    const move = KEYS[event.key];
    const byKeyboard = event.target === body && body.matches(":focus-visible");
    if (!move || event.altKey || event.metaKey || !byKeyboard || !selectionInBody()) return;
    const [direction, unit] = move;
    const granularity = event.ctrlKey && unit === "character" ? "word" : unit;
    window.getSelection().modify(event.shiftKey ? "extend" : "move", direction, granularity);
    event.preventDefault();
  });
}
