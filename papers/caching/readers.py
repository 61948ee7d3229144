"""Signed-in readers this process already knows, so that their cached pages cost no SQL and no
Redis round trip (papers.caching.pages: `PageCacheMiddleware`).

A "card" is what a page's personal parts read of a reader (notesite/account.py,
annotations/fills.py): their pk and display name; it quacks like the user for them. Cards are
kept per process, by session key, `MAX_CARDS` at most (least recently used dropped first),
and made when a signed-in request went the full path: session and user loaded, the session
holding only the login, the user active and neither staff nor superuser.

A card is used only while it is stamped with the "readers version" this process's watcher
knows (papers.caching.memory: a second token in Redis, on the content version's channel)
and its session has not expired. The version is replaced, on every app server within the
pub/sub delay, by `changed()`: on a session deleted (logout, login's new key) or saved with
more than the login (sessions.py, the SESSION_ENGINE), on a user or profile saved or
deleted (password, deactivation, name; `reader_saved`), and on a private annotation written
(papers.caching.personal: the pages kept per reader are stamped with this version too).
While the watcher is not subscribed, and after each (re)subscription until a full-path
request makes a new card, no card is used.
"""

import secrets
import threading
from collections import OrderedDict
from types import SimpleNamespace

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ObjectDoesNotExist
from django.db import transaction
from django.utils import timezone

from . import memory

KEY = "readers-version"
MAX_CARDS = 10_000


class Card:
    """A signed-in reader as the personal parts of a page read them."""

    is_authenticated = True
    is_active = True
    is_staff = is_superuser = False

    def __init__(self, user, expires, stamp):
        self.pk = self.id = user.pk
        self.username = user.get_username()
        try:  # accounts.models.display_name: the profile's name, else the username
            name = user.profile.display_name
        except ObjectDoesNotExist:  # an account made by createsuperuser has no profile
            name = ""
        self.profile = SimpleNamespace(display_name=name)
        self.expires, self.stamp = expires, stamp

    def get_username(self):
        return self.username


class Cards:
    def __init__(self, size):
        self.size = size
        self.cards = OrderedDict()
        self.lock = threading.Lock()

    def get(self, session_key):
        with self.lock:
            found = self.cards.get(session_key)
            if found is not None:
                self.cards.move_to_end(session_key)
            return found

    def put(self, session_key, card):
        with self.lock:
            self.cards[session_key] = card
            self.cards.move_to_end(session_key)
            while len(self.cards) > self.size:
                self.cards.popitem(last=False)


_cards = Cards(MAX_CARDS)


def seen():
    """The readers version before this request reads its session (None: no card may be used
    or made). A card made later is stamped with it: a change in between makes it stale.
    Drawn here when Redis has none yet (the first request after a deploy or an eviction)."""
    found = memory.watcher()
    if found is None or not found.subscribed.is_set():
        return None
    if found.readers_version is None:
        new()
    return found.readers_version


def card(request):
    """The card of `request`'s session, or None: unknown, stale, expired, or not subscribed."""
    session_key = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
    stamp = request.readers_version_seen
    if not session_key or stamp is None:
        return None
    found = _cards.get(session_key)
    if found is None or found.stamp != stamp or found.expires <= timezone.now():
        return None
    return found


def remember(request):
    """Make a card for `request`'s reader, whose session and user the full path has read
    (pages.is_cacheable_with_session holds)."""
    stamp, user, session = request.readers_version_seen, request.user, request.session
    expires = getattr(session, "expire_date", None)  # as the database has it (sessions.py)
    if stamp is None or expires is None or session.modified or not user.is_active:
        return
    _cards.put(session.session_key, Card(user, expires, stamp))


def new():
    token = secrets.token_hex(8)
    cache.set(KEY, token, timeout=None)
    memory.readers_published(token)
    return token


def changed():
    """Every card is stale once the current transaction commits (not before: a request
    reading the old rows in between would make a card stamped with the new version)."""
    transaction.on_commit(new)


def reader_saved(update_fields=None, **signal):
    """`post_save` and `post_delete` receiver of the user model and Profile (notesite.apps);
    not for a login's `last_login`, which shows nowhere: logins would make every card stale."""
    if update_fields is None or set(update_fields) != {"last_login"}:
        changed()


def forget():
    """Drop this process's cards (tests)."""
    global _cards
    _cards = Cards(MAX_CARDS)
