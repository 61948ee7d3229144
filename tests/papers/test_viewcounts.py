"""Note views (papers/viewcounts.py): counted in Redis, flushed to the database, none lost."""

import io
from unittest import mock

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.db import DatabaseError

from papers import viewcounts
from tests.services import REDIS_DOWN_CACHES


@pytest.fixture
def note(make_note):
    return make_note(slug="attention")


def views_of(note):
    note.refresh_from_db(fields=["view_count"])
    return note.view_count


def test_without_redis_each_view_is_written(client, note):
    """One development server: every GET counts at once, from the cache or not; HEAD does not."""
    for _ in range(3):
        client.get("/notes/attention/")
    client.head("/notes/attention/")
    assert views_of(note) == 3


def test_with_redis_views_wait_for_the_flush(
    client, note, redis_url, settings, django_assert_num_queries
):
    """Views cost no SQL between flushes; a flush adds every one of them."""
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    client.get("/notes/attention/")  # the first view of the interval flushes (itself)
    assert views_of(note) == 1
    with django_assert_num_queries(0):
        for _ in range(4):
            assert client.get("/notes/attention/")["X-Page-Cache"] in {"hit", "memory"}
    assert views_of(note) == 1
    assert viewcounts.flush() == 4
    assert views_of(note) == 5
    assert viewcounts.flush() == 0


def test_a_failed_flush_loses_no_views(client, note, make_note, redis_url, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    other = make_note(slug="other")
    client.get("/notes/attention/")
    for _ in range(2):
        viewcounts.record_view(note.pk)
    viewcounts.record_view(other.pk)
    failing = mock.patch.object(viewcounts, "add_views", side_effect=DatabaseError("down"))
    with failing, pytest.raises(DatabaseError):
        viewcounts.flush()
    viewcounts.record_view(note.pk)  # counted while the failed batch waits
    assert viewcounts.flush() == 3  # the failed batch first
    assert viewcounts.flush() == 1
    assert (views_of(note), views_of(other)) == (4, 1)


def test_the_request_that_finds_the_interval_over_flushes(client, note, redis_url, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    client.get("/notes/attention/")
    viewcounts.record_view(note.pk)
    assert views_of(note) == 1
    backend = caches["default"]
    backend.redis().delete(viewcounts._keys(backend)[3])  # the interval is over
    client.get("/notes/attention/")
    assert views_of(note) == 3


def test_a_database_down_at_flush_time_costs_the_page_nothing(client, note, redis_url):
    with mock.patch.object(viewcounts, "add_views", side_effect=DatabaseError("down")):
        assert client.get("/notes/attention/").status_code == 200
    assert viewcounts.flush() == 1
    assert views_of(note) == 1


def test_redis_down_falls_back_to_the_database(client, note, settings):
    settings.CACHES = REDIS_DOWN_CACHES
    assert client.get("/notes/attention/").status_code == 200
    assert views_of(note) == 1


def test_flush_command(note, redis_url, settings):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    viewcounts.record_view(note.pk)  # flushed at once: first of the interval
    viewcounts.record_view(note.pk)
    out = io.StringIO()
    call_command("flush_view_counts", stdout=out)
    assert out.getvalue().strip() == "views written: 1"
    assert views_of(note) == 2
