"""Whole pages for anonymous readers, kept in Django's cache and shared by every app server.

What is cached: GET and HEAD requests that carry no session or messages cookie (so nothing
on the page can be the reader's own; signed-in readers are never served from the cache) and
no query parameters but `page` and `q`, answered 200 with no cookie, no `Vary` and nothing in
`Cache-Control` that forbids it. Entries live `PAGE_CACHE_SECONDS`; 0 turns the cache off.

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
registered with `register_filler()`. Escaped text can never contain `<!--`, so only the
site's own templates can produce a placeholder.
"""

import hashlib
import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.cache import cache
from django.db import DatabaseError
from django.http import HttpResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.utils.safestring import mark_safe

from . import memory, versions

logger = logging.getLogger(__name__)
# A database that fails while the content version is drawn makes pages uncached, not errors
# (/healthz reports it); a failing Redis is a cache that misses (backend.py).
CACHED_QUERY_PARAMETERS = {"page", "q"}
UNCACHEABLE_CACHE_CONTROL = re.compile(r"\b(private|no-cache|no-store|max-age=0)\b")
PAGE_NUMBER = re.compile(r"[1-9][0-9]{0,8}")
PLACEHOLDER = re.compile(rb"<!--fill:([\w-]+):([^>]*)-->")
PLACEHOLDER_START = b"<!--fill:"
_fillers = {}


# --- per-request parts ---------------------------------------------------------------------


def placeholder(name, argument=""):
    """What a template renders instead of a per-request value; `fill()` replaces it."""
    return mark_safe(f"<!--fill:{name}:{argument}-->")


def register_filler(name, function):
    """`function(request, argument) -> str` gives the value of `placeholder(name, argument)`."""
    _fillers[name] = function


def csrf_token(request, argument):
    """One token for every form of a response: each get_token() masks the secret anew."""
    if not hasattr(request, "filled_csrf_token"):
        request.filled_csrf_token = get_token(request)
    return request.filled_csrf_token


register_filler("csrf", csrf_token)


def csrf_placeholder(request):
    """Context processor, after Django's own: `{% csrf_token %}` renders a placeholder."""
    return {"csrf_token": placeholder("csrf")}


def has_placeholders(response):
    return not response.streaming and PLACEHOLDER_START in response.content


def fill(response, request):
    """Put this request's values in place of `response`'s placeholders."""
    if not has_placeholders(response):
        return

    def value(match):
        name, argument = match[1].decode(), match[2].decode()
        return _fillers[name](request, argument).encode()

    response.content = PLACEHOLDER.sub(value, response.content)


# --- entries -------------------------------------------------------------------------------


def is_cacheable(request):
    return (
        settings.PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and settings.SESSION_COOKIE_NAME not in request.COOKIES
        and CookieStorage.cookie_name not in request.COOKIES
        and request.GET.keys() <= CACHED_QUERY_PARAMETERS
    )


def depends_on(request, *names):
    """A view says which query parameters its page depends on. A page is stored only when its
    request has no others, so random parameters a view ignores make no entries."""
    request.page_cache_params = {*getattr(request, "page_cache_params", ()), *names}


def cache_query(request):
    """The query string as the entry's key holds it, or None when no entry may have it.

    One value per parameter; `page` a number without leading zeros, and page 1 the same
    page as no `page`; whitespace in `q` collapsed, as search reads it.
    """
    params = []
    for name in sorted(request.GET):
        values = request.GET.getlist(name)
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


def entry_key(request, query):
    url = f"{request.scheme}://{request.get_host()}{request.path}?{query}"
    return "pagecache:page:" + hashlib.sha256(url.encode()).hexdigest()


def lookup(request):
    """The cached response to `request` and where it came from ("memory" or "hit"), or None;
    remembers the version a new entry gets.

    While this process knows the content version (papers.caching.memory), a page it holds
    costs no round trip, and another one a single GET; otherwise the version and the page are
    read in one MGET.
    """
    query = cache_query(request)
    if query is None:
        return None
    key = entry_key(request, query)
    kept = memory.pages_in_memory()
    if version := memory.known_version():
        token = versions.current(version)
        entry, source = kept.get(key), "memory"
        if entry is None or entry[0] != token:
            entry, source = cache.get(key), "hit"
    else:
        found = cache.get_many([versions.KEY, key])
        token = versions.current(found.get(versions.KEY))
        entry, source = found.get(key), "hit"
        memory.watch()
    request.page_cache_entry = (key, token)
    if entry is None or entry[0] != token:
        return None
    if source == "hit" and memory.watcher():
        kept.put(key, entry)
    _, status, headers, content = entry
    response = HttpResponse(content, status=status)
    for header, value in headers:
        response[header] = value
    response["X-Page-Cache"] = source
    return response


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


def store(request, response):
    """Keep `response` (placeholders unfilled) under the version read before rendering it."""
    key, token = request.page_cache_entry
    entry = (token, response.status_code, list(response.items()), response.content)
    cache.set(key, entry, timeout=settings.PAGE_CACHE_SECONDS)
    if memory.watcher():
        memory.pages_in_memory().put(key, entry)


class PageCacheMiddleware:
    """Answer anonymous readers from the cache, before the session, CSRF, auth and messages
    middleware: a cached page needs none of them. Those below run for pages being rendered.

    The security, framing and CSP headers and the view counter come from middleware above
    this one, so cached pages get them fresh. A page with placeholders (a form) gets its CSRF
    token as the CSRF middleware would give it, through that middleware's own steps.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.csrf = CsrfViewMiddleware(get_response)

    def __call__(self, request):
        request.page_cache_entry = None
        if is_cacheable(request):
            try:
                response = lookup(request)
            except DatabaseError:  # drawing a new version needs the database; /healthz says so
                logger.exception("Page cache lookup failed; rendering %s", request.path)
                response = None
            if response is not None:
                return self.filled(request, response)
        return self.get_response(request)

    def filled(self, request, response):
        if has_placeholders(response):
            self.csrf.process_request(request)
            fill(response, request)
            response = self.csrf.process_response(request, response)
        response["Content-Length"] = str(len(response.content))
        return response


class PageStoreMiddleware:
    """Keep rendered pages the cache may serve, and fill every response's placeholders.

    Last in MIDDLEWARE, so it sees the view's response before other middleware adds cookies
    or `Vary` for this request only.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, "page_cache_entry", None) and may_store(request, response):
            store(request, response)
            response["X-Page-Cache"] = "miss"
        fill(response, request)
        return response
