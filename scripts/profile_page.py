"""Profile uncached page renders in-process: where the time of `/` and other listings goes.

    .venv/bin/python scripts/profile_page.py --database notesite_profile_me          # timings
    .venv/bin/python scripts/profile_page.py --database notesite_profile_me --profile /  # cProfile

Production settings as scripts/bench_load.py runs gunicorn with (DEBUG=0, Redis cache under a
fresh key prefix, CONN_MAX_AGE=600) and PAGE_CACHE_SECONDS=0, so every request renders (with
--cached the page cache is on, and the timings and the profile are of its hits; with
--signed-in every request has a reader's session cookie). The
database (`--database`, on BENCH_POSTGRES_URL's server) is created and filled with `--size`
notes by scripts/benchdata.py unless it already has them (`--fresh` recreates it). Requests go
through Django's WSGI handler directly, without a server, anonymously. Without --profile it
prints, for each page, the best of `--rounds` rounds of `--requests` requests (ms a request);
with --html URL it prints that page (to compare renders before and after a change); with
--profile URL it prints cProfile's top entries for that URL by cumulative and own time.
With --reader-pages the page cache is on and a signed-in reader (a reader card once known)
asks for the busy note's annotations JSON and the search page, which show their private
annotations: rendered on every request, as before papers.caching.personal, then kept for them,
then rendered again (the spread of the machine), each the best round's wall and CPU time, and
the bytes each entry kept for the reader takes in Redis.
"""

import argparse
import cProfile
import io
import os
import pickle
import pstats
import secrets
import sys
import tempfile
import time
import zlib
from pathlib import Path

from bench_load import (
    close_django,
    delete_redis_keys,
    page_urls,
    production_env,
    reader_cookies,
    setup_django,
)
from benchdata import (
    create_postgres_database,
    generate_notes,
    postgres_url,
    recreate_postgres_database,
)


def parse_args():
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default="notesite_profile")
    parser.add_argument("--size", type=int, default=1000)
    parser.add_argument("--fresh", action="store_true")
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--profile", metavar="URL")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--html", metavar="URL", help="print that page, to compare renders")
    parser.add_argument("--save", metavar="FILE", help="the profile's stats, for pstats")
    parser.add_argument("--reader-pages", action="store_true", help="rendered vs kept per reader")
    parser.add_argument("--cached", action="store_true", help="the page cache on: time hits")
    parser.add_argument("--signed-in", action="store_true", help="as a reader with a session")
    return parser.parse_args()


def main():
    args = parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    run_id = f"profile-page-{secrets.token_hex(4)}"
    if args.fresh:
        recreate_postgres_database(server, args.database)
    else:
        create_postgres_database(server, args.database)
    scratch = Path(tempfile.mkdtemp(prefix="notesite-profile-"))
    os.environ.update(production_env(postgres_url(server, args.database), redis_url, scratch))
    page_cache = "600" if args.reader_pages or args.cached else "0"
    # `<run id>-…`: the keys delete_redis_keys() removes when the run ends.
    os.environ.update(PAGE_CACHE_SECONDS=page_cache, CACHE_KEY_PREFIX=f"{run_id}-profile")
    try:
        setup_django()
        generate_notes(args.size, discussion=True)
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        urls = page_urls(args.size)
        cookie = reader_cookies(1)[0] if args.signed_in else ""
        if args.html:
            sys.stdout.write(request(application, args.html, cookie).decode())
        elif args.profile:
            profile(application, args.profile, args, cookie)
        elif args.reader_pages:
            reader_pages(application, urls, args)
            reader_entry_sizes(redis_url, run_id)
        else:
            for name, url in urls.items():
                wall, _ = best_ms(application, url, args, cookie)
                print(f"{name:28} {wall:7.3f} ms", flush=True)
    finally:
        close_django()
        delete_redis_keys(redis_url, run_id)


def request(application, url, cookie=""):
    path, _, query = url.partition("?")
    environ = {
        "HTTP_COOKIE": cookie,
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": query,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
        "wsgi.errors": sys.stderr,
    }
    statuses = []
    body = b"".join(application(environ, lambda status, headers: statuses.append(status)))
    assert statuses[0].startswith("200"), (url, statuses[0])
    return body


def best_ms(application, url, args, cookie=""):
    """(wall, CPU) ms a request of the best round, by wall time."""
    request(application, url, cookie)  # warm: templates, fragments, connection
    best = (float("inf"), float("inf"))
    for _ in range(args.rounds):
        started, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.requests):
            request(application, url, cookie)
        took = (time.perf_counter() - started, time.process_time() - cpu)
        best = min(best, tuple(seconds / args.requests * 1000 for seconds in took))
    return best


def reader_pages(application, urls, args):
    """A signed-in reader's pages kept per reader: rendered (not kept, as before), kept, and
    rendered again, side by side."""
    from papers.caching import personal, readers

    cookie = reader_cookies(1)[0]
    kept_per_reader = personal.is_kept_per_reader
    for name in ("its annotations", "search"):
        timings = {}
        for how in ("rendered", "kept", "rendered again"):
            personal.is_kept_per_reader = kept_per_reader if how == "kept" else lambda r: False
            readers.new()  # what "kept" stored is stale
            timings[how] = best_ms(application, urls[name], args, cookie)
        personal.is_kept_per_reader = kept_per_reader
        shown = "  ".join(
            f"{how} {wall:.3f} ms ({cpu:.3f} CPU)" for how, (wall, cpu) in timings.items()
        )
        ratio = min(timings["rendered"][1], timings["rendered again"][1]) / timings["kept"][1]
        print(f"{name:16} {shown}  CPU rendered/kept x{ratio:.1f}", flush=True)


def reader_entry_sizes(redis_url, run_id):
    """What each page kept for that reader holds in Redis (MEMORY USAGE): a reader holds one
    such entry per page they opened in the last personal.SECONDS."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{run_id}-*:reader:*", count=1000):
        value = client.get(key)
        _, _, _, headers, body = pickle.loads(value)  # personal.store's entry, as Django keeps it
        kind = dict(headers)["Content-Type"].split(";")[0]
        print(f"kept for the reader ({kind}): {client.memory_usage(key):,} bytes in Redis", end="")
        print(f" (the pickled entry {len(value):,} bytes, its body", end="")
        print(f" {len(zlib.decompress(body)):,} bytes uncompressed)", flush=True)


def profile(application, url, args, cookie=""):
    request(application, url, cookie)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        request(application, url, cookie)
    profiler.disable()
    if args.save:
        profiler.dump_stats(args.save)
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler).sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
