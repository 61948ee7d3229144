import secrets
from datetime import timedelta

import pytest
from django.utils import timezone

from papers import viewcounts
from papers.caching import backend, memory, rankings, readers, versions
from papers.models import Note, Paper
from tests.services import (
    LOCAL_CACHE,
    REDIS_URL,
    clear_local_cache,
    forget_keys,
    redis_missing,
    require_service,
)
from topics.models import Topic


@pytest.fixture(autouse=True)
def media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def own_cache(settings):
    """Every test starts with an empty cache of its own, in this process's memory: a Redis a
    developer points REDIS_URL at is never read, written or flushed (tests that need Redis ask
    for `redis_url`, which keeps to keys of its own). No rate-limit counters of earlier tests."""
    settings.CACHES = {"default": LOCAL_CACHE}
    settings.REDIS_URL = ""
    clear_local_cache()
    yield
    clear_local_cache()  # never `cache.clear()`: a test may have pointed the cache elsewhere


ORIGINAL_CHANGED = versions.changed
ORIGINAL_RANKINGS_CHANGED = rankings.changed


@pytest.fixture(autouse=True)
def content_version_drawn_at_once(monkeypatch):
    """A test runs in a transaction that never commits, so what production does after commit
    never happens: draw the content version at once instead (tests/papers/test_writes.py
    checks that production waits for the commit, with `version_drawn_after_commit`)."""
    monkeypatch.setattr(versions, "changed", versions.new)
    monkeypatch.setattr(readers, "changed", readers.new)  # the readers version alike
    monkeypatch.setattr(rankings, "changed", rankings.advance)  # and the search generation


@pytest.fixture
def version_drawn_after_commit(monkeypatch):
    """The production rule back: a new content version once the transaction commits."""
    monkeypatch.setattr(versions, "changed", ORIGINAL_CHANGED)
    monkeypatch.setattr(rankings, "changed", ORIGINAL_RANKINGS_CHANGED)


@pytest.fixture
def redis_url(settings):
    """TEST_REDIS_URL (default 127.0.0.1:6379, database 0) as the site's cache and view buffer
    for this test, under a key prefix of its own; afterwards only its own keys are deleted."""
    if missing := redis_missing():
        require_service(missing)
    prefix = f"test-{secrets.token_hex(6)}"
    settings.REDIS_URL = REDIS_URL
    settings.CACHES = {
        "default": {
            "BACKEND": "papers.caching.backend.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": prefix,
        }
    }
    backend._breakers.clear()  # no outage an earlier test saw
    yield REDIS_URL
    memory.stop_watching()  # its thread would watch this test's channel for good
    viewcounts.stop_pushing()  # and this one push to its prefix
    readers.forget()
    forget_keys(prefix)


@pytest.fixture
def topic(db):
    return Topic.objects.create(name="深度学习", slug="深度学习", position=1)


@pytest.fixture
def paper(db):
    return Paper.objects.create(
        arxiv_id="2308.02223",
        title="ESRL: Efficient Sampling-based Reinforcement Learning for Sequence Generation",
        authors="Chenglong Wang, Hang Zhou, Yimin Hu",
        abstract="We study $x^2$ sampling.",
    )


@pytest.fixture
def make_note(db):
    """Create a published note dated `days_ago` days back; keyword arguments override fields."""
    counter = iter(range(1, 10_000))

    def make(days_ago=1, tags=(), **fields):
        number = next(counter)
        fields.setdefault("title", f"笔记 {number}")
        fields.setdefault("slug", f"note-{number}")
        fields.setdefault("status", Note.Status.PUBLISHED)
        fields.setdefault("published_at", timezone.now() - timedelta(days=days_ago))
        fields.setdefault("body", f"正文 {number}")
        note = Note.objects.create(**fields)
        if tags:
            note.tags.add(*tags)
        return note

    return make
