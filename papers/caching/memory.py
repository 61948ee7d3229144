"""Pages kept in this process's memory, and the content version learnt by Redis pub/sub, so
that a page cache hit makes no network round trip.

- `pages_in_memory`: the page bodies this process served or stored last, least recently used
  dropped first, `PAGE_CACHE_MEMORY_MB` in all. An entry is the shared entry itself, stamped
  with its content version, so a copy of an older version is never served.
- `reader_pages_in_memory`: the same for the entries kept per reader
  (papers.caching.personal), an eighth of `PAGE_CACHE_MEMORY_MB` besides.
- `cards_in_memory`: the note cards this process read or rendered last (their keys name all
  they depend on: nothing to watch).
- `Watcher`: one daemon thread per process and Redis, started by the first page lookup. It
  subscribes to the version channel, then reads the version (nothing published in between is
  lost), reads it again on every message (`versions.new()` publishes after its SET), pings
  every `PING_SECONDS` and subscribes again after a drop. While it is not subscribed, the
  version it knows is None and every request reads the version from Redis, as without it.
  It follows the readers version (papers.caching.readers) the same way, on the same channel;
  that one is known with the subscription's number, so cards made before a drop stay unused.

Without Redis (local memory cache in development and tests) the cache already is this
process's memory: there is nothing to watch and nothing kept twice.
"""

import logging
import os
import threading
import time
from collections import OrderedDict

import redis
from django.conf import settings
from django.core.cache import caches

logger = logging.getLogger(__name__)
PING_SECONDS = 1.0
CARD_MEMORY_BYTES = 8 * 1024 * 1024  # some thousands of cards
RETRY_SECONDS = 1.0  # between attempts to subscribe again after a drop


def channel(key_prefix):
    return f"{key_prefix}:content-version-changed"


class PageMemory:
    """A size-bounded LRU of page entries, shared by the threads of a process. An entry lives
    `seconds` from when it was kept here (PAGE_CACHE_SECONDS: it bounds how old a page's view
    counts get, as in Redis)."""

    def __init__(self, max_bytes, seconds, size_of):
        self.max_bytes = max_bytes
        self.seconds = seconds
        self.size_of = size_of  # entry -> about the bytes of the page copies it holds
        self.entries = OrderedDict()  # key -> (entry, size, expires)
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            found = self.entries.get(key)
            if found is None or found[2] <= time.monotonic():
                return None
            self.entries.move_to_end(key)
            return found[0]

    def put(self, key, entry):
        size = self.size_of(entry) + len(key)
        if size > self.max_bytes:
            return
        with self.lock:
            if (old := self.entries.pop(key, None)) is not None:
                self.size -= old[1]
            self.entries[key] = (entry, size, time.monotonic() + self.seconds)
            self.size += size
            while self.size > self.max_bytes:
                _, (_, dropped, _) = self.entries.popitem(last=False)
                self.size -= dropped


def shared_entry_size(entry):
    """The page as rendered, and as anonymous readers get it (papers.caching.pages.store)."""
    return text_size(entry[3]) + text_size(entry[5])


def reader_entry_size(entry):
    """Its one copy of the page (papers.caching.personal.store)."""
    return text_size(entry[4])


def text_size(parts):
    """About the bytes of a page kept split (papers.caching.pages.split): its text."""
    return sum(len(part) for part in parts[::2])


class CardMemory(PageMemory):
    """Note cards this process read or rendered last (papers.caching.fragments.note_cards),
    `CARD_MEMORY_BYTES` in all: a card's key names the content version and the counters it
    shows, so a card kept here is never stale and an uncached listing reads no card from Redis."""

    def get_many(self, keys):
        return {key: card for key in keys if (card := self.get(key)) is not None}

    def put_many(self, cards):
        for key, card in cards.items():
            self.put(key, card)


