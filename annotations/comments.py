"""A comment's Markdown to sanitized HTML: the light subset readers may write.

Paragraphs and line breaks (a newline is a line break), emphasis, code spans and blocks, links
(bare URLs too), quotes, lists, and math in `$...$`, `\\(...\\)`, `$$...$$` or `\\[...\\]`,
always inline: `<span class="arithmatex">`, which static/js/math.js typesets as on a note.
No headings, tables, rules or raw HTML (typed HTML stays visible as text), and an image becomes
a link to it. The result is
then cleaned with an allowlist narrower than a note's (papers.rendering), and every link gets
`rel="nofollow ugc noopener"`.
"""

import bleach
from bleach.html5lib_shim import Filter
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin

from papers.dialect import MATH_CLASS, any_link, autolinks_end_at_cjk, math_plugin


def render_image_as_link(self, tokens, idx, options, env):
    image = tokens[idx]
    src = escapeHtml(image.attrGet("src") or "")
    label = escapeHtml(self.renderInlineAsText(image.children or [], options, env)) or src
    return f'<a href="{src}">{label}</a>'


def comment_parser():
    """CommonMark without headings, rules, tables or raw HTML (typed HTML is text), a newline as
    a line break, bare URLs as links, and math always inline (comments have no math blocks)."""
    md = MarkdownIt("commonmark", {"html": False, "xhtmlOut": False, "breaks": True})
    md.validateLink = any_link
    md.disable(["heading", "lheading", "hr"])
    md.use(gfm_autolink_plugin)
    md.core.ruler.after("inline", "autolinks_end_at_cjk", autolinks_end_at_cjk)
    math_plugin(md, blocks=False)
    md.add_render_rule("image", render_image_as_link)
    return md


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
_parser = comment_parser()


def sanitize_comment(html):
    """Only the comment allowlist: no script, handlers, style, images or javascript: URLs."""
    return _cleaner.clean(html)


def render_comment(source):
    """Render a comment's Markdown `source` to the HTML stored beside it."""
    return sanitize_comment(_parser.render(source).rstrip("\n"))
