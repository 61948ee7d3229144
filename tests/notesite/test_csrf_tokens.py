"""Filled pages' CSRF tokens (papers.caching.csrf): Django's tokens, drawn from one os.urandom
call. tests/notesite/test_pagecache.py posts a comment with one from a cached page."""

from collections import Counter

import pytest
from django.middleware.csrf import CSRF_ALLOWED_CHARS, _unmask_cipher_token
from django.test import RequestFactory

from papers.caching import csrf


def test_every_character_is_equally_likely():
    """62,000 characters, about 1,000 of each (a standard deviation is 31): keeping bytes of
    248 and over would make the first eight characters about 1,211 each."""
    counts = Counter("".join(csrf.random_string(62) for _ in range(1000)))
    assert set(counts) == set(CSRF_ALLOWED_CHARS)
    assert all(850 < count < 1150 for count in counts.values()), counts


def test_a_reader_without_a_secret_gets_one_sent_as_a_cookie():
    request = RequestFactory().get("/")
    token = csrf.token(request)
    secret = request.META["CSRF_COOKIE"]
    assert len(secret) == 32 and set(secret) <= set(CSRF_ALLOWED_CHARS)
    assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]
    assert len(token) == 64 and set(token) <= set(CSRF_ALLOWED_CHARS)
    assert _unmask_cipher_token(token) == secret


@pytest.mark.parametrize("secret", [CSRF_ALLOWED_CHARS[:32], CSRF_ALLOWED_CHARS[30:]])
def test_a_known_secret_is_masked_anew_for_every_token(secret):
    """Every character of the alphabet, in one secret or the other, unmasked by Django."""
    request = RequestFactory().get("/")
    request.META["CSRF_COOKIE"] = secret
    tokens = {csrf.token(request) for _ in range(200)}
    assert len(tokens) == 200
    assert {_unmask_cipher_token(token) for token in tokens} == {secret}
    assert request.META["CSRF_COOKIE"] == secret
