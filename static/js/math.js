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

typeset();
