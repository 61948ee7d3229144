"""Pages in each process's memory (papers/caching/memory.py): a hit makes no Redis round trip,
a version drawn elsewhere is learnt by pub/sub, and while the subscription is down every
request reads the version from Redis, as without it."""

import threading
import time

import pytest
import redis
from django.core.cache import caches

from papers.caching import memory, versions


@pytest.fixture
def note(make_note, topic):
    return make_note(title="注意力机制", slug="attention", topic=topic, body="注意力。")


@pytest.fixture
def redis_commands(monkeypatch):
    """The commands this thread sends to Redis (the watcher's thread is its own business)."""
    sent = []
    me = threading.current_thread()
    original = redis.Redis.execute_command

    def counted(client, *args, **options):
        if threading.current_thread() is me:
            sent.append(args[0])
        return original(client, *args, **options)

    monkeypatch.setattr(redis.Redis, "execute_command", counted)
    return sent


def subscribed_watcher(client):
    """Ask for a page until this process's watcher is subscribed and has handled the news of
    the version that page drew, which can arrive after the subscription (and, under load,
    after the test's next step: a version set in Redis then would be learnt from it); the
    watcher. News arrives in order: once a version drawn after that page is known, it is."""
    client.get("/")
    watcher = memory.watcher()
    assert watcher.subscribed.wait(3), "no subscription within 3 s"
    drawn_elsewhere(("settled", None))
    wait_for_version(watcher, ("settled", None), seconds=3)
    return watcher


def drawn_elsewhere(version):
    """What another app server's write does: SET the version, then PUBLISH."""
    cache = caches["default"]
    cache.set(versions.KEY, version, timeout=None)
    redis.Redis.from_url(cache.location).publish(memory.channel(cache.key_prefix), b"1")


def wait_for_version(watcher, version, seconds):
    deadline = time.monotonic() + seconds
    while watcher.known() != version:
        assert time.monotonic() < deadline, f"version not learnt within {seconds} s"
        time.sleep(0.005)


def test_a_page_in_memory_costs_no_redis_round_trip(
    client, note, redis_url, redis_commands, django_assert_num_queries
):
    subscribed_watcher(client)
    client.get("/")  # kept in this process's memory now
    redis_commands.clear()
    with django_assert_num_queries(0):
        response = client.get("/")
    assert response["X-Page-Cache"] == "memory"
    assert "注意力机制" in response.content.decode()
    assert redis_commands == []


def test_a_version_drawn_elsewhere_is_learnt_within_a_second(client, note, redis_url):
    watcher = subscribed_watcher(client)
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "memory"
    note.title = "稀疏注意力"
    note.save()  # this process: known at once
    assert "稀疏注意力" in client.get("/").content.decode()

    drawn_elsewhere(("drawn-on-another-server", None))
    wait_for_version(watcher, ("drawn-on-another-server", None), seconds=1)
    response = client.get("/")
    assert response["X-Page-Cache"] == "miss"  # stamped with an older version: not served


def test_while_the_subscription_is_down_each_request_reads_the_version(
    client, note, redis_url, redis_commands, monkeypatch
):
    """The subscription's connection is killed and Redis refuses the next one for a while:
    pages come from Redis with the version read per request (one MGET), so a write made
    meanwhile is seen at once; once subscribed again, pages come from memory again."""
    watcher = subscribed_watcher(client)
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "memory"

    def refused(self):
        raise redis.ConnectionError("refused (test)")

    monkeypatch.setattr(memory.Watcher, "reread", refused)
    host, port = watcher.pubsub.connection._sock.getsockname()
    own_address = f"{host}:{port}"
    redis.Redis.from_url(redis_url).client_kill_filter(_type="pubsub", addr=own_address)
    deadline = time.monotonic() + 3
    while watcher.subscribed.is_set():
        assert time.monotonic() < deadline
        time.sleep(0.01)

    redis_commands.clear()
    response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert redis_commands == ["MGET"]
    drawn_elsewhere(("written-while-down", None))
    assert client.get("/")["X-Page-Cache"] == "miss"

    monkeypatch.undo()
    assert watcher.subscribed.wait(3), "subscribed again within 3 s"
    assert watcher.known() == ("written-while-down", None)
    assert client.get("/")["X-Page-Cache"] == "memory"


def test_without_redis_pages_are_served_as_before(client, note):
    """Local memory cache (development): no watcher, the cache is this process's memory."""
    client.get("/")
    assert client.get("/")["X-Page-Cache"] == "hit"
    assert memory.watcher() is None


def test_memory_drops_the_least_recently_used_page_beyond_its_size():
    kept = memory.PageMemory(max_bytes=250, seconds=60, size_of=memory.shared_entry_size)
    for name in "abc":
        kept.put(name, ("token", 200, [], [b"x" * 50], True, [b"x" * 50]))
    assert kept.get("a") is None
    assert kept.get("b") is not None
    kept.put("d", ("token", 200, [], [b"x" * 50], True, [b"x" * 50]))  # b was used last: c goes
    assert kept.get("c") is None
    assert kept.get("b") is not None


def test_signed_in_readers_read_the_version_before_the_news_arrives(
    client, note, redis_url, django_user_model
):
    """A version in Redis whose message has not reached this process yet: anonymous readers get
    the page in memory for that moment, a signed-in reader (who may have just written through
    another process) gets the page of the new version."""
    subscribed_watcher(client)
    client.get("/")
    caches["default"].set(versions.KEY, ("not-announced-yet", None), timeout=None)
    assert client.get("/")["X-Page-Cache"] == "memory"
    reader = client.__class__()
    reader.force_login(django_user_model.objects.create_user("reader", password="pw-Reader-1"))
    assert reader.get("/")["X-Page-Cache"] == "miss"


def test_a_reading_under_way_never_undoes_this_process_own_write(
    client, note, redis_url, monkeypatch
):
    """The watcher reads the version; before it keeps what it read, this process writes a new
    one. What it read is older and must not replace the new version (it would be served until
    the next message arrives). The write's own message is held back, so only the watcher's
    handling of the reading under way decides what is known."""
    watcher = subscribed_watcher(client)
    monkeypatch.setattr(memory, "_publish", lambda: None)
    backend = type(caches["default"])
    read = backend.get_or_raise
    me = threading.current_thread()

    def written_meanwhile(cache, key, *args, **kwargs):
        found = read(cache, key, *args, **kwargs)
        if key == versions.KEY and threading.current_thread() is me:
            cache.set(versions.KEY, ("written-here", None), timeout=None)
            memory.published(("written-here", None))
        return found

    monkeypatch.setattr(backend, "get_or_raise", written_meanwhile)
    watcher.reread()
    assert watcher.known() == ("written-here", None)
