// The plain text of rendered note HTML, by the same rule as papers.rendering.plain_text on the
// server: every text node in document order, a math element as its TeX source (data-tex once
// typeset), and permalink / footnote back-link markers and buttons as nothing. Annotations
// anchor to it.
//
// Offsets are Unicode code points, as Python's str counts them (JavaScript strings count UTF-16
// units: an emoji is 2 here and 1 there). A math element is one atomic run: a DOM position
// inside typeset math snaps to the element's start or end.

const NON_TEXT_CLASSES = ["headerlink", "footnote-backref"];
const DELIMITERS = { "\\(": "\\)", "\\[": "\\]" };
const MATH_CLASS = "arithmatex";

function texOf(element) {
  if (element.dataset.tex !== undefined) return element.dataset.tex;
  const source = element.textContent;
  const closing = DELIMITERS[source.slice(0, 2)];
  return closing && source.endsWith(closing) ? source.slice(2, -2) : source;
}

export function codePointLength(string) {
  let length = 0;
  for (const _ of string) length += 1;
  return length;
}

// The UTF-16 index of the `count`-th code point of `string`.
export function unitIndex(string, count) {
  let index = 0;
  for (const char of string) {
    if (count <= 0) break;
    index += char.length;
    count -= 1;
  }
  return index;
}

// The runs of the plain text in document order: {node, text, start, end, atomic}, where node is
// a text node or (atomic) a math element, and start / end are code-point offsets.
export function textRuns(root) {
  const runs = [];
  let position = 0;
  const add = (node, text, atomic) => {
    const length = codePointLength(text);
    runs.push({ node, text, start: position, end: position + length, atomic });
    position += length;
  };
  const walk = (parent) => {
    for (const node of parent.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) {
        add(node, node.data, false);
      } else if (node.nodeType === Node.ELEMENT_NODE) {
        // Buttons that scripts add (copy.js's code buttons) are not in the stored HTML.
        if (node.tagName === "BUTTON") continue;
        if (NON_TEXT_CLASSES.some((name) => node.classList.contains(name))) continue;
        if (node.classList.contains(MATH_CLASS)) add(node, texOf(node), true);
        else walk(node);
      }
    }
  };
  walk(root);
  return runs;
}

export function plainText(root) {
  return textRuns(root)
    .map((run) => run.text)
    .join("");
}

// The code-point offset of the DOM point (container, offset); inside math, the element's start
// (or its end when `isEnd`).
export function pointOffset(runs, container, offset, isEnd = false) {
  const direct = runs.find((run) => run.node === container && !run.atomic);
  if (direct) return direct.start + codePointLength(direct.text.slice(0, offset));
  const probe = document.createRange();
  probe.setStart(container, offset);
  for (const run of runs) {
    const last = run.atomic ? run.node.childNodes.length : run.node.length;
    if (probe.comparePoint(run.node, last) <= 0) continue; // the run ends at or before it
    if (probe.comparePoint(run.node, 0) >= 0) return run.start; // the run starts at or after it
    return isEnd ? run.end : run.start; // inside math
  }
  return runs.length ? runs[runs.length - 1].end : 0;
}

// {start, end} of a DOM Range inside root, in code points; null when it is empty or outside.
export function rangeOffsets(root, range, runs = textRuns(root)) {
  if (!root.contains(range.startContainer) || !root.contains(range.endContainer)) return null;
  const start = pointOffset(runs, range.startContainer, range.startOffset, false);
  const end = pointOffset(runs, range.endContainer, range.endOffset, true);
  return end > start ? { start, end } : null;
}

// The plain text between two code-point offsets.
export function slice(runs, start, end) {
  return runs
    .filter((run) => run.end > start && run.start < end)
    .map((run) => {
      const from = unitIndex(run.text, Math.max(start, run.start) - run.start);
      const to = unitIndex(run.text, Math.min(end, run.end) - run.start);
      return run.text.slice(from, to);
    })
    .join("");
}

// Offsets moved out of math: a start inside a math run to its start, an end to its end.
export function snap(runs, start, end) {
  for (const run of runs) {
    if (!run.atomic) continue;
    if (run.start < start && start < run.end) start = run.start;
    if (run.start < end && end < run.end) end = run.end;
  }
  return { start, end };
}

// What covers [start, end): {node, from, to} pieces of text nodes (UTF-16 indexes) and
// {element} for whole math elements, in document order.
export function pieces(runs, start, end) {
  const result = [];
  for (const run of runs) {
    if (run.end <= start || run.start >= end || run.start === run.end) continue;
    if (run.atomic) {
      result.push({ element: run.node });
    } else {
      const from = unitIndex(run.text, Math.max(start, run.start) - run.start);
      const to = unitIndex(run.text, Math.min(end, run.end) - run.start);
      result.push({ node: run.node, from, to });
    }
  }
  return result;
}

// A DOM Range over [start, end), whole math elements included; null when it covers nothing.
export function rangeOf(runs, start, end) {
  const covered = pieces(runs, start, end);
  if (!covered.length) return null;
  const [first, last] = [covered[0], covered[covered.length - 1]];
  const range = document.createRange();
  if (first.element) range.setStartBefore(first.element);
  else range.setStart(first.node, first.from);
  if (last.element) range.setEndAfter(last.element);
  else range.setEnd(last.node, last.to);
  return range;
}
