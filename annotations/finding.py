"""Annotations in the site search: the public ones, and the searching reader's own private ones.

papers.search indexes notes only (its docstring says why annotations are not folded into note
rows); the search page loads `{% annotation_hits query %}` (templatetags/annotating.py), which
calls `search_annotations`. What a reader may find is `Annotation.objects.visible_to(user)`,
the one privacy rule: another reader's private annotation, or one staff hid, is never found.
The match is a case-insensitive substring of the quote or the text, on published notes, over
the annotation rows themselves, newest first. Migration 0006 indexes it: on PostgreSQL a query
of three or more characters reads GIN trigram indexes on the two columns as `icontains`
compares them; a shorter one (no trigram) reads the newest rows through an index on the date
until ten match, which is quick when many match and a scan of every row when almost none do
(at 10,062 annotations: 0.5 ms for 的, 6,324 matches; 7.9 ms for RL, none). SQLite has the
date index only: a query few annotations match scans them all there.
"""

import re

from django.db.models import Q

from papers import math_text
from papers.dialect import MATH_CLASS
from papers.models import Note
from papers.search import highlight, snippet

from .models import Annotation

LIMIT = 10
# A formula found in a quote must not start or end inside a word: the x of "max" is no formula.
WORD_CHARACTER = re.compile(r"[A-Za-z0-9]")


def search_annotations(user, query, limit=LIMIT):
    """Up to `limit` annotations `user` may see whose quote or text contains `query`, newest
    first, with their notes and authors: one query."""
    return list(
        Annotation.objects.visible_to(user)
        .filter(matching(query), note__in=Note.objects.published())
        .select_related("note", "user__profile")
        .order_by("-created_at", "-id")[:limit]
    )


def matching(query):
    """Annotations whose quote or text holds `query` in any case (PostgreSQL's indexes for it,
    migration 0006, are on these very expressions)."""
    return Q(quote__icontains=query) | Q(body__icontains=query)


def hits(annotations, query):
    """What the search page shows of each annotation: its quote and text around the match,
    their formulas whole and marked for KaTeX (papers.math_text), and whether there are any.
    The formulas of a note several hits quote are read from its HTML once (14.6 ms for a 63 KB
    body: ten hits on one note took ten such reads)."""
    formulas_by_note = {}
    for annotation in annotations:
        if annotation.note_id not in formulas_by_note:
            html = annotation.note.body_html
            formulas_by_note[annotation.note_id] = math_text.formula_positions(html)
    return [hit(each, query, formulas_by_note[each.note_id]) for each in annotations]


def hit(annotation, query, note_formulas):
    quote = snippet(annotation.quote, query, formulas=quote_formulas(annotation, note_formulas))
    body = ""
    if annotation.body_html:
        parts = math_text.pieces(annotation.body_html)
        text, spans = math_text.text_of(parts), math_text.formula_spans(parts)
        body = snippet(text, query, formulas=spans)
    return {
        "annotation": annotation,
        "quote": quote,
        "body": body,
        "note_title": highlight(annotation.note.title, query),
        "has_math": MATH_CLASS in quote or MATH_CLASS in body,
    }


def quote_formulas(annotation, note_formulas):
    """[start, end, display] of the passage's formulas in the quote, as the note page marks
    them (markMath in static/js/annotations.js): a quote holds TeX where the body has math,
    each TeX is found as many times as the passage has it, longest first, never inside a word.
    An orphan's passage is nowhere in the body, so its quote keeps the TeX. `note_formulas`:
    math_text.formula_positions of the note's body."""
    if annotation.state != annotation.State.ANCHORED:
        return []
    # Stripped: a passage that ends at display math may leave out the new line that ends its TeX.
    sources = [
        tex.strip()
        for start, end, tex in note_formulas
        if start < annotation.end and end > annotation.start
    ]
    left = {tex: sources.count(tex) for tex in sorted(set(sources), key=len, reverse=True)}
    text, spans, position = annotation.quote, [], 0
    while True:
        found = [
            (index, -len(tex), tex)
            for tex, count in left.items()
            if count and (index := _tex_index(text, tex, position)) >= 0
        ]
        if not found:
            return spans
        index, _, tex = min(found)
        left[tex] -= 1
        spans.append([index, index + len(tex), False])  # a quote's math is inline
        position = index + len(tex)


def _tex_index(text, tex, position):
    """Where `tex` first occurs in `text` from `position` without joining a word, or -1."""
    index = text.find(tex, position)
    while index >= 0:
        before, after = text[index - 1 : index], text[index + len(tex) : index + len(tex) + 1]
        joins_before = WORD_CHARACTER.match(tex[0]) and WORD_CHARACTER.match(before)
        joins_after = WORD_CHARACTER.match(tex[-1]) and WORD_CHARACTER.match(after)
        if not joins_before and not joins_after:
            return index
        index = text.find(tex, index + 1)
    return -1
