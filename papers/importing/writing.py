"""Writing batches of parsed notes with bulk queries, through the one write path."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from topics.models import Topic

from .. import writes
from ..models import RENDERED_FIELDS, Note, Paper


class NamedRows:
    """Every row of a short name + slug table (topics, tags), matched by name ignoring case;
    the missing ones are created in bulk. Loaded once: these tables stay small."""

    def __init__(self, model, make_slug):
        self.model = model
        self.make_slug = make_slug
        self.by_name, self.by_slug = {}, {}
        for row in model.objects.all():
            self.remember(row)

    def remember(self, row):
        self.by_name[row.name.casefold()] = row
        self.by_slug[row.slug] = row

    def get(self, name):
        return self.by_name.get(name.casefold())

    def create_missing(self, names):
        new = []
        for name in sorted(names):
            if self.get(name) is None:
                row = self.model(name=name, slug=self.free_slug(name))
                self.remember(row)
                new.append(row)
        self.model.objects.bulk_create(new)

    def free_slug(self, name):
        """The name's slug, numbered as taggit does when taken: `C` after `C++` gets `c_1`."""
        slug = base = self.make_slug(name)
        number = 0
        while slug in self.by_slug:
            number += 1
            slug = f"{base}_{number}"
        return slug


def topic_slug(name):
    return slugify(name, allow_unicode=True)


def tag_slug(name):
    return Tag().slugify(name)  # taggit's rule, which follows its settings


def new_paper(ref):
    # Paper.save() is skipped by bulk_create: do its work here.
    paper = Paper(
        arxiv_id=ref.arxiv_id,
        title=ref.title or ref.arxiv_id,
        authors=ref.authors,
        abstract=ref.abstract,
        published_on=ref.published_on,
    )
    paper.render()
    return paper


COMPARED_FIELDS = ["title", "summary", "body", "status", "published_at", "topic_id", "paper_id"]
UPDATED_FIELDS = [*COMPARED_FIELDS, "updated_at", *RENDERED_FIELDS]


class NoteWriter:
    """Writes batches of parsed notes: a few bulk reads of what exists, bulk writes of changes,
    and the changes recorded in the run's batch of the one write path (papers.writes)."""

    def __init__(self, report, default_topic, changes):
        self.report = report
        self.default_topic = default_topic
        self.changes = changes
        self.topics = NamedRows(Topic, topic_slug)
        self.tags = NamedRows(Tag, tag_slug)
        self.tagged = Note.tags.through
        self.note_type = ContentType.objects.get_for_model(Note)

    def write(self, batch):
        # Whole rows: the write path hands the old body to annotations without asking again.
        existing = Note.objects.in_bulk([note.slug for note in batch], field_name="slug")
        current_tags = self.tag_ids_of(existing.values())
        paper_ids = self.paper_ids(batch)
        self.topics.create_missing({self.topic_name(note) for note in batch} - {None})
        self.tags.create_missing({tag for note in batch for tag in note.tags})
        created, updated, tag_ids, paths = [], [], {}, {}
        for parsed in batch:
            paths[parsed.slug] = parsed.path
            note = existing.get(parsed.slug) or Note(slug=parsed.slug)
            values = self.values(parsed, paper_ids, new=note.pk is None)
            tags = tag_ids[parsed.slug] = {self.tags.get(name).pk for name in parsed.tags}
            if note.pk and self.unchanged(note, values, current_tags[note.pk], tags):
                self.report.unchanged += 1
                continue
            for name, value in values.items():
                setattr(note, name, value)
            note.render()
            (updated if note.pk else created).append(note)
            self.record(parsed, "updated" if note.pk else "created")
        changes = [writes.new_note(note, paths[note.slug]) for note in created]
        self.save_notes(created, updated, batch)
        retagged = [note for note in updated if tag_ids[note.slug] != current_tags[note.pk]]
        self.save_tags(created, retagged, tag_ids)
        retagged_ids = {note.pk for note in retagged}
        changes += [
            writes.change_of(
                note, also=[writes.TAGS] if note.pk in retagged_ids else [], detail=paths[note.slug]
            )
            for note in updated
        ]
        self.report.notices += self.changes.record(changes)

    def topic_name(self, parsed):
        return parsed.topic or self.default_topic

    def values(self, parsed, paper_ids, *, new):
        topic = self.topic_name(parsed)
        values = {
            "title": parsed.title,
            "summary": parsed.summary,
            "body": parsed.body,
            "status": parsed.status,
            "topic_id": self.topics.get(topic).pk if topic else None,
            "paper_id": paper_ids[parsed.paper.arxiv_id] if parsed.paper else None,
        }
        # A date guessed from the file's mtime only dates new notes; a stored date stands.
        if new or not parsed.date_from_mtime:
            values["published_at"] = parsed.published_at
        if parsed.updated_at:
            values["updated_at"] = parsed.updated_at
        return values

    @staticmethod
    def unchanged(note, values, current_tags, tags):
        return current_tags == tags and all(getattr(note, k) == v for k, v in values.items())

    def record(self, parsed, action):
        setattr(self.report, action, getattr(self.report, action) + 1)
        if self.report.dry_run:
            self.report.changes.append((action, parsed.slug, parsed.path))
        if action == "created" and parsed.date_from_mtime:
            self.report.dated_by_mtime.append((parsed.path, parsed.published_at))

    def tag_ids_of(self, notes):
        rows = self.tagged.objects.filter(
            content_type=self.note_type, object_id__in=[note.pk for note in notes]
        ).values_list("object_id", "tag_id")
        tag_ids = defaultdict(set)
        for note_id, tag_id in rows:
            tag_ids[note_id].add(tag_id)
        return tag_ids

    def paper_ids(self, batch):
        refs = {note.paper.arxiv_id: note.paper for note in batch if note.paper}
        ids = dict(Paper.objects.filter(arxiv_id__in=refs).values_list("arxiv_id", "id"))
        new = [new_paper(ref) for arxiv_id, ref in refs.items() if arxiv_id not in ids]
        Paper.objects.bulk_create(new)
        for paper in new:
            ids[paper.arxiv_id] = paper.pk
            self.report.papers_created.append((paper.arxiv_id, bool(refs[paper.arxiv_id].title)))
        return ids

    def save_notes(self, created, updated, batch):
        updated_at = {note.slug: note.updated_at for note in batch if note.updated_at}
        now = timezone.now()
        for note in updated:
            note.updated_at = updated_at.get(note.slug, now)
        Note.objects.bulk_create(created)
        Note.objects.bulk_update(updated, UPDATED_FIELDS)
        # bulk_create stamps updated_at (auto_now): put the file's own date back.
        dated = [note for note in created if note.slug in updated_at]
        for note in dated:
            note.updated_at = updated_at[note.slug]
        Note.objects.bulk_update(dated, ["updated_at"])

    def save_tags(self, created, retagged, tag_ids):
        self.tagged.objects.filter(
            content_type=self.note_type, object_id__in=[note.pk for note in retagged]
        ).delete()
        self.tagged.objects.bulk_create(
            self.tagged(content_type=self.note_type, object_id=note.pk, tag_id=tag_id)
            for note in created + retagged
            for tag_id in tag_ids[note.slug]
        )
