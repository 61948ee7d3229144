"""Whole pages, kept in Django's cache and shared by every app server and every reader.

What is cached: GET and HEAD requests with no messages cookie and no query parameters but
`page` and `q` (`cache_query`), answered 200 with no cookie, no `Vary` and nothing in
`Cache-Control` that forbids it. Entries live `PAGE_CACHE_SECONDS`; 0 turns the cache off.
Requests without a session cookie are answered before the session is read
(`PageCacheMiddleware`); signed-in readers (not staff: they see previews) are answered after
it (`PageStoreMiddleware`), when their session holds nothing but their login (no comment
waiting for approval, no message). A signed-in reader this process already knows (a reader
card, papers.caching.readers) is answered in `PageCacheMiddleware` too, with no SQL and no
Redis command: the entry must be one for every reader, their parts are filled in from the
card. The trade-off: such a reader gets the content version this process knows, not Redis's,
so their own write made through another app server shows once its news arrives by pub/sub (p50
~0.6 ms, scripts/bench_pubsub.py); a page asked for sooner is the one before the write.
Readers without a card read the version from Redis after their session, as before.

Nothing personal is ever stored in a shared entry: a reader's own parts of a page are filled
in per response (below). While a page renders, `request.user` records what is read of it
(`WatchedUser`); a page that read anything an anonymous reader and a signed-in one do not
share is served to anonymous readers only. When a signed-in reader's render read it, it is
kept for that reader alone if its view opted in (papers.caching.personal: a note's
annotations JSON and the search page, which list the reader's private annotations), under
the page's key plus `:reader:<pk>:zlib`, in Redis for `personal.SECONDS` (300 s) and in this
process's memory, stamped with the content version and the readers version, which every
private write of what those pages show replaces (for every reader at once); else it is not
stored at all. A signed-in reader's lookup reads their own entry beside the shared one, in the
same round trip (none from a reader card).

Which entries exist: one per page a reader can reach, not per request a client can make. A
view names the parameters its page depends on (`depends_on`); a request with any other is
rendered but not kept. The key holds the parameters normalized (`cache_query`): `?page=1` is
the page without a number, and a page number spelled otherwise (`01`, fullwidth) has no entry.

Freshness: every entry is stamped with the token of `versions`, which every write of
anything a page shows replaces (and a scheduled note's time), so the next request of every
page, on every app server, renders it again: a write is seen at once, never after a timeout.

Per-request parts of a page (the CSRF token, the comment form's signed timestamp) are
rendered as `<!--fill:name:argument-->` placeholders (`{% fill %}`, and `{% csrf_token %}`
through `csrf_placeholder`) and filled in on every response, cached or not, by the functions
registered with `register_filler()`. A signed-in reader's parts (account links, the comment
form's "as NAME") are regions, `<!--personal:name:argument-->what an anonymous reader
sees<!--/personal-->` (`{% personal %}`), replaced for signed-in readers by the functions
registered with `register_personal()`; anonymous readers get what is inside. A placeholder
whose value is the same for every anonymous reader (the comment actions: none; the annotation
panel: not signed in) is registered with that value. Every entry holds the page twice: as
rendered, for signed-in readers, and as every anonymous reader gets it (regions resolved,
those placeholders filled: `for_anonymous_readers`), so an anonymous hit fills only what is
its own (the CSRF token, the form's timestamp). Both, and a reader's own entry, are kept split
at what is left to fill (`split`): a hit joins the parts with the values between them, and
never searches the page. Escaped text can never contain `<!--`, so only the site's own
templates can produce a placeholder or a region.
"""

import functools
import hashlib
import logging
import re
from collections import defaultdict
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.core.handlers.wsgi import get_bytes_from_wsgi
from django.db import DatabaseError
from django.http import HttpResponse, QueryDict
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.cache import patch_vary_headers
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import mark_safe

from . import csrf, memory, personal, readers, versions

