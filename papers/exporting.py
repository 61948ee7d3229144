"""Write every note as a Markdown file with YAML front matter that Hexo, Hugo and
`papers.importing` reads, so exporting and importing into an empty database gives the notes back.

Keys are written under both tools' names where they differ (`updated` for Hexo, `lastmod` for
Hugo; `published: false` for Hexo, `draft: true` for Hugo). A note's paper goes in as a mapping
with its metadata, which the importer uses when it creates the paper. Line ends are written as
LF, as the importer reads them.
"""

from datetime import datetime
from pathlib import Path

import yaml
from django.utils import timezone

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
        "arxiv": paper.arxiv_id,
        "title": paper.title,
        "authors": paper.authors,
        "published": paper.published_on,
        "abstract": lf(paper.abstract),
    }
    return {key: value for key, value in fields.items() if value}


def front_matter(note):
    updated = timezone.localtime(note.updated_at)
    fields = {
        "title": note.title,
        "slug": note.slug,
        "date": timezone.localtime(note.published_at),
        "updated": updated,
        "lastmod": updated,
    }
    if note.topic:
        fields["categories"] = [note.topic.name]
    tags = sorted((tag.name for tag in note.tags.all()), key=str.casefold)
    if tags:
        fields["tags"] = tags
    if note.status == Note.Status.DRAFT:
        fields["draft"] = True
        fields["published"] = False
    if note.paper:
        fields["paper"] = paper_fields(note.paper)
    if note.summary:
        fields["summary"] = lf(note.summary)
    return yaml.dump(
        fields, Dumper=FrontMatterDumper, allow_unicode=True, sort_keys=False, width=100
    )


def note_file_text(note):
    return f"---\n{front_matter(note)}---\n\n{lf(note.body)}\n"


def export_notes(directory):
    """Write `<slug>.md` for every note into `directory` (created if missing); return the count."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    notes = Note.objects.select_related("topic", "paper").prefetch_related("tags")
    count = 0
    for note in notes.order_by("slug").iterator(chunk_size=CHUNK_SIZE):
        (directory / f"{note.slug}.md").write_text(note_file_text(note), encoding="utf-8")
        count += 1
    return count
