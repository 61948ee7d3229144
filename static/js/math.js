// Typesets the math that papers/dialect.py marked: an element of class "arithmatex" whose
// text is \(tex\) (inline) or \[tex\] (display). KaTeX (static/vendor/katex) is loaded before
// this module with `defer`. The TeX source stays on the element as data-tex, so the page's
// plain text can still be computed after typesetting (see plainText in plain-text.js).
// A formula wider than its line scrolls in its own box, with a fade at the hidden edge
// (scroll-hint.js): display math always can, an inline formula once it is found too long.

import { hintScrolling } from "./scroll-hint.js";

const DELIMITERS = { "\\(": ["\\)", false], "\\[": ["\\]", true] };

// With `onError(element, tex, error)`, a formula KaTeX cannot parse is reported there (the
// admin's editor lists them) and still shown as KaTeX shows errors, its source in red.
export function typeset(root = document, onError = null) {
  const done = [];
  for (const element of root.querySelectorAll(".arithmatex:not([data-tex])")) {
    const source = element.textContent;
    const [closing, displayMode] = DELIMITERS[source.slice(0, 2)] ?? [];
    if (!closing || !source.endsWith(closing)) continue;
    const tex = source.slice(2, -2);
    element.dataset.tex = tex;
    try {
      window.katex.render(tex, element, { displayMode, throwOnError: onError !== null });
    } catch (error) {
      onError(element, tex, error);
      window.katex.render(tex, element, { displayMode, throwOnError: false });
    }
    done.push(element);
  }
  fit(done);
}

function fit(formulas) {
  markLongFormulas(formulas);
  const displays = formulas.flatMap((element) => [...element.querySelectorAll(".katex-display")]);
  hintScrolling(displays);
  hintScrolling(formulas.filter((element) => element.classList.contains("arithmatex--long")));
  nameScrollingDisplays(displays);
}

// A display formula the keyboard can scroll (hintScrolling made it focusable) says what it is
// when it takes the focus.
function nameScrollingDisplays(boxes) {
  for (const box of boxes) {
    if (box.hasAttribute("tabindex")) {
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "公式（可左右滚动）");
    } else {
      box.removeAttribute("role");
      box.removeAttribute("aria-label");
    }
  }
}

// KaTeX breaks an inline formula only after a top-level relation or operator: one without
// such a place, wider than its line, would widen the page. It becomes a box of its own
// (class arithmatex--long), as wide as the line at most, that scrolls.
function markLongFormulas(elements) {
  for (const element of elements) {
    if (element.querySelector(".katex-display")) continue;
    element.classList.remove("arithmatex--long");
    const line = element.closest("p, li, td, th, dd, dt, blockquote, figcaption, h1, h2, h3, h4, h5, h6")
      ?? element.parentElement;
    const { left, right } = element.getBoundingClientRect();
    const bounds = line.getBoundingClientRect();
    if (right > bounds.right + 1 || left < bounds.left - 1) {
      element.classList.add("arithmatex--long");
    }
  }
}

typeset();
hintScrolling(document.querySelectorAll("pre"));
// Widths change once KaTeX's fonts are in, and with the window's width.
const refit = () => fit([...document.querySelectorAll(".arithmatex[data-tex]")]);
document.fonts.ready.then(refit);
window.addEventListener("resize", refit);
