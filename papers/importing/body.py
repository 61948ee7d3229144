"""A note's body rewritten for the site: wikilinks and relative links to `.md` files to note
links (vaults.py), notes embedded (embeds.py), images and files to their copies in media
storage (media.py), Hexo tags and Hugo shortcodes converted or warned about (shortcodes.py),
Obsidian `#tags` taken out; fenced code, code spans and one-line HTML comments left alone."""

import os
import re
from urllib.parse import unquote, urlsplit

from django.urls import reverse
from taggit.models import Tag

from ..dialect import block_anchor, heading_id
from . import embeds
from .codemath import math_out_of_code
from .frontmatter import unique_names
from .media import MARKDOWN_LINK, NoteMedia, is_remote, path_of
from .problems import InvalidNote, Problem
from .shortcodes import boxes_as_callouts, rewrite_shortcodes
from .vaults import NOTE_SUFFIX

TAG_LENGTH = Tag._meta.get_field("name").max_length
FENCE = re.compile(r"^[ \t]{0,3}(`{3,}|~{3,})")
COMMENT_START = re.compile(r"[ \t]{0,3}<!--")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`).+?(?<!`)\1(?!`)")
# What a line's rewriting leaves alone: code spans, and HTML comments within the line (an image
# commented out is not shown, so it is neither copied nor missed).
LEFT_AS_WRITTEN = re.compile(rf"{CODE_SPAN.pattern}|<!--.*?-->")
HEADING = re.compile(r"^#[ \t]+(.+?)(?:[ \t]+#+)?[ \t]*$")
WIKILINK = re.compile(
    r"(?P<embed>!?)\[\[(?P<target>[^\[\]|#]*)(?:#(?P<heading>[^\[\]|]*))?(?:\|(?P<label>[^\[\]]*))?\]\]"
)
# `![[Note]]` alone on its line: the note is shown there.
EMBED_LINE = re.compile(rf"[ \t]{{0,3}}{WIKILINK.pattern}[ \t]*")
# A line that opens an HTML block (CommonMark kinds 6 and 7), which goes on to the next blank line.
HTML_BLOCK_START = re.compile(r"[ \t]{0,3}<(?:img\b[^<>]*>[ \t]*$|figure\b)")
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
    """(index, line, is_prose) for each line; fenced code blocks are not prose, nor HTML
    comments that open a line and close on a later one (as CommonMark reads them: a fence
    inside such a comment is no fence, and what it holds is not shown)."""
    fence = comment = None
    for index, line in enumerate(lines):
        if fence:
            if re.fullmatch(rf"[ \t]{{0,3}}{re.escape(fence[0])}{{{len(fence)},}}[ \t]*", line):
                fence = None
            yield index, line, False
        elif comment:
            comment = "-->" not in line
            yield index, line, False
        elif opening := FENCE.match(line):
            fence = opening[1]
            yield index, line, False
        elif COMMENT_START.match(line) and "-->" not in line:
            comment = True
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


def opens_html_block(written, rewritten):
    """Whether rewriting made an HTML block of a line (`![[x.png|200]]` or a Hugo figure alone
    on it). A blank line must then follow: the next line, in Obsidian and Hugo a quote or text
    of its own, would otherwise be read as part of that block's raw HTML."""
    return bool(HTML_BLOCK_START.match(rewritten)) and not HTML_BLOCK_START.match(written)


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
    """Rewrites one note's body: links to other notes to their URLs, embedded notes to their
    text, local images and files to the URLs of their copies in media storage, Hexo tags and
    Hugo shortcodes to what they show. Problems reject the note; warnings (a missing image, a
    link to a note that is not imported, unknown syntax) are told with their line.

    A note embedded in another (`host`) is rewritten by a rewriter of its own, which finds its
    images from its own file but stores them with the host's, and warns with its own lines.
    """

    def __init__(self, note, links, sites, host=None, math_in_code=False):
        self.note = note
        self.math_in_code = host.math_in_code if host else math_in_code
        self.links = links
        self.sites = sites
        # The files embedding this one and this one: a note met again is a cycle.
        self.chain = (*(host.chain if host else ()), os.path.abspath(note.path))
        self.media = NoteMedia(note, links.vaults, sites, self.warn, into=host and host.media)
        self.problems = []
        self.warnings = host.warnings if host else []
        self.line_number = note.body_line

    def rewrite(self):
        """Rewrite the note in place; return its warnings, or raise InvalidNote."""
        lines, tags = [], []
        opened_html_block = False
        body = self.note.body.split("\n")
        if "endnote" in self.note.body or "/admonition" in self.note.body:
            body = boxes_as_callouts((line, prose) for _, line, prose in prose_lines(body))
        if "`" in self.note.body:
            body = self.code_math(body)
        for index, line, is_prose in prose_lines(body):
            if opened_html_block and line.strip():
                lines.append("")  # see opens_html_block
            opened_html_block = False
            if is_prose:
                self.line_number = self.note.body_line + index
                if self.obsidian and "![[" in line and (embedded := self.embedded_note(line)):
                    lines += embedded
                    continue
                if self.obsidian and "#" in line:
                    line = self.take_tags(line, tags)
                if any(marker in line for marker in REWRITE_MARKERS):
                    written, line = line, self.rewrite_line(line)
                    opened_html_block = opens_html_block(written, line)
            lines.append(line)
        if self.problems:
            raise InvalidNote(self.problems)
        # Dropped tag lines may leave blank lines at the top.
        self.note.body = "\n".join(lines).lstrip("\n")
        self.note.tags = unique_names(self.note.tags + tags)
        self.note.media_files = self.media.files()
        return self.warnings

    def code_math(self, body):
        """The body with math written in code spans made math if the run says so (see
        codemath.py); else unchanged, with a warning naming the option."""
        unwrapped, count = math_out_of_code(prose_lines(body), body)
        if self.math_in_code:
            return unwrapped
        if count:
            self.warn(
                f"{count} code spans hold only math and show as code "
                "(--math-in-code typesets them, as math-code.js did on Hugo and blogdown sites)"
            )
        return body

    @property
    def obsidian(self):
        """Whether the note is Obsidian's, whose `[[links]]`, `![[embeds]]` and `#tags` are
        syntax: in a vault, or without front matter. Elsewhere `[[ -f x ]]` is Bash and
        `#x` a hash sign, as Hexo, Hugo and Jekyll show them."""
        return self.media.vault is not None or not self.note.has_front_matter

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
        return rewrite_shortcodes(line, self.media, self.warn, left, self.note_url)

    def rewrite_text(self, text):
        text = self.media.rewrite(text)
        if "](" in text:
            text = MARKDOWN_LINK.sub(self.note_link, text)
        return WIKILINK.sub(self.wikilink, text) if self.obsidian else text

    def note_link(self, match):
        """`[text](../other.md#小节)`: the link to that file's note, or its text and a warning."""
        reference = match["destination"].strip("<>")
        if is_remote(reference) or not NOTE_SUFFIX.search(path_of(reference)):
            return match[0]
        url = self.note_url(reference)
        return f"[{match['text']}]({url}{match['title'] or ''})" if url else match["text"]

    def note_url(self, reference):
        """The URL of the imported note a file reference (`../x.md#小节`) names, from this
        note's folder; None, with a warning, when no such note was imported."""
        target = self.links.by_path(path_of(reference), self.note.path)
        if target is None:
            self.warn(f"unresolved link: {reference}")
            return None
        return self.url(target, unquote(urlsplit(reference).fragment))

    def wikilink(self, match):
        name, label = match["target"].strip(), (match["label"] or "").strip()
        if name and (to_file := self.media.embed(name, label, embedded=bool(match["embed"]))):
            return to_file
        heading = (match["heading"] or "").strip()
        text = label or name or heading
        target = self.target(name)
        if target is None:
            self.warn(f"unresolved link: {name}")
            return text
        if match["embed"]:
            self.warn(f"note embedded within a line: {name}; shown as a link")
        return f"[{text}]({self.url(target, heading)})"

    def target(self, name):
        """The note `[[name]]` links to; the note itself for `[[#heading]]`."""
        if not name:
            return self.links.by_file.get(self.chain[-1])
        return self.links.resolve(name, self.note.path, self.warn)

    def url(self, target, heading):
        """The URL of `target`'s page, at the heading or block `heading` names if any; only the
        anchor when that page is the one being written."""
        anchor = f"#{self.anchor(target, heading)}" if heading else ""
        if anchor and target.slug == self.media.slug:
            return anchor
        return reverse("papers:note", kwargs={"slug": target.slug}) + anchor

    def anchor(self, target, heading):
        """The id a `[[Note#Heading]]` or `[[Note#^block-id]]` link points at on the page."""
        if heading.startswith("^"):
            return block_anchor(heading[1:])
        found = self.links.anchor(target, heading)
        if found is None:
            self.warn(f"heading not found: {target.path}#{heading}")
            return heading_id(heading.rsplit("#", 1)[-1])
        return found

    # --- embedded notes ----------------------------------------------------------------------

    def embedded_note(self, line):
        """The lines showing the note that `line`, a lone `![[Note]]`, embeds, or a link to it
        with a warning when it cannot be shown; None when `line` embeds no note."""
        match = EMBED_LINE.fullmatch(line)
        name = match and match["embed"] and match["target"].strip()
        target = name and self.links.resolve(name, self.note.path, self.warn)
        if not target:
            return None
        heading = (match["heading"] or "").strip()
        note = self.links.note(target)
        link = f"[{match['label'] or note.title}]({self.url(target, heading)})"
        if target.file in self.chain or len(self.chain) > embeds.MAX_DEPTH:
            self.warn(f"embed loop or deeper than {embeds.MAX_DEPTH}: {name}; linked")
            return [link]
        markdown = self.embedded_markdown(note, target, heading)
        return [link] if markdown is None else embeds.embed_block(markdown, link)

    def embedded_markdown(self, note, target, heading):
        """The embedded `note`'s body, or its part that `heading` names, rewritten from its own
        file; None (with a warning) when that part is not there or cannot be rewritten."""
        lines = list(prose_lines(note.body.split("\n")))
        if heading:
            find = embeds.block if heading.startswith("^") else embeds.section
            span = find(lines, heading.removeprefix("^"))
            if span is None:
                self.warn(f"cannot embed {target.path}#{heading}: not found; linked")
                return None
            first, end = span
            note.body = "\n".join(line for _, line, _ in lines[first:end])
            note.body_line += first
        try:
            BodyRewriter(note, self.links, self.sites, host=self).rewrite()
        except InvalidNote:
            self.warn(f"cannot embed {target.path}; linked")
            return None
        return note.body
