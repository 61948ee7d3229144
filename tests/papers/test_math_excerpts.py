"""Excerpts and search snippets keep formulas whole and typeset them (papers.math_text)."""

import re
from html import unescape

import pytest

from papers import math_text, search
from papers.models import Note, SearchDocument
from papers.rendering import EXCERPT_LENGTH, render_markdown
from tests.papers.helpers import html

INLINE = r"\mathcal{X} = \{x^{(1)}, \dots, x^{(n)}\}"
# Spans of the typeset markup, and the TeX they hold.
FORMULA = re.compile(r'<span class="arithmatex">\\[(\[](.*?)\\[)\]]</span>')


def excerpts_of(summary="", body=""):
    """The note's excerpt as (plain text, HTML)."""
    return math_text.excerpts(render_markdown(summary).html, body, render_markdown(body).html)


def excerpt_of(summary="", body=""):
    return excerpts_of(summary, body)[1]


def plain_excerpt_of(summary="", body=""):
    return excerpts_of(summary, body)[0]


def text_length(excerpt):
    """Characters an excerpt counts, without the "...": text, and each formula as the symbols
    a reader sees (math_text.reading_length)."""
    text = excerpt.removesuffix("...")
    formulas = [math_text.Formula(unescape(tex), False) for tex in FORMULA.findall(text)]
    return len(unescape(FORMULA.sub("", text))) + sum(map(math_text.reading_length, formulas))


def prose(excerpt):
    """The excerpt's text without its formulas, spaces and "..."."""
    return re.sub(r"\s", "", unescape(FORMULA.sub("", excerpt.removesuffix("..."))))


@pytest.mark.parametrize(
    "source",
    [
        f"${INLINE}$",
        f"\\({INLINE}\\)",
        f"$${INLINE}$$",
        "\\begin{align} a &= b + c \\\\ d &= e \\end{align}",
    ],
    ids=["dollar", "paren", "display", "environment"],
)
@pytest.mark.parametrize("prefix_length", range(EXCERPT_LENGTH - 60, EXCERPT_LENGTH + 1, 7))
def test_cut_never_falls_inside_a_formula(source, prefix_length):
    """Wherever the limit falls, each formula in the excerpt is whole, with its delimiters."""
    body = "注" * prefix_length + f"\n\n{source}\n\n之后的文字" + "x" * 400
    excerpt = excerpt_of(body=body)
    assert excerpt.endswith("...")
    assert text_length(excerpt) <= EXCERPT_LENGTH
    tex = render_markdown(source).text.strip()
    formulas = [unescape(formula) for formula in FORMULA.findall(excerpt)]
    assert formulas in ([], [" ".join(tex.split())])
    assert "\\" not in FORMULA.sub("", excerpt)  # no loose piece of TeX outside a formula


def test_mixed_chinese_and_english_keep_their_formulas_typeset():
    """Summary and body join; inline and display math become the body's math markup."""
    excerpt = excerpt_of(
        summary="用 $\\alpha$ 调节 temperature。", body="损失为\n\n$$L = -\\log p$$\n\nEnd."
    )
    assert excerpt == (
        '用 <span class="arithmatex">\\(\\alpha\\)</span> 调节 temperature。 损失为 '
        '<span class="arithmatex">\\[L = -\\log p\\]</span> End.'
    )


def test_excerpt_is_cut_at_the_limit_with_an_ellipsis():
    """Plain text over the limit is cut at exactly EXCERPT_LENGTH characters, then "..."."""
    excerpt = excerpt_of(body="中文 English " * 100)
    assert excerpt.endswith("...")
    assert len(excerpt) == EXCERPT_LENGTH + 3
    assert excerpt_of(body="短的正文") == "短的正文"


