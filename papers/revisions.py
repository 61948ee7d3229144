"""Restoring a note to one of its revisions, through the one write path (papers.writes)."""

from django.utils import timezone

from . import writes
from .models import RENDERED_FIELDS, Note, NoteRevision


def restore(revision, author):
    """Make `revision`'s title, summary and body the note's again; return the write path's
    notices (what it did to readers' annotations), or None when the note already reads so.

    A restore is an edit like any other: a new revision (source "恢复", naming the one
    restored), the search row, annotations re-anchored onto the restored text, pages stale.
    Earlier revisions stay as they were.
    """
    with writes.batch(author=author, source=NoteRevision.Source.RESTORE) as batch:
        note = Note.objects.select_for_update().get(pk=revision.note_id)
        note.title, note.summary, note.body = revision.title, revision.summary, revision.body
        note.render()
        change = writes.change_of(note, detail=f"恢复到版本 #{revision.pk}")
        if not change.text_changed:
            return None
        # Note.save() would record the change without saying which revision came back.
        note.updated_at = timezone.now()
        Note.objects.bulk_update(
            [note], ["title", "summary", "body", *RENDERED_FIELDS, "updated_at"]
        )
        return batch.record([change])
