"""How many minutes a note takes to read, counted from its rendered HTML (stored on save).

Chinese is read by the character and English by the word, at the speeds below; a formula or a
line of code takes its own time, whatever its length: a reader parses it rather than reads it.
"""

import math
import re
from html.parser import HTMLParser

from .dialect import MATH_CLASS
from .rendering import NON_TEXT_CLASSES, VOID_TAGS

CJK_CHARACTERS_PER_MINUTE = 300
ENGLISH_WORDS_PER_MINUTE = 200
SECONDS_PER_INLINE_FORMULA = 3
SECONDS_PER_DISPLAY_FORMULA = 10
SECONDS_PER_CODE_LINE = 2

# Han ideographs (with extension A and compatibility ones), kana and Hangul.
CJK_CHARACTER = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u3040-\u30ff\uac00-\ud7af]")
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


class _ReadingParser(HTMLParser):
    """Splits HTML into prose, formulas (inline or display) and code lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.prose = []
        self.inline_formulas = self.display_formulas = self.code_lines = 0
        self.open_kinds = []  # per open element: "skip", "math", "code" or None
        self.held = []  # the text of the open formula or code block

    def handle_starttag(self, tag, attrs):
        if tag in VOID_TAGS:
            return
        classes = set((dict(attrs).get("class") or "").split())
        if classes & NON_TEXT_CLASSES:
            kind = "skip"
        elif MATH_CLASS in classes:
            kind = "math"
        elif tag == "pre":
            kind = "code"
        else:
            kind = None
        self.open_kinds.append(kind)

    def handle_endtag(self, tag):
        if tag in VOID_TAGS or not self.open_kinds:
            return
        kind = self.open_kinds.pop()
        if kind in {"math", "code"} and kind not in self.open_kinds:
            text, self.held = "".join(self.held), []
            if kind == "code":
                self.code_lines += len([line for line in text.splitlines() if line.strip()])
            elif text.lstrip().startswith("\\["):
                self.display_formulas += 1
            else:
                self.inline_formulas += 1

    def handle_data(self, data):
        if "skip" in self.open_kinds:
            return
        if "math" in self.open_kinds or "code" in self.open_kinds:
            self.held.append(data)
        else:
            self.prose.append(data)


def reading_seconds(html):
    """Seconds a reader takes over `html` (sanitized note HTML, see papers.rendering)."""
    parser = _ReadingParser()
    parser.feed(html)
    parser.close()
    prose = " ".join(parser.prose)
    cjk_characters = len(CJK_CHARACTER.findall(prose))
    english_words = len(WORD.findall(CJK_CHARACTER.sub(" ", prose)))
    return (
        cjk_characters * 60 / CJK_CHARACTERS_PER_MINUTE
        + english_words * 60 / ENGLISH_WORDS_PER_MINUTE
        + parser.inline_formulas * SECONDS_PER_INLINE_FORMULA
        + parser.display_formulas * SECONDS_PER_DISPLAY_FORMULA
        + parser.code_lines * SECONDS_PER_CODE_LINE
    )


def reading_minutes(*htmls):
    """Whole minutes to read all of `htmls`, rounded up; 0 only when there is nothing to read."""
    return math.ceil(sum(reading_seconds(html) for html in htmls) / 60)
