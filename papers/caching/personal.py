"""Pages kept for one signed-in reader each: a note's annotations JSON and the search page,
which show that reader's private annotations (and which annotations are theirs), so that no
entry every reader shares may hold them (papers.caching.pages).

A view opts in with `kept_per_reader(request)`. Rendered for a signed-in reader the shared
entries may serve (not staff, the session holding only the login: pages.is_cacheable_with_session)
and found to read that reader (`pages.WatchedUser`), its response is kept under the page's key
plus `:reader:<pk>:zlib`, never under the page's key: in Redis for `SECONDS`, so that a reader
moving between app servers still hits, and in this process's memory (papers.caching.memory, an
LRU of an eighth of PAGE_CACHE_MEMORY_MB). The CSRF token and the reader's regions are filled per
response, as in shared entries; a reader answered from a card (papers.caching.readers) costs no
SQL and no round trip.

Each entry is stamped with the content version (papers.caching.versions), which every public
write replaces, and with the readers version (papers.caching.readers), which `changed()` replaces
for every private one: a private annotation (or a reply only its readers see) created, edited,
hidden or deleted. Saving a user or a profile (the name these pages show) already replaces the
readers version. It is the version the reader cards follow by pub/sub, so a card's hit learns
of a private write as it learns of a logout, with no round trip.

In Redis an entry's body is compressed (zlib, level 1): these entries are one per reader and
page, so they are what grows with readers, and a body of JSON or HTML shrinks to about a
quarter. This process's memory keeps the body whole, so only a page read from Redis (a reader
moving between app servers, or after this process dropped it) pays to decompress it.

Invalidation is global: one reader's private write makes every reader's entries (and cards)
stale. That is simple, and private writes are rare beside the reads of these pages: each
reader pays one render (and one request with their session read) after one.
"""

import pickle
import zlib

from django.core.cache import cache

from . import memory, readers, versions

SECONDS = 300  # short: entries for one reader each, many of which are never read again
# zlib's fastest level: a few points of size behind the default level, at a fraction of its
# time, paid on a request.
COMPRESSION_LEVEL = 1


def kept_per_reader(request):
    """A view says its page, rendered for a signed-in reader, may be kept for that reader."""
    request.page_cache_per_reader = True


def is_kept_per_reader(request):
    return getattr(request, "page_cache_per_reader", False)


def entry_key(key, reader):
    """The key of `reader`'s entry of the page whose shared entry is `key`. It names the body's
    format, so that entries kept whole before bodies were compressed are never read as
    compressed ones after a deploy."""
    return f"{key}:reader:{reader.pk}:zlib"


def in_memory():
    return memory.reader_pages_in_memory(SECONDS)


def is_fresh(entry, token, readers_token):
    return entry is not None and entry[:2] == (token, readers_token)


def store(key, stamp, response, parts):
    """Keep `response`, its content split at its placeholders (`parts`, unfilled:
    papers.caching.pages.split), under `key` (`entry_key`), stamped with the (content, readers)
    versions read before it was rendered."""
    entry = (*stamp, response.status_code, list(response.items()), parts)
    cache.set(key, (*entry[:4], packed(parts)), timeout=SECONDS)
    if memory.watcher():
        in_memory().put(key, entry)


def packed(parts):
    return zlib.compress(pickle.dumps(parts, pickle.HIGHEST_PROTOCOL), COMPRESSION_LEVEL)


def unpacked(entry):
    """An entry as read from Redis, its body whole again."""
    return (*entry[:4], pickle.loads(zlib.decompress(entry[4])))


def changed(shown_to_everyone):
    """A write of something these pages show: every copy is stale when `shown_to_everyone`
    (the content version stamps these entries too), else every reader's own entries."""
    if shown_to_everyone:
        versions.changed()
    else:
        readers.changed()
