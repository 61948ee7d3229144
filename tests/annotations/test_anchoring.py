"""annotations.anchoring: passages stay on their words through edits, or are honestly orphaned."""

import json
from pathlib import Path

import pytest

from annotations.anchoring import (
    FUZZY_THRESHOLD,
    _fuzzy_matches,
    _myers_search,
    anchor,
    diff,
    reanchor,
    selector_at,
)
from papers.rendering import plain_text

NOTE = (
    "Transformer 用自注意力建模序列,不再需要循环结构。\n"
    "It scales quadratically with the sequence length, which hurts long documents.\n"
    "稀疏注意力只看局部窗口和少数全局位置,复杂度降到线性。\n"
    "实验表明,在长文档分类上效果与完整注意力相当。\n"
)
PASSAGE = "It scales quadratically with the sequence length"


def select(text, quote, occurrence=0):
    """The selector of the `occurrence`-th `quote` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(quote, start + 1)
    return selector_at(text, start, start + len(quote))


def found(text, span):
    return None if span is None else text[span[0] : span[1]]


def expected_span(text, expected):
    """None, or the span of the words `expected` (or of its (words, occurrence)) in `text`."""
    if expected is None:
        return None
    words, occurrence = expected if isinstance(expected, tuple) else (expected, 0)
    start = select(text, words, occurrence)["start"]
    return start, start + len(words)


# (name, old text, quote in old text, new text, the words it should be on afterwards or None)
REANCHOR_CASES = [
    (
        "text inserted before the passage",
        NOTE,
        PASSAGE,
        "## 背景\n\n长序列建模一直很难,这里先交代一下动机。\n" + NOTE,
        PASSAGE,
    ),
    (
        "passage moved to another paragraph",
        NOTE,
        PASSAGE,
        NOTE.replace(PASSAGE + ", which hurts long documents.\n", "which hurts long documents.\n")
        + "补充:"
        + PASSAGE
        + "。\n",
        PASSAGE,
    ),
    (
        "typo fixed inside the passage",
        NOTE.replace("quadratically", "quadraticaly"),
        "It scales quadraticaly with the sequence length",
        NOTE,
        PASSAGE,
    ),
    (
        "a word changed inside the passage",
        NOTE,
        PASSAGE,
        NOTE.replace("sequence length", "input length"),
        "It scales quadratically with the input length",
    ),
    (
        "passage deleted",
        NOTE,
        PASSAGE,
        NOTE.replace(PASSAGE + ", which hurts long documents.\n", ""),
        None,
    ),
    (
        "passage's words appear twice after the edit",
        NOTE,
        "复杂度降到线性",
        # The paragraph moves to the top (the diff sees it deleted and inserted) and another
        # sentence with the same words appears: the passage's context tells them apart.
        "稀疏注意力只看局部窗口和少数全局位置,复杂度降到线性。\n"
        + NOTE.replace("稀疏注意力只看局部窗口和少数全局位置,复杂度降到线性。\n", "").replace(
            "实验表明", "有人说复杂度降到线性并不可能。实验表明"
        ),
        ("复杂度降到线性", 0),  # the first occurrence, in the moved paragraph
    ),
    (
        "whitespace and line breaks changed inside the passage",
        NOTE,
        PASSAGE,
        NOTE.replace("quadratically with", "quadratically\nwith").replace(
            "the sequence", "the  sequence"
        ),
        "It scales quadratically\nwith the  sequence length",
    ),
    (
        "whitespace and line breaks changed around the passage",
        NOTE,
        PASSAGE,
        NOTE.replace("\n", "\n\n").replace("循环结构。", "循环结构。   "),
        PASSAGE,
    ),
    (
        "rewrite beyond recognition",
        NOTE,
        PASSAGE,
        NOTE.replace(PASSAGE, "Its cost grows as n squared in tokens"),
        None,
    ),
    (
        "characters outside the BMP before the passage",
        "🙂 𝔼[x] 笔记 😀\n" + NOTE,
        PASSAGE,
        "🙂🎉 𝔼[x] 𝒪(n) 笔记 😀👍\n" + NOTE,
        PASSAGE,
    ),
    (
        "nothing changed",
        NOTE,
        PASSAGE,
        NOTE,
        PASSAGE,
    ),
]


@pytest.mark.parametrize(
    ("old", "quote", "new", "expected"),
    [case[1:] for case in REANCHOR_CASES],
    ids=[case[0] for case in REANCHOR_CASES],
)
def test_reanchor(old, quote, new, expected):
    """reanchor keeps a passage on its words through an edit, or orphans it."""
    selector = select(old, quote)
    assert reanchor(old, new, [selector]) == [expected_span(new, expected)]
    # anchor alone, from the stale selector, agrees.
    assert anchor(new, selector) == expected_span(new, expected)


def test_reanchor_counts_code_points_outside_the_bmp():
    """Offsets are code points: two astral characters inserted move the passage by exactly 2."""
    old = "😀 前言\n" + NOTE
    new = "😀🎉𝔼 前言\n" + NOTE
    selector = select(old, PASSAGE)
    assert reanchor(old, new, [selector]) == [(selector["start"] + 2, selector["end"] + 2)]


def test_reanchor_maps_many_passages_in_order_and_keeps_untouched_ones():
    """Every selector gets an answer, in order; only the touched one changes words."""
    selectors = [select(NOTE, q) for q in ("Transformer", PASSAGE, "稀疏注意力", "长文档分类")]
    new = "新增一段。\n" + NOTE.replace(PASSAGE, "Cost grows fast")
    spans = reanchor(NOTE, new, selectors)
    assert [found(new, span) for span in spans] == ["Transformer", None, "稀疏注意力", "长文档分类"]


def test_reanchor_of_a_passage_next_to_an_edit_is_not_touched():
    """Insertions right before or right after a passage leave it where its words are."""
    new = NOTE.replace(PASSAGE, "【" + PASSAGE + "】")
    (span,) = reanchor(NOTE, new, [select(NOTE, PASSAGE)])
    assert found(new, span) == PASSAGE


# (name, text, selector, the words found or None)
TWICE = "第一段:注意力的复杂度是平方。\n第二段:线性注意力把复杂度是平方的问题解决了。\n"
ANCHOR_CASES = [
    (
        "stored position still holds the quote",
        NOTE,
        select(NOTE, PASSAGE),
        PASSAGE,
    ),
    (
        "stale position, one long occurrence",
        "前言。\n" + NOTE,
        select(NOTE, PASSAGE),
        PASSAGE,
    ),
    (
        "stale position, context picks between two occurrences",
        "插入一句。" + TWICE,
        select(TWICE, "复杂度是平方", occurrence=1),
        "复杂度是平方",
    ),
    (
        "short quote whose context no longer agrees is an orphan",
        "完全不同的句子里也有复杂度一词。",
        {"exact": "复杂度", "prefix": "注意力的", "suffix": "是平方。", "start": 4, "end": 7},
        None,
    ),
    (
        "short quote whose context still agrees",
        "插入一句。注意力的复杂度是平方。",
        {"exact": "复杂度", "prefix": "注意力的", "suffix": "是平方。", "start": 4, "end": 7},
        "复杂度",
    ),
    (
        "two candidates about the same, neither nearer: orphan",
        "甲:复杂度是平方。\n乙:复杂度是平方。\n",
        {"exact": "复杂度是平方", "prefix": ":", "suffix": "。\n", "start": 500, "end": 506},
        None,
    ),
    (
        "two candidates about the same, one clearly nearer the old position",
        "甲:复杂度是平方。\n" + "无关内容。" * 20 + "\n乙:复杂度是平方。\n",
        {"exact": "复杂度是平方", "prefix": ":", "suffix": "。\n", "start": 4, "end": 10},
        "复杂度是平方",
    ),
    (
        "a short quote occurring nowhere",
        NOTE,
        {"exact": "卷积", "prefix": "", "suffix": "", "start": 0, "end": 2},
        None,
    ),
    (
        "an emoji before the passage, offsets in code points",
        "😀🎉 " + NOTE,
        select(NOTE, PASSAGE),
        PASSAGE,
    ),
    (
        "offsets beyond the text",
        NOTE,
        {**select(NOTE, PASSAGE), "start": 10_000, "end": 10_048},
        PASSAGE,
    ),
]


@pytest.mark.parametrize(
    ("text", "selector", "expected"),
    [case[1:] for case in ANCHOR_CASES],
    ids=[case[0] for case in ANCHOR_CASES],
)
def test_anchor(text, selector, expected):
    """anchor finds the passage, or None rather than a guess."""
    assert found(text, anchor(text, selector)) == expected


def test_anchor_returns_exact_code_point_offsets():
    """(start, end) index the text as Python strings do: one per code point."""
    text = "𝔼😀 " + NOTE
    assert anchor(text, select(NOTE, PASSAGE)) == (
        text.index(PASSAGE),
        text.index(PASSAGE) + len(PASSAGE),
    )


def test_anchor_is_deterministic():
    """The same input gives the same answer (no clock, no randomness)."""
    text = "前言。\n" + NOTE.replace("quadratically", "quadraticly")
    selector = select(NOTE, PASSAGE)
    assert len({anchor(text, selector) for _ in range(5)}) == 1


# --- the approximate-match threshold -----------------------------------------------------------

QUOTE = "the attention matrix grows with the square of n"  # 47 characters


def edited(quote, edits):
    """`quote` with its first `edits` letters (skipping spaces) replaced by a digit."""
    chars, done = list(quote), 0
    for i, char in enumerate(chars):
        if done == edits:
            break
        if char != " ":
            chars[i], done = "0", done + 1
    return "".join(chars)


def threshold_case(edits):
    text = "无关的开头。" + edited(QUOTE, edits) + "。无关的结尾。"
    # The context agrees and the stored position is stale: similarity decides.
    return text, {
        "exact": QUOTE,
        "prefix": "无关的开头。",
        "suffix": "。无关的结尾。",
        "start": 3,
        "end": 50,
    }


def test_just_above_the_threshold_is_anchored():
    """11 edits in 47 characters (similarity 0.766 ≥ 0.75) still anchors."""
    assert 1 - 11 / len(QUOTE) >= FUZZY_THRESHOLD
    text, selector = threshold_case(11)
    assert found(text, anchor(text, selector)) == edited(QUOTE, 11)


def test_just_below_the_threshold_is_orphaned():
    """12 edits in 47 characters (similarity 0.745 < 0.75) is an orphan."""
    assert 1 - 12 / len(QUOTE) < FUZZY_THRESHOLD
    text, selector = threshold_case(12)
    assert anchor(text, selector) is None


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (
            "the attention matrix grows with the square of n",
            "the attention matrix grows with n squared",
        ),
        (
            "we fine-tune the model on 8 GPUs for three days",
            "we fine-tuned the model on 8 GPUs for 3 days",
        ),
        (
            "自注意力的计算量随序列长度平方增长,显存也一样",
            "自注意力的计算量随序列长度的平方增长,显存同样如此",
        ),
    ],
)
def test_real_edits_of_a_passage_stay_above_the_threshold(before, after):
    """Typical author edits (a changed phrase, a number spelled out) keep similarity ≥ 0.75."""
    errors = min(k for _, k in _myers_search(after, before))
    assert 1 - errors / len(before) >= FUZZY_THRESHOLD


def demo_texts():
    data = json.loads((Path(__file__).resolve().parents[2] / "fixtures/demo.json").read_text())
    return [
        plain_text(row["fields"]["body_html"])
        for row in data
        if row["model"] == "papers.note" and len(row["fields"].get("body_html", "")) > 2000
    ]


def test_unrelated_passages_stay_below_the_threshold():
    """Prose from one demo note never approximately matches another note at ≥ 0.75.

    The best approximate match of 40-character passages taken from one note, searched in all the
    others, is below the threshold (identical shared text, such as a repeated code import, is
    an exact match and not what the threshold is for).
    """
    texts = demo_texts()[:8]
    similarities = []
    for i, text in enumerate(texts):
        others = "\n".join(t for j, t in enumerate(texts) if j != i)
        for start in range(0, len(text) - 40, 400):
            quote = text[start : start + 40]
            if quote in others:
                continue
            errors = min(k for _, k in _myers_search(others, quote))
            similarities.append(1 - errors / len(quote))
    assert len(similarities) >= 20
    assert max(similarities) < FUZZY_THRESHOLD


def test_an_edited_passage_that_also_moved_is_an_orphan():
    """An approximate match needs agreeing context: new words in a new place are a guess."""
    text = "完全不同的上下文。" + QUOTE.replace("square", "squares") + "。另一段话。"
    selector = {
        "exact": QUOTE,
        "prefix": "原来的前文",
        "suffix": "原来的后文",
        "start": 0,
        "end": 47,
    }
    assert anchor(text, selector) is None
    agreeing = {**selector, "prefix": "完全不同的上下文。", "suffix": "。另一段话。"}
    assert found(text, anchor(text, agreeing)) == QUOTE.replace("square", "squares")


def test_fuzzy_match_reports_where_the_approximate_passage_starts_and_ends():
    """The approximate span covers exactly the edited words."""
    text = "前文。" + "the attention matrix grows with n squared" + "。后文。"
    (cluster,) = _fuzzy_matches(text, QUOTE)
    for start, end, errors in cluster:
        assert text[start:end].startswith("the attention matrix grows with")
        assert errors <= 11


def test_a_passage_that_grew_at_its_end_covers_the_new_words():
    """Words inserted before the passage's last word: as few edits end before them as after
    them; the context the passage had decides, so it covers the new words, not half of them."""
    old = "全局注意力看见整个序列。稀疏注意力把复杂度降到线性,代价是只看局部窗口。结论。"
    new = old.replace("降到线性", "降到近似线性")
    (span,) = reanchor(old, new, [select(old, "稀疏注意力把复杂度降到线性")])
    assert found(new, span) == "稀疏注意力把复杂度降到近似线性"


def test_diff_is_deterministic_and_reconstructs_both_texts():
    """The one diff reanchor uses covers old and new text exactly."""
    new = "前言。\n" + NOTE.replace("quadratically", "linearly")
    diffs = diff(NOTE, new)
    assert "".join(d for op, d in diffs if op <= 0) == NOTE
    assert "".join(d for op, d in diffs if op >= 0) == new
    assert diff(NOTE, new) == diffs
