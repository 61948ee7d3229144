"""One note file read: its front matter, slug, title, dates and body, with every problem."""

import os
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.utils.text import slugify

from ..models import Note
from .addresses import old_addresses
from .body import first_heading, without_title_heading
from .frontmatter import (
    PaperRef,
    decode,
    drop_control_characters,
    load_front_matter,
    parse_date,
    read_aliases,
    read_categories,
    read_date,
    read_flag,
    read_paper,
    read_tags,
    read_text,
    split_front_matter,
)
from .problems import EmptyFile, InvalidNote, NoteProblem, Problem

DRAFT_FOLDER = "_drafts"  # Hexo and Jekyll keep unpublished posts here

# Front matter keys, first one present wins, under the names Hexo, Hugo, Jekyll and Obsidian use.
DATE_KEYS = ("date", "publishdate", "pubdate", "created")
UPDATED_KEYS = ("updated", "lastmod", "last_modified_at", "modified")
SUMMARY_KEYS = ("summary", "description", "excerpt")
PERMALINK_KEYS = ("permalink", "url")
TITLE_LENGTH = Note._meta.get_field("title").max_length
SLUG_LENGTH = Note._meta.get_field("slug").max_length
JEKYLL_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")


@dataclass
class ParsedNote:
    path: str
    source_path: str  # what the note remembers as its file (Note.source_path)
    link_name: str  # what Obsidian's [[wikilinks]] call the file: its name without suffix
    title: str
    slug: str
    slug_line: int
    slug_from_file_name: bool  # no slug, permalink or url in the front matter
    summary: str
    body: str
    body_line: int  # the file's line number of the body's first line
    status: str
    published_at: datetime
    date_from_mtime: bool
    updated_at: datetime | None
    topic_path: tuple[str, ...]  # the note's topic, after the topics it is inside
    tags: list[str]
    paper: PaperRef | None
    has_front_matter: bool
    aliases: list[str] = field(default_factory=list)  # Obsidian's other names for the note
    old_addresses: list[str] = field(default_factory=list)  # where the old site had it
    media_files: list[tuple[str, str]] = field(default_factory=list)  # (source, storage name)
    # What will not look as on the old site; the run adds them to its report.
    warnings: list[Problem] = field(default_factory=list)


# File names stay strings (os.path), never Path objects, for every file of a run: a Path interns
# each part of its name, and the interpreter's table of interned strings grows with the run and
# doubles, which made the import's peak memory grow with the number of files.
def file_stem(name):
    return os.path.splitext(os.path.basename(name))[0]


def read_bytes(name):
    with open(name, "rb") as file:
        return file.read()


def file_name_parts(path, zone=None):
    """(name, Jekyll date or None) from the file name; `index.md` is named by its folder."""
    name = file_stem(path)
    if name == "index" and (folder := os.path.basename(os.path.dirname(path))):
        name = folder
    jekyll = JEKYLL_NAME.match(name)
    if jekyll and (day := parse_date(jekyll[1], zone)):
        return jekyll[2], day
    return name, None


def read_slug(front, file_name):
    """(slug, its line, whether it comes from the file name)."""
    key, value = front.first(("slug",))
    if value is None:
        key, value = front.first(PERMALINK_KEYS)
        if value is not None:
            last = str(value).strip("/").rsplit("/", 1)[-1]
            value = re.sub(r"\.html?$", "", last)
    line = front.line_of(key) if value else 1
    slug = slugify(str(value or file_name), allow_unicode=True)
    if not slug:
        raise NoteProblem(line, "no slug: give one in the front matter (slug: ...)")
    if len(slug) > SLUG_LENGTH:
        raise NoteProblem(line, f"slug longer than {SLUG_LENGTH} characters")
    return slug, line, value is None


def read_parts(name):
    """(fence, front matter, body, the body's first line, control characters dropped) of the
    file `name`; raise InvalidNote when it cannot be read, EmptyFile when it holds nothing."""
    try:
        text, dropped = drop_control_characters(decode(read_bytes(name)))
        if not text.strip():
            raise EmptyFile(name)
        fence, lines, body, body_line = split_front_matter(text)
        front = load_front_matter(fence, lines)
    except OSError as error:
        raise InvalidNote([Problem(name, 1, f"cannot read: {error.strerror}")]) from None
    except NoteProblem as problem:
        raise InvalidNote([Problem(name, problem.line, problem.message)]) from None
    stripped = body.lstrip("\n")
    return fence, front, stripped.rstrip(), body_line + len(body) - len(stripped), dropped


def read_note(name, source_path="", blog=None):
    """Parse the note file `name`; raise InvalidNote listing every problem found in it, or
    EmptyFile. `source_path` is what the note will remember as its file; `blog` the Hexo or
    Jekyll blog it is a post of (papers.importing.addresses), if any."""
    problems = []

    def collect(read, *args):
        try:
            return read(*args)
        except NoteProblem as problem:
            problems.append(Problem(name, problem.line, problem.message))

    fence, front, body, body_line, dropped = read_parts(name)
    zone = blog.zone if blog else None  # the day Hexo and Jekyll put in a post's address
    file_name, file_date = file_name_parts(name, zone)
    title = collect(read_text, front, ("title",)) or first_heading(body) or file_name
    body, heading_lines = without_title_heading(body, title)
    body_line += heading_lines
    if len(title) > TITLE_LENGTH:
        problems.append(Problem(name, 1, f"title longer than {TITLE_LENGTH} characters"))
    published_at = collect(read_date, front, DATE_KEYS, zone) or file_date
    slug, slug_line, slug_from_file_name = collect(read_slug, front, file_name) or ("", 1, True)
    paths = collect(read_categories, front, bool(blog and blog.nests_categories)) or []
    draft = collect(read_flag, front, "draft") is True
    unpublished = collect(read_flag, front, "published") is False
    note = ParsedNote(
        path=name,
        source_path=source_path,
        link_name=file_stem(name),
        title=title,
        slug=slug,
        slug_line=slug_line,
        slug_from_file_name=slug_from_file_name,
        summary=collect(read_text, front, SUMMARY_KEYS) or "",
        body=body,
        body_line=body_line,
        status=Note.Status.DRAFT
        if draft or unpublished or DRAFT_FOLDER in os.path.normpath(name).split(os.sep)
        else Note.Status.PUBLISHED,
        published_at=published_at or datetime.fromtimestamp(os.stat(name).st_mtime, tz=UTC),
        date_from_mtime=published_at is None,
        updated_at=collect(read_date, front, UPDATED_KEYS, zone),
        topic_path=paths[0] if paths else (),
        tags=collect(read_tags, front) or [],
        paper=collect(read_paper, front),
        has_front_matter=fence is not None,
        aliases=collect(read_aliases, front) or [],
        warnings=[Problem(name, line, message) for line, message in dropped],
    )
    if problems:
        raise InvalidNote(problems)
    note.old_addresses = old_addresses(blog, front, name, file_name, note, paths)
    return note
