"""Search rankings kept per query, and brought up to date with only the notes a write changed.

Ranking a query reads every note it matches (papers.search), 47 ms for a query 5,000 of
100,000 notes match and 1.7 s for one that nearly all match (PostgreSQL). Kept per content
version as other fragments are, every comment or annotation made it run again. A ranking is
instead stamped with the *search generation*, a counter in the cache that only writes to notes
advance: the one write path (papers.writes) calls `notes_changed(ids)` for a batch, which, once
the transaction commits, increments the counter and records the batch's note ids under the new
value (`search-changes:<n>`). A ranking kept at an older generation is brought forward by
ranking those notes alone (the same query with `pk IN (...)`) and merging them in: the notes a
write changed are all the notes whose place in any ranking can have changed, since a note's
place depends on its own row only (tier, date, id). It is ranked anew when that cannot be
relied on: a record missing (expired, or not yet written by a writer that incremented first),
more than MAX_STEPS generations or MAX_CHANGED notes behind, `everything_changed()` (the index
rebuilt: `rebuild_index()`, which raw SQL and migrations that rewrite search rows call for),
or the counter lost (Redis restarted or recovered from an outage:
`forget()`; a new counter starts at a random value, so no kept ranking is taken for current).

A ranking holds the published notes the query matches with their dates, the ones dated in the
future too: when one's time comes it moves into the list without a query (a scheduled note
goes public without a write).

Order of events: the counter is incremented after the commit, before the content version is
drawn (papers.writes registers it first), so a page rendered under the new version ranks with
the new generation. A ranking is computed after its generation was read, so it holds at least
the writes that generation counts; one that also holds a later write is merged with that write
again, which changes nothing.
"""

import secrets
from array import array
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import fragments

GENERATION = "search-generation"
RANKING_SECONDS = 3600
# Beyond these a ranking is computed anew: a write of thousands of notes (an import) costs as
# much to merge as to rank, and a ranking that many writes behind is rarely asked.
MAX_STEPS = 50
MAX_CHANGED = 2000
EVERYTHING = "everything"


@dataclass
class Ranking:
    """A query's matches: `ids` best first (what result pages read), with each one's tier and
    date to merge changes into; `scheduled`: (date, tier, id) of matches not public yet."""

    generation: int
    ids: list = field(default_factory=list)
    tiers: bytes = b""
    stamps: array = field(default_factory=lambda: array("d"))
    scheduled: list = field(default_factory=list)

    def rows(self):
        """Every match as (tier, date, id), public or scheduled."""
        shown = zip(self.tiers, self.stamps, self.ids, strict=True)
        return [*shown, *((tier, stamp, pk) for stamp, tier, pk in self.scheduled)]

    def is_due(self, now):
        return bool(self.scheduled) and self.scheduled[0][0] <= now


def ranked(generation, rows, now):
    """The Ranking of `rows` (tier, date as a timestamp, id): by tier, newest first, then by
    id, newest first; rows dated after `now` are kept aside until then."""
    shown = sorted((row for row in rows if row[1] <= now), key=lambda r: (r[0], -r[1], -r[2]))
    return Ranking(
        generation,
        ids=[pk for _, _, pk in shown],
        tiers=bytes(tier for tier, _, _ in shown),
        stamps=array("d", (stamp for _, stamp, _ in shown)),
        scheduled=sorted((stamp, tier, pk) for tier, stamp, pk in rows if stamp > now),
    )


def ranking(query, rank):
    """The ids of the published notes `query` matches, best first.

    `rank(note_ids)` returns (tier, date timestamp, id) of the published notes, public or
    scheduled, that the query matches, among `note_ids` (None: all of them). Kept only when
    the query matches some, so that random queries add no keys.
    """
    key = f"search:{fragments.digest(query)}"
    found = cache.get_many([GENERATION, key])
    generation = found.get(GENERATION) or _start()
    kept, now = found.get(key), timezone.now().timestamp()
    fresh = kept
    if kept is None or kept.generation != generation:
        changed = _changed_since(kept.generation, generation) if kept else None
        if changed is None:
            fresh = ranked(generation, rank(None), now)
        else:
            unchanged = [row for row in kept.rows() if row[2] not in changed]
            fresh = ranked(generation, unchanged + list(rank(changed)), now)
    elif kept.is_due(now):
        fresh = ranked(generation, kept.rows(), now)
    if fresh is not kept and (fresh.ids or fresh.scheduled):
        cache.set(key, fresh, RANKING_SECONDS)
    return fresh.ids


def _changed_since(old, new):
    """The ids of the notes the writes after generation `old` up to `new` changed, or None
    when that is not known or too much to merge."""
    if not 0 < new - old <= MAX_STEPS:
        return None
    keys = [f"search-changes:{n}" for n in range(old + 1, new + 1)]
    records = cache.get_many(keys)
    if len(records) < len(keys) or EVERYTHING in records.values():
        return None
    changed = frozenset().union(*records.values())
    return changed if len(changed) <= MAX_CHANGED else None


def _start():
    """A new counter at a random value (no ranking kept under a lost one is current)."""
    cache.add(GENERATION, secrets.randbelow(2**62), timeout=None)
    return cache.get(GENERATION)


def advance(record):
    """Count a write: `record` is the ids of the notes it changed, or EVERYTHING."""
    try:
        generation = cache.incr(GENERATION)
    except ValueError:  # no counter: every kept ranking is stale anyway
        _start()
        return
    cache.set(f"search-changes:{generation}", record, RANKING_SECONDS)


def changed(record):
    """`advance(record)` once the current transaction commits (at once outside of one)."""
    transaction.on_commit(lambda: advance(record))


def notes_changed(note_ids):
    """Every ranking is to be brought forward with these notes (written, deleted, published,
    relabelled), once the current transaction commits."""
    note_ids = frozenset(note_ids)
    if note_ids:
        changed(note_ids if len(note_ids) <= MAX_CHANGED else EVERYTHING)


def everything_changed():
    """Every ranking is to be computed anew (the index rebuilt)."""
    changed(EVERYTHING)


def forget():
    """Drop the counter (Redis recovered: writes made meanwhile never reached it)."""
    cache.delete(GENERATION)
