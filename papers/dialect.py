"""The Markdown notes are written in, as a markdown-it parser that reads it as the old tools did.

Notes come from blogs built by Hexo (marked), Hugo (goldmark), Jekyll (kramdown) and from
Obsidian vaults. All of them read CommonMark's block structure (a list may follow a paragraph
line, two spaces nest a list, a fence may be indented up to three spaces) and GFM's tables,
strikethrough, task lists and bare-URL links, and their pages typeset TeX with MathJax or KaTeX.
markdown-it-py is CommonMark; this module adds the rest as markdown-it rules:

- math (`math_plugin`): `$...$` (spaces inside allowed, as MathJax reads it), `$$...$$` as a
  block or inside a paragraph, list item or table cell, `\\(...\\)`, `\\[...\\]`, and bare
  amsmath environments (`\\begin{align}...\\end{align}`) as display math. Money stays text: a
  `$` never closed (`价格 $5`), and `$5 and $10` or `$5 and $x$` (see `dollar_math_rule`).
  Math becomes `<span class="arithmatex">\\(tex\\)</span>` (inline), `...\\[tex\\]</span>`
  (display inside a paragraph) or `<div class="arithmatex">\\[tex\\]</div>` (a display block),
  the TeX escaped and otherwise as written; static/js/math.js typesets them with KaTeX.
- Obsidian: `==highlight==` (`<mark>`), `%%comments%%` (removed, inline or over several lines),
  callouts (`> [!type] Title`; `-` / `+` after the type make it a folded / open `<details>`),
  and block ids (a paragraph or list item ending with ` ^id` gets the id `^id`).
- headings get GitHub's ids (`heading_id`), numbered `-1`, `-2` when repeated, and a permalink.

papers.rendering turns a parse into sanitized HTML; annotations.comments builds the smaller
parser comments use from the same parts.
"""

import re
import unicodedata
from functools import lru_cache

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.rules_inline.state_inline import Delimiter
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath.index import math_block_dollar, math_inline_dollar
from mdit_py_plugins.footnote import footnote_plugin
from mdit_py_plugins.gfm_autolink import gfm_autolink_plugin
from pygments import highlight
from pygments.formatters import HtmlFormatter
from pygments.lexers import TextLexer, get_lexer_by_name
from pygments.util import ClassNotFound

# The class the old renderer (pymdownx.arithmatex) gave math: stored HTML, static/js/math.js and
# static/js/plain-text.js agree on it.
MATH_CLASS = "arithmatex"
PERMALINK = '<a class="headerlink" href="#{id}" title="本节链接">#</a>'
# Block rules that a math block or a comment may interrupt: `公式如下：` on the line before `$$`
# is a paragraph of its own, not part of the formula. Not "blockquote": a quote's `> $$`
# formula whose next lines lost their `>` goes on lazily to its closing `$$`.
INTERRUPTS = ["paragraph", "reference", "list", "footnote_def"]
CALLOUT = re.compile(r"\[!(?P<type>[\w-]+)\](?P<fold>[+-]?)[ \t]*(?P<title>.*)")
# CJK characters and full-width punctuation: a bare URL ends before them (see autolinks_end_at_cjk).
CJK = re.compile("[\u2e80-\u9fff\uf900-\ufaff\ufe30-\ufe4f\uff00-\uffef]")
BLOCK_ID = re.compile(r"[ \t]\^(?P<id>[A-Za-z0-9-]+)[ \t]*$")
# Pygments' markup in a div.highlight, which static/css/highlight*.css styles.
CODE_FORMATTER = HtmlFormatter(cssclass="highlight", wrapcode=True)
HIGHLIGHT_DIV = '<div class="highlight">'


def note_parser():
    """The parser of a note's summary and body, and of a paper's abstract."""
    md = MarkdownIt("commonmark", {"html": True, "xhtmlOut": False, "tasklists": True})
    md.validateLink = any_link
    md.enable(["table", "strikethrough"])
    md.use(gfm_autolink_plugin)
    md.core.ruler.after("inline", "autolinks_end_at_cjk", autolinks_end_at_cjk)
    md.use(footnote_plugin)  # with Obsidian's inline footnotes, ^[text]
    math_plugin(md, blocks=True)
    md.inline.ruler.before("emphasis", "mark", mark_rule)
    md.inline.ruler2.before("emphasis", "mark", mark_pairs)
    md.inline.ruler.before("escape", "obsidian_comment", inline_comment_rule)
    md.block.ruler.before("fence", "obsidian_comment", block_comment_rule, {"alt": INTERRUPTS})
    md.core.ruler.before("inline", "callouts", callouts)
    md.core.ruler.before("inline", "block_ids", block_ids)
    md.core.ruler.push("heading_ids", heading_ids)
    md.core.ruler.push("table_alignment", table_alignment)
    md.add_render_rule("fence", render_fence)
    md.add_render_rule("code_block", render_code_block)
    for name, rule in FOOTNOTE_RULES.items():
        md.add_render_rule(name, rule)
    return md


