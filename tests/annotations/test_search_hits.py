"""Annotations in site search keep math as math: formulas whole, marked for KaTeX, text escaped."""

import pytest
from django.test import Client

from annotations import finding
from annotations.models import Annotation

FORMULA = r"\mathcal{X} = \{x^{(1)}, \dots, x^{(n)}\}"
BODY = (
    "数据集记为 $" + FORMULA + "$,其中 a<b 的样本。\n\n"
    "样本很多" + "很多" * 70 + " 即 $" + FORMULA + "$ 为止。\n\n"
    "损失 $\\max_x f$ 与 max 不同。\n\n"
    "目标是:\n\n$$\nZ = \\sum_i e^{s_i}\n$$\n"
)


@pytest.fixture
def note(make_note):
    return make_note(title="数据集", slug="dataset", body=BODY)


def search(client, query):
    return client.get("/search/", {"q": query}).content.decode()


def test_quote_carries_the_formula_whole_and_escapes_html(note, other, annotate):
    """The quote's formula is one arithmatex element with all its TeX; a < in the text is
    escaped."""
    passage = "数据集记为 " + FORMULA + ",其中 a<b 的样本"
    annotation = annotate(note, other, passage, body="", visibility="public")
    quote = finding.hits([annotation], "样本")[0]["quote"]
    assert quote == (
        '数据集记为 <span class="arithmatex">\\(\\mathcal{X} = \\{x^{(1)}, \\dots, x^{(n)}\\}'
        "\\)</span>,其中 a&lt;b 的<mark>样本</mark>"
    )


def test_a_cut_quote_leaves_out_a_formula_it_cannot_hold_whole(note, other, annotate):
    """A formula where the window ends is left out whole, not cut inside."""
    before_formula = "样本很多" + "很多" * 70 + " 即 "
    annotation = annotate(note, other, before_formula + FORMULA, body="", visibility="public")
    quote = finding.hits([annotation], "样本很多")[0]["quote"]
    assert quote == "<mark>样本很多</mark>" + before_formula[4:] + "…"


def test_tex_in_a_word_is_not_a_formula(note, other, annotate):
    """The note page's rule: the x of "max" is not the formula `x` (here `\\max_x f`)."""
    annotation = annotate(note, other, "损失 \\max_x f 与 max 不同", body="", visibility="public")
    quote = finding.hits([annotation], "不同")[0]["quote"]
    assert quote.count("arithmatex") == 1
    assert "与 max <mark>不同</mark>" in quote


def test_display_math_at_the_end_of_a_passage_is_found(note, other, annotate):
    """A passage that ends with display math leaves out the new line its TeX ends with."""
    annotation = annotate(
        note, other, "目标是:\n\nZ = \\sum_i e^{s_i}", body="", visibility="public"
    )
    quote = finding.hits([annotation], "目标")[0]["quote"]
    assert quote.endswith('<span class="arithmatex">\\(Z = \\sum_i e^{s_i}\\)</span>')


def test_orphan_quote_keeps_its_tex(note, other, annotate):
    """An orphan's passage is nowhere in the body: its quote is plain text."""
    annotation = annotate(note, other, "数据集记为 " + FORMULA, body="", visibility="public")
    Annotation.objects.filter(pk=annotation.pk).update(state=Annotation.State.ORPHANED)
    annotation.refresh_from_db()
    assert "arithmatex" not in finding.hits([annotation], "数据集")[0]["quote"]


def test_annotation_text_shows_its_math_typeset(note, other, annotate):
    """The reader's own Markdown text: its formula is an arithmatex element, its HTML escaped."""
    body = "见 $\\sum_{i=1}^n x_i$ 与 <script>alert(1)</script> 山茶花"
    annotation = annotate(note, other, "数据集记为", body=body, visibility="public")
    text = finding.hits([annotation], "山茶花")[0]["body"]
    assert '<span class="arithmatex">\\(\\sum_{i=1}^n x_i\\)</span>' in text
    assert "<script>" not in text


def test_search_page_loads_katex_for_an_annotation_with_math(client, note, other, annotate):
    """No note hit has math, an annotation hit has: the annotation section loads KaTeX, once."""
    annotate(note, other, "数据集记为 " + FORMULA, body="山茶花", visibility="public")
    html = search(client, "山茶花")
    assert "没有找到包含它的笔记" in html
    assert html.count("katex.min.js") == 1
    assert html.count("katex.min.css") == 1


def test_search_page_loads_katex_once_when_notes_have_math_too(client, note, other, annotate):
    """Note hits with math load KaTeX in the head; the annotation section does not again."""
    annotate(note, other, "数据集记为 " + FORMULA, body="", visibility="public")
    html = search(client, "数据集")
    assert html.count("katex.min.js") == 1


def test_no_katex_without_math(client, note, other, annotate):
    """Hits without formulas load no KaTeX."""
    annotate(note, other, "其中 a<b 的样本", body="山茶花", visibility="public")
    assert "katex" not in search(client, "山茶花")


def test_private_annotation_with_math_stays_private(client, note, other, annotate):
    """Math changes nothing of who finds what: another reader's private annotation is not found."""
    annotate(note, other, "数据集记为 " + FORMULA, body="紫罗兰", visibility="private")
    for viewer in (client, Client()):
        html = search(viewer, "紫罗兰")
        assert "批注(" not in html
        assert "katex" not in html


@pytest.mark.parametrize("count", [1, 5])
def test_annotation_hits_with_math_cost_no_query(
    client, note, other, annotate, count, django_assert_num_queries
):
    """Ranked note ids and the annotations, whatever the number of annotation hits with math:
    the note bodies come with the annotations."""
    for _ in range(count):
        annotate(note, other, "数据集记为 " + FORMULA, body="山茶花", visibility="public")
    client.get("/search/", {"q": "山茶花"})  # the page cache's version
    with django_assert_num_queries(2):
        html = search(client, "山茶花")
    assert html.count('<span class="arithmatex">') == count


def test_hits_on_one_note_read_its_formulas_once(note, other, annotate, monkeypatch):
    """Two hits quoting math in one note: the note's HTML is read once, both quotes keep their
    formula whole."""
    first = annotate(note, other, "数据集记为 " + FORMULA + ",其中", body="", visibility="public")
    second = annotate(note, other, "即 " + FORMULA + " 为止", body="", visibility="public")
    reads = []
    read = finding.math_text.formula_positions
    monkeypatch.setattr(
        finding.math_text, "formula_positions", lambda html: reads.append(html) or read(html)
    )
    found = finding.hits([first, second], "mathcal")
    assert len(reads) == 1
    assert all('<span class="arithmatex">\\(\\mathcal{X}' in hit["quote"] for hit in found)
