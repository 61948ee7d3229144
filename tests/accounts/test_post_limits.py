"""Sign-ups and password-reset emails are rate-limited per client address (and per email)."""

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from accounts import limits
from tests.accounts.conftest import PASSWORD

NOW = 1_800_000_000.0  # the start of an hour: no window rolls over mid-test


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    monkeypatch.setattr(limits, "clock", lambda: NOW)


def sign_up(client, number, address="198.51.100.7"):
    data = {
        "username": f"reader{number}",
        "display_name": f"读者{number}",
        "email": "",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    response = client.post("/accounts/signup/", data, REMOTE_ADDR=address)
    client.logout()
    return response.status_code


def test_sign_ups_past_the_limit_are_refused(client, db, settings):
    settings.SIGNUP_RATE_LIMIT = (2, 3600)
    assert [sign_up(client, n) for n in range(3)] == [302, 302, 429]
    assert get_user_model().objects.count() == 2
    assert sign_up(client, 9, address="203.0.113.5") == 302


def reset(client, email, address="198.51.100.7"):
    response = client.post("/accounts/password/reset/", {"email": email}, REMOTE_ADDR=address)
    return response.status_code


def test_reset_emails_past_the_limit_are_refused(client, reader, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = (2, 3600)
    assert [reset(client, "reader@example.com") for _ in range(3)] == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_one_inbox_is_not_flooded_from_many_addresses(client, reader, settings):
    settings.PASSWORD_RESET_RATE_LIMIT = (2, 3600)
    statuses = [reset(client, "READER@example.com", f"198.51.100.{i}") for i in range(3)]
    assert statuses == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_refusal_says_when_to_try_again(client, db, settings):
    settings.SIGNUP_RATE_LIMIT = (0, 3600)
    response = client.post("/accounts/signup/", {"username": "x"})
    assert response.status_code == 429
    assert response["Retry-After"] == "3600"
    assert "提交太频繁了,请 60 分钟后再试。" in response.content.decode()
