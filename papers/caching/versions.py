"""The version of what readers see: a random token in Django's cache, shared by app servers.

Every process learns a new token when it is drawn, by Redis pub/sub (papers.caching.memory),
and reads it from the cache per request only while it is not subscribed.

Whatever keeps copies of pages or parts of them (the page cache, fragments) stamps
them with the token and drops copies with another. A write that changes what readers see calls
`changed()`, which draws a new token once the transaction commits: papers.writes for notes,
papers, topics and tags; annotations for public comments and annotations and the names shown
beside them. The version also holds when the next scheduled note goes public; from that time
on, the next request draws a new token.
"""

import secrets
import threading

from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from . import memory

KEY = "content-version"
# The token a request has read, so that its page cache, counts and cards ask the cache once.
_request = threading.local()


def request_started(**signal):
    _request.active, _request.token = True, None


def request_finished(**signal):
    _request.active, _request.token = False, None


def _remember(token):
    if getattr(_request, "active", False):
        _request.token = token
    return token


def new():
    """Draw a new token (every copy is stale from now on) and return the version."""
    from ..models import Note  # papers.models imports papers.writes, which imports this

    scheduled = Note.objects.scheduled().order_by("published_at").first()
    version = (secrets.token_hex(8), scheduled.published_at.timestamp() if scheduled else None)
    cache.set(KEY, version, timeout=None)
    memory.published(version)
    _remember(version[0])
    return version


def current(version=...):
    """The current token; `version` is the cache's value of KEY when the caller fetched it."""
    if version is ...:
        if token := getattr(_request, "token", None):
            return token
        version = memory.known_version() or cache.get(KEY)
    if version is None or (version[1] is not None and version[1] <= timezone.now().timestamp()):
        version = new()
    return _remember(version[0])


def forget():
    """Drop the version, so the next request draws a new one (after a Redis outage, during
    which writes could not replace it: copies kept before it must not come back)."""
    cache.delete(KEY)
    memory.published(None)


def cached(name, compute, timeout=3600):
    """`compute()`, kept in the cache until the version changes: for work that grows with the
    notes (counts, the months that have notes) on pages that would otherwise redo it.

    Kept under `name` with the token it was computed under, so that a request that has not
    read the version yet reads both in one round trip (uncached pages: one of three).
    """
    if getattr(_request, "token", None) or memory.known_version():
        token, entry = current(), cache.get(name)
    else:
        found = cache.get_many([KEY, name])
        token, entry = current(found.get(KEY)), found.get(name)
    if entry is not None and entry[0] == token:
        return entry[1]
    value = compute()
    cache.set(name, (token, value), timeout)
    return value


def changed():
    """Every copy is stale once the current transaction commits (at once outside of one).

    Not before: a request rendering between the write and the commit would store the old rows
    under the new token. papers.writes calls it once per batch of note writes.
    """
    transaction.on_commit(new)