def any_link(url):
    """markdown-it leaves a javascript: or data: link as its Markdown text; here every link is a
    link, and the sanitizer's protocol allowlist drops such a URL and keeps the link's text."""
    return True


def autolinks_end_at_cjk(state):
    """A bare URL ends at the first Chinese character or full-width punctuation after it: GFM runs
    it to the next space, over the `，代码见下。` that Chinese prose writes right after a URL."""
    for inline in state.tokens:
        if inline.type != "inline" or not inline.children:
            continue
        children = inline.children
        for index in range(len(children) - 3, -1, -1):  # from the end: inserting keeps indexes
            link, text = children[index], children[index + 1]
            if link.type != "link_open" or link.info != "auto" or text.type != "text":
                continue
            cut = CJK.search(text.content)
            if cut is None or cut.start() == 0:
                continue
            rest = text.content[cut.start() :]
            text.content = text.content[: cut.start()]
            link.attrSet("href", link.attrGet("href").removesuffix(state.md.normalizeLink(rest)))
            children.insert(index + 3, Token("text", "", 0, content=rest))


# --- math -------------------------------------------------------------------------------------


def math_plugin(md, *, blocks):
    """Math in every form the old sites' MathJax typeset; only inline when not `blocks`."""
    # Before "escape": CommonMark reads `\\(` and `\\$` as escaped characters.
    md.inline.ruler.before("escape", "math_inline", dollar_math_rule)
    md.inline.ruler.before("escape", "math_bracket", bracket_math_rule)
    md.add_render_rule("math_inline", render_inline_math)
    md.add_render_rule("math_inline_double", render_inline_display_math)
    md.add_render_rule("math_inline_bracket", render_inline_math)
    md.add_render_rule("math_inline_bracket_double", render_inline_display_math)
    if blocks:
        for name, rule in (("math_block", dollar_math_block), ("math_bracket", bracket_math_block)):
            md.block.ruler.before("fence", name, rule, {"alt": INTERRUPTS})
        md.use(amsmath_plugin)
        for name in ("math_block", "math_bracket_block", "amsmath"):
            md.add_render_rule(name, render_display_math)


# mdit-py-plugins' dollarmath rules. Blank lines may stand inside `$$` (the old sites' MathJax
# saw the formula whole); a `$$` that never closes is text. Labels (`$$x$$ (1)`) are not math.
# Not the plugin's allow_digits=False: it reads the character before a line's first `$` from
# the end of the line (a Python index of -1), and refuses `3$\\times$3`, which MathJax typesets.
DOLLAR_INLINE = math_inline_dollar(allow_space=True, allow_digits=True, allow_double=True)
DOLLAR_BLOCK = math_block_dollar(allow_labels=False, allow_blank_lines=True)


def dollar_math_rule(state, silent):
    """dollarmath's `$...$`, except money: a formula that starts with a digit and whose closing
    `$` follows a space or precedes a digit (`$5 and $10`, `$5 and $x$`) is a dollar sign, and
    the next `$` may open a formula of its own."""
    start = state.pos
    if not DOLLAR_INLINE(state, True):
        return False
    end, state.pos = state.pos, start
    src = state.src
    closing_next = src[end : end + 1]
    if src[start + 1].isdigit() and (src[end - 2].isspace() or closing_next.isdigit()):
        return False
    return DOLLAR_INLINE(state, silent)


def dollar_math_block(state, start_line, end_line, silent):
    """dollarmath's `$$` block. The plugin pushes its token even when only asked whether a block
    starts here (`silent`, which a paragraph asks of each next line), so that push is undone."""
    if not silent:
        return DOLLAR_BLOCK(state, start_line, end_line, silent)
    token_count, line = len(state.tokens), state.line
    found = DOLLAR_BLOCK(state, start_line, end_line, silent)
    del state.tokens[token_count:]
    state.line = line
    return found


