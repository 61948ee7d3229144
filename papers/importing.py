"""Import Markdown notes written for Hexo, Hugo, Jekyll or Obsidian.

`import_notes(paths)` reads files and folders (recursively, `*.md` and `*.markdown`) in two
passes. Pass one parses every file and keeps only what links and checks need: each file's slug
and title (for `[[wikilinks]]` and to catch two files claiming one slug) and its problems. Pass
two parses each file again, rewrites its body (wikilinks, images, Obsidian `#tags`) and writes
notes in batches of `BATCH_SIZE` with bulk queries, so memory does not grow with the number of
files and queries do not grow with the number of notes.

The whole run is one transaction. A problem in any file (`path:line: message`) rolls it back
unless `skip_invalid`; `dry_run` always rolls back. Images are copied into media storage only
once the transaction commits.

A note is matched to its row by slug: front matter `slug`, else the last segment of
`permalink` / `url`, else the file name (without a Jekyll date prefix; a Hugo page bundle's
`index.md` takes its folder's name). A matched note whose imported fields all equal the row is
left alone, without rendering.
"""

import os
import re
import tomllib
from collections import defaultdict
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time
from functools import partial
from pathlib import Path
from urllib.parse import unquote, urlsplit

import yaml
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import OperationalError, connection, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from markdown.extensions.toc import slugify_unicode
from taggit.models import Tag

from topics.models import Topic

from . import writes
from .arxiv import parse_arxiv_id
from .models import RENDERED_FIELDS, Note, NoteRevision, Paper

BATCH_SIZE = 500
NOTE_SUFFIXES = {".md", ".markdown"}
IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"}
# Hugo's section pages list other pages; they are not notes.
SKIPPED_FILE_NAMES = {"_index.md"}
DRAFT_FOLDER = "_drafts"  # Hexo and Jekyll keep unpublished posts here

# Front matter keys, first one present wins, under the names Hexo, Hugo, Jekyll and Obsidian use.
DATE_KEYS = ("date", "publishdate", "pubdate", "created")
UPDATED_KEYS = ("updated", "lastmod", "last_modified_at", "modified")
SUMMARY_KEYS = ("summary", "description", "excerpt")
CATEGORY_KEYS = ("categories", "category")
TAG_KEYS = ("tags", "tag")
PERMALINK_KEYS = ("permalink", "url")
PAPER_KEYS = ("paper", "arxiv", "arxiv_id", "arxiv_url")
PAPER_ID_KEYS = ("arxiv", "arxiv_id", "id", "url")

TITLE_LENGTH = Note._meta.get_field("title").max_length
SLUG_LENGTH = Note._meta.get_field("slug").max_length
TOPIC_LENGTH = Topic._meta.get_field("name").max_length
TAG_LENGTH = Tag._meta.get_field("name").max_length
PAPER_TITLE_LENGTH = Paper._meta.get_field("title").max_length

CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
JEKYLL_NAME = re.compile(r"^(\d{4}-\d{2}-\d{2})-(.+)$")
# Jekyll writes `2024-11-25 10:00:00 +0800`: a space before the offset, which ISO 8601 lacks.
SPACED_OFFSET = re.compile(r"^(.*\d)\s+([+-]\d{2}:?\d{2}|Z)$")
TOML_ERROR_LINE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
WIKILINK = re.compile(
    r"(?P<embed>!?)\[\[(?P<target>[^\[\]|#]*)(?:#(?P<heading>[^\[\]|]*))?(?:\|(?P<label>[^\[\]]*))?\]\]"
)
IMAGE = re.compile(
    r"!\[(?P<alt>[^\]]*)\]\((?P<destination><[^>]+>|[^\s)]+)(?P<title>\s+(?:\"[^\"]*\"|'[^']*'))?\)"
)
IMAGE_SIZE = re.compile(r"^\d+(?:x\d+)?$")  # Obsidian's ![[image.png|300]]
# Obsidian's tag: `#` after a space or the line start, letters, digits, `_`, `-`, `/`, and not
# only digits (so `#1` stays text).
TAG = r"#[\w/-]*[^\W\d][\w/-]*"
INLINE_TAG = re.compile(rf"(?<!\S){TAG}")
TAGS_ONLY_LINE = re.compile(rf"[ \t]*{TAG}(?:[ \t]+{TAG})*[ \t]*")
LEADING_TAG = re.compile(rf"^([ \t]{{0,3}})(?={TAG})")


