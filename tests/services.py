"""The local services some tests need: Redis (and, for the two-server test, PostgreSQL)."""

import os

import pytest
import redis

REDIS_URL = "redis://127.0.0.1:6379/0"
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


def forget_keys(prefix):
    """Redis is shared with other runs and with development: leave no key of a test behind."""
    client = redis.Redis.from_url(REDIS_URL)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)


def require_service(reason):
    """Skip for want of a service, or fail where it must be there (REQUIRE_SERVICES=1, CI)."""
    if os.environ.get("REQUIRE_SERVICES") == "1":
        pytest.fail(f"REQUIRE_SERVICES=1, but {reason}")
    pytest.skip(reason)
