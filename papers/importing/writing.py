"""Writing batches of parsed notes with bulk queries, through the one write path."""

from collections import defaultdict

from django.contrib.contenttypes.models import ContentType
from django.utils.text import slugify
from taggit.models import Tag

from topics.models import Topic

from .. import writes
from ..models import RENDERED_FIELDS, Note, Paper
from .addresses import OldAddresses
from .problems import Problem


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


class TopicRows(NamedRows):
    """Topics, created with the topic they are inside."""

    def create_paths(self, paths):
        """The missing topics of each path (top category first), level by level so that a new
        topic's parent is stored before it. A new topic goes inside the topic before it in the
        first path naming it; a stored topic keeps its place (the admin may have moved it), so
        no run can make a topic its own ancestor."""
        for depth in range(max(map(len, paths), default=0)):
            new = []
            for path in paths:
                if len(path) > depth and self.get(path[depth]) is None:
                    parent = self.get(path[depth - 1]) if depth else None
                    name = path[depth]
                    new.append(Topic(name=name, slug=self.free_slug(name), parent=parent))
                    self.remember(new[-1])
            self.model.objects.bulk_create(new)


def topic_slug(name):
    return slugify(name, allow_unicode=True)


def tag_slug(name):
    return Tag().slugify(name)  # taggit's rule, which follows its settings


def new_paper(ref):
    # Paper.save() is skipped by bulk_create: do its work here.
    paper = Paper(
        arxiv_id=ref.arxiv_id,
        version=ref.version,
        title=ref.title or ref.arxiv_id,
        authors=ref.authors,
        abstract=ref.abstract,
        published_on=ref.published_on,
    )
    paper.render()
    return paper


COMPARED_FIELDS = ["title", "summary", "body", "status", "published_at", "topic_id", "paper_id"]
UPDATED_FIELDS = [*COMPARED_FIELDS, "updated_at", "source_path", *RENDERED_FIELDS]
# The id of a topic, tag or paper a file names that is not stored yet: equal to no stored id.
NOT_STORED = object()


