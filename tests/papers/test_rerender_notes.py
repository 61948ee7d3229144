"""manage.py rerender_notes: stored HTML from an older renderer is rendered again, through the
write path (search rows and annotations follow, no revision)."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from annotations import passages
from annotations.models import Annotation
from papers.models import Note, NoteRevision, Paper, SearchDocument
from papers.rendering import plain_text, render_markdown

BODY = (
    "这一节讲 GPU 的内存层次。\n可编程内存：\n- 寄存器\n- 共享内存\n\n"
    "结论：共享内存比全局内存快得多，但容量很小，要仔细安排数据的复用。"
)
# What Python-Markdown stored for BODY: the list flattened into the paragraph.
OLD_HTML = (
    "<p>这一节讲 GPU 的内存层次。\n可编程内存：\n- 寄存器\n- 共享内存</p>\n"
    "<p>结论：共享内存比全局内存快得多，但容量很小，要仔细安排数据的复用。</p>"
)
PASSAGE = "共享内存比全局内存快得多"


def rerender(*args):
    out = StringIO()
    call_command("rerender_notes", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def stale_note(make_note):
    """A note whose stored HTML an older renderer wrote (set without the write path)."""
    note = make_note(body=BODY, summary="总结")
    Note.objects.filter(pk=note.pk).update(body_html=OLD_HTML)
    return Note.objects.get(pk=note.pk)


def test_stale_note_gets_the_current_html_and_others_are_left(stale_note, make_note):
    """The stale note is rendered again; a current one is counted as unchanged."""
    make_note(body="已是新的")
    output = rerender()
    stale_note.refresh_from_db()
    assert stale_note.body_html == render_markdown(BODY).html
    assert "<li>寄存器</li>" in stale_note.body_html
    assert "notes: 1 of 2 changed" in output


def test_no_revision_and_no_new_update_time(stale_note):
    """The Markdown did not change: no revision is kept, and 更新时间 stays."""
    revisions = NoteRevision.objects.filter(note=stale_note).count()
    updated_at = stale_note.updated_at
    rerender()
    stale_note.refresh_from_db()
    assert NoteRevision.objects.filter(note=stale_note).count() == revisions
    assert stale_note.updated_at == updated_at


def test_search_row_follows_the_new_text(stale_note):
    """The search row is rebuilt from the new HTML's plain text."""
    SearchDocument.objects.filter(note=stale_note).update(body="旧的")
    rerender()
    assert SearchDocument.objects.get(note=stale_note).body == " ".join(
        plain_text(render_markdown(BODY).html).split()
    )


def test_annotations_move_with_the_text(stale_note):
    """A passage anchored on the old HTML's text is on the same words in the new one."""
    reader = get_user_model().objects.create_user("reader")
    old_text = plain_text(OLD_HTML)
    start = old_text.index(PASSAGE)
    selector, errors = passages.clean_selector(
        old_text, {"exact": PASSAGE, "start": start, "end": start + len(PASSAGE)}
    )
    assert not errors
    annotation = passages.create_annotation(stale_note, reader, selector, "批注")
    rerender()
    annotation = Annotation.objects.get(pk=annotation.pk)
    new_text = plain_text(render_markdown(BODY).html)
    assert new_text.index(PASSAGE) != start
    assert annotation.state == Annotation.State.ANCHORED
    assert new_text[annotation.start : annotation.end] == PASSAGE


def test_batches_cover_every_note(make_note):
    """With batches smaller than the number of notes, every stale note is still rendered."""
    notes = [make_note(body=f"第 {number} 篇\n- 一\n- 二") for number in range(5)]
    Note.objects.update(body_html="<p>旧</p>")
    output = rerender("--batch-size", "2")
    assert "notes: 5 of 5 changed" in output
    for note in notes:
        note.refresh_from_db()
        assert "<li>一</li>" in note.body_html


def test_second_run_changes_nothing(stale_note):
    """Running it again finds every note current."""
    rerender()
    assert "notes: 0 of 1 changed" in rerender()


def test_stale_paper_abstract_is_rendered_again(paper):
    """A paper's abstract HTML is rendered again too."""
    Paper.objects.filter(pk=paper.pk).update(abstract_html="<p>旧</p>")
    output = rerender()
    paper.refresh_from_db()
    assert paper.abstract_html == render_markdown(paper.abstract).html
    assert "papers: 1 of 1 changed" in output
