"""papers.revision_diff: what changed between two versions of a note, character by character."""

from papers import revision_diff
from papers.revision_diff import Run


def test_a_reworded_chinese_phrase_differs_by_the_characters_added():
    """Chinese has no spaces: the two characters inserted are marked, not the whole sentence."""
    runs = revision_diff.text_diff(
        "稀疏注意力把复杂度降到线性。", "稀疏注意力把复杂度降到近似线性。"
    )
    assert runs == [
        Run("equal", "稀疏注意力把复杂度降到"),
        Run("inserted", "近似"),
        Run("equal", "线性。"),
    ]


def test_a_replaced_phrase_reads_as_one_deletion_and_one_insertion():
    """No coincidental one-character equalities inside a rewritten phrase (cleanupSemantic)."""
    runs = revision_diff.text_diff("用全局注意力看整个序列。", "用局部窗口加少数全局位置。")
    kinds = [run.kind for run in runs]
    assert kinds.count("equal") <= 2
    assert "".join(run.text for run in runs if run.kind != "inserted") == "用全局注意力看整个序列。"
    assert (
        "".join(run.text for run in runs if run.kind != "deleted") == "用局部窗口加少数全局位置。"
    )


def test_identical_texts_have_no_change():
    assert revision_diff.text_diff("相同", "相同") == [Run("equal", "相同")]
    assert revision_diff.text_diff("", "") == []


def test_two_revisions_compare_title_summary_and_body(make_note):
    """Each field of two kept revisions, in order; unchanged ones say so."""
    note = make_note(title="注意力", summary="总结", body="第一段。\n\n结论:线性。")
    note.title, note.body = "稀疏注意力", "第一段。\n\n结论:近似线性。\n\n新的一段。"
    note.save()
    old, new = note.revisions.order_by("id")
    diffs = revision_diff.compare(old, new)
    assert [(diff.name, diff.label, diff.changed) for diff in diffs] == [
        ("title", "标题", True),
        ("summary", "个人总结", False),
        ("body", "正文", True),
    ]
    title, _, body = diffs
    assert title.runs == [Run("inserted", "稀疏"), Run("equal", "注意力")]
    assert [run for run in body.runs if run.kind != "equal"] == [
        Run("inserted", "近似"),
        Run("inserted", "\n\n新的一段。"),
    ]
    assert body.counts == (9, 0)  # 近似, and two new lines with 新的一段。
