"""A note's body rewritten for the site: wikilinks to note links, images and files to their
copies in media storage (media.py), Hexo tags and Hugo shortcodes converted or warned about
(shortcodes.py), Obsidian `#tags` taken out; fenced code, code spans and one-line HTML comments
left alone."""

import re

from django.urls import reverse
from taggit.models import Tag

from ..dialect import block_anchor, heading_id
from .frontmatter import unique_names
from .media import NoteMedia
from .problems import InvalidNote, Problem
from .shortcodes import rewrite_shortcodes

TAG_LENGTH = Tag._meta.get_field("name").max_length
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
# What a line's rewriting leaves alone: code spans, and HTML comments within the line (an image
# commented out is not shown, so it is neither copied nor missed).
LEFT_AS_WRITTEN = re.compile(rf"{CODE_SPAN.pattern}|<!--.*?-->")
HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
WIKILINK = re.compile(
    r"(?P<embed>!?)\[\[(?P<target>[^\[\]|#]*)(?:#(?P<heading>[^\[\]|]*))?(?:\|(?P<label>[^\[\]]*))?\]\]"
)
# A prose line without any of these holds no link, image, HTML tag, Hexo tag or Hugo shortcode.
REWRITE_MARKERS = ("[", "<", "{")
# Obsidian's tag: `#`, then letters, digits, `_`, `-`, `/`, and not only digits (so `#1` stays
# text).
TAG = r"#[\w/-]*[^\W\d][\w/-]*"
# In prose a tag follows a space, the line start or punctuation (`见上文。#tag`, `(#tag)`), but
# not a letter or digit (`C#`, `page#section`), nor the characters that put `#` in URLs, HTML,
# Markdown and LaTeX: `/#x`, `&#x41;`, `](#x)`, `[[#x]]`, `{#id}`, `<#x>`, `"#x"`, `=#x`, `##x`,
# `\#`.
INLINE_TAG = re.compile(rf"""(?<![\w/&\[{{<"'=#\\])(?<!\]\(){TAG}""")
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


def without_title_heading(body, title):
    """(body, lines taken off): the body without a first line `# heading` that repeats the
    title, ignoring case and surrounding space. Obsidian notes open with one, and the page
    shows the title above the body already."""
    first, _, rest = body.partition("\n")
    heading = HEADING.match(first)
    if not heading or heading[1].strip().casefold() != title.strip().casefold():
        return body, 0
    after = rest.lstrip("\n")
    return after, 1 + len(rest) - len(after)


def take_inline_tags(line):
    """(line, tags) for Obsidian `#tags` in a prose line. A line of only tags is metadata and
    is dropped; a tag opening a line is escaped, or Markdown would read `#tag` as a heading."""
    tags = [tag[1:].rstrip("/") for tag in INLINE_TAG.findall(CODE_SPAN.sub(" ", line))]
    if tags and TAGS_ONLY_LINE.fullmatch(line):
        return "", tags
    return LEADING_TAG.sub(r"\1\\", line), tags


def outside_code(line, rewrite):
    """`line` with `rewrite` applied to what is not LEFT_AS_WRITTEN."""
    if "`" not in line and "<!--" not in line:
        return rewrite(line)
    parts, position = [], 0
    for span in LEFT_AS_WRITTEN.finditer(line):
        parts += [rewrite(line[position : span.start()]), span[0]]
        position = span.end()
    parts.append(rewrite(line[position:]))
    return "".join(parts)


class BodyRewriter:
    """Rewrites one note's body: wikilinks to note links, local images and files to the URLs of
    their copies in media storage, Hexo tags and Hugo shortcodes to what they show. Problems
    reject the note; warnings (a missing image, unknown syntax) are told with their line."""

    def __init__(self, note, links, vaults, sites):
        self.note = note
        self.links = links
        self.media = NoteMedia(note, vaults, sites, warn=self.warn)
        self.problems = []
        self.warnings = []
        self.line_number = note.body_line

    def rewrite(self):
        """Rewrite the note in place; return its warnings, or raise InvalidNote."""
        lines, tags = [], []
        take_tags = self.media.vault is not None or not self.note.has_front_matter
        for index, line, is_prose in prose_lines(self.note.body.split("\n")):
            if is_prose:
                self.line_number = self.note.body_line + index
                if take_tags and "#" in line:
                    line = self.take_tags(line, tags)
                if any(marker in line for marker in REWRITE_MARKERS):
                    line = self.rewrite_line(line)
            lines.append(line)
        if self.problems:
            raise InvalidNote(self.problems)
        # Dropped tag lines may leave blank lines at the top.
        self.note.body = "\n".join(lines).lstrip("\n")
        self.note.tags = unique_names(self.note.tags + tags)
        self.note.media_files = self.media.files()
        return self.warnings

    def warn(self, message):
        self.warnings.append(Problem(self.note.path, self.line_number, message))

    def take_tags(self, line, tags):
        line, found = take_inline_tags(line)
        for tag in found:
            if len(tag) > TAG_LENGTH:
                message = f"tag longer than {TAG_LENGTH} characters: {tag[:20]}..."
                self.problems.append(Problem(self.note.path, self.line_number, message))
        tags += found
        return line

    def rewrite_line(self, line):
        # No step matches what an earlier one wrote (media URLs, `<img>`, placeholders), so
        # nothing is rewritten twice: Markdown and HTML images and links, then wikilinks, then
        # Hexo tags and Hugo shortcodes, over the whole line as parameters may hold code spans.
        line = outside_code(line, self.rewrite_text)
        if "{%" not in line and "{{" not in line:
            return line
        left = [span.span() for span in LEFT_AS_WRITTEN.finditer(line)]
        return rewrite_shortcodes(line, self.media, self.warn, left)

    def rewrite_text(self, text):
        return WIKILINK.sub(self.wikilink, self.media.rewrite(text))

    def wikilink(self, match):
        target, label = match["target"].strip(), (match["label"] or "").strip()
        if target and (to_file := self.media.embed(target, label, embedded=bool(match["embed"]))):
            return to_file
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