def render_inline_math(self, tokens, idx, options, env):
    return f'<span class="{MATH_CLASS}">\\({escapeHtml(tokens[idx].content)}\\)</span>'


def render_inline_display_math(self, tokens, idx, options, env):
    return f'<span class="{MATH_CLASS}">\\[{escapeHtml(tokens[idx].content)}\\]</span>'


def render_display_math(self, tokens, idx, options, env):
    tex = tokens[idx].content.rstrip("\n") if tokens[idx].type == "amsmath" else tokens[idx].content
    return f'<div class="{MATH_CLASS}">\\[{escapeHtml(tex)}\\]</div>\n'


def bracket_math_rule(state, silent):
    """`\\(tex\\)` and `\\[tex\\]` inside a paragraph."""
    src, start = state.src, state.pos
    if src[start] != "\\" or start + 1 >= state.posMax or src[start + 1] not in "([":
        return False
    closing = "\\)" if src[start + 1] == "(" else "\\]"
    end = src.find(closing, start + 2, state.posMax)
    if end < 0 or end == start + 2:
        return False
    if not silent:
        kind = "math_inline_bracket" if closing == "\\)" else "math_inline_bracket_double"
        token = state.push(kind, "math", 0)
        token.content = src[start + 2 : end]
        token.markup = src[start : start + 2]
    state.pos = end + 2
    return True


