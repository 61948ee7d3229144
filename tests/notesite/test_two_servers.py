"""Two app servers behind one load balancer behave as one site.

Servers A and B are gunicorn with production settings over one PostgreSQL database (the test
database itself, so rows the test commits are theirs too), one Redis and one media folder.
Whatever a reader does through one is what every reader sees through the other, within a
second: each server keeps pages in its memory and learns of a write by Redis pub/sub
(papers/caching/memory.py), so the tests ask again until the page shows it, and say how long.

Needs PostgreSQL as the test database and Redis on 127.0.0.1:6379; skipped without them,
unless REQUIRE_SERVICES=1 (CI's PostgreSQL run), which makes their absence a failure.
"""

import secrets
import time
from urllib.parse import quote

import pytest
from django.contrib.auth.hashers import make_password
from django.db import connection

from accounts.models import Profile
from tests.notesite.servers import Client, gunicorns, production_env
from tests.services import REDIS_URL, forget_keys, redis_missing, require_service

PASSWORD = "Transformer-2017"
LOGIN_RATE_PER_USERNAME = 3  # attempts per window, in both servers' settings
READERS_LOGIN = ("/accounts/login/", ("class", "form"))
ADMIN_LOGIN = ("/admin/login/", ("id", "login-form"))


def missing_services():
    if connection.vendor != "postgresql":
        yield "the test database is not PostgreSQL (DATABASE_URL=postgres://...)"
    if missing := redis_missing():
        yield missing


# Session-scoped, so that it runs before the costly session fixtures (the test database,
# collectstatic) the servers need.
@pytest.fixture(scope="session", autouse=True)
def services():
    if missing := "; ".join(missing_services()):
        require_service(missing)


def shared_database_url():
    """The database pytest-django created for this run, as a URL for the servers."""
    database = connection.settings_dict
    user = f"{quote(database['USER'])}:{quote(database['PASSWORD'])}"
    address = f"{database['HOST']}:{database['PORT'] or 5432}"
    return f"postgres://{user}@{address}/{quote(database['NAME'])}"


@pytest.fixture
def servers(transactional_db, static_root, settings):
    """{"A": url, "B": url}, started for each test and stopped before transactional_db empties
    the tables, so they never see another test's rows nor keep its database open.

    Not once per module: the flush that ends each test recreates the content types under new
    ids, which a server that lived on would still have cached (the admin's log, tags). Each
    test also gets a fresh cache prefix: no page or rate-limit counter of another test.
    """
    prefix = f"notesite-test-{secrets.token_hex(8)}"
    env = production_env(
        DATABASE_URL=shared_database_url(),
        CONN_MAX_AGE="0",  # no connection outlives its request: the database is dropped at the end
        REDIS_URL=REDIS_URL,
        CACHE_KEY_PREFIX=prefix,
        MEDIA_ROOT=str(settings.MEDIA_ROOT),  # this test's own, from tests/conftest.py
        STATIC_ROOT=str(static_root),
        # Plain HTTP, so the browser-like client keeps the session and CSRF cookies.
        SESSION_COOKIE_SECURE="0",
        CSRF_COOKIE_SECURE="0",
        LOGIN_RATE_PER_USERNAME=str(LOGIN_RATE_PER_USERNAME),
        # Every client comes from 127.0.0.1; the per-username counter is the one under test.
        LOGIN_RATE_PER_ADDRESS="100",
        COMMENTS_MIN_SECONDS="0",  # the client posts the comment form at once
    )
    try:
        with gunicorns(A=env, B=env) as urls:
            yield urls
    finally:
        forget_keys(prefix)


@pytest.fixture(scope="module")
def password_hash():
    """PASSWORD hashed once: a hash takes a third of a second, by design."""
    return make_password(PASSWORD)


@pytest.fixture
def editor(django_user_model, password_hash):
    return django_user_model.objects.create(
        username="editor", password=password_hash, is_staff=True, is_superuser=True
    )


@pytest.fixture
def reader(django_user_model, password_hash):
    user = django_user_model.objects.create(username="reader", password=password_hash)
    Profile.objects.create(user=user, display_name="小读者")
    return user


@pytest.fixture
def note(make_note, topic):
    return make_note(title="Transformer 初读", topic=topic, body="第一稿:注意力就是加权平均。")


def log_in(client, server, user, password=PASSWORD, login=READERS_LOGIN):
    path, form = login
    return client.submit(f"{server}{path}", form, username=user.username, password=password)


def read_as_anonymous(client, url):
    """GET `url`, telling whether the page cache answered (the header is only informative)."""
    response = client.get(url)
    assert response.status == 200, response.text
    print(f"{url}: X-Page-Cache {response.headers.get('X-Page-Cache')}")
    return response.text


SEEN_WITHIN_SECONDS = 1


def seen_after(client, url, words):
    """Seconds from now to the start of the first request whose page at `url` shows `words`
    (0: the very first one), asked again every 5 ms; fails after a second."""
    start = time.monotonic()
    while True:
        asked = time.monotonic()
        if words in read_as_anonymous(client, url):
            return asked - start
        assert asked - start < SEEN_WITHIN_SECONDS, f"{words} not on {url} within a second"
        time.sleep(0.005)