class NoteWriter:
    """Writes batches of parsed notes: a few bulk reads of what exists, bulk writes of changes,
    and the changes recorded in the run's batch of the one write path (papers.writes).

    A note belongs to the file it came from (Note.source_path). A file claiming the slug of
    another file's note, or of a note written in the admin (no file), would overwrite it: the
    file is refused, unless the note holds what the file says already (an export imported
    back) or `replace` lets the file take the note over.
    """

    def __init__(self, report, default_topic, changes, progress, *, replace=False):
        self.report = report
        self.default_topic = default_topic
        self.changes = changes
        self.progress = progress
        self.replace = replace
        self.topics = TopicRows(Topic, topic_slug)
        self.tags = NamedRows(Tag, tag_slug)
        self.addresses = OldAddresses(report)
        self.tagged = Note.tags.through
        self.note_type = ContentType.objects.get_for_model(Note)

    def write(self, batch):
        """Write a batch; return its notes that were not refused."""
        # Whole rows: the write path hands the old body to annotations without asking again.
        existing = Note.objects.in_bulk([note.slug for note in batch], field_name="slug")
        current_tags = self.tag_ids_of(existing.values())
        paper_ids = self.stored_paper_ids(batch)
        batch = [
            parsed
            for parsed in batch
            if not self.refused(parsed, existing.get(parsed.slug), paper_ids, current_tags)
        ]
        self.create_missing(batch, paper_ids)
        created, updated, tag_ids, notes = [], [], {}, {}
        for parsed in batch:
            note = notes[parsed.slug] = existing.get(parsed.slug) or Note(slug=parsed.slug)
            tags = tag_ids[parsed.slug] = self.tag_ids(parsed)
            values = self.values(parsed, paper_ids, note)
            same = note.pk is not None and self.unchanged(note, values, current_tags[note.pk], tags)
            if same and not (self.replace and self.foreign(note, parsed)):
                self.record(parsed, "unchanged")
            else:
                self.fill(note, parsed, values)
                (updated if note.pk else created).append(note)
                self.record(parsed, "updated" if note.pk else "created")
            self.progress.advance()
        self.save(created, updated, current_tags, tag_ids, {note.slug: note.path for note in batch})
        self.addresses.save(batch, notes)
        return batch

    @staticmethod
    def foreign(note, parsed):
        return note.source_path != parsed.source_path

    def refused(self, parsed, note, paper_ids, current_tags):
        """Refuse `parsed` when it would overwrite a note that is not its file's."""
        if note is None or not self.foreign(note, parsed) or self.replace:
            return False
        values = self.values(parsed, paper_ids, note)
        if self.unchanged(note, values, current_tags[note.pk], self.tag_ids(parsed)):
            return False
        if note.source_path:
            owner = f"the note imported from {note.source_path}"
        else:
            owner = "a note written in the admin"
        message = f"slug {parsed.slug!r} belongs to {owner}; --replace lets this file take it over"
        self.report.problems.append(Problem(parsed.path, parsed.slug_line, message))
        self.progress.advance()
        return True

    def fill(self, note, parsed, values):
        """Set the note's fields from the file, and render it."""
        for name, value in values.items():
            setattr(note, name, value)
        note.source_path = parsed.source_path
        note.render()

    def save(self, created, updated, current_tags, tag_ids, paths):
        """Write the batch's notes and tags, and record them in the write path."""
        changes = [writes.new_note(note, paths[note.slug]) for note in created]
        self.save_notes(created, updated)
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
        if created or updated:
            # Readers see updated_at too ("更新于"), which is no tracked field: a file changing
            # only its updated date records no change, yet cached pages are stale.
            self.changes.touch()

    def topic_path(self, parsed):
        return parsed.topic_path or ((self.default_topic,) if self.default_topic else ())

    def topic_name(self, parsed):
        path = self.topic_path(parsed)
        return path[-1] if path else None

    def create_missing(self, batch, paper_ids):
        """The papers, topics and tags the batch names that are not stored yet."""
        self.create_papers(batch, paper_ids)
        self.topics.create_paths([self.topic_path(note) for note in batch])
        self.tags.create_missing({tag for note in batch for tag in note.tags})

    def tag_ids(self, parsed):
        return {getattr(self.tags.get(name), "pk", NOT_STORED) for name in parsed.tags}

    def values(self, parsed, paper_ids, note):
        """The fields of `note` as the file gives them (for comparing, then writing)."""
        topic = self.topic_name(parsed)
        values = {
            "title": parsed.title,
            "summary": parsed.summary,
            "body": parsed.body,
            "status": parsed.status,
            "topic_id": getattr(self.topics.get(topic), "pk", NOT_STORED) if topic else None,
            "paper_id": paper_ids.get(parsed.paper.arxiv_id, NOT_STORED) if parsed.paper else None,
        }
        # A date guessed from the file's mtime only dates new notes; a stored date stands.
        if note.pk is None or not parsed.date_from_mtime:
            values["published_at"] = parsed.published_at
        # The page says "更新于" when updated_at's day is not published_at's: for an imported
        # note, when its file gives an updated date. The importer never stamps its own day (a
        # changed file without one does not say when it changed); an edit in the admin does.
        values["updated_at"] = parsed.updated_at or values.get("published_at", note.published_at)
        return values

    @staticmethod
    def unchanged(note, values, current_tags, tags):
        return current_tags == tags and all(getattr(note, k) == v for k, v in values.items())

    def record(self, parsed, action):
        setattr(self.report, action, getattr(self.report, action) + 1)
        if self.report.dry_run and action != "unchanged":
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

    @staticmethod
    def stored_paper_ids(batch):
        arxiv_ids = {note.paper.arxiv_id for note in batch if note.paper}
        return dict(Paper.objects.filter(arxiv_id__in=arxiv_ids).values_list("arxiv_id", "id"))

    def create_papers(self, batch, ids):
        named = sorted(
            (note.paper for note in batch if note.paper), key=lambda ref: ref.version or 0
        )
        refs = {ref.arxiv_id: ref for ref in named}  # the highest version named wins
        new = [new_paper(ref) for arxiv_id, ref in refs.items() if arxiv_id not in ids]
        Paper.objects.bulk_create(new)
        for paper in new:
            ids[paper.arxiv_id] = paper.pk
            self.report.papers_created.append((paper.arxiv_id, bool(refs[paper.arxiv_id].title)))

    def save_notes(self, created, updated):
        # bulk_create stamps updated_at (auto_now): put back the file's.
        updated_at = {note.slug: note.updated_at for note in created}
        Note.objects.bulk_create(created)
        for note in created:
            note.updated_at = updated_at[note.slug]
        Note.objects.bulk_update(created, ["updated_at"])
        Note.objects.bulk_update(updated, UPDATED_FIELDS)

    def save_tags(self, created, retagged, tag_ids):
        self.tagged.objects.filter(
            content_type=self.note_type, object_id__in=[note.pk for note in retagged]
        ).delete()
        self.tagged.objects.bulk_create(
            self.tagged(content_type=self.note_type, object_id=note.pk, tag_id=tag_id)
            for note in created + retagged
            for tag_id in tag_ids[note.slug]
        )
