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
    the old one (`deleted`) holds."""

    kind: str
    text: str


@dataclass(frozen=True)
class FieldDiff:
    name: str
    label: str
    runs: list

    @property
    def changed(self):
        return any(run.kind != "equal" for run in self.runs)

    @property
    def counts(self):
        """(characters inserted, characters deleted)."""
        inserted = sum(len(run.text) for run in self.runs if run.kind == "inserted")
        deleted = sum(len(run.text) for run in self.runs if run.kind == "deleted")
        return inserted, deleted


def text_diff(old, new):
    """The runs that turn `old` into `new`, at character level, cleaned up for reading."""
    differ = diff_match_patch()
    differ.Diff_Timeout = DIFF_TIMEOUT_SECONDS
    diffs = differ.diff_main(old, new, True)
    differ.diff_cleanupSemantic(diffs)
    return [Run(OPERATIONS[operation], text) for operation, text in diffs if text]


def compare(old, new):
    """A FieldDiff per compared field of two versions (revisions, or a note and a revision)."""
    return [
        FieldDiff(name, label, text_diff(getattr(old, name), getattr(new, name)))
        for name, label in COMPARED_FIELDS
    ]
