"""The test suite leaves a developer's Redis alone, even when REDIS_URL points at it."""

import os
import secrets
import subprocess
import sys

import pytest
import redis

from tests.notesite.test_settings import PROJECT
from tests.services import REDIS_URL, redis_missing, require_service

# Tests that use the cache, rate limits, the view buffer and Redis itself.
SUITE_PART = [
    "tests/notesite/test_pagecache.py",
    "tests/notesite/test_healthz.py",
    "tests/papers/test_viewcounts.py",
    "tests/annotations/test_abuse.py",
]


CLAIM = "notesite-tests:claimed"


def empty_database(server):
    """A Redis database of `server` that held no key, for the developer's data, claimed with
    a key of this run's (SET NX), so that a run beside this one (.ci/run runs two at once)
    takes another. Returns (number, client, the claim's key and value)."""
    token = secrets.token_hex(4).encode()
    for number in range(1, 16):
        client = redis.Redis.from_url(f"{server}/{number}")
        if client.set(CLAIM, token, nx=True):
            if client.dbsize() == 1:
                return number, client, {CLAIM: token}
            client.delete(CLAIM)
    pytest.skip("every Redis database 1-15 holds keys")


def test_a_developers_keys_survive_the_tests(tmp_path):
    """With REDIS_URL and TEST_REDIS_URL both on a database holding someone's keys, running
    tests that cache, count and rate-limit leaves exactly those keys."""
    if missing := redis_missing():
        require_service(missing)
    server = REDIS_URL.rsplit("/", 1)[0]
    number, client, claim = empty_database(server)
    theirs = {
        f"notesite:{secrets.token_hex(4)}": b"a cached page of theirs",
        f"session:{secrets.token_hex(4)}": b"someone's session",
    }
    client.mset(theirs)
    theirs |= claim
    try:
        environment = {
            **os.environ,
            "REDIS_URL": f"{server}/{number}",
            "TEST_REDIS_URL": f"{server}/{number}",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",  # not the outer run's
        }
        result = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:randomly", *SUITE_PART],
            cwd=PROJECT,
            env=environment,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
        assert " passed" in result.stdout and " skipped" not in result.stdout, result.stdout
        assert {key: client.get(key) for key in client.scan_iter()} == {
            key.encode(): value for key, value in theirs.items()
        }
    finally:
        client.delete(*theirs)
