"""Views of notes, counted without a database write per view.

With Redis as the cache (`REDIS_URL`), a view is one `HINCRBY` into a hash of {note id: views},
through the cache's own client and breaker (papers.caching.backend). At most once per
`VIEW_COUNT_FLUSH_SECONDS`, across all app servers, the view that finds the interval over
flushes the hash into `Note.view_count` (one UPDATE per distinct count, in one transaction);
`manage.py flush_view_counts` does the same from cron or before a deploy. A flush renames the
hash before reading it, so views counted meanwhile wait in a new hash for the next flush, and
deletes it only after the UPDATEs commit: a flush that fails (the database is down) leaves it
to the next one. No view is lost; a process killed between the commit and the delete would
count that batch twice. Redis keeps nothing on disk: if it restarts, the views counted since
the last flush (at most `VIEW_COUNT_FLUSH_SECONDS` of them) are gone.

Without Redis (one development server, its cache in local memory), a view is an `F()` update.
"""

import logging
from collections import defaultdict

import redis
from django.conf import settings
from django.core.cache import caches
from django.db import DatabaseError, transaction
from django.db.models import F

from .caching.backend import ResilientRedisCache
from .models import Note

logger = logging.getLogger(__name__)
LOCK_SECONDS = 300
BATCH = 1000


def _redis_cache():
    """The site's cache when it is Redis (views wait there), else None."""
    backend = caches["default"]
    return backend if isinstance(backend, ResilientRedisCache) else None


def _keys(backend):
    """The hash of views, its copy being flushed, the flush lock and the interval's marker."""
    base = backend.make_key("note-views")
    return base, f"{base}:flushing", f"{base}:lock", f"{base}:due"


def record_view(note_id):
    """Count a view; a failing Redis or database costs this view, never the page.

    While Redis is down (papers.caching.backend's breaker) each view is written at once.
    """
    backend = _redis_cache()
    try:
        if backend is None:
            _write(note_id)
        elif backend.call(
            "view count", lambda: _buffer(backend, note_id), lambda: _write_or_log(note_id)
        ):
            flush()
    except DatabaseError:  # a flush: its views stay in Redis for the next one
        logger.exception("Could not write view counts")


def _buffer(backend, note_id):
    """Count the view in Redis; True when the flush interval is over."""
    views, _, _, due = _keys(backend)
    pipe = backend.redis().pipeline(transaction=False)
    pipe.hincrby(views, note_id, 1)
    pipe.set(due, 1, nx=True, ex=settings.VIEW_COUNT_FLUSH_SECONDS)
    return pipe.execute()[1]


def _write(note_id):
    Note.objects.filter(pk=note_id).update(view_count=F("view_count") + 1)


def _write_or_log(note_id):
    try:
        _write(note_id)
    except DatabaseError:
        logger.exception("Could not count a view")


def flush():
    """Add the views counted in Redis to the notes; return how many were added."""
    backend = _redis_cache()
    if backend is None:
        return 0
    return backend.call("view count flush", lambda: _flush(backend), lambda: 0)


def _flush(backend):
    client = backend.redis()
    views, flushing, lock, _ = _keys(backend)
    if not client.set(lock, 1, nx=True, ex=LOCK_SECONDS):
        return 0  # another flush is running
    try:
        if not client.exists(flushing):  # else an earlier flush failed: finish it first
            try:
                client.rename(views, flushing)
            except redis.ResponseError:  # no views since the last flush
                return 0
        counts = {int(note): int(n) for note, n in client.hgetall(flushing).items()}
        add_views(counts)
        client.delete(flushing)
        return sum(counts.values())
    finally:
        client.delete(lock)


def add_views(counts):
    """{note id: views} into `Note.view_count`, one UPDATE per distinct number of views."""
    notes_by_count = defaultdict(list)
    for note_id, count in counts.items():
        notes_by_count[count].append(note_id)
    with transaction.atomic():
        for count, note_ids in notes_by_count.items():
            for start in range(0, len(note_ids), BATCH):
                batch = note_ids[start : start + BATCH]
                Note.objects.filter(pk__in=batch).update(view_count=F("view_count") + count)