logger = logging.getLogger(__name__)
# A database that fails while the content version is drawn makes pages uncached, not errors
# (/healthz reports it); a failing Redis is a cache that misses (backend.py).
CACHED_QUERY_PARAMETERS = {"page", "q"}
KEPT_QUERY_BYTES = 512  # query strings up to this long are parsed once per process
UNCACHEABLE_CACHE_CONTROL = re.compile(r"\b(private|no-cache|no-store|max-age=0)\b")
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
# A region (name, argument, what an anonymous reader sees) or a placeholder (name, argument).
SLOT = re.compile(
    rb"<!--personal:([\w-]+):([^>]*)-->(.*?)<!--/personal-->|<!--fill:([\w-]+):([^>]*)-->", re.S
)
# A session holding anything but the login (a comment waiting for approval, messages) has
# parts of the page that only its reader sees: such a reader gets pages rendered for them.
LOGIN_SESSION_KEYS = {SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY}
# What a render may read of the user and still give every reader the cache serves the same
# page: false for anonymous readers and for signed-in ones who are not staff alike.
SAME_FOR_EVERY_READER = {"is_staff", "is_superuser"}
_fillers = {}
_anonymous_values = {}  # placeholder name -> its value (bytes) for every anonymous reader
_personal = {}


# --- per-request parts ---------------------------------------------------------------------


def placeholder(name, argument=""):
    """What a template renders instead of a per-request value; `fill()` replaces it."""
    return mark_safe(f"<!--fill:{name}:{argument}-->")


def register_filler(name, function, anonymous=None):
    """`function(request, argument) -> str` gives the value of `placeholder(name, argument)`;
    `anonymous`, when given, is its value for every anonymous reader, whatever the argument."""
    fill_each = lambda request, arguments: [function(request, a) for a in arguments]  # noqa: E731
    register_fillers(name, fill_each, anonymous)


def register_fillers(name, function, anonymous=None):
    """As `register_filler()`, but `function(request, arguments) -> [str]` gives the values of
    all a response's placeholders of `name` in one call: a page with a placeholder per comment
    looks its reader up once, not once per comment."""
    _fillers[name] = function
    if anonymous is not None:
        _anonymous_values[name] = anonymous.encode()


def register_personal(name, function):
    """`function(reader, argument) -> str`: a signed-in `reader`'s version of the region."""
    _personal[name] = function


def personal_region(name, argument, default):
    return mark_safe(f"<!--personal:{name}:{argument}-->{default}<!--/personal-->")


def reader(request):
    """Who the response is for: the signed-in user, or None for an anonymous reader. Fillers
    ask this, not `request.user`, which records what a render reads (`WatchedUser`)."""
    user = getattr(request, "page_cache_reader", None) or getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def csrf_token(request, argument):
    """One token for every form of a response: each token masks the secret anew."""
    if not hasattr(request, "filled_csrf_token"):
        request.filled_csrf_token = csrf.token(request)
    return request.filled_csrf_token


register_filler("csrf", csrf_token)


def csrf_placeholder(request):
    """Context processor, after Django's own: `{% csrf_token %}` renders a placeholder."""
    return {"csrf_token": placeholder("csrf")}


def split(content):
    """`content` (bytes) cut at its regions and placeholders: [text, slot, text, ..., text],
    a slot being (name, argument, the region's default, itself split) or (name, argument, None)
    for a placeholder. Cached pages are kept split, so that a hit joins parts instead of
    searching the whole page (the busy note, 54 KB, twice) for what to fill."""
    pieces = SLOT.split(content)
    parts = [pieces[0]]
    for at in range(1, len(pieces), 6):
        region, argument, default, name, fill_argument, text = pieces[at : at + 6]
        if region is None:
            parts.append((name.decode(), fill_argument.decode(), None))
        else:
            parts.append((region.decode(), argument.decode(), split(default)))
        parts.append(text)
    return parts


@functools.lru_cache(maxsize=4096)
def split_region(text):
    """A signed-in reader's version of a region, split: each reader's few regions are the same
    strings on every page they ask for, so each is split once per process."""
    return split(text.encode())