# --- problems and the report ---------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None  # None for a path given on the command line that is not there
    message: str

    def __str__(self):
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class NoteProblem(Exception):
    """One thing wrong at a line of the file being read."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


class InvalidNote(Exception):
    """Every problem found in one file."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


class ImportFailed(Exception):
    """Raised after rolling back: the run found problems and `skip_invalid` was off."""

    def __init__(self, problems):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class ImportReport:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # files left out under skip_invalid
    problems: list[Problem] = field(default_factory=list)
    # (action, slug, path) of what a dry run would change; a real run keeps only counts, as
    # memory must not grow with the number of files.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    dated_by_mtime: list[tuple[str, datetime]] = field(default_factory=list)
    papers_created: list[tuple[str, bool]] = field(default_factory=list)  # (arxiv id, titled)
    notices: list = field(default_factory=list)  # papers.writes.Notice: annotations moved

    def summary(self):
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"skipped {self.skipped}, errors {len(self.problems)}"
        )


# --- reading one file ----------------------------------------------------------------------


@dataclass(frozen=True)
class PaperRef:
    arxiv_id: str
    title: str = ""
    authors: str = ""
    abstract: str = ""
    published_on: date | None = None


@dataclass
class ParsedNote:
    path: str
    link_name: str  # what Obsidian's [[wikilinks]] call the file: its name without suffix
    title: str
    slug: str
    slug_line: int
    summary: str
    body: str
    body_line: int  # the file's line number of the body's first line
    status: str
    published_at: datetime
    date_from_mtime: bool
    updated_at: datetime | None
    topic: str | None
    tags: list[str]
    paper: PaperRef | None
    has_front_matter: bool
    images: list[tuple[Path, str]] = field(default_factory=list)  # (source, storage name)


class FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """safe_load, except that numbers and dates stay text: `arxiv: 2401.10020` must keep its
    last zero, and `date: 2024-13-45` must reach parse_date (which says where it is) rather
    than fail inside the YAML constructor."""


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if not tag.endswith((":int", ":float", ":timestamp"))
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class FrontMatter:
    fields: dict
    lines: list[str]
    first_line: int  # the file's line number of lines[0]

    def first(self, keys):
        """(key, value) of the first of `keys` present and not empty, else (keys[0], None)."""
        for key in keys:
            value = self.fields.get(key)
            if value not in (None, "", []):
                return key, value
        return keys[0], None

    def line_of(self, key):
        """The line where `key` is set, so a problem points at it; else the opening fence."""
        pattern = re.compile(rf"""^\s*["']?{re.escape(key)}["']?\s*[:=]""", re.IGNORECASE)
        for offset, line in enumerate(self.lines):
            if pattern.match(line):
                return self.first_line + offset
        return max(self.first_line - 1, 1)


