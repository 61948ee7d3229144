"""Search over published notes: one module, the same results on SQLite and PostgreSQL.

What is searched: each note has one `SearchDocument` row (drafts and future notes too, so a note
is findable the moment it becomes public). Its text columns are the ranking tiers, as readers see
them (for ranking and snippets):

    heading  note title, paper title, authors, "arXiv:<id>"   rank 0
    labels   topic name and tags                               rank 1
    summary  plain text of the personal summary                rank 2
    body     plain text of the body                            rank 3

and `document` is the four tiers joined by new lines and case-folded (`str.casefold`), the one
column matching reads. Summary and body are the plain text of the stored, sanitized HTML, each
formula as its TeX (`papers.math_text`); every part has its whitespace collapsed. `formulas`
says where the formulas are in them, so snippets keep them whole and typeset. A normalized
query has no new line, so no match spans two parts. Hits are ordered by tier, then newest
first. The scope is always `Note.objects.published()`: the index never decides visibility.

A hit is a substring of `document` equal to the case-folded query: `对比学习` inside a sentence
matches without any word segmentation, `simclr` finds `SimCLR`, an arXiv id (or its abs / PDF
URL, any version) finds its paper's notes.

Why a stored, denormalized row (rather than joins and LIKE over the notes at query time): a
substring search has to look at the text, and only text in one column of one table can be
indexed; folding case in Python once, at write time, makes matching a plain case-sensitive
substring test on both backends, with the same result, and keeps the per-hit check cheap
(PostgreSQL's UPPER() or ILIKE over long text cost more than the index lookup). Rows are written
in one place, `index_notes`.

Queries of one or two characters (`蒸馏`, `量化`, `RL`, `学`) are common in Chinese and have no
trigram to look up. For them each row also stores `grams`: the distinct one- and two-character
substrings of `document`, sorted, each on its own line between new lines (`"\\n习\\n学\\n学习\\n"`).
Substrings with whitespace or control characters are left out: a normalized query has none (it
is stripped, so a two-character query has no space inside). So a folded query of one or two
characters is in `document` exactly when it is a line of `grams`: the same hits as a scan, by
construction. `_document` derives `grams` from `document` when it builds the row, so the two
cannot disagree. A column, not a side table of (note, gram) rows: a note has hundreds to
thousands of grams, so such a table would hold millions of rows and every re-index would delete
and insert them in extra queries; the column is written by the same upsert as `document`.

The indexes differ by backend (migrations 0002 and 0003 create them, this module hides them):

- PostgreSQL: `pg_trgm` (0002 enables it) and a GIN `gin_trgm_ops` index on `document`;
  `document LIKE '%query%'` uses it for queries of three or more characters. Shorter queries use
  a GIN index over `string_to_array(grams, E'\\n')`: `... @> ARRAY[query]` looks up one key and
  needs no recheck. That index collects no statistics, so the planner assumes few rows match and
  always uses it: with statistics it rightly expects a few percent of the rows to match, and then
  prefers splitting every row's grams in a (parallel) sequential scan, which it believes cheap
  and which is an order of magnitude slower. Its pending list (rows written but not yet merged
  into the index, which every search reads through) is kept to 256 kB instead of 4 MB: a note
  adds hundreds of keys, and a full default list made each short search some 30 ms slower.
- SQLite: FTS5 tables with `tokenize='trigram case_sensitive 1'` (SQLite >= 3.34), with the row
  table as external content, kept in step by triggers. A query of three or more characters is
  one FTS5 phrase (quoted, embedded quotes doubled) in the table over `document`, which the
  trigram tokenizer matches as a substring. A shorter query `q` is the first three characters of
  `"\\nq\\n"` in the table over `grams`: as every line has at most two characters, these occur
  only at the start of the line `q`. That is one trigram, so this table keeps no positions
  (`detail=none`), a sixth of the size with them. Adding a column to the row table makes Django
  copy the table, which drops the triggers: see migration 0003.

Ranking compares the query with the tiers through the ORM's `icontains`, on the few rows that
matched. On SQLite `LIKE` folds ASCII only, so a match whose case differs in a non-ASCII letter
(`Ö` vs `ö`) ranks as a body hit there; Chinese has no case.

`LIKE` wildcards (`%`, `_`, `\\`) in a query are escaped; NUL and other control characters, empty
and over-long queries raise `InvalidQuery`, whose text readers see.

Keeping rows in step: the one write path (papers.writes) calls `index_notes` for the notes whose
searchable fields or tags changed, and for every note of a topic, paper or tag renamed or
deleted; deleting a note deletes its row (and the triggers its FTS entries). Indexing runs in the
writer's transaction: the index is part of the data, not an after-commit side effect.
`rebuild_index()` rewrites every row, as a repair or after raw SQL.

Reader annotations are searched beside notes, never folded into these rows: the search page's
template asks annotations.finding (`{% annotation_hits %}`), which applies their own visibility
rule (`.visible_to(user)`).
"""

