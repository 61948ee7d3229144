"""Pages rendered for every request (the page cache off): what each costs the cache's Redis."""

from tests.notesite.test_page_memory import redis_commands  # noqa: F401 (a fixture)

READS = {"GET", "MGET"}


def test_an_uncached_listing_reads_redis_in_two_round_trips(
    client,
    make_note,
    redis_url,
    redis_commands,  # noqa: F811
    settings,
):
    """The version and the listing's count come in one read, the cards in the other."""
    settings.PAGE_CACHE_SECONDS = 0
    make_note(title="注意力机制")
    client.get("/")  # the count and the card are kept now
    redis_commands.clear()
    response = client.get("/")
    assert "注意力机制" in response.content.decode()
    assert [command for command in redis_commands if command in READS] == ["MGET", "MGET"]
