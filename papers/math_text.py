"""Text with its formulas kept whole: excerpts and search snippets that show math as math.

A note's plain text (papers.rendering.plain_text) holds each formula as bare TeX, so cutting it
at a length can split a formula, and what is left cannot be typeset. Here the same text is a
list of pieces, each a string of text or a `Formula`, read from the rendered HTML: the Markdown
renderer has already decided what is math, whatever the delimiters (`$..$`, `\\(..\\)`,
`$$..$$`, `\\[..\\]`, amsmath environments), and a `$` it left as text (money) stays text.

An excerpt's length counts a formula by what a reader sees (`reading_length`: its TeX without
commands, braces, scripts and spaces), not by its TeX, so a card with much math shows nearly as
much prose as one without. Cuts fall between pieces or inside text, never inside a formula.
HTML is made from pieces only by escaping text and writing each formula as the element
static/js/math.js typesets (the markup of note bodies), so nothing in a
note's text can become markup.
"""

import re
from dataclasses import dataclass

from django.utils.html import escape

from .dialect import MATH_CLASS
from .rendering import (
    EXCERPT_LENGTH,
    PlainTextParser,
    lead_of,
    render_markdown,
    strip_math_delimiters,
)

ELLIPSIS = "..."
# TeX a reader does not see as symbols: commands (\frac, \left, \mathrm), escapes, grouping,
# scripts, alignment and spaces.
TEX_MARKUP = re.compile(r"\\[A-Za-z]+|\\.|[{}^_&\s]")


@dataclass(frozen=True)
class Formula:
    tex: str
    display: bool

    def __str__(self):
        return self.tex


class _PiecesParser(PlainTextParser):
    def math_part(self, source):
        return Formula(strip_math_delimiters(source), display=source.startswith("\\["))


def _plain_pieces(html):
    """The pieces of `html` as parsed: joined, they are its plain text (rendering.plain_text)."""
    parser = _PiecesParser()
    parser.feed(html)
    parser.close()
    return parser.parts


def pieces(html):
    """The text a reader sees in `html` as text strings and Formulas, whitespace collapsed."""
    return collapsed(
        Formula(" ".join(part.tex.split()), part.display) if isinstance(part, Formula) else part
        for part in _plain_pieces(html)
    )


def formula_positions(html):
    """(start, end, TeX) of each formula of `html` in its plain text (where annotations
    anchor), in order, the TeX as the plain text has it."""
    found, position = [], 0
    for part in _plain_pieces(html):
        size = len(str(part))
        if isinstance(part, Formula) and part.tex.strip():
            found.append((position, position + size, part.tex))
        position += size
    return found


def collapsed(parts):
    """`parts` with adjacent strings joined, every run of whitespace one space and none at
    either end; formulas are kept as they are."""
    merged = []
    for part in parts:
        if isinstance(part, str) and merged and isinstance(merged[-1], str):
            merged[-1] += part
        else:
            merged.append(part)
    result = []
    for index, part in enumerate(merged):
        if isinstance(part, str):
            lead = " " if part[:1].isspace() and index > 0 else ""
            tail = " " if part[-1:].isspace() and index < len(merged) - 1 else ""
            words = " ".join(part.split())
            part = lead + words + tail if words else (" " if lead and tail else "")
            if not part:
                continue
        result.append(part)
    return result


def text_of(parts):
    """The plain text of `parts`: formulas as their TeX."""
    return "".join(map(str, parts))


def formula_spans(parts):
    """[start, end, display] of each formula in `text_of(parts)`."""
    spans, position = [], 0
    for part in parts:
        end = position + len(str(part))
        if isinstance(part, Formula):
            spans.append([position, end, part.display])
        position = end
    return spans


def reading_length(part):
    """What `part` counts in an excerpt's length: text its characters, a formula the symbols
    a reader sees (`$\\mathrm{softmax}(QK^\\top)$` counts 11, not 25), at least one."""
    if isinstance(part, Formula):
        return max(1, len(TEX_MARKUP.sub("", part.tex)))
    return len(part)


def cut(parts, length):
    """(the first `length` characters of `parts`, formulas counted by `reading_length`,
    whether anything was left out); a formula that does not fit whole is left out with
    everything after it."""
    kept, room = [], length
    for part in parts:
        size = reading_length(part)
        if size <= room:
            kept.append(part)
            room -= size
        else:
            if isinstance(part, str) and room:
                kept.append(part[:room])
            return kept, True
    return kept, False


def formula_html(formula):
    opening, closing = ("\\[", "\\]") if formula.display else ("\\(", "\\)")
    return f'<span class="{MATH_CLASS}">{escape(opening + formula.tex + closing)}</span>'


def to_html(parts):
    """Escaped text, each formula as the element static/js/math.js typesets."""
    return "".join(
        formula_html(part) if isinstance(part, Formula) else escape(part) for part in parts
    )


def excerpts(summary_html, body_source, body_html, length=EXCERPT_LENGTH):
    """A card's excerpt as (plain text, HTML), the same words in both: the summary and the lead
    before `<!-- more -->` whole and "...", or else summary and body cut at `length`
    characters, formulas counted as a reader sees them and never split, with "..." when
    longer. The plain text (the page's description) holds each formula as its TeX."""
    lead = lead_of(body_source)
    rest = render_markdown(lead).html if lead is not None else body_html
    parts = collapsed([*pieces(summary_html), " ", *pieces(rest)])
    shortened = lead is not None
    if lead is None:
        parts, shortened = cut(parts, length)
    ending = ELLIPSIS if shortened else ""
    return text_of(parts) + ending, to_html(parts) + ending
