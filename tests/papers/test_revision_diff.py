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


def test_line_ends_a_browser_sends_are_no_change():
    """A textarea posts CR LF: an imported note saved in the admin has not changed every line."""
    runs = revision_diff.text_diff("第一行\n第二行\n", "第一行\r\n第二行改了\r\n")
    assert runs == [Run("equal", "第一行\n第二行"), Run("inserted", "改了"), Run("equal", "\n")]


def test_unchanged_lines_far_from_a_change_are_folded():
    """Two lines of context on either side of a change; the lines between changes are kept
    in a skipped run (shown folded, and whole when opened)."""
    lines = [f"第{number}行\n" for number in range(1, 11)]
    old = "".join(lines)
    new = old.replace("第5行", "第五行")
    runs = revision_diff.fold_unchanged(revision_diff.text_diff(old, new))
    assert [(run.kind, run.text) for run in runs] == [
        ("skipped", "第1行\n第2行\n"),
        ("equal", "第3行\n第4行\n第"),
        ("deleted", "5"),
        ("inserted", "五"),
        ("equal", "行\n第6行\n第7行\n"),
        ("skipped", "第8行\n第9行\n第10行\n"),
    ]
    assert [run.line_count for run in runs if run.kind == "skipped"] == [2, 3]


def test_short_unchanged_stretches_are_not_folded():
    runs = [Run("equal", "一\n二\n三\n"), Run("inserted", "四\n")]
    assert revision_diff.fold_unchanged(runs) == runs