def for_anonymous_readers(parts):
    """`parts` as every anonymous reader gets them, before their own placeholders: regions
    resolved, placeholders of one value for them all filled, the text between them joined."""
    texts, result = [], []

    def resolve(parts):
        for at, part in enumerate(parts):
            if at % 2 == 0:
                texts.append(part)
            elif part[2] is not None:
                resolve(part[2])
            elif part[0] in _anonymous_values:
                texts.append(_anonymous_values[part[0]])
            else:
                result.extend((b"".join(texts), part))
                texts.clear()

    resolve(parts)
    result.append(b"".join(texts))
    return result


def filled_parts(parts, request):
    """`parts` joined, with this request's values in place of their regions and placeholders."""
    user = reader(request)
    out = []
    wanted = defaultdict(list)  # filler name -> [(where its value goes in out, argument)]

    def add(parts):
        out.append(parts[0])
        for at in range(1, len(parts), 2):
            name, argument, default = parts[at]
            if default is None:
                if user is None and name in _anonymous_values:
                    out.append(_anonymous_values[name])
                else:
                    wanted[name].append((len(out), argument))
                    out.append(b"")
            elif user is None:
                add(default)
            else:  # a reader's own region may hold placeholders (a logout form's token)
                add(split_region(_personal[name](user, argument)))
            out.append(parts[at + 1])

    add(parts)
    for name, places in wanted.items():
        values = _fillers[name](request, [argument for _, argument in places])
        for (where, _), value in zip(places, values, strict=True):
            out[where] = value.encode()
    return b"".join(out)


def filled(content, request):
    """`content` (bytes) with this request's values in place of its regions and placeholders."""
    return filled_parts(split(content), request)


def fill(response, request):
    """Put this request's values in place of `response`'s regions and placeholders. A cached
    response comes with its content split (`page_cache_parts`); a rendered one is split here."""
    if response.streaming:
        return
    parts = getattr(response, "page_cache_parts", None)
    if parts is None:
        parts = split(response.content)
        if len(parts) == 1:
            return  # nothing to fill
    response.content = filled_parts(parts, request)


# --- entries -------------------------------------------------------------------------------


def is_cacheable(request):
    """Whether the cache may answer `request` before its session is read."""
    return settings.SESSION_COOKIE_NAME not in request.COOKIES and is_cacheable_request(request)


def is_cacheable_request(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and CookieStorage.cookie_name not in request.COOKIES
        and cache_query(request) is not None
    )


def is_cacheable_with_session(request):
    """Whether the cache may answer `request`, whose session and user are read by now."""
    return (
        settings.SESSION_COOKIE_NAME in request.COOKIES
        and is_cacheable_request(request)
        and request.session.keys() <= LOGIN_SESSION_KEYS
        and not (request.user.is_staff or request.user.is_superuser)  # SAME_FOR_EVERY_READER
    )


class WatchedUser(SimpleLazyObject):
    """`request.user` while a cacheable page renders: the user, noting each attribute read."""

    def __init__(self, user):
        super().__init__(lambda: user)
        self.__dict__["read"] = set()

    def __getattr__(self, name):
        self.__dict__["read"].add(name)
        return super().__getattr__(name)

    def is_personal(self):
        return bool(self.__dict__["read"] - SAME_FOR_EVERY_READER)


def depends_on(request, *names):
    """A view says which query parameters its page depends on. A page is stored only when its
    request has no others, so random parameters a view ignores make no entries."""
    request.page_cache_params = {*getattr(request, "page_cache_params", ()), *names}


def cache_query(request):
    """The query string as the entry's key holds it, or None when no entry may have it.

    Only `page` and `q`, one value each; `page` a number without leading zeros, and page 1 the
    same page as no `page`; whitespace in `q` collapsed, as search reads it.
    """
    raw = get_bytes_from_wsgi(request.META, "QUERY_STRING", "")  # what request.GET parses
    if len(raw) > KEPT_QUERY_BYTES:
        return _normalized_query(raw)
    return _kept_normalized_query(raw)