class Watcher:
    """Knows the content version while subscribed to its channel (see the module's doc)."""

    def __init__(self, cache_backend):
        self.cache = cache_backend
        self.channel = channel(cache_backend.key_prefix)
        self.version = None  # the cache's value of versions.KEY; None: not subscribed
        self.readers_version = None  # (readers.KEY's value, subscription number) or None
        self.subscriptions = 0
        # Bumped by every change made here rather than read (see reread): under `lock`.
        self.changes = 0
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.stopped = threading.Event()
        self.pubsub = None  # the subscription's connection, once made
        self.thread = threading.Thread(target=self.run, name="page-cache-watcher", daemon=True)
        self.thread.start()

    def known(self):
        return self.version

    def run(self):
        while not self.stopped.is_set():
            try:
                if self.cache.breaker.allows():
                    self.watch()
            except (redis.RedisError, OSError) as error:
                logger.warning("Version channel dropped (%s); reading it per request", error)
            with self.lock:
                self.subscribed.clear()
                self.version = self.readers_version = None
                self.changes += 1
            self.stopped.wait(RETRY_SECONDS)

    def stop(self):
        """End the thread within PING_SECONDS (tests: each has a cache prefix of its own)."""
        self.stopped.set()
        self.thread.join()

    def watch(self):
        """Subscribe and follow the channel until it fails. redis-py subscribes again by itself
        after a dropped connection; each (re)subscription is a message, and rereads the version,
        as each change does."""
        self.pubsub = self.cache.redis().pubsub()
        try:
            self.pubsub.subscribe(self.channel)
            last_heard = time.monotonic()
            while not self.stopped.is_set():
                message = self.pubsub.get_message(timeout=PING_SECONDS)
                if message is None:
                    if time.monotonic() - last_heard > 3 * PING_SECONDS:
                        raise redis.ConnectionError("no answer to pings")
                    self.pubsub.ping()
                    continue
                last_heard = time.monotonic()
                if message["type"] == "subscribe":
                    self.subscriptions += 1
                if message["type"] in ("subscribe", "message"):
                    self.reread()
                    self.subscribed.set()
        finally:
            self.pubsub.close()

    def reread(self):
        """Read both versions from Redis. What is read is dropped if this process published a
        version meanwhile (it may be older than what was published, and would be served until
        the next message): that publication's own message comes after, and rereads."""
        from . import readers, versions

        changes = self.changes
        version = self.cache.get_or_raise(versions.KEY)
        token = self.cache.get_or_raise(readers.KEY)
        with self.lock:
            if self.changes == changes:
                self.version = version
                self.readers_version = token and (token, self.subscriptions)

    def learn(self, **known):
        """This process's own write of a version: known at once, while subscribed (a reading
        under way is dropped either way)."""
        with self.lock:
            if self.subscribed.is_set():
                for name, value in known.items():
                    setattr(self, name, value)
            self.changes += 1


_memories = {}  # name -> PageMemory
_watchers = {}
_lock = threading.Lock()


def _memory(name, make):
    """The memory called `name` in this process, made by `make()` the first time."""
    if (found := _memories.get(name)) is None:
        with _lock:
            if (found := _memories.get(name)) is None:
                found = _memories[name] = make()
    return found


def pages_in_memory():
    megabytes = settings.PAGE_CACHE_MEMORY_MB
    seconds = settings.PAGE_CACHE_SECONDS
    return _memory("pages", lambda: PageMemory(megabytes << 20, seconds, shared_entry_size))


def reader_pages_in_memory(seconds):
    """Entries kept for one reader each (papers.caching.personal), an eighth of the memory
    the shared pages have: their own LRU, so that they never push out the pages every reader
    gets."""
    megabytes = settings.PAGE_CACHE_MEMORY_MB
    return _memory(
        "reader pages", lambda: PageMemory((megabytes << 20) // 8, seconds, reader_entry_size)
    )


def cards_in_memory():
    """This process's CardMemory, or None without Redis (the cache is this process's memory)."""
    if _redis_cache() is None:
        return None
    # 3600 s: fragments.CARD_SECONDS. A card's size is its length.
    return _memory("cards", lambda: CardMemory(CARD_MEMORY_BYTES, 3600, len))


def _redis_cache():
    """The site's cache when it is Redis (papers.caching.backend), else None."""
    cache = caches["default"]
    return cache if hasattr(cache, "get_or_raise") else None


def _key(cache):
    return (os.getpid(), cache.location, cache.key_prefix)  # threads do not survive a fork


def watcher():
    """This process's watcher of the cache's Redis, or None: none yet, or no Redis."""
    cache = _redis_cache()
    return cache and _watchers.get(_key(cache))


def watch():
    """Start this process's watcher, once the cache has answered (a Redis that does not answer
    gets no second connection to wait for)."""
    cache = _redis_cache()
    if cache is None or watcher() or not cache.breaker.allows():
        return
    with _lock:
        if _key(cache) not in _watchers:
            _watchers[_key(cache)] = Watcher(cache)


def stop_watching():
    """Stop every watcher of this process and forget the pages and cards it kept (tests,
    between cache prefixes and settings)."""
    with _lock:
        while _watchers:
            _watchers.popitem()[1].stop()
        _memories.clear()


def known_version():
    """The content version as the subscription knows it, or None (read it from the cache)."""
    found = watcher()
    return found.known() if found else None


def published(version):
    """Tell every process the version changed (this one knows at once): after the SET."""
    if found := watcher():
        found.learn(version=version)
    _publish()


def readers_published(token):
    """Tell every process the readers version changed (this one knows at once)."""
    if found := watcher():
        found.learn(readers_version=token and (token, found.subscriptions))
    _publish()


def _publish():
    cache = _redis_cache()
    if cache is None:
        return
    publish = lambda: cache.redis().publish(channel(cache.key_prefix), b"1")  # noqa: E731
    cache.call("publish", publish, lambda: None)