import operator
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Case, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils.html import escape, format_html
from django.utils.safestring import SafeString, mark_safe

from . import arxiv, math_text
from .caching import rankings, versions
from .dialect import MATH_CLASS
from .models import Note, SearchDocument
from .rendering import collapse_whitespace

MAX_QUERY_LENGTH = 100
SNIPPET_LENGTH = 160
TABLE = "papers_searchdocument"
FTS_TABLE = "papers_searchdocument_fts"  # over `document`
GRAMS_FTS_TABLE = "papers_searchdocument_grams_fts"  # over `grams`
# Ranking tiers, best first: SearchDocument columns.
TIERS = ("heading", "labels", "summary", "body")
# Fewer characters than this make no trigram: such queries are looked up in `grams`.
TRIGRAM = 3
# Characters no normalized query contains, so no gram has them: whitespace and controls (Cc).
NOT_IN_GRAMS = re.compile(r"[\s\x00-\x1f\x7f-\x9f]+")
# `grams` as PostgreSQL's GIN index sees it (migration 0003 indexes this very expression).
GRAMS_ARRAY = "string_to_array(grams, E'\\n')"
# What a note's document is made of: a change to any of these (papers.writes) re-indexes it.
INDEXED_NOTE_FIELDS = frozenset(
    {"title", "summary", "body", "summary_html", "body_html", "topic", "paper", "tags"}
)
# What a note's place in rankings depends on besides its row: a change re-ranks it (rankings).
RANKED_NOTE_FIELDS = INDEXED_NOTE_FIELDS | {"status", "published_at"}


class InvalidQuery(ValueError):
    """A query search refuses to run; `str()` of it is the message readers see."""


def normalize_query(raw):
    """The query to search for: whitespace collapsed, an arXiv id or URL reduced to its bare id.

    Raises InvalidQuery for a missing, blank or over-long query, or one with control characters.
    """
    text = collapse_whitespace(raw or "")
    if not text:
        raise InvalidQuery("请输入要搜索的词。")
    if any(unicodedata.category(char) == "Cc" for char in text):
        raise InvalidQuery("搜索词里有无法搜索的控制字符(如 NUL),请删掉后再试。")
    if len(text) > MAX_QUERY_LENGTH:
        raise InvalidQuery(f"搜索词太长了:最多 {MAX_QUERY_LENGTH} 个字符,现在有 {len(text)} 个。")
    try:
        return arxiv.base_id(text)  # any version of the paper
    except ValidationError:  # not an id: searched as typed
        return text


def displayable(raw):
    """A refused query as the search box shows it again: no control characters, cut short."""
    text = collapse_whitespace(raw)
    return "".join(char for char in text if unicodedata.category(char) != "Cc")[:MAX_QUERY_LENGTH]


def fold(text):
    """What matching compares: `text` case-folded (the same for documents and queries)."""
    return text.casefold()


