"""The one write path: every change to notes reaches revisions, search, annotations and caches.

Writers open a batch and record in it what they changed:

    with writes.batch(author=request.user, source=NoteRevision.Source.ADMIN) as batch:
        note.save()                       # Note.save() records itself
        Note.objects.bulk_update(notes, fields)
        batch.record([change_of(note) for note in notes])    # bulk writers record theirs

Who calls it: `Note.save()` (the admin's forms, the shell, tests), `Paper.save()`, the admin's
bulk actions, the importer's bulk path, and anything later (restores). Writes that run no code
of papers' reach it through `connect()`: topics and tags saved or deleted (their own apps'
models), tags added to a note (taggit's `m2m_changed`), rows loaded from fixtures (`loaddata`
saves them raw, without `Note.save()`), and deletes (the collector is the one writer that sees
cascades). A batch opened while another is open joins it: the admin's change form, the note's
save and the tags saved after it are one batch, under the admin's author. `bulk_update()`,
`QuerySet.update()` and raw SQL send nothing: a writer using them records its changes itself,
as the importer and the admin's publish action do (`change_of()` before `record()`).

`Batch.record(changes)` hands the changed notes, each with what the database held before
(`Note` remembers what it was loaded with, so learning the old body costs no query), to the
subscribers, once per call, in the writer's transaction:

1. revisions: a `NoteRevision` of each note whose title, summary or body changed, or that is new;
2. the search index: the rows of notes whose searchable fields or tags changed (papers.search);
3. `notes_changed`, the signal other apps listen to (papers never imports them): annotations
   re-anchors the passages of notes whose body changed. Receivers return `Notice`s, which the
   writer shows the author (the admin's messages, the import summary);

and once per batch, after commit:

4. search rankings (papers.caching.rankings): brought up to date with the notes the batch
   changed, on their next query;
5. the content version (papers.caching): every cached page and fragment is stale.

Rows in the transaction, the cache after it: the revision, the search row and the annotations'
offsets are data that commit or roll back with the note (a reader never gets the new body with
highlights on the old offsets; a failed write leaves no revision of a change that did not
happen), while a content version drawn before the commit would let a request store the old rows
under the new version.
"""

import threading
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import Signal

from . import search
from .caching import rankings, versions
from .models import Note, NoteRevision, Paper, tracked_fields

# sender=Note, changes=[NoteChange]: notes whose rows a write changed, with what they were.
# Receivers run in the writer's transaction and return a list of Notices (or None).
notes_changed = Signal()

TEXT_FIELDS = frozenset({"title", "summary", "body"})
# Not a column: the note's tags, which bulk writers report with `change_of(..., also=...)`.
TAGS = "tags"
_open = threading.local()


@dataclass(frozen=True)
class Notice:
    """What a subscriber tells the author about a write, with a link to what it is about."""

    message: str
    url: str = ""

    def __str__(self):
        return f"{self.message}: {self.url}" if self.url else self.message


@dataclass(frozen=True)
class NoteChange:
    """One note as a write left it, with what the database held before."""

    note: Note
    before: dict | None  # tracked field name → stored value; None for a new note
    fields: frozenset  # the fields the write changed (every tracked one for a new note)
    detail: str = ""  # where the change came from, kept in its revision (an imported file)

    @property
    def created(self):
        return self.before is None

    @property
    def text_changed(self):
        return bool(self.fields & TEXT_FIELDS)

    @property
    def body_changed(self):
        """The rendered body differs from a stored one: passages anchored to it must move."""
        return not self.created and "body_html" in self.fields


def change_of(note, update_fields=None, *, also=(), detail=""):
    """The change that writing `note` as it is now makes, against what it was loaded with.

    Call it before the write is recorded (recording makes the note's values the stored ones).
    `update_fields` limits it to those fields, as `save(update_fields=...)` does; `also` adds
    changes that are not columns of the row (`TAGS`). A note built in code with the pk of a
    stored row, or with a deferred field assigned without loading it, costs one query.
    """
    tracked = {field.name: field for field in tracked_fields()}
    deferred = note.get_deferred_fields()
    present = {name for name, field in tracked.items() if field.attname not in deferred}
    before = note.stored_values()
    if before is None and note.pk is not None:
        before = Note.objects.filter(pk=note.pk).values(*tracked).first()
    elif before is not None and (missing := present - before.keys()):
        before = {**before, **Note.objects.filter(pk=note.pk).values(*missing).get()}
    fields = {
        name
        for name in present
        if before is None or before[name] != getattr(note, tracked[name].attname)
    }
    if update_fields is not None:
        fields &= {note._meta.get_field(name).name for name in update_fields}
    return NoteChange(note, before, frozenset(fields | set(also)), detail)


def new_note(note, detail=""):
    """The change of writing a note that was not stored before (every field is new)."""
    return NoteChange(note, None, frozenset(field.name for field in tracked_fields()), detail)


