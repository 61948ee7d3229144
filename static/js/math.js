// Typesets the math that papers/dialect.py marked: an element of class "arithmatex" whose
// text is \(tex\) (inline) or \[tex\] (display). KaTeX (static/vendor/katex) is loaded before
// this module with `defer`. The TeX source stays on the element as data-tex, so the page's
// plain text can still be computed after typesetting (see plainText in plain-text.js).

const DELIMITERS = { "\\(": ["\\)", false], "\\[": ["\\]", true] };

// With `onError(element, tex, error)`, a formula KaTeX cannot parse is reported there (the
// admin's editor lists them) and still shown as KaTeX shows errors, its source in red.
export function typeset(root = document, onError = null) {
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
  }
}

// A display formula wider than its box scrolls sideways inside it; such a box takes the
// keyboard's focus and says what it is, so that it can be scrolled without a mouse (WCAG 2.1.1).
// Checked again once the fonts are in and whenever the window's width changes.
function markScrollingFormulas(root = document) {
  for (const box of root.querySelectorAll(".katex-display")) {
    if (box.scrollWidth > box.clientWidth) {
      box.tabIndex = 0;
      box.setAttribute("role", "group");
      box.setAttribute("aria-label", "公式（可左右滚动）");
    } else {
      for (const name of ["tabindex", "role", "aria-label"]) box.removeAttribute(name);
    }
  }
}

typeset();
markScrollingFormulas();
document.fonts.ready.then(() => markScrollingFormulas());
window.addEventListener("resize", () => markScrollingFormulas());
