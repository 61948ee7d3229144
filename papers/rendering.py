"""Markdown to sanitized HTML and the note's plain text; where an excerpt ends (the excerpt
itself: papers.math_text).

Called once when a note or paper is saved; requests only read the stored results.

The Markdown is the dialect of papers.dialect (CommonMark with GFM, math and Obsidian syntax,
read by markdown-it-py as the authors' old blogs and vaults read it). Math becomes elements of
class `arithmatex` holding `\\(tex\\)` (inline) or `\\[tex\\]` (display), which
static/js/math.js typesets with KaTeX.

Plain text (what annotations anchor to and excerpts are cut from) is defined by `plain_text`:
every text node of the HTML in document order, untouched, except that a math element counts as
its TeX source without delimiters and permalink / footnote back-link markers count as nothing.
So a callout's title counts (it is text a reader sees, the default "Note" too), a task list's
checkbox counts as nothing (an element without text), and an Obsidian `%%comment%%` is not in
the HTML at all. A browser applies the same rule to the rendered page (the math element keeps
its TeX in `data-tex` once KaTeX has replaced its content).
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit

import bleach
from bleach.html5lib_shim import Filter
from django.utils.html import escape
from markdown_it.token import Token

from .dialect import MATH_CLASS, heading_text, note_parser

EXCERPT_LENGTH = 350
# Hexo's marker: the author's own end of the excerpt.
MORE_MARKER = re.compile(r"<!--\s*more\s*-->", flags=re.IGNORECASE)
# Markers the renderer adds next to real text: they are not part of what an author wrote.
NON_TEXT_CLASSES = {"headerlink", "footnote-backref"}
MATH_DELIMITERS = {"\\(": "\\)", "\\[": "\\]"}
TOC_DEPTH = 4  # headings h1 to h4 are listed
TOC_MIN_HEADINGS = 2
# Elements without an end tag: parsers of the HTML must not wait for one.
VOID_TAGS = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
    "input", "li", "mark", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup",
    "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
HEADING_ATTRIBUTES = ["id"]
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class", "rel"],
    "abbr": ["title"],
    "code": ["class"],
    "details": ["class", "open"],  # callouts that fold
    "div": ["class", "data-language"],  # a code block's language
    "img": ["src", "alt", "title", "width", "height"],
    "input": lambda tag, name, value: _checkbox_attribute(name, value),  # task lists
    "li": ["id", "class"],  # ids of footnotes and block anchors; task-list-item
    "ol": ["start", "class"],
    "p": ["id"],  # block anchors
    "pre": lambda tag, name, value: name == "class" or (name == "tabindex" and value == "0"),
    "span": ["class"],
    "summary": ["class"],
    "sup": ["id"],
    "td": ["align"],
    "th": ["align"],
    "ul": ["class"],  # contains-task-list
    **{f"h{level}": HEADING_ATTRIBUTES for level in range(1, 7)},
}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str

    @property
    def text(self):
        """The plain text (`plain_text`), read from the HTML when asked: a save needs none of
        it (its excerpts parse the HTML in papers.math_text), and a long note takes ~15 ms."""
        return plain_text(self.html)


def _checkbox_attribute(name, value):
    return (name == "type" and value == "checkbox") or name in {"class", "checked", "disabled"}


class ExternalLinkFilter(Filter):
    """Links that leave the site get rel="nofollow noopener"; others carry no rel at all."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                attrs = token["data"]
                attrs.pop((None, "rel"), None)
                if urlsplit(attrs.get((None, "href"), "")).scheme in {"http", "https"}:
                    attrs[(None, "rel")] = "nofollow noopener"
            yield token


