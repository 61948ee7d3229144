"""Markdown to sanitized HTML, the note's plain text, and its excerpt.

Called once when a note or paper is saved; requests only read the stored results.

Math: pymdownx.arithmatex (generic mode) keeps `$...$`, `$$...$$`, `\\(...\\)` and `\\[...\\]`
away from Markdown and emits `<span class="arithmatex">\\(tex\\)</span>` (inline) or
`<div class="arithmatex">\\[tex\\]</div>` (display); static/js/math.js typesets them with KaTeX.

Plain text (what annotations anchor to and excerpts are cut from) is defined by `plain_text`:
every text node of the HTML in document order, untouched, except that a math element counts as
its TeX source without delimiters and permalink / footnote back-link markers count as nothing.
A browser applies the same rule to the rendered page (the math element keeps its TeX in
`data-tex` once KaTeX has replaced its content).
"""

import re
import threading
from dataclasses import dataclass
from html.parser import HTMLParser
from urllib.parse import urlsplit
from xml.etree.ElementTree import Element

import bleach
import markdown
from bleach.html5lib_shim import Filter
from django.utils.html import escape
from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.util import AtomicString

EXCERPT_LENGTH = 350
# Hexo's marker: the author's own end of the excerpt.
MORE_MARKER = re.compile(r"<!--\s*more\s*-->", flags=re.IGNORECASE)
MATH_CLASS = "arithmatex"
# Markers the renderer adds next to real text: they are not part of what an author wrote.
NON_TEXT_CLASSES = {"headerlink", "footnote-backref"}
MATH_DELIMITERS = {"\\(": "\\)", "\\[": "\\]"}


class InlineDisplayMath(InlineProcessor):
    """`$$...$$` and `\\[...\\]` inside a paragraph: arithmatex takes them only as blocks."""

    def handleMatch(self, m, data):
        element = Element("span", {"class": MATH_CLASS})
        element.text = AtomicString(f"\\[{m.group('tex') or m.group('tex2')}\\]")
        return element, m.start(0), m.end(0)


class InlineDisplayMathExtension(Extension):
    # Above arithmatex's inline `$` (189.9), below code spans (190).
    PATTERN = r"(?<!\\)(?:\$\$(?P<tex>[^$]+?)\$\$|\\\[(?P<tex2>[\s\S]+?)\\\])"

    def extendMarkdown(self, md):
        md.inlinePatterns.register(InlineDisplayMath(self.PATTERN, md), "display-math", 189.95)


MARKDOWN_EXTENSIONS = [
    InlineDisplayMathExtension(),
    "pymdownx.arithmatex",
    "pymdownx.superfences",
    "pymdownx.highlight",
    "tables",
    "footnotes",
    "toc",
    "sane_lists",
    # Bare URLs become links inside Markdown, where code spans and math are already set aside.
    "pymdownx.magiclink",
]
MARKDOWN_CONFIG = {
    "pymdownx.arithmatex": {"generic": True},
    "pymdownx.highlight": {"use_pygments": True, "css_class": "highlight", "guess_lang": False},
    # Alignment as an attribute: the sanitizer allows no style attributes.
    "tables": {"use_align_attribute": True},
    "toc": {
        "slugify": slugify_unicode,
        "permalink": "#",
        "permalink_class": "headerlink",
        "permalink_title": "本节链接",
        "toc_depth": "1-4",
    },
}

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "dd", "del", "details", "div", "dl", "dt",
    "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "kbd",
    "li", "mark", "ol", "p", "pre", "s", "span", "strong", "sub", "summary", "sup", "table",
    "tbody", "td", "tfoot", "th", "thead", "tr", "ul",
}  # fmt: skip
HEADING_ATTRIBUTES = ["id"]
ALLOWED_ATTRIBUTES = {
    "a": ["href", "title", "class", "rel"],
    "abbr": ["title"],
    "code": ["class"],
    "div": ["class"],
    "img": ["src", "alt", "title", "width", "height"],
    "li": ["id"],
    "ol": ["start", "class"],
    "pre": ["class"],
    "span": ["class"],
    "sup": ["id"],
    "td": ["align"],
    "th": ["align"],
    **{f"h{level}": HEADING_ATTRIBUTES for level in range(1, 7)},
}
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}


@dataclass(frozen=True)
class Rendered:
    html: str
    toc_html: str
    text: str


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


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=ALLOWED_ATTRIBUTES,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[ExternalLinkFilter],
)
# Building a Markdown instance costs more than converting a note; keep one per thread.
_local = threading.local()


def _markdown():
    if not hasattr(_local, "md"):
        _local.md = markdown.Markdown(
            extensions=MARKDOWN_EXTENSIONS, extension_configs=MARKDOWN_CONFIG
        )
    return _local.md.reset()


def sanitize(html):
    """Allowlisted HTML only: no script, event handlers, style, or javascript:/data: URLs."""
    return _cleaner.clean(html)


def render_markdown(source):
    """Render Markdown `source` to sanitized HTML, its table of contents and its plain text."""
    md = _markdown()
    html = sanitize(md.convert(source))
    toc_html = (
        sanitize(table_of_contents(md.toc_tokens)) if _heading_count(md.toc_tokens) >= 2 else ""
    )
    return Rendered(html=html, toc_html=toc_html, text=plain_text(html))


def table_of_contents(tokens):
    """Nested lists of heading links, built from the headings' HTML so math in them stays math."""
    return f'<div class="toc">{_toc_list(tokens)}</div>'


def _toc_list(tokens):
    if not tokens:
        return ""
    items = "".join(
        f'<li><a href="#{escape(t["id"])}">{t["html"]}</a>{_toc_list(t["children"])}</li>'
        for t in tokens
    )
    return f"<ul>{items}</ul>"


def _heading_count(tokens):
    return sum(1 + _heading_count(token["children"]) for token in tokens)


class _PlainTextParser(HTMLParser):
    VOID = {"br", "hr", "img", "input", "meta", "link", "source", "wbr", "col", "area"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts = []
        self.skip_depth = 0  # > 0 while inside an element whose text is not collected
        self.math = None  # the open math element's [depth, text parts]

    def handle_starttag(self, tag, attrs):
        if tag in self.VOID:
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
        if tag in self.VOID:
            return
        if self.skip_depth:
            self.skip_depth -= 1
        elif self.math:
            self.math[0] -= 1
            if self.math[0] == 0:
                self.parts.append(strip_math_delimiters("".join(self.math[1])))
                self.math = None

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
    parser = _PlainTextParser()
    parser.feed(html)
    parser.close()
    return "".join(parser.parts)


def collapse_whitespace(text):
    return " ".join(text.split())


def make_excerpt(*texts, length=EXCERPT_LENGTH):
    """Whitespace-collapsed text, cut at `length` characters with "..." when longer."""
    text = collapse_whitespace(" ".join(texts))
    return text if len(text) <= length else text[:length] + "..."


def lead_of(source):
    """The Markdown before `<!-- more -->`, or None when `source` has no such marker."""
    parts = MORE_MARKER.split(source, maxsplit=1)
    return parts[0] if len(parts) == 2 else None


def note_excerpt(summary_text, body_source, body_text):
    """A card's excerpt: the summary and the lead the author marked with `<!-- more -->`,
    whole and followed by "...", or else summary and body cut by `make_excerpt`."""
    lead = lead_of(body_source)
    if lead is None:
        return make_excerpt(summary_text, body_text)
    return collapse_whitespace(f"{summary_text} {render_markdown(lead).text}") + "..."
