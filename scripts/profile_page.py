"""Profile uncached page renders in-process: where the time of `/` and other listings goes.

    .venv/bin/python scripts/profile_page.py --database notesite_profile_me          # timings
    .venv/bin/python scripts/profile_page.py --database notesite_profile_me --profile /  # cProfile

Production settings as scripts/bench_load.py runs gunicorn with (DEBUG=0, Redis cache under a
fresh key prefix, CONN_MAX_AGE=600) and PAGE_CACHE_SECONDS=0, so every request renders. The
database (`--database`, on BENCH_POSTGRES_URL's server) is created and filled with `--size`
notes by scripts/benchdata.py unless it already has them (`--fresh` recreates it). Requests go
through Django's WSGI handler directly, without a server, anonymously. Without --profile it
prints, for each page, the best of `--rounds` rounds of `--requests` requests (ms a request);
with --html URL it prints that page (to compare renders before and after a change); with
--profile URL it prints cProfile's top entries for that URL by cumulative and own time.
"""

import argparse
import cProfile
import io
import os
import pstats
import secrets
import sys
import tempfile
import time
from pathlib import Path

from bench_load import close_django, delete_redis_keys, page_urls, production_env, setup_django
from benchdata import generate_notes, postgres_url, recreate_postgres_database


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
    return parser.parse_args()


def main():
    args = parse_args()
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    run_id = f"profile-page-{secrets.token_hex(4)}"
    if args.fresh:
        recreate_postgres_database(server, args.database)
    scratch = Path(tempfile.mkdtemp(prefix="notesite-profile-"))
    os.environ.update(production_env(postgres_url(server, args.database), redis_url, scratch))
    os.environ.update(PAGE_CACHE_SECONDS="0", CACHE_KEY_PREFIX=run_id)
    try:
        setup_django()
        generate_notes(args.size, discussion=True)
        from django.core.wsgi import get_wsgi_application

        application = get_wsgi_application()
        urls = {name: url for name, url in page_urls(args.size).items() if "static" not in name}
        if args.html:
            sys.stdout.write(request(application, args.html).decode())
        elif args.profile:
            profile(application, args.profile, args)
        else:
            for name, url in urls.items():
                print(f"{name:28} {best_ms(application, url, args):7.3f} ms", flush=True)
    finally:
        close_django()
        delete_redis_keys(redis_url, run_id)


def request(application, url):
    path, _, query = url.partition("?")
    environ = {
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


def best_ms(application, url, args):
    request(application, url)  # warm: templates, fragments, connection
    best = float("inf")
    for _ in range(args.rounds):
        started = time.perf_counter()
        for _ in range(args.requests):
            request(application, url)
        best = min(best, (time.perf_counter() - started) / args.requests * 1000)
    return best


def profile(application, url, args):
    request(application, url)
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(args.requests):
        request(application, url)
    profiler.disable()
    if args.save:
        profiler.dump_stats(args.save)
    for order in ("cumulative", "tottime"):
        pstats.Stats(profiler).sort_stats(order).print_stats(args.top)


if __name__ == "__main__":
    main()