def test_formulas_count_what_a_reader_sees_so_math_leaves_room_for_prose():
    """Paragraphs of 110 characters each followed by a display formula of 55 TeX characters
    (13 seen): the excerpt holds 320 characters of prose and two formulas whole, against 347
    in a plain note (the spaces between paragraphs count too); counted by TeX it held 236."""
    display = r"\mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d}}\right) V"
    paragraph = "稀疏注意力只看局部窗口" * 10
    math_heavy = excerpt_of(body=f"{paragraph}\n\n$${display}$$\n\n" * 5)
    plain = excerpt_of(body=f"{paragraph}\n\n" * 5)
    assert len(prose(plain)) == 347
    assert len(prose(math_heavy)) == 320
    assert [unescape(tex) for tex in FORMULA.findall(math_heavy)] == [display] * 2
    assert text_length(math_heavy) == text_length(plain) == EXCERPT_LENGTH


def test_a_formula_that_does_not_fit_ends_the_excerpt_before_it():
    """A long formula across the limit is left out, not cut."""
    formula = "x" * 100
    excerpt = excerpt_of(body="字" * 300 + f" ${formula}$ 后文")
    assert excerpt == "字" * 300 + " ..."


def test_money_stays_text():
    """A dollar the renderer left as text is not taken for a formula."""
    assert excerpt_of(body="GPU 花了 $5 和 $10。") == "GPU 花了 $5 和 $10。"


def test_text_and_tex_are_escaped():
    """Markup in the text and `<` in TeX are escaped; nothing becomes an element."""
    body = "`<script>alert(1)</script>` 与 $a<b$ 和 <img src=x onerror=alert(1)>"
    excerpt = excerpt_of(body=body)
    assert "<script" not in excerpt and "<img" not in excerpt
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in excerpt
    assert '<span class="arithmatex">\\(a&lt;b\\)</span>' in excerpt


def test_more_marker_lead_is_kept_whole(make_note):
    """With `<!-- more -->` the lead is the excerpt, formulas and all, then "..."."""
    note = make_note(body="引言 $E=mc^2$。\n\n<!-- more -->\n\n其余")
    assert note.excerpt_html == '引言 <span class="arithmatex">\\(E=mc^2\\)</span>。...'


def test_listing_shows_typeset_excerpt_and_loads_katex(client, make_note):
    """A listing with math in an excerpt shows the math markup and loads KaTeX."""
    make_note(body=f"集合 ${INLINE}$ 的定义。")
    page = html(client.get("/"))
    assert f'<span class="arithmatex">\\({INLINE}\\)</span>' in page.replace("&#x27;", "'")
    assert "katex.min.js" in page and "js/math.js" in page


def test_listing_without_math_does_not_load_katex(client, make_note):
    """No formula on the page, no KaTeX."""
    make_note(body="没有公式的笔记。")
    assert "katex" not in html(client.get("/"))


def test_search_snippet_keeps_the_formula_whole_and_typesets_it(client, make_note):
    """A formula beside the match is in the snippet whole, typeset."""
    long_tex = " + ".join(f"x_{{{i}}}" for i in range(10))
    make_note(body="前文" * 100 + f" 对比学习的目标 ${long_tex}$ 之后" + "后文" * 100)
    page = html(client.get("/search/", {"q": "对比学习"}))
    [snippet] = re.findall(r'note-card__excerpt--snippet">(.*?)</p>', page)
    assert f'<span class="arithmatex">\\({long_tex}\\)</span>' in snippet
    assert "<mark>对比学习</mark>" in snippet
    assert "katex.min.js" in page


def test_snippet_leaves_out_a_formula_the_window_would_cut():
    """A formula across the window's end, away from the match, is left out, not cut."""
    text = "对比学习 " + "字" * 150 + " " + "y" * 30 + " 后文"
    start = text.index("y")
    html_ = search.snippet(text, "对比学习", formulas=[[start, start + 30, False]])
    assert "y" not in html_ and html_.endswith("…")


