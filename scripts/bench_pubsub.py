"""How soon another app server learns a new content version (papers/caching/memory.py).

    .venv/bin/python scripts/bench_pubsub.py             # 500 versions, Redis 127.0.0.1:6379
    .venv/bin/python scripts/bench_pubsub.py --count 2000

This process runs the site's watcher over TEST_REDIS_URL under a key prefix of its own; a
second process plays the other app server and draws versions as `versions.new()` does (SET,
then PUBLISH), one at a time, each once the watcher knew the last. Printed: p50, p99 and the
slowest time from the start of the SET to the watcher knowing the version. The key is deleted
at the end.
"""

import argparse
import os
import secrets
import statistics
import subprocess
import sys
import time

PROJECT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def setup(prefix):
    sys.path.insert(0, PROJECT)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="notesite.settings", REDIS_URL=REDIS_URL, CACHE_KEY_PREFIX=prefix
    )
    import django

    django.setup()


def other_server(prefix):
    """Read a version to draw from stdin, draw it, repeat (stdout: the time of each SET)."""
    setup(prefix)
    from django.core.cache import cache

    from papers.caching import memory, versions

    for line in sys.stdin:
        started = time.time()
        cache.set(versions.KEY, (line.strip(), None), timeout=None)
        memory.published(None)
        print(started, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=500)
    parser.add_argument("--other", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.other:
        return other_server(args.other)
    prefix = f"bench-pubsub-{secrets.token_hex(4)}"
    setup(prefix)
    from django.core.cache import cache

    from papers.caching import memory, versions

    cache.set(versions.KEY, ("start", None), timeout=None)
    memory.watch()
    watcher = memory.watcher()
    assert watcher.subscribed.wait(5), "not subscribed within 5 s"
    other = subprocess.Popen(
        [sys.executable, __file__, "--other", prefix],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    delays = []
    try:
        for number in range(args.count):
            token = f"v{number}"
            other.stdin.write(token + "\n")
            other.stdin.flush()
            started = float(other.stdout.readline())
            while watcher.known() != (token, None):
                time.sleep(0.0001)
            delays.append(time.time() - started)
    finally:
        other.stdin.close()
        other.wait()
        cache.delete(versions.KEY)
    delays.sort()
    p50, p99 = statistics.median(delays), delays[int(len(delays) * 0.99) - 1]
    print(f"{len(delays)} versions: p50 {p50 * 1000:.2f} ms, p99 {p99 * 1000:.2f} ms, ", end="")
    print(f"slowest {delays[-1] * 1000:.2f} ms")


if __name__ == "__main__":
    main()