def _normalized_query(raw):
    query = QueryDict(raw)  # decoded as request.GET is
    if not query.keys() <= CACHED_QUERY_PARAMETERS:
        return None
    params = []
    for name in sorted(query):
        values = query.getlist(name)
        if len(values) != 1:
            return None
        value = values[0]
        if name == "page":
            if not PAGE_NUMBER.fullmatch(value):
                return None
            if value == "1":
                continue
        elif name == "q":
            value = " ".join(value.split())
        params.append((name, value))
    return urlencode(params)


# Parsing the query string was a sixth of a cached search hit (cProfile): each process keeps
# the answer for the query strings it saw last, short ones only, so that the memory stays small
# whatever a client sends.
_kept_normalized_query = functools.lru_cache(maxsize=1024)(_normalized_query)


def entry_key(request, query):
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    # v4: entries hold the page split (`split`); older ones are never read.
    return "pagecache:page:v4:" + hashlib.sha256(url.encode()).hexdigest()


def lookup(request, signed_in=False, version_known=False, reader=None):
    """The cached response to `request` and where it came from ("memory" or "hit"), or None;
    remembers the versions a new entry gets.

    While this process knows the content version (papers.caching.memory), a page it holds
    costs no round trip, and another one a single round trip; otherwise the version and the
    page are read in one MGET. Signed-in readers answered after their session
    (`PageStoreMiddleware`) read the version (they pay for their session and user anyway): one
    who just wrote, through another process, sees it on the next page even before the news of
    the write reaches this process. Those answered from a reader card (`version_known`) take
    the known version, as anonymous readers do: their own write through another process shows
    once its news arrives (pub/sub, p50 ~0.6 ms); a page asked for sooner is the one before it.

    A signed-in `reader`'s own entry (papers.caching.personal) is looked for beside the
    shared one, in the same round trip, with the readers version read the same way.
    """
    query = cache_query(request)
    if query is None:
        return None
    key = entry_key(request, query)
    own_key = reader and personal.entry_key(key, reader)
    keys = [key, own_key] if reader else [key]
    if (version_known or not signed_in) and (version := memory.known_version()):
        token = versions.current(version)
        readers_token = reader and request.readers_version_seen[0]  # a card has one
        found, source = {key: memory.pages_in_memory().get(key)}, "memory"
        if reader:
            found[own_key] = personal.in_memory().get(own_key)
        if not fresh(found, signed_in, key, own_key, token, readers_token):
            found, source = cache.get_many(keys), "hit"
    else:
        readers_key = [readers.KEY] if reader else []
        found = cache.get_many([versions.KEY, *readers_key, *keys])
        token = versions.current(found.get(versions.KEY))
        # None after a deploy or an eviction: drawn, as papers.caching.readers.seen() does.
        readers_token = reader and (found.get(readers.KEY) or readers.new())
        source = "hit"
        memory.watch()
    request.page_cache_entry = (key, token)
    request.page_cache_readers = readers_token
    if not (chosen := fresh(found, signed_in, key, own_key, token, readers_token)):
        return None
    found_key, entry = chosen
    if found_key == key:
        kept = memory.pages_in_memory()
        _, status, headers, parts, _, anonymous_parts = entry
        parts = parts if signed_in else anonymous_parts
    else:
        kept = personal.in_memory()
        if source == "hit":  # compressed in Redis (personal.store)
            entry = personal.unpacked(entry)
        _, _, status, headers, parts = entry
    if source == "hit" and memory.watcher():
        kept.put(found_key, entry)
    response = HttpResponse(status=status)
    response.page_cache_parts = parts  # fill() joins them
    for header, value in headers:
        response[header] = value
    response["X-Page-Cache"] = source
    return response


def fresh(found, signed_in, key, own_key, token, readers_token):
    """(key, entry) of the entry in `found` (key -> entry) that may answer: the shared one,
    when it is for every reader or the request has no session, else the reader's own."""
    shared = found.get(key)
    if shared is not None and shared[0] == token and (not signed_in or shared[4]):
        return key, shared
    if own_key and personal.is_fresh(found.get(own_key), token, readers_token):
        return own_key, found[own_key]
    return None