class Batch:
    """The writes of one `batch()` block: what they changed, and what the author is told."""

    def __init__(self, author, source):
        self.author = author
        self.source = source
        self.notices = []
        self.touched = False
        self.reranked = set()  # notes whose place in search rankings may have changed

    def record(self, changes):
        """Hand changed notes to every subscriber; return the notices they gave."""
        changes = [change for change in changes if change.fields]
        if not changes:
            return []
        keep_revisions(changes, self.author, self.source)
        search.index_notes(
            change.note.pk for change in changes if change.fields & search.INDEXED_NOTE_FIELDS
        )
        self.reranked.update(
            change.note.pk for change in changes if change.fields & search.RANKED_NOTE_FIELDS
        )
        notices = [
            notice
            for _, given in notes_changed.send(Note, changes=changes)
            for notice in given or ()
        ]
        for change in changes:
            change.note.remember_stored()
        self.notices += notices
        self.touch()
        return notices

    def relabel(self, note_ids):
        """Notes whose labels changed but not their rows: a topic, paper or tag renamed."""
        note_ids = list(note_ids)
        search.index_notes(note_ids)
        self.reranked.update(note_ids)
        self.touch()

    def removed(self, note_id):
        """A note deleted (its search row, revisions and annotations are deleted with it)."""
        self.reranked.add(note_id)
        self.touch()

    def touch(self):
        """Something readers see changed: pages and fragments are stale after commit."""
        self.touched = True


@contextmanager
def batch(author=None, source=NoteRevision.Source.OTHER):
    """Open a batch of writes, in one transaction; or join the batch already open.

    `author` (a user or None) and `source` go into the revisions the batch keeps. After the
    transaction commits, the content version is drawn once if anything was recorded.
    """
    joined = getattr(_open, "batch", None)
    if joined is not None:
        yield joined
        return
    opened = _open.batch = Batch(author, source)
    try:
        # As Model.save() does: no savepoint of its own inside a caller's transaction.
        with transaction.atomic(savepoint=False):
            yield opened
            if opened.touched and not transaction.get_rollback():
                # Rankings first: a page drawn under the new version ranks with these notes.
                rankings.notes_changed(opened.reranked)
                versions.changed()
    finally:
        _open.batch = None


def keep_revisions(changes, author, source):
    NoteRevision.objects.bulk_create(
        NoteRevision(
            note=change.note,
            title=change.note.title,
            summary=change.note.summary,
            body=change.note.body,
            author=author,
            source=source,
            detail=change.detail,
        )
        for change in changes
        if change.text_changed
    )


# --- writes that run no code of papers' ------------------------------------------------------


def connect():
    """Connect the writes other code makes to the write path; called from PapersConfig.ready()."""
    from taggit.models import Tag

    from topics.models import Topic

    tagged_item = Note.tags.through
    post_save.connect(_note_loaded, sender=Note, dispatch_uid="writes.note-loaded")
    post_save.connect(_tagged_item_loaded, sender=tagged_item, dispatch_uid="writes.tag-loaded")
    m2m_changed.connect(_tags_changed, sender=tagged_item, dispatch_uid="writes.tags-changed")
    post_delete.connect(_note_deleted, sender=Note, dispatch_uid="writes.note-deleted")
    labels = [
        (Topic, lambda topic: topic.notes.all()),
        (Paper, lambda paper: paper.notes.all()),
        (Tag, lambda tag: Note.objects.filter(tags=tag)),
    ]
    for model, notes_of in labels:
        uid = f"writes.{model._meta.label_lower}"
        if model is not Paper:  # Paper.save() records itself
            post_save.connect(_label_saved(notes_of), sender=model, weak=False, dispatch_uid=uid)
        pre_delete.connect(_remember_notes(notes_of), sender=model, weak=False, dispatch_uid=uid)
        post_delete.connect(_relabel_remembered, sender=model, dispatch_uid=uid)


def _note_loaded(sender, instance, created=False, raw=False, **kwargs):
    """loaddata saves notes raw: record them as new (a revision, a search row)."""
    if raw:
        with batch() as opened:
            opened.record([new_note(instance, detail="loaddata")])


def _tagged_item_loaded(sender, instance, raw=False, **kwargs):
    """loaddata saves tagged items raw, without taggit's m2m_changed."""
    if raw and instance.content_type_id == ContentType.objects.get_for_model(Note).pk:
        with batch() as opened:
            opened.relabel([instance.object_id])


def _tags_changed(sender, instance, action, reverse, pk_set=None, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    with batch() as opened:
        if isinstance(instance, Note):
            opened.relabel([instance.pk])
        elif reverse and pk_set:  # tag.note_set.add(...) and the like
            opened.relabel(pk_set)


def _note_deleted(sender, instance, **kwargs):
    with batch() as opened:
        opened.removed(instance.pk)


def _label_saved(notes_of):
    def saved(sender, instance, created=False, raw=False, **kwargs):
        with batch() as opened:
            opened.relabel([] if created else notes_of(instance).values_list("pk", flat=True))

    return saved


def _remember_notes(notes_of):
    def remember(sender, instance, **kwargs):
        instance._labelled_note_ids = list(notes_of(instance).values_list("pk", flat=True))

    return remember


def _relabel_remembered(sender, instance, **kwargs):
    with batch() as opened:
        opened.relabel(getattr(instance, "_labelled_note_ids", []))
