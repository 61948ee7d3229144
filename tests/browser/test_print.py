"""Printing a note: A4 with margins, BibTeX wrapped whole, link targets, highlights kept, the
reader's own annotations as endnotes "我的批注" with [n] markers at their highlights, and the
comments section only when there are comments."""

import re
import shutil
import subprocess

import pytest

from annotations import moderation, passages
from annotations.models import Comment
from tests.browser.conftest import log_in
from tests.services import require_program

A4_POINTS = (595.28, 841.89)
MARGIN_POINTS = 40  # about 14 mm: no text nearer the paper's edge
BODY = """## 方法

稀疏注意力只看局部窗口和少数全局位置,复杂度降到线性。详见 [官方实现](https://github.com/google/bigbird)。

$$
\\mathrm{Attn}(Q, K, V) = \\mathrm{softmax}\\left(\\frac{QK^\\top}{\\sqrt{d}}\\right) V
$$

结论:长文档也能处理。
"""
PASSAGES = {"局部窗口": "窗口大小是 64。", "长文档也能处理": "不超过 4096 个词。"}


@pytest.fixture
def poppler():
    """The tests read the printed PDF with poppler's tools (Debian's poppler-utils)."""
    missing = [tool for tool in ("pdfinfo", "pdftotext", "pdftoppm") if not shutil.which(tool)]
    if missing:
        require_program(f"{', '.join(missing)} missing: apt-get install -y poppler-utils")


@pytest.fixture
def printed_note(transactional_db, make_note, paper, reader, django_user_model):
    # A BibTeX title line of some 130 characters: wider than the printed page.
    paper.title = (
        "Big Bird: Transformers for Longer Sequences, with a Title Long Enough to Wrap "
        "on an A4 Page in Monospace"
    )
    paper.save()
    note = make_note(title="稀疏注意力", slug="sparse-attention", body=BODY, paper=paper)
    text = passages.note_text(note)
    for quote, body in PASSAGES.items():
        start = text.index(quote)
        selector, errors = passages.clean_selector(
            text, {"exact": quote, "start": start, "end": start + len(quote)}
        )
        assert not errors
        passages.create_annotation(note, reader, selector, body)
    other = django_user_model.objects.create_user("other", password="x")
    start = text.index("复杂度")
    span = {"exact": "复杂度", "start": start, "end": start + 3}
    selector, _ = passages.clean_selector(text, span)
    passages.create_annotation(note, other, selector, "别人的批注", visibility="public")
    return note


def words(pdf):
    """(xMin, xMax, word) of every word in the PDF, from poppler's pdftotext -bbox."""
    html = subprocess.run(
        ["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    box = r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>'
    found = re.findall(box, html)
    return [(float(x_min), float(x_max), word) for x_min, x_max, word in found]


@pytest.mark.usefixtures("poppler")
def test_printed_note_is_a4_with_margins_whole_bibtex_and_endnotes(
    page, live_server, printed_note, artifacts
):
    """The PDF Chromium prints is A4; no word is within 40 pt of either side; every BibTeX
    line is there; the reader's annotations (not others') are endnotes, numbered at their
    highlights; link targets follow links in the body."""
    log_in(page, live_server, printed_note.get_absolute_url())
    page.locator("[data-annotations][data-loaded]").wait_for(state="attached")
    page.evaluate("document.fonts.ready")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")  # as printing does
    pdf = artifacts / "note-print.pdf"
    page.pdf(path=pdf, format="A4")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(artifacts / "note-print")])

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = map(float, re.search(r"Page size:\s+([\d.]+) x ([\d.]+) pts", info).groups())
    assert abs(width - A4_POINTS[0]) < 1 and abs(height - A4_POINTS[1]) < 1
    found = words(pdf)
    left = min(x_min for x_min, _, _ in found)
    right = max(x_max for _, x_max, _ in found)
    print(f"A4 {width}x{height} pt, text from x={left:.1f} to x={right:.1f} pt")
    assert left >= MARGIN_POINTS
    assert right <= width - MARGIN_POINTS

    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    flat = re.sub(r"\s+", "", text)
    for line in printed_note.paper.bibtex.splitlines():
        assert re.sub(r"\s+", "", line) in flat, line
    assert "<https://github.com/google/bigbird>" in flat
    assert "我的批注" in text
    endnotes = flat[flat.index("我的批注") :]
    assert "[1]" in endnotes and "窗口大小是64" in endnotes
    assert "[2]" in endnotes and "不超过4096个词" in endnotes
    assert "别人的批注" not in flat
    body = flat[: flat.index("我的批注")]
    assert "[1]" in body and "[2]" in body


def test_endnote_markers_follow_the_readers_highlights_and_go_after_printing(
    page, live_server, printed_note
):
    """[n] follows the last highlight of the reader's n-th annotation; afterprint removes the
    markers and the endnotes."""
    log_in(page, live_server, printed_note.get_absolute_url())
    page.locator("[data-annotations][data-loaded]").wait_for(state="attached")
    page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    marked = page.eval_on_selector_all(
        "sup.print-endnote-ref",
        "refs => refs.map(ref => [ref.previousElementSibling.textContent, ref.textContent])",
    )
    assert marked == [["局部窗口", "[1]"], ["长文档也能处理", "[2]"]]
    page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    assert page.locator(".print-endnote-ref, .print-endnotes").count() == 0


def printed_text(page, live_server, note, artifacts, name):
    """The text of the PDF Chromium prints of `note`, seen by an anonymous reader."""
    page.goto(live_server.url + note.get_absolute_url())
    page.evaluate("document.fonts.ready")
    pdf = artifacts / f"{name}.pdf"
    page.pdf(path=pdf, format="A4")
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(pdf), str(artifacts / name)])
    return subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout


@pytest.mark.usefixtures("poppler")
def test_note_without_comments_prints_no_comments_section(
    page, live_server, transactional_db, make_note, artifacts
):
    """No 评论 0 heading and no 还没有评论 on the paper, only the note."""
    note = make_note(title="稀疏注意力", slug="sparse-attention", body=BODY)
    text = printed_text(page, live_server, note, artifacts, "note-print-no-comments")
    assert "结论" in text
    assert "评论" not in text
    assert "还没有评论" not in text


@pytest.mark.usefixtures("poppler")
def test_note_with_comments_prints_them_without_the_form(
    page, live_server, transactional_db, make_note, artifacts
):
    """评论 1 with its author and text; nothing of the form to write one."""
    note = make_note(title="稀疏注意力", slug="sparse-attention", body=BODY)
    comment = moderation.post_comment(note=note, body="窗口怎么选?", name="路人甲")
    moderation.moderate(Comment.objects.filter(pk=comment.pk), Comment.State.PUBLIC)
    text = printed_text(page, live_server, note, artifacts, "note-print-comments")
    assert "评论 1" in text
    assert "窗口怎么选?" in text and "路人甲" in text
    assert "还没有评论" not in text
    assert "发表评论" not in text and "以访客身份评论" not in text
