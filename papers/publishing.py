"""A note's publication state as the admin shows and changes it: draft, scheduled, published."""

from django.db import models
from django.utils import timezone

from .models import Note


class Publication(models.TextChoices):
    DRAFT = "draft", "草稿"
    SCHEDULED = "scheduled", "定时"
    PUBLISHED = "published", "已发布"


def publication_of(note, now=None):
    """Draft; scheduled (published, dated in the future: readers see it from then on); or
    published."""
    if note.status == Note.Status.DRAFT:
        return Publication.DRAFT
    if note.published_at > (now or timezone.now()):
        return Publication.SCHEDULED
    return Publication.PUBLISHED


def filter_by_publication(notes, publication):
    """The notes of a NoteQuerySet in that state (Note.objects.published() / scheduled())."""
    if publication == Publication.DRAFT:
        return notes.filter(status=Note.Status.DRAFT)
    if publication == Publication.SCHEDULED:
        return notes.scheduled()
    return notes.published()


def set_status(note, status, now):
    """Give `note` the status, unsaved. A draft published goes out at `now`, not on the day it
    was started (its date is when it was created); one dated in the future stays scheduled."""
    if status == Note.Status.PUBLISHED and note.status != status and note.published_at <= now:
        note.published_at = now
    note.status = status
