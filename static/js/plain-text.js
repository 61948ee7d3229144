// The plain text of rendered note HTML, by the same rule as papers.rendering.plain_text on the
// server: every text node in document order, a math element as its TeX source (data-tex once
// typeset), and permalink / footnote back-link markers as nothing. Annotations anchor to it.

const NON_TEXT_CLASSES = ["headerlink", "footnote-backref"];
const DELIMITERS = { "\\(": "\\)", "\\[": "\\]" };

function texOf(element) {
  if (element.dataset.tex !== undefined) return element.dataset.tex;
  const source = element.textContent;
  const closing = DELIMITERS[source.slice(0, 2)];
  return closing && source.endsWith(closing) ? source.slice(2, -2) : source;
}

export function plainText(root) {
  let text = "";
  for (const node of root.childNodes) {
    if (node.nodeType === Node.TEXT_NODE) {
      text += node.data;
    } else if (node.nodeType === Node.ELEMENT_NODE) {
      if (NON_TEXT_CLASSES.some((name) => node.classList.contains(name))) continue;
      text += node.classList.contains("arithmatex") ? texOf(node) : plainText(node);
    }
  }
  return text;
}
