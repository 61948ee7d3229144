"""A comment's Markdown to sanitized HTML: the light subset readers may write.

Paragraphs and line breaks (a newline is a line break), emphasis, code spans and blocks, links
(bare URLs too), quotes, lists, and math in `$...$`, `\\(...\\)`, `$$...$$` or `\\[...\\]`,
always inline: `<span class="arithmatex">`, which static/js/math.js typesets as on a note.
No headings, tables, rules or raw HTML (typed HTML stays visible as text), and an image becomes
a link to it. The result is
then cleaned with an allowlist narrower than a note's (papers.rendering), and every link gets
`rel="nofollow ugc noopener"`.
"""

import threading

import bleach
import markdown
from bleach.html5lib_shim import Filter
from markdown.extensions import Extension
from markdown.treeprocessors import Treeprocessor

from papers.rendering import MATH_CLASS, InlineDisplayMathExtension


class ImagesAsLinks(Treeprocessor):
    def run(self, root):
        for image in root.iter("img"):
            label = image.get("alt") or image.get("src", "")
            image.tag, image.text = "a", label
            image.attrib = {"href": image.get("src", "")}


class ImagesAsLinksExtension(Extension):
    def extendMarkdown(self, md):
        md.treeprocessors.register(ImagesAsLinks(md), "images-as-links", 1)


EXTENSIONS = [
    InlineDisplayMathExtension(),
    ImagesAsLinksExtension(),
    "pymdownx.arithmatex",
    "fenced_code",
    "nl2br",
    "sane_lists",
    "pymdownx.magiclink",
]
EXTENSION_CONFIGS = {
    # Display math stays inline too (InlineDisplayMathExtension): comments have no math blocks.
    "pymdownx.arithmatex": {"generic": True, "block_syntax": []},
}
# Markdown features a comment does not have, by the name python-markdown registers them under.
DISABLED = {
    "blockprocessors": ["hashheader", "setextheader", "hr"],
    "inlinePatterns": ["html"],
    "preprocessors": ["html_block"],
}

ALLOWED_TAGS = {
    "a", "blockquote", "br", "code", "em", "li", "ol", "p", "pre", "span", "strong", "ul",
}  # fmt: skip
ALLOWED_PROTOCOLS = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"


def _allowed_attribute(tag, name, value):
    if tag == "a":
        return name == "href"
    return tag == "span" and name == "class" and value == MATH_CLASS


class UserLinkFilter(Filter):
    """Every link a reader wrote is marked as theirs and not endorsed."""

    def __iter__(self):
        for token in super().__iter__():
            if token["type"] == "StartTag" and token["name"] == "a":
                token["data"][(None, "rel")] = LINK_REL
            yield token


_cleaner = bleach.Cleaner(
    tags=ALLOWED_TAGS,
    attributes=_allowed_attribute,
    protocols=ALLOWED_PROTOCOLS,
    strip=True,
    strip_comments=True,
    filters=[UserLinkFilter],
)
_local = threading.local()


def _markdown():
    if not hasattr(_local, "md"):
        md = markdown.Markdown(extensions=EXTENSIONS, extension_configs=EXTENSION_CONFIGS)
        for registry, names in DISABLED.items():
            for name in names:
                getattr(md.parser if registry == "blockprocessors" else md, registry).deregister(
                    name
                )
        _local.md = md
    return _local.md.reset()


def sanitize_comment(html):
    """Only the comment allowlist: no script, handlers, style, images or javascript: URLs."""
    return _cleaner.clean(html)


def render_comment(source):
    """Render a comment's Markdown `source` to the HTML stored beside it."""
    return sanitize_comment(_markdown().convert(source))
