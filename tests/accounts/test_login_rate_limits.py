"""Logins, the readers' and the admin's, are rate-limited per client address and per username."""

import pytest
from django.core.cache import caches

from accounts import limits
from tests.accounts.conftest import PASSWORD

LOGINS = {"readers": "/accounts/login/", "admin": "/admin/login/"}
NOW = 1_800_000_000.0  # the start of an hour: no window rolls over mid-test


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(limits, "clock", lambda: NOW)


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user("editor", password=PASSWORD, is_staff=True)


def attempt(client, url, username="editor", password="wrong", address="198.51.100.7"):
    data = {"username": username, "password": password}
    return client.post(url, data, REMOTE_ADDR=address)


@pytest.mark.parametrize("url", LOGINS.values(), ids=LOGINS.keys())
def test_under_the_limit_logs_in(client, editor, settings, url):
    """Wrong passwords under the limit, then the right one: logged in."""
    settings.LOGIN_RATE_LIMITS = {"address": (10, 300), "username": (3, 300)}
    assert [attempt(client, url).status_code for _ in range(2)] == [200, 200]
    assert attempt(client, url, password=PASSWORD).status_code == 302
    assert client.session["_auth_user_id"] == str(editor.pk)


@pytest.mark.parametrize("url", LOGINS.values(), ids=LOGINS.keys())
def test_over_the_account_limit_refuses_even_the_right_password(client, editor, settings, url):
    """Past the failures for one account from one address: 429 with a clear message, and no
    login with the password from there."""
    settings.LOGIN_RATE_LIMITS = {"address": (100, 300), "username": (2, 300)}
    assert [attempt(client, url).status_code for _ in range(2)] == [200, 200]
    refused = attempt(client, url, password=PASSWORD)
    assert refused.status_code == 429
    assert refused["Retry-After"] == "300"
    assert "登录失败次数过多,请 5 分钟后再试。" in refused.content.decode()
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize("url", LOGINS.values(), ids=LOGINS.keys())
def test_failures_elsewhere_never_lock_the_owner_out(client, editor, settings, url):
    """Wrong passwords for the admin's account from other addresses: its owner logs in."""
    settings.LOGIN_RATE_LIMITS = {"address": (100, 300), "username": (2, 300)}
    for i in range(10):
        assert attempt(client, url, address=f"198.51.100.{i}").status_code == 200
    assert attempt(client, url, password=PASSWORD, address="203.0.113.5").status_code == 302


@pytest.mark.parametrize("url", LOGINS.values(), ids=LOGINS.keys())
def test_logging_in_is_not_a_failure(client, editor, settings, url):
    """Right passwords do not count towards the limits."""
    settings.LOGIN_RATE_LIMITS = {"address": (1, 300), "username": (1, 300)}
    for _ in range(3):
        assert attempt(client, url, password=PASSWORD).status_code == 302
        client.logout()


@pytest.mark.parametrize("url", LOGINS.values(), ids=LOGINS.keys())
def test_over_the_address_limit_refuses_every_username(client, editor, settings, url):
    """Past the per-address limit, that address cannot log in as anyone, however it spells it."""
    settings.LOGIN_RATE_LIMITS = {"address": (2, 300), "username": (100, 300)}
    assert attempt(client, url, username="alice").status_code == 200
    assert attempt(client, url, username="bob").status_code == 200
    assert attempt(client, url, password=PASSWORD).status_code == 429
    assert "_auth_user_id" not in client.session
    assert attempt(client, url, password=PASSWORD, address="203.0.113.5").status_code == 302


@pytest.mark.parametrize("spelling", ["EDITOR", "ｅｄｉｔｏｒ", " editor "])
def test_an_account_is_counted_however_its_name_is_spelled(client, editor, settings, spelling):
    """Case, fullwidth letters (NFKC, as Django reads usernames) and spaces: one counter."""
    settings.LOGIN_RATE_LIMITS = {"address": (100, 300), "username": (1, 300)}
    assert attempt(client, LOGINS["readers"], username=spelling).status_code == 200
    assert attempt(client, LOGINS["readers"], password=PASSWORD).status_code == 429


def test_a_huge_username_is_kept_as_a_small_key(client, db, settings, redis_url):
    """A 2 MB username costs a failure under a key of fixed size, not 2 MB of Redis."""
    attempt(client, LOGINS["readers"], username="x" * 2_000_000)
    keys = list(caches["default"].redis().scan_iter(match="*ratelimit:login*"))
    assert keys and max(len(key) for key in keys) < 200


def test_limits_reset_after_the_window(client, editor, settings, monkeypatch):
    """The next window counts from zero."""
    settings.LOGIN_RATE_LIMITS = {"address": (1, 300), "username": (1, 300)}
    attempt(client, LOGINS["readers"])
    assert attempt(client, LOGINS["readers"], password=PASSWORD).status_code == 429
    monkeypatch.setattr(limits, "clock", lambda: NOW + 300)
    assert attempt(client, LOGINS["readers"], password=PASSWORD).status_code == 302


@pytest.mark.parametrize("url", LOGINS.values(), ids=LOGINS.keys())
def test_showing_the_login_page_is_not_counted(client, db, settings, url):
    """Only POSTs count: GETs past the limit still show the form."""
    settings.LOGIN_RATE_LIMITS = {"address": (1, 300), "username": (1, 300)}
    assert [client.get(url).status_code for _ in range(3)] == [200, 200, 200]


def test_client_ip_uses_remote_addr(rf, settings):
    """Without trusted proxies the address is REMOTE_ADDR."""
    request = rf.get("/", REMOTE_ADDR="192.0.2.1", HTTP_X_FORWARDED_FOR="1.1.1.1")
    assert limits.client_ip(request) == "192.0.2.1"
