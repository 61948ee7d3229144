"""Views of notes, counted without a database write or a Redis round trip per view.

With Redis as the cache (`REDIS_URL`), a view is added to a dict in the process's memory
(`Buffer`, under a lock: no network). One daemon thread per process (started by the first
view, and again in a forked worker: gunicorn forks) pushes what the dict holds to Redis every
`VIEW_COUNT_PUSH_SECONDS` (1 s) in one pipeline: one `HINCRBY` per note into a hash of
{note id: views}, and the flush interval's marker, through the cache's own client and breaker
(papers.caching.backend). At most once per `VIEW_COUNT_FLUSH_SECONDS`, across all app servers,
the push that finds the interval over makes the next view of its process flush the hash into
`Note.view_count` (one UPDATE per distinct count, in one transaction: in a request, not in the
thread); `manage.py flush_view_counts` does the same from cron or before a deploy, after
pushing its own process's views. A process pushes what it holds when it exits (atexit).

A flush renames the hash before reading it, so views counted meanwhile wait in a new hash for
the next flush, and deletes it only after the UPDATEs commit: a flush that fails (the database
is down) leaves it to the next one; a process killed between the commit and the delete would
count that batch twice. What is lost: the views a process holds when it is killed without
exiting (SIGKILL, the OOM killer), at most `VIEW_COUNT_PUSH_SECONDS` of its views; and, as
Redis keeps nothing on disk, the views pushed since the last flush (at most
`VIEW_COUNT_FLUSH_SECONDS` of them) if Redis restarts.

While Redis is down (the breaker), a view is an `F()` update, with the views the process held
when its push failed; without Redis (one development server, its cache in local memory), too.
"""

import atexit
import logging
import os
import threading
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
    """Count a view; a failing Redis or database costs views, never the page."""
    backend = _redis_cache()
    try:
        if backend is None:
            Note.objects.filter(pk=note_id).update(view_count=F("view_count") + 1)
        elif not backend.breaker.allows():  # Redis is down: write it now, with those held here
            found = _buffers.get(_key(backend))
            held = found.take() if found else defaultdict(int)
            held[note_id] += 1
            add_views(held)
        else:
            found = buffer(backend)
            found.add(note_id)
            if found.flush_due:
                found.flush_due = False
                flush()
    except DatabaseError:  # a flush: its views stay in Redis for the next one
        logger.exception("Could not write view counts")


class Buffer:
    """The views this process counted and has not pushed to Redis yet, and the daemon thread
    that pushes them every `VIEW_COUNT_PUSH_SECONDS`."""

    def __init__(self, backend):
        self.backend = backend
        self.counts = defaultdict(int)  # note id -> views
        self.lock = threading.Lock()
        self.flush_due = False  # a push found the flush interval over: the next view flushes
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self.run, name="view-count-pusher", daemon=True)
        self.thread.start()

    def add(self, note_id):
        with self.lock:
            self.counts[note_id] += 1

    def take(self):
        with self.lock:
            counts, self.counts = self.counts, defaultdict(int)
        return counts

    def put_back(self, counts):
        with self.lock:
            for note_id, views in counts.items():
                self.counts[note_id] += views

    def run(self):
        while not self.stopped.wait(settings.VIEW_COUNT_PUSH_SECONDS):
            try:
                self.push()
            except Exception:  # a thread that died would stop this process's counting for good
                logger.exception("Could not push view counts")

    def push(self):
        """Add the views held here to Redis in one round trip. If Redis fails they stay here,
        and the next view, finding Redis down, writes them to the database."""
        counts = self.take()
        if not counts:
            return
        due = self.backend.call(
            "view count push",
            lambda: _push(self.backend, counts),
            lambda: self.put_back(counts),
        )
        if due:
            self.flush_due = True

    def stop(self):
        self.stopped.set()
        self.thread.join()


def _push(backend, counts):
    """Add `counts` to the hash of views; True when the flush interval is over."""
    views, _, _, due = _keys(backend)
    pipe = backend.redis().pipeline(transaction=False)
    for note_id, count in counts.items():
        pipe.hincrby(views, note_id, count)
    pipe.set(due, 1, nx=True, ex=settings.VIEW_COUNT_FLUSH_SECONDS)
    return pipe.execute()[-1]


_buffers = {}
_lock = threading.Lock()


def _key(backend):
    return (os.getpid(), backend.location, backend.key_prefix)  # threads do not survive a fork


def buffer(backend):
    """This process's buffer of views for the Redis of `backend`, its thread started."""
    found = _buffers.get(_key(backend))
    if found is None:
        with _lock:
            found = _buffers.get(_key(backend))
            if found is None:
                found = _buffers[_key(backend)] = Buffer(backend)
    return found


def push():
    """Push the views this process holds to Redis now, or write them to the database while
    Redis is down: at exit, and before `flush_view_counts` flushes."""
    for key, found in list(_buffers.items()):
        if key[0] == os.getpid():  # a forked worker does not push its parent's views
            found.push()
            if held := found.take():  # Redis is down
                add_views(held)


# A process that exits (gunicorn restarting a worker, a deploy) pushes what it holds.
atexit.register(push)


def stop_pushing():
    """Stop this process's threads and forget their views (tests: a cache prefix each)."""
    with _lock:
        while _buffers:
            _buffers.popitem()[1].stop()


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