def search_notes(query):
    """Published notes matching the normalized `query`, best first, as a lazy sequence.

    Paginate it like a queryset: finding and ranking every match is one query (the substring
    test runs once, not again for a count), and each page's notes, with their search rows for
    snippets, are one more. The ranking reads every match, so it grows with the notes; it is
    kept per query and brought up to date with the notes each write changed
    (papers.caching.rankings).
    """
    return RankedNotes(query)


def rank(query, note_ids=None):
    """(tier, published_at as a timestamp, id) of the published notes `query` matches, those
    dated in the future too; only among `note_ids` unless it is None."""
    matches = Note.objects.filter(
        status=Note.Status.PUBLISHED, pk__in=_matching_note_ids(fold(query))
    )
    if note_ids is not None:
        matches = matches.filter(pk__in=note_ids)
    rows = matches.annotate(search_rank=_rank(query)).values_list(
        "search_rank", "published_at", "pk"
    )
    return [(tier, published_at.timestamp(), pk) for tier, published_at, pk in rows]


class RankedNotes(Sequence):
    """The notes a query finds, best first; slicing fetches only the slice's notes."""

    def __init__(self, query):
        self.query = query

    @cached_property
    def ids(self):
        return rankings.ranking(self.query, lambda note_ids: rank(self.query, note_ids))

    def __len__(self):
        return len(self.ids)

    def __iter__(self):
        return iter(self[:])  # one query for all, not one per item

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0] if index >= 0 else self[len(self) + index]
        return NotesInOrder(self.ids[index])


class NotesInOrder(Sequence):
    """The notes of `ids` in that order, loaded in one query when first read: a page of
    results whose cards are kept (papers.caching.fragments) never loads them."""

    def __init__(self, ids):
        self.ids = ids

    def __len__(self):
        return len(self.ids)

    def __getitem__(self, index):
        return self.notes[index]

    @cached_property
    def notes(self):
        if not self.ids:
            return []
        # Snippets read the tiers; `document` and `grams` (the long matching columns, stored
        # out of line) are left in the table: loading them doubled this query's time.
        rows = Note.objects.cards().select_related("search_document")
        notes = rows.defer("search_document__document", "search_document__grams")
        found = notes.in_bulk(self.ids)
        return [found[pk] for pk in self.ids if pk in found]  # one deleted since: left out


def _matching_note_ids(folded):
    """A subquery: ids of the notes whose document contains the case-folded query."""
    vendor = connection.vendor
    short = len(folded) < TRIGRAM and not NOT_IN_GRAMS.search(folded)
    if vendor == "sqlite":
        if len(folded) >= TRIGRAM:
            return _fts_match(FTS_TABLE, folded)
        if short:
            return _fts_match(GRAMS_FTS_TABLE, f"\n{folded}\n"[:TRIGRAM])
        return RawSQL(f"SELECT note_id FROM {TABLE} WHERE instr(document, %s) > 0", [folded])
    if vendor == "postgresql":
        if short:
            lookup = f"SELECT note_id FROM {TABLE} WHERE {GRAMS_ARRAY} @> ARRAY[%s::text]"
            return RawSQL(lookup, [folded])
        like = f"SELECT note_id FROM {TABLE} WHERE document LIKE %s ESCAPE '\\'"
        return RawSQL(like, [like_pattern(folded)])
    return SearchDocument.objects.filter(document__contains=folded).values("note_id")


def _fts_match(table, text):
    return RawSQL(f"SELECT rowid FROM {table} WHERE {table} MATCH %s", [fts_phrase(text)])


def like_pattern(query):
    """`%query%` for LIKE ... ESCAPE '\\', the query's own `%`, `_` and `\\` taken literally."""
    escaped = query.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def fts_phrase(query):
    """`query` as one FTS5 string: FTS5 operators and column filters inside it are plain text."""
    return '"' + query.replace('"', '""') + '"'


def _rank(query):
    tiers = [
        When(Q(**{f"search_document__{column}__icontains": query}), then=Value(rank))
        for rank, column in enumerate(TIERS[:-1])
    ]
    return Case(*tiers, default=Value(len(TIERS) - 1))


