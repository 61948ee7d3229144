// Which words of a passage an edit changed, for the card of an annotation whose passage the
// author reworded: the reader's quote and the words there now, each as runs of unchanged and
// changed text.

// A word is a run of Latin letters or digits; any other character (a Chinese one, a space, a
// punctuation mark) is a word of its own.
const WORD = /[\p{Script=Latin}\p{Nd}]+|[^]/gu;
// Beyond this many (before × after) changed words, the whole changed stretch is marked.
const MAX_COMPARISONS = 250_000;

// [before, after]: lists of {text, changed} runs; a changed run holds words the other lacks.
// The common start and end are cut off, then the rest is compared word by word (a longest
// common subsequence).
export function wordDiff(before, after) {
  const a = before.match(WORD) ?? [];
  const b = after.match(WORD) ?? [];
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head += 1;
  let tail = 0;
  const shorter = Math.min(a.length, b.length) - head;
  while (tail < shorter && a.at(-1 - tail) === b.at(-1 - tail)) tail += 1;
  const x = a.slice(head, a.length - tail);
  const y = b.slice(head, b.length - tail);
  const common = x.length * y.length <= MAX_COMPARISONS ? commonLengths(x, y) : null;

  const runs = [[], []];
  const add = (side, word, changed) => {
    const last = runs[side].at(-1);
    if (last && last.changed === changed) last.text += word;
    else runs[side].push({ text: word, changed });
  };
  const addToBoth = (words) => {
    for (const word of words) {
      add(0, word, false);
      add(1, word, false);
    }
  };
  addToBoth(a.slice(0, head));
  let [i, j] = [0, 0];
  while (i < x.length || j < y.length) {
    if (common && i < x.length && j < y.length && x[i] === y[j]) {
      addToBoth([x[i]]);
      [i, j] = [i + 1, j + 1];
    } else if (
      j < y.length &&
      (i === x.length || !common || common[i][j + 1] >= common[i + 1][j])
    ) {
      add(1, y[j++], true);
    } else {
      add(0, x[i++], true);
    }
  }
  addToBoth(a.slice(a.length - tail));
  return runs;
}

// lengths[i][j]: how long the longest common subsequence of x[i:] and y[j:] is.
function commonLengths(x, y) {
  const lengths = Array.from({ length: x.length + 1 }, () => new Uint32Array(y.length + 1));
  for (let i = x.length - 1; i >= 0; i -= 1) {
    for (let j = y.length - 1; j >= 0; j -= 1) {
      lengths[i][j] =
        x[i] === y[j] ? lengths[i + 1][j + 1] + 1 : Math.max(lengths[i + 1][j], lengths[i][j + 1]);
    }
  }
  return lengths;
}