def warm_in_memory(client, url):
    """Ask for `url` until server B answers it from its memory (subscribed by then)."""
    deadline = time.monotonic() + 5
    while client.get(url).headers.get("X-Page-Cache") != "memory":
        assert time.monotonic() < deadline, f"{url} never came from memory"
        time.sleep(0.05)


def test_note_edited_through_a_is_fresh_through_b(servers, editor, note):
    """An anonymous reader on B, who read the note before, sees the editor's change made on A
    within a second, on the note page and on the front page: new title, new sentence, no old
    one."""
    anonymous, staff = Client(), Client()
    pages = [f"{servers['B']}{note.get_absolute_url()}", f"{servers['B']}/"]
    for url in pages * 2:  # the second time from the page cache, where there is one
        assert "Transformer 初读" in read_as_anonymous(anonymous, url)

    assert log_in(staff, servers["A"], editor, login=ADMIN_LOGIN).status == 302
    change_page = f"{servers['A']}/admin/papers/note/{note.pk}/change/"
    body = note.body.replace("第一稿:注意力就是加权平均。", "第二稿:注意力是对键的软寻址。")
    saved = staff.submit(change_page, ("id", "note_form"), title="Transformer 精读", body=body)
    assert saved.status == 302, saved.text

    for url in pages:
        print(f"{url}: fresh after {seen_after(anonymous, url, 'Transformer 精读') * 1000:.1f} ms")
        page = read_as_anonymous(anonymous, url)
        assert "Transformer 精读" in page
        assert "第二稿:注意力是对键的软寻址。" in page
        assert "Transformer 初读" not in page
        assert "第一稿" not in page


def test_comment_posted_through_a_appears_at_once_on_b(servers, reader, note):
    """A signed-in reader's comment, posted on A, is on the note page an anonymous reader
    gets from B within a second, though B had shown that reader the page without it."""
    anonymous, commenter = Client(), Client()
    note_on_b = f"{servers['B']}{note.get_absolute_url()}"
    for _ in range(2):
        assert "跨服务器的第一条评论" not in read_as_anonymous(anonymous, note_on_b)

    assert log_in(commenter, servers["A"], reader).status == 302
    note_on_a = f"{servers['A']}{note.get_absolute_url()}"
    posted = commenter.submit(note_on_a, ("id", "comment-form"), body="跨服务器的第一条评论")
    assert posted.status == 302, posted.text

    delay = seen_after(anonymous, note_on_b, "跨服务器的第一条评论")
    print(f"comment seen on B after {delay * 1000:.1f} ms")


def test_writes_through_a_reach_b_from_memory_within_a_second(servers, editor, note):
    """Ten edits on A, each read on B from a page B holds in memory: how soon B shows each
    (printed: median and slowest), every one within a second."""
    anonymous, staff = Client(), Client()
    note_on_b = f"{servers['B']}{note.get_absolute_url()}"
    assert log_in(staff, servers["A"], editor, login=ADMIN_LOGIN).status == 302
    change_page = f"{servers['A']}/admin/papers/note/{note.pk}/change/"
    delays = []
    for number in range(10):
        warm_in_memory(anonymous, note_on_b)
        saved = staff.submit(change_page, ("id", "note_form"), title=f"第 {number} 次修改")
        assert saved.status == 302, saved.text
        delays.append(seen_after(anonymous, note_on_b, f"第 {number} 次修改"))
    stale = sum(delay > 0 for delay in delays)
    print(f"B stale after {stale} of 10 writes; slowest {max(delays) * 1000:.1f} ms")


def wait_out_window_end(window, margin=3):
    """Rate limits count in fixed windows: start the attempts where one window holds them all."""
    remaining = window - time.time() % window
    if remaining < margin:
        time.sleep(remaining)


def test_login_rate_limit_counts_across_servers(servers, reader, settings):
    """Wrong passwords for one username on A, B, A are answered with the form's error; the
    next attempt, on B, is refused with 429 even with the right password, and does not log in."""
    wait_out_window_end(settings.LOGIN_RATE_LIMITS["username"][1])  # the servers' window too
    client = Client()
    for server in ["A", "B", "A"]:  # LOGIN_RATE_PER_USERNAME of them
        refused = log_in(client, servers[server], reader, password="wrong")
        assert refused.status == 200
        assert 'class="errorlist nonfield"' in refused.text

    assert log_in(client, servers["B"], reader).status == 429
    assert client.get(f"{servers['B']}/accounts/profile/").status == 302  # to the login page


def test_login_on_a_is_valid_on_b(servers, reader):
    """A reader who logged in on A opens their account page on B (anonymous: the login page)."""
    client = Client()
    profile_on_b = f"{servers['B']}/accounts/profile/"
    assert client.get(profile_on_b).status == 302

    assert log_in(client, servers["A"], reader).status == 302
    account = client.get(profile_on_b)
    assert account.status == 200
    assert "用户名:reader" in account.text


def test_media_is_served_by_both(servers, settings):
    """An image in the shared media folder is the same file from A and from B."""
    figure = settings.MEDIA_ROOT / "notes" / "x" / "fig.png"
    figure.parent.mkdir(parents=True)
    figure.write_bytes(b"\x89PNG\r\n\x1a\n" + secrets.token_bytes(256))
    client = Client()
    for server in servers.values():
        response = client.get(f"{server}/media/notes/x/fig.png")
        assert (response.status, response.body) == (200, figure.read_bytes())
