"""Note views (papers/viewcounts.py): held in the process, pushed to Redis, flushed to the
database, none lost but those of a killed process."""

import io
import time
from unittest import mock

import pytest
import redis
from django.core.cache import caches
from django.core.management import call_command
from django.db import DatabaseError

from papers import viewcounts
from tests.services import REDIS_DOWN_CACHES


@pytest.fixture
def note(make_note):
    return make_note(slug="attention")


@pytest.fixture
def pushed_by_hand(settings):
    """No push but the test's own (`viewcounts.push()`): the thread would push at any time."""
    settings.VIEW_COUNT_PUSH_SECONDS = 3600


def views_in_redis(note):
    backend = caches["default"]
    return int(backend.redis().hget(viewcounts._keys(backend)[0], note.pk) or 0)


def views_of(note):
    note.refresh_from_db(fields=["view_count"])
    return note.view_count


def test_without_redis_each_view_is_written(client, note):
    """One development server: every GET counts at once, from the cache or not; HEAD does not."""
    for _ in range(3):
        client.get("/notes/attention/")
    client.head("/notes/attention/")
    assert views_of(note) == 3


def test_views_cost_no_round_trip_until_a_push_adds_them_all(
    client, note, redis_url, pushed_by_hand, django_assert_num_queries
):
    """A view is held in the process: no Redis command, no SQL; one push adds every one."""
    client.get("/notes/attention/")  # renders and stores the page
    with django_assert_num_queries(0):
        for _ in range(4):
            assert client.get("/notes/attention/")["X-Page-Cache"] in {"hit", "memory"}
    assert views_in_redis(note) == 0
    viewcounts.push()
    assert views_in_redis(note) == 5
    viewcounts.push()  # nothing held: nothing added twice
    assert views_in_redis(note) == 5


def test_the_thread_pushes_within_a_second(note, redis_url):
    """Nobody calls push(): the process's thread adds the views to Redis by itself."""
    for _ in range(3):
        viewcounts.record_view(note.pk)
    deadline = time.monotonic() + 5  # pushed every second; a loaded machine gets slack
    while views_in_redis(note) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert views_in_redis(note) == 3


def test_with_redis_views_wait_for_the_flush(client, note, redis_url, settings, pushed_by_hand):
    """The first push of the interval makes the next view flush; later ones wait for the next
    interval, costing no SQL; a flush adds every one of them."""
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    client.get("/notes/attention/")
    viewcounts.push()  # the first push of the interval
    assert views_of(note) == 0
    client.get("/notes/attention/")  # the next view flushes the one pushed
    assert views_of(note) == 1
    for _ in range(3):
        client.get("/notes/attention/")
    viewcounts.push()
    client.get("/notes/attention/")
    assert views_of(note) == 1
    viewcounts.push()
    assert viewcounts.flush() == 5
    assert views_of(note) == 6
    assert viewcounts.flush() == 0


def test_a_failed_flush_loses_no_views(note, make_note, redis_url, settings, pushed_by_hand):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    other = make_note(slug="other")
    for _ in range(2):
        viewcounts.record_view(note.pk)
    viewcounts.record_view(other.pk)
    viewcounts.push()  # the first of the interval: the next view flushes
    with mock.patch.object(viewcounts, "add_views", side_effect=DatabaseError("down")):
        viewcounts.record_view(note.pk)  # its flush fails; this view waits for the next push
    viewcounts.push()
    assert viewcounts.flush() == 3  # the failed batch first
    assert viewcounts.flush() == 1
    assert (views_of(note), views_of(other)) == (3, 1)


def test_the_view_after_the_push_that_finds_the_interval_over_flushes(
    client, note, redis_url, settings, pushed_by_hand
):
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    viewcounts.record_view(note.pk)
    viewcounts.push()
    viewcounts.record_view(note.pk)  # flushes the first
    viewcounts.record_view(note.pk)
    viewcounts.push()  # the interval is not over: no flush to come
    client.get("/notes/attention/")
    assert views_of(note) == 1
    backend = caches["default"]
    backend.redis().delete(viewcounts._keys(backend)[3])  # the interval is over
    viewcounts.push()
    client.get("/notes/attention/")
    assert views_of(note) == 4


def test_a_database_down_at_flush_time_costs_the_page_nothing(
    client, note, redis_url, pushed_by_hand
):
    viewcounts.record_view(note.pk)
    viewcounts.push()  # the next view flushes
    with mock.patch.object(viewcounts, "add_views", side_effect=DatabaseError("down")):
        assert client.get("/notes/attention/").status_code == 200
    viewcounts.push()
    assert viewcounts.flush() == 1  # the failed batch
    assert viewcounts.flush() == 1  # the page's view
    assert views_of(note) == 2


def test_views_held_when_redis_fails_are_written_by_the_next_view(note, redis_url, pushed_by_hand):
    """A push that fails keeps its views; once Redis counts as down, a view writes them."""
    for _ in range(2):
        viewcounts.record_view(note.pk)
    backend = caches["default"]
    with mock.patch.object(backend.redis(), "pipeline", side_effect=redis.ConnectionError("down")):
        viewcounts.buffer(backend).push()  # as the thread pushes
    assert views_of(note) == 0
    viewcounts.record_view(note.pk)  # the breaker is open: the two held and this one
    assert views_of(note) == 3
    assert views_in_redis(note) == 0


def test_redis_down_falls_back_to_the_database(client, note, settings):
    settings.CACHES = REDIS_DOWN_CACHES
    assert client.get("/notes/attention/").status_code == 200
    assert views_of(note) == 1


def test_flush_command(note, redis_url, settings, pushed_by_hand):
    """The command pushes the views its process holds, then flushes."""
    settings.VIEW_COUNT_FLUSH_SECONDS = 3600
    viewcounts.record_view(note.pk)
    viewcounts.record_view(note.pk)
    out = io.StringIO()
    call_command("flush_view_counts", stdout=out)
    assert out.getvalue().strip() == "views written: 2"
    assert views_of(note) == 2
