"""URL names of the accounts app, mounted at /accounts/."""

import pytest
from django.urls import resolve, reverse


@pytest.mark.parametrize(
    ("name", "kwargs", "path"),
    [
        ("accounts:signup", {}, "/accounts/signup/"),
        ("accounts:login", {}, "/accounts/login/"),
        ("accounts:logout", {}, "/accounts/logout/"),
        ("accounts:profile", {}, "/accounts/profile/"),
        ("accounts:password-change", {}, "/accounts/password/change/"),
        ("accounts:password-reset", {}, "/accounts/password/reset/"),
        (
            "accounts:password-reset-confirm",
            {"uidb64": "MQ", "token": "set-password"},
            "/accounts/password/reset/MQ/set-password/",
        ),
    ],
)
def test_urls_round_trip(name, kwargs, path):
    """Each account URL name reverses to its path and resolves back."""
    assert reverse(name, kwargs=kwargs) == path
    assert resolve(path).view_name == name