def may_store(request, response):
    cache_control = response.get("Cache-Control", "")
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Vary")
        and not UNCACHEABLE_CACHE_CONTROL.search(cache_control)
        and not request.session.modified
        and request.GET.keys() <= getattr(request, "page_cache_params", set())
    )


def store(request, response, for_every_reader):
    """Keep `response` (placeholders unfilled) under the version read before rendering it;
    `for_every_reader` false: for anonymous readers only."""
    key, token = request.page_cache_entry
    headers = list(response.items())
    response.page_cache_parts = parts = split(response.content)
    entry = (token, response.status_code, headers, parts, for_every_reader)
    entry += (for_anonymous_readers(parts),)
    cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
    if memory.watcher():
        memory.pages_in_memory().put(key, entry)


def cached_response(request, signed_in=False, version_known=False, reader=None):
    """`lookup()`, or None when the database fails (drawing a new version needs it; /healthz
    says so): the page is rendered then, or answered 503 as any page without a database."""
    try:
        return lookup(request, signed_in, version_known, reader)
    except DatabaseError:
        logger.exception("Page cache lookup failed; rendering %s", request.path)
        return None


class PageCacheMiddleware:
    """Answer anonymous readers, and signed-in ones this process has a card of
    (papers.caching.readers), from the cache, before the session, CSRF, auth and messages
    middleware: a cached page needs none of them. Those below run for pages being rendered.

    The security, framing and CSP headers and the view counter come from middleware above
    this one, so cached pages get them fresh. A page with placeholders (a form) gets its CSRF
    token as the CSRF middleware would give it, through that middleware's own steps.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        request.page_cache_entry = None  # (key, token) once looked up: a page to store
        request.readers_version_seen = readers.seen()  # before the session is read
        if is_cacheable(request):
            if response := cached_response(request):
                return self.filled(request, response)
        elif is_cacheable_request(request) and (card := readers.card(request)):
            if response := cached_response(request, True, version_known=True, reader=card):
                request.page_cache_reader = card
                patch_vary_headers(response, ("Cookie",))  # as the session middleware would
                return self.filled(request, response)
            request.page_cache_entry = None  # not found: looked up again after the session
        return self.get_response(request)

    def filled(self, request, response):
        if len(response.page_cache_parts) > 1 or reader(request):
            self.csrf.process_request(request)
            fill(response, request)
            response = self.csrf.process_response(request, response)
        else:
            fill(response, request)
        response["Content-Length"] = str(len(response.content))
        return response


class PageStoreMiddleware:
    """Answer signed-in readers from the cache, keep rendered pages the cache may serve, and
    fill every response's regions and placeholders.

    Last in MIDDLEWARE: it reads the session and the user, and sees the view's response before
    other middleware adds cookies or `Vary` for this request only. The CSRF middleware above
    sets the cookie a filled-in token needs, as for a rendered page.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with_session = request.page_cache_entry is None and is_cacheable_with_session(request)
        own = request.user if with_session and request.user.is_authenticated else None
        if own:
            readers.remember(request)
        if with_session and (cached := cached_response(request, True, reader=own)):
            fill(cached, request)
            return cached
        if not request.page_cache_entry:
            response = self.get_response(request)
            fill(response, request)
            return response
        request.page_cache_reader = request.user
        request.user = watched = WatchedUser(request.user)
        try:
            response = self.get_response(request)
        finally:
            request.user = request.page_cache_reader
        signed_in = reader(request) is not None
        if may_store(request, response):
            if not (signed_in and watched.is_personal()):
                store(request, response, for_every_reader=not watched.is_personal())
                response["X-Page-Cache"] = "miss"
            elif personal.is_kept_per_reader(request) and request.page_cache_readers:
                key, token = request.page_cache_entry
                stamp = (token, request.page_cache_readers)
                response.page_cache_parts = parts = split(response.content)
                personal.store(personal.entry_key(key, request.user), stamp, response, parts)
                response["X-Page-Cache"] = "miss"
        fill(response, request)
        return response
