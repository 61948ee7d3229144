"""Signed-in readers this process knows are answered from a reader card
(papers/caching/readers.py) with no SQL and no Redis command; every change a reader would
expect to see (logout anywhere, password, name, deactivation, a comment awaiting approval,
expiry) sends their next request the full way, and a forged cookie or staff never get a card."""

import datetime

import pytest
import redis
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core.cache import caches
from django.test import Client
from django.utils import timezone

from annotations.views import PENDING_SESSION_KEY
from papers.caching import memory, readers
from papers.caching.sessions import SessionStore

from .test_page_memory import redis_commands, subscribed_watcher  # noqa: F401
from .test_signed_in_pages import NOTE, TOKEN, own_parts, signed_in


@pytest.fixture
def note(make_note, topic):
    return make_note(title="注意力机制", slug="attention", topic=topic, body="注意力。")


@pytest.fixture
def watcher(redis_url, note):
    found = subscribed_watcher(Client())
    Client().get(NOTE)  # the page cached, for every reader
    return found


@pytest.fixture
def jia(django_user_model, watcher):
    user, client = signed_in(django_user_model, "jia", "读者甲")
    assert client.get(NOTE)["X-Page-Cache"] == "hit"  # the full path, which makes the card
    return user, client


def from_card(client, django_assert_num_queries, redis_commands):  # noqa: F811
    redis_commands.clear()
    with django_assert_num_queries(0):
        response = client.get(NOTE)
    assert response["X-Page-Cache"] == "memory"
    assert redis_commands == []
    return response


def test_a_known_reader_costs_no_sql_and_no_redis(
    jia,
    django_user_model,
    django_assert_num_queries,
    redis_commands,  # noqa: F811
):
    _, jia_client = jia
    _, yi_client = signed_in(django_user_model, "yi", "读者乙")  # a new user: cards are stale
    jia_client.get(NOTE)
    yi_client.get(NOTE)
    tokens = {}
    for name, client in [("甲", jia_client), ("乙", yi_client)] * 2:
        html = from_card(client, django_assert_num_queries, redis_commands).content.decode()
        assert own_parts(html)["header"] == own_parts(html)["form"] == f"读者{name}"
        assert "读者乙" not in html if name == "甲" else "读者甲" not in html
        (token,) = set(TOKEN.findall(html))
        tokens.setdefault(name, set()).add(token)
    assert not tokens["甲"] & tokens["乙"]


def changed_on_another_server():
    """What a logout elsewhere does to this process: a new readers version, SET then PUBLISH."""
    cache = caches["default"]
    cache.set(readers.KEY, "drawn-on-another-server", timeout=None)
    redis.Redis.from_url(cache.location).publish(memory.channel(cache.key_prefix), b"1")


def logout_elsewhere(user, client, watcher):
    Session.objects.filter(session_key=client.cookies[settings.SESSION_COOKIE_NAME].value).delete()
    changed_on_another_server()
    deadline = timezone.now() + datetime.timedelta(seconds=1)
    while watcher.readers_version[0] != "drawn-on-another-server":
        assert timezone.now() < deadline, "readers version not learnt within 1 s"


def change_password(user, client, watcher):
    user.set_password("pw-Changed-2")
    user.save()


def deactivate(user, client, watcher):
    user.is_active = False
    user.save()


def leave_a_comment_awaiting_approval(user, client, watcher):
    session = SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)
    session[PENDING_SESSION_KEY] = [1]
    session.save()


SIGNED_OUT = {"header": None, "form": None}


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (logout_elsewhere, SIGNED_OUT),
        (change_password, SIGNED_OUT),
        (deactivate, SIGNED_OUT),
        (leave_a_comment_awaiting_approval, {"header": "读者甲", "form": "读者甲"}),
    ],
)
def test_a_change_sends_the_next_request_the_full_way(
    jia,
    watcher,
    change,
    expected,
    django_assert_num_queries,
    redis_commands,  # noqa: F811
):
    user, client = jia
    from_card(client, django_assert_num_queries, redis_commands)
    change(user, client, watcher)
    response = client.get(NOTE)
    assert response.get("X-Page-Cache") != "memory"
    html = response.content.decode()
    header = 'class="site-account__name"' in html and own_parts(html)["header"]
    assert (header or None) == expected["header"]
    if expected is SIGNED_OUT:
        assert "以访客身份评论" in html


def test_a_new_name_shows_on_the_next_page(jia, django_assert_num_queries, redis_commands):  # noqa: F811
    user, client = jia
    from_card(client, django_assert_num_queries, redis_commands)
    user.profile.display_name = "甲改名"
    user.profile.save()
    response = client.get(NOTE)
    assert response["X-Page-Cache"] == "hit"
    assert own_parts(response.content.decode())["header"] == "甲改名"
    html = from_card(client, django_assert_num_queries, redis_commands).content.decode()
    assert own_parts(html)["form"] == "甲改名"


def test_an_expired_sessions_card_is_not_used(jia, monkeypatch):
    _, client = jia
    later = timezone.now() + datetime.timedelta(seconds=settings.SESSION_COOKIE_AGE + 60)
    monkeypatch.setattr(readers.timezone, "now", lambda: later)
    assert client.get(NOTE)["X-Page-Cache"] == "hit"


def test_a_forged_cookie_never_gets_a_card(watcher):
    client = Client()
    client.cookies[settings.SESSION_COOKIE_NAME] = "forged0session0key0nobody0has0made"
    for _ in range(2):
        response = client.get(NOTE)
        assert response["X-Page-Cache"] == "hit"
        assert "以访客身份评论" in response.content.decode()


def test_staff_never_get_a_card(django_user_model, watcher):
    editor = django_user_model.objects.create_user("editor", password="pw", is_staff=True)
    client = Client()
    client.force_login(editor)
    for _ in range(2):
        assert client.get(NOTE).get("X-Page-Cache") != "memory"
