"""Parts of pages kept in the cache per content version (papers.caching.versions): every key.

Each is work that grows with the notes or with a note's discussion, redone by every request
otherwise; each key holds the current token, so a write readers can see makes them all stale.
"""

import hashlib
from datetime import datetime
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from . import memory, versions

CARD_SECONDS = FRAGMENT_SECONDS = 3600


def digest(text):
    """A key's part for free text (a listing's address, a query): fixed length, any characters."""
    return hashlib.sha256(text.encode()).hexdigest()


def listing_count(listing, count):
    """How many notes a listing has (`listing`: its path and query); `count()` counts them."""
    return versions.cached(f"count:{digest(listing)}", count)


class ListedNote(NamedTuple):
    """A note of a kept listing page (listing_page) as its card's key and the page read it;
    a card not kept loads its note by `pk`."""

    pk: int
    view_count: int
    comment_count: int
    excerpt_has_math: bool

    @classmethod
    def of(cls, note):
        return cls(note.pk, note.view_count, note.comment_count, note.excerpt_has_math)


class ListedTitle(NamedTuple):
    """A note of a kept title list (the archive pages) as the list shows it: its address is
    kept too, reversing a hundred of them took a third of an uncached month page."""

    title: str
    url: str
    published_at: datetime

    @classmethod
    def of(cls, note):
        return cls(note.title, note.get_absolute_url(), note.published_at)

    def get_absolute_url(self):
        return self.url


# In the keys of kept pages: a deploy that changes what a row holds does not read the rows
# the code before it kept (unpickling them would fail).
ROW_FIELDS = digest(repr((ListedNote._fields, ListedTitle._fields)))[:8]


def listing_page(listing, number, find):
    """(count, rows) of page `number` of a listing, its rows what the page shows of its notes
    (ListedNote, ListedTitle). Cards show view counters, which change without a new version
    (papers.viewcounts writes them at most every VIEW_COUNT_FLUSH_SECONDS): kept that long at
    most, so a listing's counters are at most one flush behind the database's."""
    return versions.cached(
        f"page:{ROW_FIELDS}:{digest(listing)}:{number}", find, settings.VIEW_COUNT_FLUSH_SECONDS
    )


def search_results(query, number, render):
    """The result cards of page `number` of a search (their HTML, and whether a snippet has
    math). Cards show view counters: kept as long as a listing page's rows at most."""
    return versions.cached(
        f"search-results:{digest(query)}:{number}", render, settings.VIEW_COUNT_FLUSH_SECONDS
    )


def public_annotation_hits(query, render):
    """The search page's annotations section as readers who are not signed in see it."""
    return versions.cached(f"annotation-hits:{digest(query)}", render)


def listing_boundaries(listing, find):
    """Where a listing's blocks of pages start (papers.paging); `find()` finds them."""
    return versions.cached(f"boundaries:{digest(listing)}", find)


def topic_tree(load):
    """Every topic with who is inside whom (topics.models.TopicTree), as topic pages read it."""
    return versions.cached("topic-tree", load)


def topics(find):
    """The topics with their counts of published notes, as /topics/ lists them."""
    return versions.cached("topics", find)


def days(find):
    """(day, count) of every day that has published notes (papers.archive)."""
    return versions.cached("days", find)


def comment_thread(note_id, render):
    """The HTML of a note's comments as every anonymous reader sees them."""
    return versions.cached(f"comments:{note_id}", render)


def public_annotations(note_id, render):
    """The HTML of a note's public annotations as listed without JavaScript (annotations)."""
    return versions.cached(f"annotations:{note_id}", render)


def note_cards(notes, render):
    """The HTML of each note's listing card, read in one call; `render(missing)` renders the
    notes (or ListedNote) whose cards are not kept, as {pk: HTML}, leaving out notes gone.

    A card's key holds the content version and the note's view and comment counters, which
    change without a new version, so a kept card is always what rendering would give.
    """
    token = versions.current()
    keys = {f"card:{token}:{n.pk}:{n.view_count}:{n.comment_count}": n for n in notes}
    kept = memory.cards_in_memory()
    cards = kept.get_many(keys) if kept else {}
    if len(cards) < len(keys):
        from_cache = cache.get_many([key for key in keys if key not in cards])
        cards |= from_cache
        if kept:
            kept.put_many(from_cache)
    missing = {key: note for key, note in keys.items() if key not in cards}
    if missing:
        rendered = render(list(missing.values()))
        fresh = {key: rendered[note.pk] for key, note in missing.items() if note.pk in rendered}
        cache.set_many(fresh, CARD_SECONDS)
        cards |= fresh
        if kept:
            kept.put_many(fresh)
    return [cards[key] for key in keys if key in cards]
