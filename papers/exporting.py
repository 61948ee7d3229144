"""Write every note as a Markdown file with YAML front matter that Hexo, Hugo and
`papers.importing` reads, so exporting and importing into an empty database gives the notes back.

Keys are written under both tools' names where they differ (`updated` for Hexo, `lastmod` for
Hugo; `published: false` for Hexo, `draft: true` for Hugo). A note's paper goes in as a mapping
with its metadata, which the importer uses when it creates the paper. Line ends are written as
LF, as the importer reads them.

What a migrated site keeps goes out too: a note's old addresses as Hugo's `aliases` (imported
again, they answer 301 to the note), and its topic as the path from the top topic down, so
that the topics come back nested (`categories`, see `categories()`).

The media files a note uses (its images and attachments, linked by their media URL) are copied
into a folder named by its slug beside its file, `<slug>/x.png` next to `<slug>.md`, as Hexo
keeps a post's assets, and the links point there, so that the export imported into an empty
site has every image.
"""

import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath
from urllib.parse import unquote

import yaml
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.storage import default_storage
from django.utils import timezone

from topics.models import TopicTree

from .media import media_reference
from .models import Note

CHUNK_SIZE = 500


class FrontMatterDumper(yaml.SafeDumper):
    """safe_dump, with multi-line text as `|` blocks and datetimes as ISO 8601 with offset."""

    def ignore_aliases(self, data):
        return True  # `updated` and `lastmod` share a value; write it twice, not as &id001


def represent_text(dumper, value):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def represent_datetime(dumper, value):
    return dumper.represent_scalar("tag:yaml.org,2002:timestamp", value.isoformat())


FrontMatterDumper.add_representer(str, represent_text)
FrontMatterDumper.add_representer(datetime, represent_datetime)


def lf(text):
    return text.replace("\r\n", "\n").replace("\r", "\n")


def paper_fields(paper):
    fields = {
        "arxiv": paper.versioned_id,
        "title": paper.title,
        "authors": paper.authors,
        "published": paper.published_on,
        "abstract": lf(paper.abstract),
    }
    return {key: value for key, value in fields.items() if value}


def categories(topic_path):
    """A top topic as `[A]`, which every tool reads; a nested one as the path `[[A, B]]`, which
    the importer (and Hexo) reads as B inside A in any tool, where `[A, B]` is two labels."""
    return [topic_path] if len(topic_path) > 1 else topic_path


def front_matter(note, summary, topic_path):
    updated = timezone.localtime(note.updated_at)
    fields = {
        "title": note.title,
        "slug": note.slug,
        "date": timezone.localtime(note.published_at),
        "updated": updated,
        "lastmod": updated,
    }
    if topic_path:
        fields["categories"] = categories(topic_path)
    tags = sorted((tag.name for tag in note.tags.all()), key=str.casefold)
    if tags:
        fields["tags"] = tags
    if note.status == Note.Status.DRAFT:
        fields["draft"] = True
        fields["published"] = False
    if note.paper:
        fields["paper"] = paper_fields(note.paper)
    if summary:
        fields["summary"] = lf(summary)
    if old := [address.path for address in note.old_addresses.all()]:
        fields["aliases"] = old  # Hugo's name for them; they answer 301 again once imported
    return yaml.dump(
        fields, Dumper=FrontMatterDumper, allow_unicode=True, sort_keys=False, width=100
    )


def note_file_text(note, summary, body, topic_path):
    return f"---\n{front_matter(note, summary, topic_path)}---\n\n{lf(body)}\n"


class MediaCopies:
    """One note's media files copied into `folder` (named by the note's slug), and its text
    rewritten to link there."""

    def __init__(self, folder, pattern):
        self.folder = folder
        self.pattern = pattern
        self.copied = {}  # storage name → file name in folder
        self.missing = []  # storage names linked but not in storage

    def rewrite(self, text):
        return self.pattern.sub(self.relink, text)

    def relink(self, match):
        name = unquote(match["name"])
        if name not in self.copied:
            try:
                self.copied[name] = self.copy(name)
            # Not a stored file: gone, a folder, or out of storage (/media/../x.png).
            except (OSError, SuspiciousFileOperation):
                if name not in self.missing:
                    self.missing.append(name)
                return match[0]
        return f"{self.folder.name}/{self.copied[name]}"

    def copy(self, name):
        """Copy a stored file into the folder under its own name, numbered when two files of
        one name (from different notes' folders) meet in one note."""
        path = PurePosixPath(name)
        file_name, number, taken = path.name, 1, set(self.copied.values())
        while file_name in taken:
            number += 1
            file_name = f"{path.stem}-{number}{path.suffix}"
        with default_storage.open(name) as source:
            self.folder.mkdir(parents=True, exist_ok=True)
            with open(self.folder / file_name, "wb") as copy:
                shutil.copyfileobj(source, copy)
        return file_name


@dataclass
class Exported:
    notes: int = 0
    media_files: int = 0
    # `<slug>.md: media file not found: <name>` for links to files no longer in storage
    missing: list[str] = field(default_factory=list)


def export_notes(directory):
    """Write `<slug>.md` for every note into `directory` (created if missing), with the media
    files each uses in `<slug>/`; return what was written."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    notes = Note.objects.select_related("paper").prefetch_related("tags", "old_addresses")
    pattern, exported, topics = media_reference(), Exported(), TopicTree.load()
    for note in notes.order_by("slug").iterator(chunk_size=CHUNK_SIZE):
        media = MediaCopies(directory / note.slug, pattern)
        summary, body = media.rewrite(note.summary), media.rewrite(note.body)
        path = directory / f"{note.slug}.md"
        topic = topics.by_id.get(note.topic_id)
        topic_path = topics.path(topic) if topic else []
        path.write_text(note_file_text(note, summary, body, topic_path), encoding="utf-8")
        exported.notes += 1
        exported.media_files += len(media.copied)
        exported.missing += [f"{path}: media file not found: {name}" for name in media.missing]
    return exported
