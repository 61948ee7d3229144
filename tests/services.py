"""The local services some tests need: Redis, and PostgreSQL for tests that run processes
against a database of their own (besides the two-server test, which shares the test database);
and what to do when a service or a program (chromium, Java, poppler) is missing."""

import os
import secrets
from contextlib import contextmanager
from urllib.parse import quote

import psycopg
import pytest
import redis
from django.conf import settings
from django.core.cache.backends.locmem import LocMemCache
from psycopg import sql

from papers.caching.backend import memory_while_down

# Every test's cache (tests/conftest.py), in this process's memory.
LOCAL_CACHE = {
    "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
    "LOCATION": "notesite-tests",
}
# The Redis tests may use: a developer's REDIS_URL is never touched (tests/conftest.py).
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The site's cache pointed at a port nothing listens on: Redis is down.
REDIS_DOWN_CACHES = {
    "default": {
        "BACKEND": "papers.caching.backend.ResilientRedisCache",
        "LOCATION": "redis://127.0.0.1:1/0",
    }
}


def redis_missing():
    """Why Redis cannot be used, or "" when it answers."""
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1).ping()
    except redis.RedisError as error:
        return f"Redis at {REDIS_URL} does not answer ({error})"
    return ""


def clear_local_cache():
    """Empty the tests' local memory caches, whatever the cache settings point at now: the
    tests' cache, and the memory the Redis backend answers from while Redis is down."""
    LocMemCache(LOCAL_CACHE["LOCATION"], {}).clear()
    for location in (REDIS_URL, REDIS_DOWN_CACHES["default"]["LOCATION"]):
        memory_while_down(location).clear()


def forget_keys(prefix):
    """Redis is shared with other runs and with development: leave no key of a test behind."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def postgres_server():
    """(user, password, host, port) of this run's PostgreSQL server: the test database's when
    the run is on PostgreSQL (CI names its own), else postgres at 127.0.0.1:5432."""
    run = settings.DATABASES["default"]
    if run["ENGINE"] != "django.db.backends.postgresql":
        return "postgres", "", "127.0.0.1", 5432
    return run["USER"], run["PASSWORD"], run["HOST"], run["PORT"] or 5432


def postgres_url(database):
    """The URL of `database` on this run's PostgreSQL server, for DATABASE_URL or psycopg."""
    user, password, host, port = postgres_server()
    return f"postgres://{quote(user)}:{quote(password)}@{host}:{port}/{quote(database)}"


def postgres_missing():
    """Why PostgreSQL cannot be used, or "" when it answers."""
    try:
        psycopg.connect(postgres_url("postgres"), connect_timeout=2).close()
    except psycopg.Error as error:
        _, _, host, port = postgres_server()
        return f"PostgreSQL at {host or 'its socket'}:{port} does not answer ({error})"
    return ""


@contextmanager
def scratch_postgres_database(template=None):
    """A new database with a name of its own (a copy of the database `template` if given),
    dropped afterwards whoever is still connected to it. Yields its name."""
    name = f"notesite_scratch_{secrets.token_hex(6)}"
    create = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
    if template:
        create += sql.SQL(" TEMPLATE {}").format(sql.Identifier(template))
    with psycopg.connect(postgres_url("postgres"), autocommit=True) as server:
        server.execute(create)
    try:
        yield name
    finally:
        with psycopg.connect(postgres_url("postgres"), autocommit=True) as server:
            server.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def require_service(reason):
    """Skip for want of a service, or fail where it must be there (REQUIRE_SERVICES=1, CI)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1, but {reason}")
    pytest.skip(reason)


def require_program(reason):
    """Skip for want of a program the browser and HTML tests run, or fail where it must be
    there (REQUIRE_BROWSER=1, CI)."""
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason)
    pytest.skip(reason)