def decode(data):
    """The text of a note file: UTF-8 (with or without BOM), else GB18030 (a superset of GBK)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Control characters mean binary or UTF-16 data, which GB18030 would only garble.
        if CONTROL_CHARACTERS.search(text):
            break
        return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raise NoteProblem(1, "cannot decode as UTF-8 or GB18030")


def split_front_matter(text):
    """(fence, front matter lines, body, the body's first line number); fence is None without."""
    lines = text.split("\n")
    fence = lines[0].rstrip()
    if fence not in ("---", "+++"):
        return None, [], text, 1
    closers = {fence, "..."} if fence == "---" else {fence}
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            return fence, lines[1:index], "\n".join(lines[index + 1 :]), index + 2
    raise NoteProblem(1, f"front matter opened with {fence} is never closed")


def load_front_matter(fence, lines):
    if fence is None:
        return FrontMatter({}, [], 1)
    source = "\n".join(lines)
    if fence == "---":
        try:
            data = yaml.load(source, Loader=FrontMatterLoader)
        except ValueError as error:  # an explicit !!timestamp or !!int that does not parse
            raise NoteProblem(2, f"invalid YAML value: {error}") from None
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            line = 2 + mark.line if mark else 1
            problem = getattr(error, "problem", None) or error
            raise NoteProblem(line, f"invalid YAML: {problem}") from None
    else:
        try:
            # Floats as text, for the same reason as FrontMatterLoader.
            data = tomllib.loads(source, parse_float=str)
        except tomllib.TOMLDecodeError as error:
            found = TOML_ERROR_LINE.search(str(error))
            # Without a line, tomllib means the end of the document: the last line.
            line = 1 + (int(found[1]) if found and found[1] else len(lines))
            message = TOML_ERROR_LINE.sub("", str(error))
            raise NoteProblem(line, f"invalid TOML: {message}") from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise NoteProblem(2, "front matter is not a list of fields")
    return FrontMatter({str(key).lower(): value for key, value in data.items()}, lines, 2)


def parse_date(value):
    """An aware datetime from a date as the four tools write it, or None; naive is TIME_ZONE."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = SPACED_OFFSET.sub(r"\1\2", value.strip()).replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, timezone.get_default_timezone())


def read_date(front, keys):
    key, value = front.first(keys)
    if value is None:
        return None
    moment = parse_date(value)
    if moment is None:
        raise NoteProblem(front.line_of(key), f"{key}: cannot read {str(value)!r} as a date")
    return moment


def read_text(front, keys):
    key, value = front.first(keys)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise NoteProblem(front.line_of(key), f"{key}: expected text")
    return str(value).strip()


def read_flag(front, key):
    value = front.fields.get(key)
    if value is None or isinstance(value, bool):
        return value
    if str(value).strip().lower() in {"true", "yes", "on", "1"}:
        return True
    if str(value).strip().lower() in {"false", "no", "off", "0"}:
        return False
    raise NoteProblem(front.line_of(key), f"{key}: expected true or false")


def first_scalar(value):
    """The first category in a string, a list, or Hexo's nested lists."""
    if isinstance(value, list):
        return next(filter(None, map(first_scalar, value)), None)
    if isinstance(value, dict):
        return None
    return str(value).strip() or None


def read_topic(front):
    key, value = front.first(CATEGORY_KEYS)
    if value is None:
        return None
    name = first_scalar(value)
    if name is None:
        raise NoteProblem(front.line_of(key), f"{key}: expected a name or a list of names")
    check_name(name, TOPIC_LENGTH, "category", front.line_of(key))
    return name


def check_name(name, length, what, line):
    if len(name) > length:
        raise NoteProblem(line, f"{what} longer than {length} characters: {name[:20]}...")
    if not slugify(name, allow_unicode=True):
        raise NoteProblem(line, f"{what} {name!r} has no letters or digits")


def unique_names(names):
    """Names in order, without repeats that differ only in case (tags ignore case)."""
    seen = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def read_tags(front):
    key, value = front.first(TAG_KEYS)
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or any(isinstance(item, dict | list) for item in items):
        raise NoteProblem(front.line_of(key), f"{key}: expected a list or comma-separated names")
    names = unique_names(str(item).strip().lstrip("#").strip() for item in items)
    for name in filter(None, names):
        check_name(name, TAG_LENGTH, "tag", front.line_of(key))
    return [name for name in names if name]


def read_paper(front):
    key, value = front.first(PAPER_KEYS)
    if value is None:
        return None
    details = {}
    if isinstance(value, dict):
        details = {str(name).lower(): item for name, item in value.items()}
        value = next((details[name] for name in PAPER_ID_KEYS if details.get(name)), None)
    line = front.line_of(key)
    try:
        arxiv_id = parse_arxiv_id(value or "")
    except ValidationError:
        raise NoteProblem(line, f"{key}: not an arXiv id or URL: {value!r}") from None
    authors = details.get("authors") or ""
    published = details.get("published")
    published_at = parse_date(published) if published else None
    if published and published_at is None:
        message = f"published: cannot read {str(published)!r} as a date"
        raise NoteProblem(front.line_of("published"), message)
    title = str(details.get("title") or front.fields.get("paper_title") or "").strip()
    if len(title) > PAPER_TITLE_LENGTH:
        raise NoteProblem(line, f"paper title longer than {PAPER_TITLE_LENGTH} characters")
    return PaperRef(
        arxiv_id=arxiv_id,
        title=title,
        authors=", ".join(map(str, authors)) if isinstance(authors, list) else str(authors),
        abstract=str(details.get("abstract") or "").strip(),
        published_on=timezone.localtime(published_at).date() if published_at else None,
    )


def file_name_parts(path):
    """(name, Jekyll date or None) from the file name; `index.md` is named by its folder."""
    name = path.stem
    if name == "index" and path.parent.name:
        name = path.parent.name
    jekyll = JEKYLL_NAME.match(name)
    if jekyll and (day := parse_date(jekyll[1])):
        return jekyll[2], day
    return name, None


def read_slug(front, file_name):
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
    return slug, line


def prose_lines(lines):
    """(index, line, is_prose) for each line; fenced code blocks are not prose."""
    fence = None
    for index, line in enumerate(lines):
        if fence:
            if re.fullmatch(rf"[ \t]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*", line):
                fence = None
            yield index, line, False
        elif opening := FENCE.match(line):
            fence = opening[1]
            yield index, line, False
        else:
            yield index, line, True


def first_heading(body):
    for _, line, is_prose in prose_lines(body.split("\n")):
        if is_prose and (heading := HEADING.match(line)):
            return heading[1]
    return ""


def read_note(name):
    """Parse the note file `name`; raise InvalidNote listing every problem found in it."""
    path, problems = Path(name), []

    def collect(read, *args):
        try:
            return read(*args)
        except NoteProblem as problem:
            problems.append(Problem(name, problem.line, problem.message))

    try:
        text = decode(path.read_bytes())
        fence, lines, body, body_line = split_front_matter(text)
        front = load_front_matter(fence, lines)
    except OSError as error:
        raise InvalidNote([Problem(name, 1, f"cannot read: {error.strerror}")]) from None
    except NoteProblem as problem:
        raise InvalidNote([Problem(name, problem.line, problem.message)]) from None
    stripped = body.lstrip("\n")
    body_line += len(body) - len(stripped)
    body = stripped.rstrip()
    file_name, file_date = file_name_parts(path)
    title = collect(read_text, front, ("title",)) or first_heading(body) or file_name
    if len(title) > TITLE_LENGTH:
        problems.append(Problem(name, 1, f"title longer than {TITLE_LENGTH} characters"))
    published_at = collect(read_date, front, DATE_KEYS) or file_date
    slug, slug_line = collect(read_slug, front, file_name) or ("", 1)
    draft = collect(read_flag, front, "draft") is True
    unpublished = collect(read_flag, front, "published") is False
    note = ParsedNote(
        path=name,
        link_name=path.stem,
        title=title,
        slug=slug,
        slug_line=slug_line,
        summary=collect(read_text, front, SUMMARY_KEYS) or "",
        body=body,
        body_line=body_line,
        status=Note.Status.DRAFT
        if draft or unpublished or DRAFT_FOLDER in path.parts
        else Note.Status.PUBLISHED,
        published_at=published_at or datetime.fromtimestamp(path.stat().st_mtime, tz=UTC),
        date_from_mtime=published_at is None,
        updated_at=collect(read_date, front, UPDATED_KEYS),
        topic=collect(read_topic, front),
        tags=collect(read_tags, front) or [],
        paper=collect(read_paper, front),
        has_front_matter=fence is not None,
    )
    if problems:
        raise InvalidNote(problems)
    return note


# --- the body: wikilinks, images, Obsidian tags --------------------------------------------


class Vaults:
    """Obsidian vaults (folders holding `.obsidian/`) and, per vault, its files by name."""

    def __init__(self):
        self._vault_of = {}
        self._files = {}

    def vault_of(self, folder):
        if folder not in self._vault_of:
            if (folder / ".obsidian").is_dir():
                self._vault_of[folder] = folder
            else:
                parent = folder.parent
                self._vault_of[folder] = None if parent == folder else self.vault_of(parent)
        return self._vault_of[folder]

    def find(self, vault, name):
        """The vault's file called `name`, as Obsidian resolves `![[name]]`; first by path."""
        if vault not in self._files:
            files = {}
            for folder, subfolders, names in os.walk(vault):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                for file_name in sorted(names):
                    files.setdefault(file_name, Path(folder) / file_name)
            self._files[vault] = files
        return self._files[vault].get(name)


@dataclass
class LinkIndex:
    """Where pass one found each title and file name, for `[[wikilinks]]`."""

    slug_by_title: dict = field(default_factory=dict)
    slug_by_file_name: dict = field(default_factory=dict)

    def add(self, note):
        self.slug_by_title.setdefault(note.title.casefold(), note.slug)
        self.slug_by_file_name.setdefault(note.link_name.casefold(), note.slug)

    def forget(self, slugs):
        for mapping in (self.slug_by_title, self.slug_by_file_name):
            for key in [key for key, slug in mapping.items() if slug in slugs]:
                del mapping[key]

    def slug_for(self, target):
        key = target.strip().casefold()
        return self.slug_by_title.get(key) or self.slug_by_file_name.get(key)


def take_inline_tags(line):
    """(line, tags) for Obsidian `#tags` in a prose line. A line of only tags is metadata and
    is dropped; a tag opening a line is escaped, or Markdown would read `#tag` as a heading."""
    tags = [tag[1:].rstrip("/") for tag in INLINE_TAG.findall(CODE_SPAN.sub(" ", line))]
    if tags and TAGS_ONLY_LINE.fullmatch(line):
        return "", tags
    return LEADING_TAG.sub(r"\1\\", line), tags


def outside_code_spans(line, rewrite):
    if "`" not in line:
        return rewrite(line)
    parts, position = [], 0
    for span in CODE_SPAN.finditer(line):
        parts += [rewrite(line[position : span.start()]), span[0]]
        position = span.end()
    parts.append(rewrite(line[position:]))
    return "".join(parts)


class BodyRewriter:
    """Rewrites one note's body: wikilinks to note links, images to media storage URLs."""

    def __init__(self, note, links, vaults):
        self.note = note
        self.links = links
        self.vaults = vaults
        self.folder = Path(note.path).resolve().parent
        self.vault = vaults.vault_of(self.folder)
        self.stored = {}  # source path → storage name
        self.problems = []
        self.line_number = note.body_line

    def rewrite(self):
        lines, tags = [], []
        take_tags = self.vault is not None or not self.note.has_front_matter
        for index, line, is_prose in prose_lines(self.note.body.split("\n")):
            if is_prose:
                self.line_number = self.note.body_line + index
                if take_tags and "#" in line:
                    line = self.take_tags(line, tags)
                if "[[" in line or "![" in line:
                    line = outside_code_spans(line, self.rewrite_text)
            lines.append(line)
        if self.problems:
            raise InvalidNote(self.problems)
        # Dropped tag lines may leave blank lines at the top.
        self.note.body = "\n".join(lines).lstrip("\n")
        self.note.tags = unique_names(self.note.tags + tags)
        self.note.images = list(self.stored.items())

    def take_tags(self, line, tags):
        line, found = take_inline_tags(line)
        for tag in found:
            if len(tag) > TAG_LENGTH:
                message = f"tag longer than {TAG_LENGTH} characters: {tag[:20]}..."
                self.problems.append(Problem(self.note.path, self.line_number, message))
        tags += found
        return line

    def rewrite_text(self, text):
        text = WIKILINK.sub(self.wikilink, text)
        return IMAGE.sub(self.image, text)

    def wikilink(self, match):
        target, label = match["target"].strip(), (match["label"] or "").strip()
        if match["embed"] and Path(target).suffix.lower() in IMAGE_SUFFIXES:
            alt = Path(target).stem if not label or IMAGE_SIZE.match(label) else label
            url = self.media_url(target)
            return f"![{alt}]({url})" if url else match[0]
        heading = (match["heading"] or "").strip()
        text = label or target or heading
        slug = self.links.slug_for(target) if target else None
        anchor = f"#{slugify_unicode(heading, '-')}" if heading else ""
        if slug:
            return f"[{text}]({reverse('papers:note', kwargs={'slug': slug})}{anchor})"
        return f"[{text}]({anchor})" if anchor and not target else text

    def image(self, match):
        destination = match["destination"].strip("<>")
        parts = urlsplit(destination)
        if parts.scheme or parts.netloc or destination.startswith(("/", "#")):
            return match[0]
        url = self.media_url(unquote(parts.path))
        if url is None:
            return match[0]
        return f"![{match['alt']}]({url}{match['title'] or ''})"

    def media_url(self, reference):
        source = self.find(reference)
        if source is None:
            self.problems.append(
                Problem(self.note.path, self.line_number, f"image not found: {reference}")
            )
            return None
        return default_storage.url(self.storage_name(source))

    def find(self, reference):
        relative = Path(reference)
        for folder in filter(None, (self.folder, self.vault)):
            if (folder / relative).is_file():
                return (folder / relative).resolve()
        return self.vault and self.vaults.find(self.vault, relative.name)

    def storage_name(self, source):
        if source not in self.stored:
            first = default_storage.generate_filename(f"notes/{self.note.slug}/{source.name}")
            stem, suffix = os.path.splitext(first)
            name, number, taken = first, 1, set(self.stored.values())
            # Two different files of one name in one note, e.g. a/fig.png and b/fig.png.
            while name in taken:
                number += 1
                name = f"{stem}-{number}{suffix}"
            self.stored[source] = name
        return self.stored[source]


def store_images(images):
    """Copy images into media storage, keeping a stored copy with the same content."""
    for source, name in images:
        data = source.read_bytes()
        if default_storage.exists(name):
            with default_storage.open(name) as stored:
                if stored.read() == data:
                    continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(data))


