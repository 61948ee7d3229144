"""Pages rendered for every request (the page cache off): what each costs the cache's Redis."""

from papers.caching import memory
from tests.notesite.test_page_memory import redis_commands  # noqa: F401 (a fixture)

READS = {"GET", "MGET"}


def test_an_uncached_listing_reads_redis_once(
    client,
    make_note,
    redis_url,
    redis_commands,  # noqa: F811
    settings,
):
    """The version and the listing page's rows come in one read; the cards from this
    process's memory."""
    settings.PAGE_CACHE_SECONDS = 0
    make_note(title="注意力机制")
    client.get("/")  # the page's rows and its card are kept now
    redis_commands.clear()
    response = client.get("/")
    assert "注意力机制" in response.content.decode()
    assert [command for command in redis_commands if command in READS] == ["MGET"]


def test_cards_another_process_rendered_are_read_from_redis(
    client,
    make_note,
    redis_url,
    redis_commands,  # noqa: F811
    settings,
):
    """A card this process does not hold is read from Redis (and then held): same page."""
    settings.PAGE_CACHE_SECONDS = 0
    make_note(title="注意力机制")
    first = client.get("/").content
    memory.stop_watching()  # as another process: no card in its memory
    redis_commands.clear()
    assert client.get("/").content == first
    assert [command for command in redis_commands if command in READS] == ["MGET", "MGET"]
    redis_commands.clear()
    client.get("/")
    assert [command for command in redis_commands if command in READS] == ["MGET"]
