"""Annotation rows: the privacy rule, and re-anchoring when the note is saved."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from annotations import passages
from annotations.models import Annotation

BODY = (
    "自注意力的代价是 $O(n^2 d)$,**序列越长越贵**。\n\n"
    "It scales quadratically with the sequence length.\n\n"
    "稀疏注意力只看局部窗口。"
)
PASSAGE = "It scales quadratically with the sequence length"


@pytest.fixture
def note(make_note):
    return make_note(title="注意力", slug="attention", body=BODY)


@pytest.fixture
def other(django_user_model):
    return django_user_model.objects.create_user("other", "other@example.com", "pw-Other-1")


def passage_of(annotation):
    annotation.refresh_from_db()
    text = passages.note_text(annotation.note)
    return text[annotation.start : annotation.end]


def test_visible_to_is_public_plus_own(note, reader, other, annotate):
    """A reader sees public annotations and their own private ones; others' private never."""
    mine = annotate(note, reader, PASSAGE, visibility="private")
    public = annotate(note, other, "稀疏注意力", visibility="public")
    annotate(note, other, "序列越长越贵", visibility="private")
    assert set(Annotation.objects.visible_to(reader)) == {mine, public}


def test_anonymous_readers_see_public_annotations_only(note, reader, annotate):
    """Anonymous (or no) user: public only."""
    from django.contrib.auth.models import AnonymousUser

    annotate(note, reader, PASSAGE, visibility="private")
    public = annotate(note, reader, "稀疏注意力", visibility="public")
    assert list(Annotation.objects.visible_to(AnonymousUser())) == [public]
    assert list(Annotation.objects.visible_to(None)) == [public]


def test_selector_stores_code_point_offsets_and_context(note, reader, annotate):
    """exact / prefix / suffix / start / end describe the passage in the plain text."""
    annotation = annotate(note, reader, PASSAGE)
    text = passages.note_text(note)
    assert text[annotation.start : annotation.end] == PASSAGE
    assert annotation.prefix == text[max(0, annotation.start - 32) : annotation.start]
    assert annotation.suffix == text[annotation.end : annotation.end + 32]
    assert annotation.state == Annotation.State.ANCHORED
    assert annotation.visibility == Annotation.Visibility.PRIVATE


def test_body_is_rendered_like_a_comment(note, reader, annotate):
    """Light Markdown, sanitized: no raw HTML."""
    annotation = annotate(note, reader, PASSAGE, body="**对** <script>x</script>")
    assert "<strong>对</strong>" in annotation.body_html
    assert "<script>" not in annotation.body_html


def test_editing_the_note_moves_the_annotation(note, reader, annotate):
    """A paragraph inserted above: the annotation is on the same words at new offsets."""
    annotation = annotate(note, reader, PASSAGE)
    old_start = annotation.start
    note.body = "## 新的一节\n\n插入的段落,有 😀 和 $x^2$。\n\n" + note.body
    note.save()
    assert passage_of(annotation) == PASSAGE
    assert annotation.start > old_start
    assert annotation.state == Annotation.State.ANCHORED


def test_a_reworded_passage_moves_onto_the_new_words_and_keeps_the_readers_quote(
    note, reader, annotate
):
    """An approximate match anchors to the new words; the quote the reader chose stays."""
    annotation = annotate(note, reader, PASSAGE)
    note.body = note.body.replace("quadratically", "quadratically and badly")
    note.save()
    annotation.refresh_from_db()
    assert annotation.state == Annotation.State.ANCHORED
    assert annotation.exact == "It scales quadratically and badly with the sequence length"
    assert passage_of(annotation) == annotation.exact
    assert annotation.quote == PASSAGE
    assert annotation.text_changed


def test_wording_changed_back_is_no_longer_marked_changed(note, reader, annotate):
    """Reworded, then the edit undone: the passage reads as the reader chose it again."""
    annotation = annotate(note, reader, PASSAGE)
    original = note.body
    note.body = original.replace("quadratically", "quadratically and badly")
    note.save()
    note.body = original
    note.save()
    annotation.refresh_from_db()
    assert annotation.exact == annotation.quote == PASSAGE
    assert not annotation.text_changed


def test_deleting_the_passage_orphans_the_annotation_and_keeps_its_quote(note, reader, annotate):
    """The passage gone: state orphaned, the reader's quote kept."""
    annotation = annotate(note, reader, PASSAGE)
    note.body = note.body.replace(PASSAGE + ".", "")
    note.save()
    annotation.refresh_from_db()
    assert annotation.state == Annotation.State.ORPHANED
    assert annotation.quote == annotation.exact == PASSAGE
    assert not annotation.text_changed


def test_saving_an_unchanged_body_does_not_touch_annotations(note, reader, annotate):
    """A title change re-renders the same body: the annotations are left alone."""
    annotate(note, reader, PASSAGE)
    before = list(Annotation.objects.values_list("start", "end", "exact", "updated_at"))
    note.title = "新标题"
    note.save()
    assert list(Annotation.objects.values_list("start", "end", "exact", "updated_at")) == before


def test_a_note_saved_without_its_body_reads_no_old_body(note, reader, annotate):
    """save(update_fields=[...]) without body_html neither reads the old body nor re-anchors."""
    annotate(note, reader, PASSAGE)
    with CaptureQueriesContext(connection) as queries:
        note.save(update_fields=["title"])
    sql = " ".join(query["sql"] for query in queries.captured_queries)
    assert 'SELECT "papers_note"."body_html" FROM' not in sql
    assert "annotations_annotation" not in sql


@pytest.mark.parametrize("count", [1, 4])
def test_many_annotations_are_reanchored_in_a_fixed_number_of_queries(
    note, reader, annotate, django_assert_num_queries, count
):
    """A body edit reads the annotations once and writes them in one bulk update: the save
    costs the same queries for 1 or 4: note, revision, 3 for its search row, 2 re-anchoring,
    and the content version's next scheduled note."""
    for quote in (PASSAGE, "稀疏注意力", "序列越长越贵", "n^2 d")[:count]:
        annotate(note, reader, quote)
    note.body = "前言。\n\n" + note.body
    with django_assert_num_queries(8):
        note.save()
    moved = Annotation.objects.exclude(start=0).filter(prefix__startswith="前言")
    assert Annotation.objects.count() == count
    assert all(
        passage_of(annotation) == annotation.quote for annotation in Annotation.objects.all()
    )
    assert moved.count() >= 1


def test_an_annotation_records_the_revision_it_was_made_on(note, reader, annotate):
    """Made on the note's latest revision; an edit later does not change which one."""
    first = annotate(note, reader, PASSAGE)
    assert first.revision == note.revisions.first()
    note.body = "前言。\n\n" + note.body
    note.save()
    later = annotate(note, reader, "稀疏注意力")
    first.refresh_from_db()
    assert first.revision == note.revisions.last()
    assert later.revision == note.revisions.first() != first.revision