# --- finding files and pass one ------------------------------------------------------------


def note_files(paths):
    """Files named on the command line, and Markdown files under folders, sorted per folder.

    Names, not Path objects: a Path costs several times its string, once per file of the run.
    """
    files, missing = [], []
    for path in map(str, paths):
        if os.path.isfile(path):
            files.append(path)
        elif os.path.isdir(path):
            files += folder_notes(path)
        else:
            missing.append(Problem(path, None, "no such file or folder"))
    if missing:
        raise ImportFailed(missing)
    return list(dict.fromkeys(files))


def folder_notes(root):
    found = []
    for folder, subfolders, names in os.walk(root):
        # Hidden folders hold tool state (.obsidian, .git, .trash), not notes.
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found += [
            os.path.join(folder, name)
            for name in sorted(names)
            if os.path.splitext(name)[1].lower() in NOTE_SUFFIXES and name not in SKIPPED_FILE_NAMES
        ]
    return found


def scan_files(files, report):
    """Pass one: parse every file for its slug and title. Returns the links and the bad paths."""
    links, bad_paths = LinkIndex(), set()
    claimed = {}  # slug → (path, line) of the first file claiming it
    for path in files:
        try:
            note = read_note(path)
        except InvalidNote as invalid:
            report.problems += invalid.problems
            bad_paths.add(path)
            continue
        if note.slug in claimed:
            first_path, first_line = claimed[note.slug]
            message = f"slug {note.slug!r} is also claimed by"
            report.problems.append(Problem(note.path, note.slug_line, f"{message} {first_path}"))
            if first_path not in bad_paths:
                report.problems.append(Problem(first_path, first_line, f"{message} {note.path}"))
            bad_paths |= {first_path, note.path}
            continue
        claimed[note.slug] = (note.path, note.slug_line)
        links.add(note)
    links.forget({slug for slug, (path, _) in claimed.items() if path in bad_paths})
    return links, bad_paths


