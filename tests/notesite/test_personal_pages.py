"""Pages kept for one signed-in reader each (papers/caching/personal.py): a note's annotations
JSON and the search page show the reader's private annotations, so they are kept per reader,
never in an entry another reader or an anonymous one is served; a private write shows on the
next request, and a kept page costs no SQL for a reader this process has a card of."""

import re
import zlib

import pytest
from django.core.cache import cache
from django.test import Client

from annotations import passages
from papers.caching import personal

from .test_page_memory import redis_commands, subscribed_watcher  # noqa: F401
from .test_signed_in_pages import TOKEN, signed_in

JSON = "/notes/attention/annotations/"
SEARCH = "/search/?q=序列长度"
ACCOUNT_NAME = re.compile(r'class="site-account__name"[^>]*>([^<]+)<')
# A kept page for a reader without a card (no Redis here): their session and user, and on the
# search page their profile (the name in its header); the JSON has no part filled per reader.
HIT_QUERIES_WITHOUT_CARD = {JSON: 2, SEARCH: 3}


@pytest.fixture
def note(make_note, topic):
    return make_note(
        title="注意力机制", slug="attention", topic=topic, body="注意力的计算量随序列长度平方增长。"
    )


def annotate(note, user, body, visibility):
    text = passages.note_text(note)
    start = text.index("序列长度")
    selector, errors = passages.clean_selector(
        text, {"exact": "序列长度", "start": start, "end": start + 4}
    )
    assert not errors
    return passages.create_annotation(note, user, selector, body, visibility)


@pytest.fixture
def readers(django_user_model, note):
    """甲 with a private annotation, 乙 with none, both signed in."""
    jia, jia_client = signed_in(django_user_model, "jia", "读者甲")
    yi, yi_client = signed_in(django_user_model, "yi", "读者乙")
    annotate(note, jia, "甲的私人批注", "private")
    return {"甲": (jia, jia_client), "乙": (yi, yi_client)}


def bodies(client, url):
    """What `url` shows of annotations: the JSON's bodies, or the search page's text."""
    response = client.get(url)
    if url == JSON:
        return response, [item["body"] for item in response.json()["annotations"]]
    return response, response.content.decode()


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_each_reader_gets_their_own_kept_page(readers, url):
    """A B A B: 甲's kept page has 甲's private annotation, 乙's never, nor an anonymous
    reader's; the search page's name and CSRF token are each reader's own."""
    for name in ["甲", "乙"]:
        assert readers[name][1].get(url)["X-Page-Cache"] == "miss"
    tokens = {}
    for name in ["甲", "乙", "甲", "乙"]:
        response, shown = bodies(readers[name][1], url)
        assert response["X-Page-Cache"] == "hit"
        assert ("甲的私人批注" in shown) == (name == "甲")
        if url == SEARCH:
            assert ACCOUNT_NAME.search(shown)[1] == f"读者{name}"
            assert "<!--fill:" not in shown
            tokens.setdefault(name, set()).update(TOKEN.findall(shown))
    for _ in range(2):
        assert "甲的私人批注" not in bodies(Client(), url)[1]
    if url == SEARCH:
        assert not tokens["甲"] & tokens["乙"]


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_a_private_annotation_added_or_deleted_shows_on_the_next_request(readers, note, url):
    jia, client = readers["甲"]
    client.get(url)
    assert client.get(url)["X-Page-Cache"] == "hit"
    added = annotate(note, jia, "甲的第二条私人批注", "private")
    response, shown = bodies(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "甲的第二条私人批注" in shown
    added.delete()
    response, shown = bodies(client, url)
    assert response["X-Page-Cache"] == "miss"
    assert "甲的第二条私人批注" not in shown
    assert "甲的私人批注" in shown


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_a_public_annotation_shows_in_every_readers_kept_page(readers, note, url):
    _, jia_client = readers["甲"]
    yi, yi_client = readers["乙"]
    for client in (jia_client, yi_client, Client()):
        client.get(url)
    annotate(note, yi, "乙的公开批注", "public")
    for client in (jia_client, yi_client, Client()):
        assert "乙的公开批注" in bodies(client, url)[1]


def test_a_new_name_shows_in_the_readers_kept_json(readers):
    jia, client = readers["甲"]
    client.get(JSON)
    jia.profile.display_name = "甲改名"
    jia.profile.save()
    authors = [item["author"] for item in client.get(JSON).json()["annotations"]]
    assert authors == ["甲改名"]


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_a_kept_page_runs_a_fixed_number_of_queries(readers, url, django_assert_num_queries):
    _, client = readers["甲"]
    client.get(url)
    with django_assert_num_queries(HIT_QUERIES_WITHOUT_CARD[url]):
        response, shown = bodies(client, url)
    assert response["X-Page-Cache"] == "hit"
    assert "甲的私人批注" in shown


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_a_reader_with_a_card_is_answered_with_no_sql_and_no_redis(
    redis_url,
    readers,
    url,
    django_assert_num_queries,
    redis_commands,  # noqa: F811
):
    """With Redis: the reader's first request makes their card and their kept page; the next
    one costs no SQL and no Redis command, and another app server (a process whose memory
    does not have the page) gets it from Redis."""
    _, client = readers["甲"]
    subscribed_watcher(Client())
    assert client.get(url)["X-Page-Cache"] == "miss"
    redis_commands.clear()
    with django_assert_num_queries(0):
        response, shown = bodies(client, url)
    assert response["X-Page-Cache"] == "memory"
    assert "甲的私人批注" in shown
    assert redis_commands == []

    personal.in_memory().entries.clear()  # as on an app server that never served it
    response, shown = bodies(client, url)
    assert response["X-Page-Cache"] == "hit"
    assert "甲的私人批注" in shown


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_a_kept_page_is_what_a_render_gives(readers, url, settings):
    """Kept or rendered, the reader gets the same page (their CSRF token aside)."""
    _, client = readers["甲"]
    client.get(url)
    kept = client.get(url)
    assert kept["X-Page-Cache"] == "hit"
    settings.PAGE_CACHE_SECONDS = 0
    rendered = client.get(url)
    assert "X-Page-Cache" not in rendered
    assert kept["Content-Type"] == rendered["Content-Type"]
    assert TOKEN.sub("", kept.content.decode()) == TOKEN.sub("", rendered.content.decode())


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_staff_pages_are_never_kept(django_user_model, note, url):
    """Staff see what readers do not (hide buttons, previews): rendered for them each time."""
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    client = Client()
    client.force_login(editor)
    for _ in range(2):
        assert "X-Page-Cache" not in client.get(url)


@pytest.mark.parametrize("url", [JSON, SEARCH])
def test_the_shared_cache_holds_a_kept_page_compressed(readers, url, monkeypatch):
    """The shared cache (Redis) gets the body compressed; a page read back from it is whole."""
    _, client = readers["甲"]
    stored = {}

    class RecordingCache:
        def __getattr__(self, name):
            return getattr(cache, name)

        def set(self, key, value, timeout):
            stored[key] = value
            cache.set(key, value, timeout)

    monkeypatch.setattr(personal, "cache", RecordingCache())
    assert client.get(url)["X-Page-Cache"] == "miss"
    [(key, value)] = stored.items()
    assert key.endswith(":zlib")
    assert "甲的私人批注".encode() not in value[4]
    assert "甲的私人批注".encode() in zlib.decompress(value[4])
    response, shown = bodies(client, url)
    assert response["X-Page-Cache"] == "hit"
    assert "甲的私人批注" in shown
