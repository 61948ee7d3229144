"""The Redis cache backend: Django's, with a client kept per pool and a Redis outage as misses.

- Django 5.2's RedisCacheClient.get_client() builds a new `redis.Redis` for every cache call,
  and redis-py's constructor (its table of response callbacks) costs about 0.45 ms, more than
  the round trip to a local Redis: a cached page (two keys in one MGET) took 0.92 ms of CPU,
  0.64 ms with the client kept. `redis.Redis` is thread-safe over its pool.
- Pages keep working when Redis does not answer. After a failure Redis is not asked again for
  `BREAKER_SECONDS` (see `Breaker`), so an outage costs each process one timeout every few
  seconds, not one per cache call, and is logged once; meanwhile each process caches in its
  own memory for `FALLBACK_SECONDS` at most (pages, fragments, rate-limit counters: per process
  then), and /healthz reports the cache as failing. When Redis answers again the content
  version is drawn anew, since writes made meanwhile could not replace it.
"""

import functools
import logging
import threading
import time

import redis
from django.core.cache.backends.base import DEFAULT_TIMEOUT
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)


class ReusedClientRedisCacheClient(RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class Breaker:
    """Whether Redis is worth asking: after a failure, not for `seconds`.

    A hung Redis makes each call wait for its socket timeout (settings: 0.5 s); without the
    breaker every cache call of every request waited in turn. One per Redis address, shared
    by the threads of a process (Django keeps a cache object per thread). The first failure of
    an outage and the recovery are logged, not every call in between.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self.down_until = None  # clock() time until which Redis is not asked; None: up
        self.lock = threading.Lock()

    def allows(self):
        down_until = self.down_until
        return down_until is None or clock() >= down_until

    def failed(self, call, error):
        with self.lock:
            if self.down_until is None:
                logger.error(
                    "Redis failed in %s (%s): answering without it for %g s at a time",
                    call,
                    error,
                    self.seconds,
                )
            self.down_until = clock() + self.seconds

    def succeeded(self):
        """Note that Redis answered; True when that ends an outage."""
        if self.down_until is None:
            return False
        with self.lock:
            if self.down_until is None:
                return False
            logger.warning("Redis answers again")
            self.down_until = None
            return True


clock = time.monotonic  # tests move it
BREAKER_SECONDS = 5
_breakers = {}
_breakers_lock = threading.Lock()


def breaker_for(location):
    with _breakers_lock:
        return _breakers.setdefault(location, Breaker(BREAKER_SECONDS))


# While Redis is down, each process keeps what it would have cached in its own memory, this
# long at most and this many entries: pages and fragments stay cheap, and a write on another
# app server (which cannot reach this one without Redis) shows here within FALLBACK_SECONDS.
FALLBACK_SECONDS = 5
FALLBACK_ENTRIES = 2000
_recovery_hooks = []


def when_recovered(function):
    """Call `function()` when Redis answers again after an outage (papers.caching.versions
    forgets the content version then: writes made meanwhile never reached Redis)."""
    _recovery_hooks.append(function)
    return function


class MemoryWhileDown(LocMemCache):
    """This process's memory, asked instead of Redis while it is down: whatever is kept here
    lives FALLBACK_SECONDS at most. Local memory caches of one name share their entries, so
    the threads of a process share one."""

    def get_backend_timeout(self, timeout=DEFAULT_TIMEOUT):
        expires = super().get_backend_timeout(timeout)
        latest = time.time() + FALLBACK_SECONDS
        return latest if expires is None else min(expires, latest)


def memory_while_down(location, key_prefix=""):
    """The memory this process answers from while the Redis at `location` is down."""
    options = {"MAX_ENTRIES": FALLBACK_ENTRIES}
    return MemoryWhileDown(f"redis-down:{location}", {"OPTIONS": options, "KEY_PREFIX": key_prefix})


def when_down(method):
    """Make a cache method ask this process's memory instead while Redis is down or when it
    fails (the method of the same name of `MemoryWhileDown`)."""

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        return self.call(
            f"cache.{method.__name__}",
            lambda: method(self, *args, **kwargs),
            lambda: getattr(self.fallback, method.__name__)(*args, **kwargs),
        )

    return wrapper


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self.location = server
        self._class = ReusedClientRedisCacheClient
        self.breaker = breaker_for(server)
        self.fallback = memory_while_down(server, self.key_prefix)

    def call(self, name, ask_redis, answer_without):
        """`ask_redis()`, or `answer_without()` while Redis is down or if it fails now."""
        if not self.breaker.allows():
            return answer_without()
        try:
            result = ask_redis()
        except redis.RedisError as error:
            self.breaker.failed(name, error)
            return answer_without()
        if self.breaker.succeeded():
            for hook in _recovery_hooks:
                hook()
        return result

    def redis(self):
        """The client of this cache's Redis, for data kept beside the cache (view counts)."""
        return self._cache.get_client(write=True)

    def get_or_raise(self, key):
        """Redis's value of `key`, raising redis.RedisError if it fails: no breaker, no memory
        (papers.caching.memory must not take this process's fallback copy for Redis's)."""
        return RedisCache.get(self, key)

    def ping(self):
        """Whether Redis answers now (False at once while the breaker says it is down)."""
        return self.call("ping", lambda: self.redis().ping(), lambda: False)

    get = when_down(RedisCache.get)
    get_many = when_down(RedisCache.get_many)
    add = when_down(RedisCache.add)
    set = when_down(RedisCache.set)
    set_many = when_down(RedisCache.set_many)
    delete = when_down(RedisCache.delete)
    incr = when_down(RedisCache.incr)
