"""What changed between two versions of a note: title, personal summary and body, character by
character (Chinese has no spaces to split words on), for the admin's revision pages.

diff-match-patch compares long texts line by line first and then the changed lines character
by character (`checklines`); `diff_cleanupSemantic` then merges the coincidental one-character
equalities a character diff finds inside rewritten phrases, so a reworded clause reads as one
deletion and one insertion.
"""

from dataclasses import dataclass

from diff_match_patch import diff_match_patch

# (field, label) compared, in the order the admin shows them.
COMPARED_FIELDS = [("title", "标题"), ("summary", "个人总结"), ("body", "正文")]
# Lines of unchanged text shown on either side of a change; the rest is folded away.
CONTEXT_LINES = 2
# A diff of two very different long texts costs O(N × D): after this many seconds
# diff-match-patch stops refining and shows the rest as one deletion and one insertion.
DIFF_TIMEOUT_SECONDS = 1.0
OPERATIONS = {
    diff_match_patch.DIFF_EQUAL: "equal",
    diff_match_patch.DIFF_INSERT: "inserted",
    diff_match_patch.DIFF_DELETE: "deleted",
}


@dataclass(frozen=True)
class Run:
    """A stretch of text that both versions share (`equal`), or only the new (`inserted`) or
    the old one (`deleted`) holds; `skipped` is shared text folded away, whole lines."""

    kind: str
    text: str

    @property
    def line_count(self):
        return self.text.count("\n")


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    runs: list

    @property
    def changed(self):
        return any(run.kind in {"inserted", "deleted"} for run in self.runs)

    @property
    def counts(self):
        """(characters inserted, characters deleted)."""
        inserted = sum(len(run.text) for run in self.runs if run.kind == "inserted")
        deleted = sum(len(run.text) for run in self.runs if run.kind == "deleted")
        return inserted, deleted


def text_diff(old, new):
    """The runs that turn `old` into `new`, at character level, cleaned up for reading.

    Line ends are compared as LF: browsers send a textarea's with CR LF, so the first save in
    the admin of an imported note would otherwise mark every line changed.
    """
    old, new = old.replace("\r\n", "\n"), new.replace("\r\n", "\n")
    differ = diff_match_patch()
    differ.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    diffs = differ.diff_main(old, new, True)
    differ.diff_cleanupSemantic(diffs)
    return [Run(OPERATIONS[operation], text) for operation, text in diffs if text]


def fold_unchanged(runs, context=CONTEXT_LINES):
    """`runs` with the unchanged lines more than `context` lines away from any change folded
    into `skipped` runs: a one-word edit of a long note shows that word, not the whole note."""
    folded = []
    for index, run in enumerate(runs):
        lines = run.text.splitlines(keepends=True)
        # An equal run beside a change starts or ends inside the changed line: one more piece.
        head = context + 1 if index > 0 else 0
        tail = context + 1 if index < len(runs) - 1 else 0
        if run.kind != "equal" or len(lines) <= head + tail + 1:
            folded.append(run)
            continue
        cut = len(lines) - tail
        pieces = [
            Run("equal", "".join(lines[:head])),
            Run("skipped", "".join(lines[head:cut])),
            Run("equal", "".join(lines[cut:])),
        ]
        folded += [piece for piece in pieces if piece.text]
    return folded


def compare(old, new):
    """A FieldDiff per compared field of two versions (revisions, or a note and a revision),
    long unchanged stretches folded."""
    return [
        FieldDiff(name, label, fold_unchanged(text_diff(getattr(old, name), getattr(new, name))))
        for name, label in COMPARED_FIELDS
    ]