# --- writing batches -----------------------------------------------------------------------


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


# --- the run -------------------------------------------------------------------------------


def parsed_batches(files, links, bad_paths, report, progress):
    """Pass two: each good file parsed and its body rewritten, in batches of BATCH_SIZE."""
    vaults, batch = Vaults(), []
    for done, path in enumerate(files, 1):
        if path not in bad_paths:
            try:
                note = read_note(path)
                BodyRewriter(note, links, vaults).rewrite()
                batch.append(note)
            except InvalidNote as invalid:
                report.problems += invalid.problems
                bad_paths.add(path)
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
        if progress:
            progress(done, len(files))
    if batch:
        yield batch


# The advisory lock PostgreSQL holds for a run (any number that other code does not use).
IMPORT_LOCK = 0x6E6F7465  # "note"
DEFAULT_WAIT_SECONDS = 600


class ImportBusy(Exception):
    """Another run held the database for longer than this one would wait; nothing written."""

    def __init__(self, wait):
        super().__init__(
            f"another import_notes run is still writing to this database after {wait:g} s; "
            "nothing written (run again when it ends, or wait longer with --wait)"
        )


@contextmanager
def exclusive_run(wait, on_wait):
    """The run's batch of writes (papers.writes: one transaction), opened once no other run
    writes: two runs of one folder at once would each find a note missing and both create it.

    The second run waits up to `wait` seconds for the first to commit, then reads what it
    wrote (and finds it unchanged); `on_wait()` is called first if it has to wait. PostgreSQL:
    an advisory lock held until the transaction ends. SQLite: the database's write lock, which
    a transaction takes when it begins (settings: transaction_mode IMMEDIATE), waited for with
    SQLite's busy timeout.
    """
    sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block
    waiting = _sqlite_busy_timeout(wait, on_wait) if sqlite else nullcontext()
    try:
        # A transaction of its own (a savepoint inside a caller's), which a dry run rolls back.
        with (
            waiting,
            transaction.atomic(),
            writes.batch(source=NoteRevision.Source.IMPORT) as batch,
        ):
            if connection.vendor == "postgresql":
                _advisory_lock(wait, on_wait)
            yield batch
    except OperationalError as error:
        if _waited_too_long(error):
            raise ImportBusy(wait) from None
        raise


