"""A note's body rewritten for the site: wikilinks to note links, images to media storage URLs,
Obsidian `#tags` taken out; fenced code and code spans left alone."""

import os
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.core.files.storage import default_storage
from django.urls import reverse
from taggit.models import Tag

from ..dialect import block_anchor, heading_id
from .frontmatter import unique_names
from .problems import InvalidNote, Problem

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"}
TAG_LENGTH = Tag._meta.get_field("name").max_length
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
        anchor = f"#{self.anchor(heading)}" if heading else ""
        if slug:
            return f"[{text}]({reverse('papers:note', kwargs={'slug': slug})}{anchor})"
        return f"[{text}]({anchor})" if anchor and not target else text

    @staticmethod
    def anchor(heading):
        """The id a `[[Note#Heading]]` or `[[Note#^block-id]]` link points at on the page."""
        if heading.startswith("^"):
            return block_anchor(heading[1:])
        return heading_id(heading)

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
