"""Redis refused or hung: one failed call, then pages render without it until it may be back.

Time is the page's cost here, but tests count instead of timing: how many connections a hung
Redis was asked to open, how many cache calls reached it, how often the outage was logged.
"""

import logging
import socket
import threading
import time

import pytest
from django.core.cache import caches

from papers.caching import backend, versions

CACHE_OPTIONS = {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}


class HungRedis:
    """A socket that accepts connections and never answers: a Redis stopped with SIGSTOP."""

    def __init__(self):
        self.server = socket.create_server(("127.0.0.1", 0))
        self.accepted = []
        self.thread = threading.Thread(target=self.accept, daemon=True)
        self.thread.start()

    @property
    def url(self):
        return f"redis://127.0.0.1:{self.server.getsockname()[1]}/0"

    def accept(self):
        while True:
            try:
                connection, _ = self.server.accept()
            except OSError:  # closed
                return
            self.accepted.append(connection)

    def close(self):
        self.server.close()
        for connection in self.accepted:
            connection.close()


@pytest.fixture
def frozen_clock(monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(backend, "clock", lambda: now[0])
    monkeypatch.setattr(backend, "_breakers", {})
    return now


@pytest.fixture
def hung_redis(settings, frozen_clock):
    hung = HungRedis()
    settings.CACHES = {
        "default": {
            "BACKEND": "papers.caching.backend.ResilientRedisCache",
            "LOCATION": hung.url,
            "OPTIONS": CACHE_OPTIONS,
        }
    }
    yield hung
    hung.close()


@pytest.fixture
def refused_redis(settings, frozen_clock):
    settings.CACHES = {
        "default": {
            "BACKEND": "papers.caching.backend.ResilientRedisCache",
            "LOCATION": "redis://127.0.0.1:1/0",  # nothing listens there
            "OPTIONS": CACHE_OPTIONS,
        }
    }


@pytest.fixture
def note(make_note, topic):
    return make_note(title="注意力", slug="attention", topic=topic)


# Each page with words it shows only when it read the database.
PAGES = {
    "/": "注意力",
    "/notes/attention/": "注意力",
    "/topics/": "深度学习",
    "/archive/": 'class="archive__month"',
    "/search/?q=注意力": "注意力",
}


def test_a_hung_redis_is_asked_once_per_outage(client, note, hung_redis):
    """Twenty pages and a health check: one connection waited for, all pages rendered."""
    for _ in range(4):
        for url, words in PAGES.items():
            response = client.get(url)
            assert response.status_code == 200, url
            assert words in response.content.decode(), url
    assert client.get("/healthz").status_code == 503
    assert len(hung_redis.accepted) == 1


def test_the_outage_is_logged_once(client, note, refused_redis, caplog):
    with caplog.at_level(logging.WARNING, logger="papers.caching.backend"):
        for url in PAGES:
            client.get(url)
    assert [record.levelname for record in caplog.records] == ["ERROR"]
    assert "answering without it for 5 s" in caplog.records[0].getMessage()


def test_redis_is_asked_again_after_the_window(note, refused_redis, frozen_clock, monkeypatch):
    """While the breaker is open no call reaches Redis; after BREAKER_SECONDS one does."""
    cache = caches["default"]
    reached = []
    connect = cache.redis().connection_pool.get_connection
    monkeypatch.setattr(
        cache.redis().connection_pool,
        "get_connection",
        lambda *args, **kwargs: reached.append(1) or connect(*args, **kwargs),
    )
    assert cache.get("x", "fallback") == "fallback"
    assert cache.get("y", "fallback") == "fallback"
    assert reached == [1]
    frozen_clock[0] += backend.BREAKER_SECONDS
    cache.get("z")
    assert reached == [1, 1]


def test_recovery_is_logged_and_redis_used_again(redis_url, frozen_clock, caplog):
    cache = caches["default"]
    cache.breaker.failed("a test", "down")
    assert cache.get("k", "missed") == "missed"  # not asked while down
    frozen_clock[0] += backend.BREAKER_SECONDS
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger="papers.caching.backend"):
        cache.set("k", "v")
    assert cache.get("k") == "v"
    assert [record.getMessage() for record in caplog.records] == ["Redis answers again"]


def test_views_are_written_to_the_database_while_redis_is_down(client, note, refused_redis):
    for _ in range(3):
        client.get("/notes/attention/")
    note.refresh_from_db()
    assert note.view_count == 3


def test_pages_are_kept_in_memory_while_redis_is_down(client, note, refused_redis):
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"


def test_memory_keeps_nothing_longer_than_the_fallback_window(refused_redis, monkeypatch):
    cache = caches["default"]
    cache.set("page", "kept", timeout=None)
    assert cache.get("page") == "kept"
    later = time.time() + backend.FALLBACK_SECONDS + 1
    monkeypatch.setattr(time, "time", lambda: later)
    assert cache.get("page") is None


def test_the_content_version_is_drawn_anew_after_an_outage(redis_url, frozen_clock, db):
    """Writes during an outage could not replace the version in Redis: pages kept before it
    must not come back when Redis does."""
    cache = caches["default"]
    before = versions.current()
    cache.breaker.failed("a test", "down")
    frozen_clock[0] += backend.BREAKER_SECONDS
    assert cache.get("anything") is None  # Redis answers again
    assert versions.current() != before