@contextmanager
def _sqlite_busy_timeout(wait, on_wait):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (usual,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
        try:  # is another writer there? (a transaction taken and given back at once)
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("ROLLBACK")
        except OperationalError:
            on_wait()
        cursor.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def _advisory_lock(wait, on_wait):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [IMPORT_LOCK])
        if cursor.fetchone()[0]:
            return
        on_wait()
        # At least 1 ms: a lock_timeout of 0 is no limit, and --wait 0 means not to wait.
        cursor.execute(f"SET LOCAL lock_timeout = {max(int(wait * 1000), 1)}")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")


def _waited_too_long(error):
    """SQLite's busy timeout ran out, or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    cause = error.__cause__
    return "database is locked" in str(error) or getattr(cause, "sqlstate", None) == "55P03"


def import_notes(
    paths,
    *,
    default_topic=None,
    dry_run=False,
    skip_invalid=False,
    progress=None,
    wait=DEFAULT_WAIT_SECONDS,
    on_wait=lambda: None,
):
    """Import note files and folders in one transaction; see the module docstring.

    Raises ImportFailed (having written nothing) when a file has a problem and `skip_invalid`
    is off, and ImportBusy when another run kept the database for more than `wait` seconds.
    `progress(done, total)` is called after each file of the second pass.
    """
    if default_topic:
        try:
            check_name(default_topic, TOPIC_LENGTH, "topic", None)
        except NoteProblem as problem:
            raise ValueError(problem.message) from None
    files = note_files(paths)
    report = ImportReport(dry_run=dry_run)
    links, bad_paths = scan_files(files, report)
    images = []
    with exclusive_run(wait, on_wait) as changes:
        writer = NoteWriter(report, default_topic, changes)
        for batch in parsed_batches(files, links, bad_paths, report, progress):
            # Once the run is bound to fail, only look for further problems.
            if skip_invalid or not report.problems:
                writer.write(batch)
                images += [image for note in batch for image in note.images]
        if dry_run or (report.problems and not skip_invalid):
            transaction.set_rollback(True)
        else:
            transaction.on_commit(partial(store_images, images))
    if report.problems and not skip_invalid:
        raise ImportFailed(report.problems)
    report.skipped = len(bad_paths)
    return report