def bracket_math_block(state, start_line, end_line, silent):
    """`\\[` opening a line, closed by `\\]` ending the same or a later line: a display block."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("\\[", begin):
        return False
    line = start_line
    while line < end_line:
        line_start = begin + 2 if line == start_line else state.bMarks[line] + state.tShift[line]
        text = state.src[line_start : state.eMarks[line]].rstrip()
        if line > start_line and not text:
            return False  # a blank line ends the block before any `\]`: not math
        if text.endswith("\\]") and (line > start_line or len(text) >= 2):
            break
        if "\\]" in text:
            return False  # closed inside the line, text after it: a paragraph
        line += 1
    else:
        return False
    if not silent:
        lines = state.getLines(start_line, line + 1, state.sCount[start_line], False)
        tex = lines.strip()[2:-2]
        token = state.push("math_bracket_block", "math", 0)
        token.block = True
        token.content = tex
        token.markup = "\\["
        token.map = [start_line, line + 1]
        state.line = line + 1
    return True


# --- Obsidian: highlights, comments, callouts, block ids ---------------------------------------


def mark_rule(state, silent):
    """`==` delimiters, paired into <mark> by `mark_pairs`: exactly two `=`, as `~~` is."""
    if silent or state.src[state.pos] != "=":
        return False
    scanned = state.scanDelims(state.pos, True)
    token = state.push("text", "", 0)
    token.content = "=" * scanned.length
    if scanned.length == 2:
        state.delimiters.append(
            Delimiter(
                marker=ord("="),
                length=0,
                token=len(state.tokens) - 1,
                end=-1,
                open=scanned.can_open,
                close=scanned.can_close,
            )
        )
    state.pos += scanned.length
    return True


def mark_pairs(state):
    for delimiters in [state.delimiters] + [
        meta["delimiters"] for meta in state.tokens_meta if meta and "delimiters" in meta
    ]:
        for delimiter in delimiters:
            if delimiter.marker != ord("=") or delimiter.end == -1:
                continue
            for index, tag_type, nesting in (
                (delimiter.token, "mark_open", 1),
                (delimiters[delimiter.end].token, "mark_close", -1),
            ):
                token = state.tokens[index]
                token.type, token.tag, token.nesting = tag_type, "mark", nesting
                token.markup, token.content = "==", ""


def inline_comment_rule(state, silent):
    """`%%hidden%%` inside a paragraph is dropped; an unclosed `%%` stays text."""
    start = state.pos
    if not state.src.startswith("%%", start):
        return False
    end = state.src.find("%%", start + 2, state.posMax)
    if end < 0:
        return False
    state.pos = end + 2
    return True


def block_comment_rule(state, start_line, end_line, silent):
    """A `%%` comment that starts a line and ends a line, blank lines inside it too."""
    if state.is_code_block(start_line):
        return False
    begin = state.bMarks[start_line] + state.tShift[start_line]
    if not state.src.startswith("%%", begin):
        return False
    position, line = begin + 2, start_line
    while line < end_line:
        text = state.src[position : state.eMarks[line]]
        if "%%" in text:
            if not text.rstrip().endswith("%%") or text.find("%%") != len(text.rstrip()) - 2:
                return False  # text after the comment: the paragraph's inline rule has it
            break
        line += 1
        if line < end_line:
            position = state.bMarks[line]
    else:
        return False
    if not silent:
        state.line = line + 1
    return True


def callouts(state):
    """A blockquote whose first line is `[!type] Title` becomes a callout:
    `<div class="callout callout-type">` with a `<div class="callout-title">`, or with `-` / `+`
    after the type a `<details>` (open for `+`) whose `<summary>` is the title."""
    tokens = state.tokens
    index = 0
    while index < len(tokens):
        opening = tokens[index]
        header = _callout_header(tokens, index)
        if header is None:
            index += 1
            continue
        match, rest = header
        kind = match["type"].lower()
        folded = match["fold"]
        tag, title_tag = ("details", "summary") if folded else ("div", "div")
        closing = _matching_close(tokens, index)
        opening.type, opening.tag = "callout_open", tag
        opening.attrs = {"class": f"callout callout-{kind}"}
        if folded == "+":
            opening.attrs["open"] = ""
        tokens[closing].type, tokens[closing].tag = "callout_close", tag
        title_open = Token("callout_title_open", title_tag, 1, attrs={"class": "callout-title"})
        title = Token("inline", "", 0, content=match["title"].strip() or kind.capitalize())
        title.children = []
        title_close = Token("callout_title_close", title_tag, -1)
        for token in (title_open, title_close):
            token.block = True
        paragraph = slice(index + 1, index + 4)
        if rest:
            tokens[index + 2].content = rest
            tokens[index + 1 : index + 1] = [title_open, title, title_close]
        else:
            tokens[paragraph] = [title_open, title, title_close]
        index += 1


def _callout_header(tokens, index):
    """(match of `[!type] Title`, the paragraph's other lines) if tokens[index] opens a callout."""
    if tokens[index].type != "blockquote_open" or index + 3 >= len(tokens):
        return None
    if tokens[index + 1].type != "paragraph_open" or tokens[index + 2].type != "inline":
        return None
    first, _, rest = tokens[index + 2].content.partition("\n")
    match = CALLOUT.fullmatch(first)
    return (match, rest) if match else None


def _matching_close(tokens, index):
    level = tokens[index].level
    return next(
        position
        for position in range(index + 1, len(tokens))
        if tokens[position].type == "blockquote_close" and tokens[position].level == level
    )


def block_anchor(block_id):
    """The HTML id of Obsidian's block id `block_id` (written ` ^block_id`): `^block_id`, which
    no heading id can be (they have no `^`), and which `[[Note#^block_id]]` links name as is."""
    return f"^{block_id}"


def block_ids(state):
    """A paragraph ending with ` ^id` gets the id `^id`, its list item if it opens one; the
    marker is not shown."""
    tokens = state.tokens
    for index, token in enumerate(tokens):
        if token.type != "inline" or tokens[index - 1].type != "paragraph_open":
            continue
        match = BLOCK_ID.search(token.content)
        if match is None:
            continue
        token.content = token.content[: match.start()]
        in_item = tokens[index - 2].type == "list_item_open"
        owner = tokens[index - 2] if in_item else tokens[index - 1]
        owner.attrSet("id", block_anchor(match["id"]))


# --- headings, tables, code, footnotes -------------------------------------------------------


def heading_id(text):
    """The id GitHub, Hexo and Hugo give a heading of `text` (its first occurrence): lower case,
    every space a `-`, letters (Chinese too), digits, marks, `-` and `_` kept, the rest dropped."""
    kept = []
    for char in text.strip().lower():
        if char == " ":
            kept.append("-")
        elif char in "-_" or unicodedata.category(char)[0] in "LNM":
            kept.append(char)
    return "".join(kept)


def heading_ids(state):
    """Ids on every heading, numbered from `-1` when repeated as GitHub does, and a permalink;
    env["headings"] gets (level, id, inner HTML) of each for the table of contents."""
    seen = {}
    headings = state.env.setdefault("headings", [])
    for index, token in enumerate(state.tokens):
        if token.type != "heading_open":
            continue
        inline = state.tokens[index + 1]
        base = heading_id(heading_text(inline.children)) or "section"
        slug = base
        while slug in seen:
            seen[base] += 1
            slug = f"{base}-{seen[base]}"
        seen[slug] = 0
        token.attrSet("id", slug)
        headings.append((int(token.tag[1]), slug, _toc_html(state, inline.children)))
        permalink = Token("html_inline", "", 0, content=PERMALINK.format(id=escapeHtml(slug)))
        inline.children.append(permalink)


def heading_text(children):
    parts = []
    for token in children:
        if token.type in {"text", "code_inline"} or token.type.startswith("math"):
            parts.append(token.content)
        elif token.type in {"softbreak", "hardbreak"}:
            parts.append(" ")
    return "".join(parts)


def _toc_html(state, children):
    """The heading's HTML without its links and footnote references: TOC entries are links."""
    kept = [t for t in children if t.type not in {"link_open", "link_close", "footnote_ref"}]
    return state.md.renderer.renderInline(kept, state.md.options, state.env)


def table_alignment(state):
    """Column alignment as the align attribute: the sanitizer allows no style."""
    for token in state.tokens:
        if token.type in {"th_open", "td_open"} and token.attrs.get("style"):
            align = token.attrs.pop("style").removeprefix("text-align:")
            token.attrSet("align", align)


@lru_cache(maxsize=64)
def _lexer(language):
    try:
        return get_lexer_by_name(language, stripnl=False)
    except ClassNotFound:
        return TextLexer(stripnl=False)


def highlight_code(code, language):
    """Pygments' `.highlight` markup; a language it does not know is plain text. The `<pre>`
    scrolls sideways when a line is long, so it takes the keyboard's focus (WCAG 2.1.1)."""
    html = highlight(code, _lexer(language.lower()), CODE_FORMATTER)
    return html.replace("<pre>", '<pre tabindex="0">', 1)


def render_fence(self, tokens, idx, options, env):
    """A fence's code, highlighted; the language its author named (as written) in the
    `data-language` of the `.highlight` div, which the page shows above the code."""
    info = tokens[idx].info.split(maxsplit=1)
    if not info:
        return highlight_code(tokens[idx].content, "text")
    labelled = f'<div class="highlight" data-language="{escapeHtml(info[0])}">'
    return highlight_code(tokens[idx].content, info[0]).replace(HIGHLIGHT_DIV, labelled, 1)


def render_code_block(self, tokens, idx, options, env):
    return highlight_code(tokens[idx].content, "text")


def _footnote_number(token):
    return token.meta["id"] + 1


def _footnote_name(token):
    """`[^bt]` is named bt, as Python-Markdown named it (links to `#fn:bt` keep working); an
    inline footnote `^[...]` has no label: inline-N, N its number, which no `[^N]` can take."""
    label = token.meta.get("label")
    return escapeHtml(label) if label else f"inline-{_footnote_number(token)}"


def _footnote_ref_id(token):
    # The second reference to a footnote is fnref2:name, and so on.
    sub = token.meta.get("subId", 0)
    return f"fnref{sub + 1 if sub > 0 else ''}:{_footnote_name(token)}"


# The markup Python-Markdown's footnotes gave: ids fn:name / fnref:name, the back-link's class.
FOOTNOTE_RULES = {
    "footnote_ref": lambda self, tokens, idx, options, env: (
        f'<sup id="{_footnote_ref_id(tokens[idx])}"><a class="footnote-ref" '
        f'href="#fn:{_footnote_name(tokens[idx])}">{_footnote_number(tokens[idx])}</a></sup>'
    ),
    "footnote_block_open": lambda self, tokens, idx, options, env: (
        '<div class="footnote">\n<hr>\n<ol>\n'
    ),
    "footnote_block_close": lambda self, tokens, idx, options, env: "</ol>\n</div>\n",
    "footnote_open": lambda self, tokens, idx, options, env: (
        f'<li id="fn:{_footnote_name(tokens[idx])}">\n'
    ),
    "footnote_close": lambda self, tokens, idx, options, env: "</li>\n",
    "footnote_anchor": lambda self, tokens, idx, options, env: (
        f'&#160;<a class="footnote-backref" href="#{_footnote_ref_id(tokens[idx])}" '
        f'title="回到正文">&#8617;</a>'
    ),
}