class DisabledInputFilter(Filter):
    """Every input is a disabled checkbox: a task list's box, which readers cannot tick, named
    by its state (a checkbox needs a name; the item's text follows it, outside any label)."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] in {"StartTag", "EmptyTag"} and token["name"] == "input":
                attributes = token["data"]
                attributes[(None, "type")] = "checkbox"
                attributes[(None, "disabled")] = ""
                checked = (None, "checked") in attributes
                attributes[(None, "aria-label")] = "已完成" if checked else "未完成"
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[ExternalLinkFilter, DisabledInputFilter],
)
# The admin's live preview also keeps the empty line markers (see `render_markdown`).
_marked_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes={**ALLOWED_ATTRIBUTES, "div": [*ALLOWED_ATTRIBUTES["div"], "data-line"]},
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[ExternalLinkFilter, DisabledInputFilter],
)
# Built once: a parse keeps its state in its own env, so threads can share the parser.
_parser = note_parser()


def sanitize(html):
    """Allowlisted HTML only: no script, event handlers, style, or javascript:/data: URLs."""
    return _cleaner.clean(html)


def render_markdown(source, *, mark_lines=False):
    """Render Markdown `source` to sanitized HTML and its table of contents (and plain text).

    With `mark_lines` (the admin's live preview, never stored) an empty
    `<div data-line="N"></div>` precedes each top-level block, N its first source line
    (from 1), so the editor can keep the preview scrolled to the line it shows.
    """
    env = {}
    tokens = _parser.parse(source, env)
    if mark_lines:
        tokens = with_line_markers(tokens)
    raw = _parser.renderer.render(tokens, _parser.options, env).rstrip("\n")
    html = (_marked_cleaner if mark_lines else _cleaner).clean(raw)
    listed = [heading for heading in env.get("headings", []) if heading[0] <= TOC_DEPTH]
    toc_html = sanitize(table_of_contents(listed)) if len(listed) >= TOC_MIN_HEADINGS else ""
    return Rendered(html=html, toc_html=toc_html)


def with_line_markers(tokens):
    """`tokens` with a marker block before each top-level block that has source lines. A
    marker of its own, not an attribute: fences and math are rendered without attributes."""
    marked = []
    for token in tokens:
        if token.level == 0 and token.nesting != -1 and token.map:
            marker = Token("html_block", "", 0)
            marker.content = f'<div data-line="{token.map[0] + 1}"></div>\n'
            marked.append(marker)
        marked.append(token)
    return marked


def heading_anchors(source):
    """(source text, plain text, id) of each heading of Markdown `source`, in order: the ids
    its rendering gives them (repeats numbered), for links into the page."""
    tokens = _parser.parse(source, {})
    return [
        (tokens[index + 1].content, heading_text(tokens[index + 1].children), token.attrGet("id"))
        for index, token in enumerate(tokens)
        if token.type == "heading_open"
    ]


def table_of_contents(headings):
    """Nested lists of heading links from (level, id, inner HTML) in document order, built from
    the headings' HTML so math in them stays math. A heading goes under the nearest one before
    it of a smaller level."""
    root = []
    open_lists = [(0, root)]  # (level, its children) from the outermost
    for level, slug, html in headings:
        while open_lists[-1][0] >= level:
            open_lists.pop()
        children = []
        open_lists[-1][1].append((slug, html, children))
        open_lists.append((level, children))
    return f'<div class="toc">{_toc_list(root)}</div>'


def _toc_list(entries):
    if not entries:
        return ""
    items = "".join(
        f'<li><a href="#{escape(slug)}">{html}</a>{_toc_list(children)}</li>'
        for slug, html, children in entries
    )
    return f"<ul>{items}</ul>"


class PlainTextParser(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip_depth = 0  # > 0 while inside an element whose text is not collected
        self.math = None  # the open math element's [depth, text parts]

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        if self.skip_depth or self.math:
            self._nest(1)
            return
        classes = set((dict(attrs).get("class") or "").split())
        if classes & NON_TEXT_CLASSES:
            self.skip_depth = 1
        elif MATH_CLASS in classes:
            self.math = [1, []]

    def handle_endtag(self, tag):
        if tag in VOID_TAGS:
            return
        if self.skip_depth:
            self.skip_depth -= 1
        elif self.math:
            self.math[0] -= 1
            if self.math[0] == 0:
                self.parts.append(self.math_part("".join(self.math[1])))
                self.math = None

    def math_part(self, source):
        """What a math element, `source` its text with delimiters, adds to the parts."""
        return strip_math_delimiters(source)

    def _nest(self, step):
        if self.skip_depth:
            self.skip_depth += step
        else:
            self.math[0] += step

    def handle_data(self, data):
        if self.skip_depth:
            return
        (self.math[1] if self.math else self.parts).append(data)


def strip_math_delimiters(source):
    closing = MATH_DELIMITERS.get(source[:2])
    if closing and source.endswith(closing):
        return source[2:-2]
    return source


def plain_text(html):
    """The text a reader sees in `html`, with math as its TeX source (see module docstring)."""
    parser = PlainTextParser()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def collapse_whitespace(text):
    return " ".join(text.split())


def lead_of(source):
    """The Markdown before `<!-- more -->`, or None when `source` has no such marker."""
    parts = MORE_MARKER.split(source, maxsplit=1)
    return parts[0] if len(parts) == 2 else None