# --- results ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    note: Note
    title: SafeString  # the title with the matches marked
    snippet: SafeString  # text around the first match, matches marked


def hits(notes, query):
    """A page of `search_notes` results as hits for the template."""
    return [Hit(note, highlight(note.title, query), note_snippet(note, query)) for note in notes]


def snippets_have_math(hits):
    """Whether a hit's snippet shows a formula (the page loads KaTeX only then)."""
    return any(MATH_CLASS in hit.snippet for hit in hits)


def note_snippet(note, query):
    """Text around the match: in the summary, else the body, else the paper or the labels.

    A note found by its title alone shows its excerpt.
    """
    document = note.search_document
    formulas = document.formulas or {}
    paper_and_labels = [document.heading.split("\n")[1:], document.labels.split("\n")]
    sources = [
        (document.summary, formulas.get("summary", ())),
        (document.body, formulas.get("body", ())),
        *((" · ".join(p), ()) for p in paper_and_labels),
    ]
    pattern = _pattern(query)
    for text, spans in sources:
        if pattern.search(text):
            return snippet(text, query, formulas=spans)
    return mark_safe(note.excerpt_html)  # escaped and built by papers.math_text


def snippet(text, query, length=SNIPPET_LENGTH, formulas=()):
    """About `length` characters of `text` around the first match of `query`, as safe HTML.

    Every match in the window is wrapped in `<mark>`; all text is escaped. Without a match,
    the start of `text`. A cut end gets "…". `formulas` are the [start, end, display] of the
    formulas in `text` (SearchDocument.formulas): the window never cuts one, taking in a
    formula with the match in it and leaving out any other, and each is typeset (marked whole
    when a match touches it).
    """
    pattern = _pattern(query)
    match = pattern.search(text)
    start = 0
    if match and match.end() > length:
        start = max(0, match.start() - (length - len(match.group())) // 3)
        start = _after_space(text, start, limit=match.start())
    end = min(len(text), start + length)
    if match and end < match.end():
        end = match.end()
    start, end = _around_formulas(start, end, formulas, match)
    html = _marked_with_formulas(text, start, end, pattern, formulas)
    return mark_safe(("…" if start else "") + html + ("…" if end < len(text) else ""))


def _around_formulas(start, end, formulas, match):
    """The window [start, end) moved so that no formula is cut: a formula holding the match is
    taken in whole, another one left out."""
    for formula_start, formula_end, _ in formulas:
        holds_match = match and match.start() < formula_end and match.end() > formula_start
        if formula_start < start < formula_end:
            start = formula_start if holds_match else formula_end
        if formula_start < end < formula_end:
            end = formula_end if holds_match else formula_start
    return start, max(start, end)


def _marked_with_formulas(text, start, end, pattern, formulas):
    matches = [(m.start(), m.end()) for m in pattern.finditer(text, start, end)]
    parts, position = [], start
    for formula_start, formula_end, display in formulas:
        if formula_start < start or formula_end > end:
            continue
        parts.append(_marked(text[position:formula_start], pattern))
        formula = math_text.Formula(text[formula_start:formula_end], display)
        html = math_text.formula_html(formula)
        if any(s < formula_end and e > formula_start for s, e in matches):
            html = f"<mark>{html}</mark>"
        parts.append(html)
        position = formula_end
    parts.append(_marked(text[position:end], pattern))
    return "".join(parts)  # every part is escaped by _marked or math_text


def highlight(text, query):
    """`text` escaped, with every case-insensitive occurrence of `query` in `<mark>`."""
    return _marked(text, _pattern(query))


def _pattern(query):
    return re.compile(re.escape(query), flags=re.IGNORECASE)


def _after_space(text, start, limit, reach=12):
    """Move a cut forward to just after a space when one is near, so no word is split."""
    space = text.find(" ", start, min(start + reach, limit))
    return space + 1 if space >= 0 else start


def _marked(text, pattern):
    parts, last = [], 0
    for match in pattern.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(format_html("<mark>{}</mark>", match.group()))
        last = match.end()
    parts.append(escape(text[last:]))
    return mark_safe("".join(parts))  # every part is escaped above


# --- the index -------------------------------------------------------------------------------


def document_fields(*, title, topic, tags, paper, summary_html, body_html):
    """The SearchDocument columns for one note, from plain values (migrations use it too).

    `paper` is None or a (title, authors, arxiv_id) tuple; `topic` a name or None.
    """
    heading = [title]
    if paper:
        paper_title, authors, arxiv_id = paper
        heading += [paper_title, ", ".join(arxiv.split_authors(authors)), f"arXiv:{arxiv_id}"]
    labels = ([topic] if topic else []) + sorted(tags)
    fields = {
        "heading": "\n".join(collapse_whitespace(part) for part in heading if part),
        "labels": "\n".join(collapse_whitespace(part) for part in labels if part),
        "summary": math_text.text_of(math_text.pieces(summary_html)),
        "body": math_text.text_of(math_text.pieces(body_html)),
    }
    fields["document"] = fold("\n".join(fields[tier] for tier in TIERS))
    return fields


def short_grams(document):
    """`grams` for `document`: its distinct 1- and 2-character substrings, one a line.

    Substrings with whitespace or control characters are left out; the lines are sorted, and
    the text starts and ends with a new line, so every gram is between two.
    """
    grams = set()
    for run in NOT_IN_GRAMS.split(document):
        grams.update(run)
        grams.update(map(operator.add, run, run[1:]))
    return "\n" + "\n".join(sorted(grams)) + "\n" if grams else ""


def _document(note):
    """The note's row: `document_fields` of what is stored now, and the grams of its document."""
    paper = note.paper
    fields = document_fields(
        title=note.title,
        topic=note.topic.name if note.topic else None,
        tags=[tag.name for tag in note.tags.all()],
        paper=(paper.title, paper.authors, paper.arxiv_id) if paper else None,
        summary_html=note.summary_html,
        body_html=note.body_html,
    )
    return SearchDocument(
        note_id=note.pk,
        grams=short_grams(fields["document"]),
        formulas=formulas(summary_html=note.summary_html, body_html=note.body_html),
        **fields,
    )


def formulas(*, summary_html, body_html):
    """SearchDocument.formulas: where the formulas are in the summary and body columns."""
    spans = {
        tier: math_text.formula_spans(math_text.pieces(html))
        for tier, html in (("summary", summary_html), ("body", body_html))
    }
    return {tier: tier_spans for tier, tier_spans in spans.items() if tier_spans}


def _notes_to_index():
    return Note.objects.select_related("topic", "paper").prefetch_related("tags").order_by("pk")


def _write(documents):
    SearchDocument.objects.bulk_create(
        documents,
        update_conflicts=True,
        unique_fields=["note"],
        update_fields=[*TIERS, "document", "grams", "formulas"],
    )


def index_notes(note_ids):
    """Write the search rows of the notes with these ids from what is stored now (3 queries).

    Called by papers.writes, the one write path; see the module docstring.
    """
    note_ids = list(note_ids)
    if note_ids:
        _write([_document(note) for note in _notes_to_index().filter(pk__in=note_ids)])


def rebuild_index(batch_size=500):
    """Rewrite every note's search row; on SQLite also rebuild the FTS5 tables from the rows.

    For notes written around the write path (raw SQL, generated benchmark data), and as a
    repair.
    """
    with transaction.atomic():
        batch = []
        for note in _notes_to_index().iterator(chunk_size=batch_size):
            batch.append(_document(note))
            if len(batch) == batch_size:
                _write(batch)
                batch = []
        _write(batch)
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                for table in (FTS_TABLE, GRAMS_FTS_TABLE):
                    cursor.execute(f"INSERT INTO {table}({table}) VALUES ('rebuild')")
        rankings.everything_changed()  # before the version: pages drawn after it rank anew
        versions.changed()  # search results are pages too