def test_a_match_inside_a_formula_marks_the_formula():
    """The formula holding the match is marked whole."""
    text = "损失 L = -\\log p 很小"
    start = text.index("L")
    end = text.index(" 很")
    html_ = search.snippet(text, "log", formulas=[[start, end, False]])
    assert html_ == '损失 <mark><span class="arithmatex">\\(L = -\\log p\\)</span></mark> 很小'


def test_search_rows_record_where_formulas_are(make_note):
    """SearchDocument.formulas points at each formula's TeX in the body column."""
    note = make_note(summary="无公式", body="先 $a+b$ 再 $$c$$ 完")
    document = SearchDocument.objects.get(note=note)
    assert document.formulas == {"body": [[2, 5, False], [8, 9, True]]}
    assert [document.body[s:e] for s, e, _ in document.formulas["body"]] == ["a+b", "c"]


def test_rerender_fills_excerpts_and_formulas_of_old_rows(make_note):
    """Rows from before migration 0009 get their excerpt HTML and formulas from rerender_notes."""
    from django.core.management import call_command

    note = make_note(body="旧的 $x$ 笔记")
    Note.objects.filter(pk=note.pk).update(excerpt_html="")
    SearchDocument.objects.filter(note=note).update(formulas=None)
    call_command("rerender_notes", verbosity=0)
    note.refresh_from_db()
    assert note.excerpt_html == '旧的 <span class="arithmatex">\\(x\\)</span> 笔记'
    assert SearchDocument.objects.get(note=note).formulas == {"body": [[3, 4, False]]}


# --- the plain excerpt (the page's description) ---------------------------------------------


def test_excerpt_collapses_whitespace_and_joins_texts():
    """Runs of spaces/newlines/tabs become one space; summary and body join with a space."""
    assert plain_excerpt_of("  总结\n\n第一行 ", "正文   第二行\n") == "总结 第一行 正文 第二行"


def test_excerpt_longer_than_limit_is_cut_with_ellipsis():
    """Text over 350 characters is cut to exactly 350 and gets "..."."""
    text = "abcdefghij" * 40
    excerpt = plain_excerpt_of(body=text)
    assert EXCERPT_LENGTH == 350
    assert excerpt == text[:350] + "..."
    assert len(excerpt) == 353


def test_excerpt_of_exactly_limit_is_unchanged():
    """Text of exactly 350 characters is kept whole, without "..."."""
    text = "x" * 350
    assert plain_excerpt_of(body=text) == text


def test_excerpt_counts_after_collapsing_whitespace():
    """Whitespace collapsed away does not count towards the 350."""
    text = "x\n\n\n" * 175  # 700 characters raw, 349 collapsed
    assert plain_excerpt_of(body=text) == " ".join(["x"] * 175)


def test_excerpt_counts_cjk_characters_as_one():
    """351 Chinese characters are cut to 350 of them."""
    assert plain_excerpt_of(body="中" * 351) == "中" * 350 + "..."
    assert plain_excerpt_of(body="中" * 350) == "中" * 350


def test_excerpt_counts_emoji_as_one():
    """An emoji outside the BMP counts as one character, never split in half."""
    assert plain_excerpt_of(body="😀" * 351) == "😀" * 350 + "..."
    assert plain_excerpt_of(body="😀" * 350) == "😀" * 350


def test_excerpt_of_nothing_is_empty():
    """No text gives an empty excerpt, not "..."."""
    assert plain_excerpt_of("", "  ") == ""


def test_plain_excerpt_holds_the_words_of_the_card_formulas_as_tex():
    """A body thick with math: the plain excerpt is the card's excerpt with each formula as its
    TeX, so it is cut where the card is (formulas counted as a reader sees them), not sooner."""
    body = ("注意力 $\\mathrm{softmax}(QK^\\top / \\sqrt{d_k}) V$ 的代价。" * 30).strip()
    text, card = excerpts_of("", body)
    assert text == unescape(FORMULA.sub(lambda formula: formula[1], card))
    assert len(text.removesuffix("...")) > EXCERPT_LENGTH  # the TeX is longer than it reads
