"""Load benchmark: reader pages under gunicorn, PostgreSQL and Redis, driven by wrk.

    .venv/bin/python scripts/bench_load.py                        # 1,000 and 100,000 notes
    .venv/bin/python scripts/bench_load.py --sizes 200 2000 --duration 1 --rounds 1
    .venv/bin/python scripts/bench_load.py --workers 4 --connections 16 --json load.json --keep

Options: --sizes (notes, one database each; default 1000 100000), --duration (seconds of each
measured load; default 3), --rounds (measured loads of each page at each size, each beside the
static file; default 3), --workers (gunicorn workers per server, default
$GUNICORN_WORKERS or 2; one thread each), --connections (wrk's open connections, default 8),
--json FILE (every figure), --keep (keep the scratch databases and print their URLs),
--database (their names' stem, default notesite_load: each size gets `<stem>_<size>`; give
each person running the benchmark on one server a stem of their own). BENCH_POSTGRES_URL names
the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL the
Redis (default redis://127.0.0.1:6379/0).

What it does: installs wrk from Debian's packages when missing; for each size recreates a
database on that server and, in a process of its own (the settings name one database), migrates
it, collects the static files into a STATIC_ROOT of that size's and generates the notes
(scripts/benchdata.py: topics, tags, papers, Chinese text with English terms, math and code,
public comments and annotations on a fraction of the notes, and one "busy" note with 50 of
each), building up through the smaller sizes first so that the first notes are the same
everywhere, then builds the search index and runs VACUUM ANALYZE. It writes the bytes `/`
answers at each size as a static file of that size's (`/static/bench/home.html`: whitenoise
serving the same bytes, the ceiling).

Then, twice, it runs one gunicorn per size side by side, each with production settings (DEBUG=0,
Redis cache under a fresh key prefix, CONN_MAX_AGE=600): "cached" with the default settings
and "uncached" with PAGE_CACHE_SECONDS=0. The pages: `/`, the middle and the last page of `/`
at that size (the deepest pages: papers.paging counts from the nearer end, so the middle one
skips the most rows), a topic, a month archive, the busy note, its annotations (the JSON the
note page fetches) and a search. Each page is loaded anonymously and signed in (every
connection with the session cookie of its own reader: wrk with one thread per connection, as
wrk's Lua has no per-connection hook; a script gives each thread its cookie). After a warm-up
of the static file and the page on every server, each in turn, `--rounds` rounds load them
again, measured (`wrk -t1 -c8 -d3s --latency`): in each, on one size's server and then the
next, the static file and right after it the page, loaded the same way. A page's share of the
static rate is the median of its rounds' shares, its latencies the medians of its rounds'.
So both ratios, the share and the latency at one size against another, compare loads made
seconds apart, not minutes, and no single load decides: a host whose speed drifts (a shared
virtual machine: the same static file at 2,405 and 3,151 req/s within one run) moves both
sides of each ratio alike, and an outlier round is outvoted.

It prints, per page, size and column, requests per second, the 50% and 99% latencies, the
static file's rate and the page's share of it, and the most CPU other processes took during any
of its loads (over 10% marks the figure unreliable: run on an idle machine); then how each
latency grew from the first size to the last, then the goals. It cleans up on every exit:
gunicorn stopped, the databases dropped (unless --keep), the run's Redis keys deleted.

Goals (issue 18): in cached mode every anonymous page at least 90% of the static file's rate
(the busy note 70%) and every signed-in page at least 60%; uncached `/` at least 15%; every
page's median (p50) latency at the last size (100,000 notes) within 1.3x of its latency at the
first (1,000), deepest pages included, in every mode and column (p99 growth is printed, not
judged).

A run takes about 28 minutes on 2 cores: 5 generating 100,000 notes (most of it the search
index), 21 for 2 modes x 8 pages x 2 columns x (a warm-up of 4 s and 3 rounds x 2 sizes x
2 loads of 3 s).
"""

import argparse
import json
import multiprocessing
import os
import re
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from contextlib import ExitStack, contextmanager
from importlib import import_module
from pathlib import Path
from statistics import median
from urllib.parse import quote, unquote

from benchdata import (
    BUSY_SLUG,
    drop_postgres_database,
    generate_notes,
    postgres_url,
    reader_accounts,
    recreate_postgres_database,
)

ROOT = Path(__file__).resolve().parent.parent
WARM_UP_SECONDS = 1  # unmeasured load of each URL on each server before its rounds
SEARCH = "对比学习"  # in a twentieth of the notes
STATIC_COPY = "bench/home.html"  # under STATIC_ROOT: the static file as big as `/`
STATIC_PATH = f"/static/{STATIC_COPY}"
MODES = {"cached": {}, "uncached": {"PAGE_CACHE_SECONDS": "0"}}
READERS = ("anonymous", "signed in")  # the columns: signed in, each connection its cookie
# Goals (see the docstring).
CACHED_SHARE, BUSY_NOTE_SHARE, SIGNED_IN_SHARE = 0.90, 0.70, 0.60
UNCACHED_HOME_SHARE, MAX_GROWTH = 0.15, 1.3
# Processes outside the benchmark (not gunicorn, wrk, our PostgreSQL backends, Redis) taking
# more of the machine's CPU than this during a measurement make its figures unreliable.
OTHER_CPU_LIMIT = 0.10
LATENCY = re.compile(r"^\s*(50|99)%\s+([\d.]+)(us|ms|s|m)\s*$", re.MULTILINE)
TO_MS = {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", nargs="+", type=int, default=[1000, 100000])
    parser.add_argument("--duration", type=int, default=3, help="seconds per load")
    parser.add_argument("--rounds", type=int, default=3, help="loads per page and size")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", 2)))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--database", default="notesite_load", help="the databases' stem")
    return parser.parse_args()


class Site:
    """One size's database, settings and, while measured, its server: what a load needs."""

    def __init__(self, size, args, server_url, redis_url, run_id, scratch):
        self.size, self.args, self.run_id = size, args, run_id
        self.database = f"{args.database}_{size}"
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.database_url = postgres_url(server_url, self.database)
        self.env = production_env(self.database_url, redis_url, scratch / str(size))
        self.cookie_script = scratch / f"signed_in_{size}.lua"
        self.urls = self.cookies = self.process = None
        self.generation_seconds = 0.0

    def server_env(self, name, settings=None):
        """gunicorn's environment: production settings, a cache of its own (per `name`)."""
        env = os.environ | self.env | (settings or {})
        env |= {"CACHE_KEY_PREFIX": f"{self.run_id}-{self.size}-{name}"}
        env |= {"GUNICORN_BIND": f"127.0.0.1:{self.port}"}
        return env | {"GUNICORN_WORKERS": str(self.args.workers), "GUNICORN_THREADS": "1"}


def main():
    args = parse_args()
    started = time.perf_counter()
    install_wrk()
    server_url = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    run_id = f"bench-load-{secrets.token_hex(4)}"  # every cache key prefix of this run
    scratch = Path(tempfile.mkdtemp(prefix="notesite-load-"))
    sites = [Site(size, args, server_url, redis_url, run_id, scratch) for size in args.sizes]
    try:
        for site in sites:
            recreate_postgres_database(server_url, site.database)
            prepare(site, args)
        figures = run(args, sites, server_url, redis_url)
        figures["wall_seconds"] = time.perf_counter() - started
        report(figures, args)
    finally:
        for site in sites:
            if args.keep:
                print(f"kept the database: {site.database_url}")
            else:
                drop_postgres_database(server_url, site.database)
        delete_redis_keys(redis_url, run_id)
        shutil.rmtree(scratch, ignore_errors=True)


def prepare(site, args):
    """Fill `site`'s database in a process of its own, then write its static copy of `/`."""
    sizes = [size for size in args.sizes if size <= site.size]
    env = site.env | {"CACHE_KEY_PREFIX": f"{site.run_id}-{site.size}-setup"}
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        prepared = pool.apply(prepare_database, (env, sizes, args.sizes[0], args.connections))
    site.urls, site.cookies, site.generation_seconds = prepared
    write_cookie_script(site.cookie_script, site.cookies)
    for page, path in site.urls.items():
        print(f"  {page:<18}{unquote(path)}")
    write_static_copy(site)


def prepare_database(env, sizes, first_size, connections):
    """In a new process with `env`: the database migrated and filled up to `sizes[-1]`
    notes through the smaller sizes; (its pages, reader cookies, seconds generating)."""
    os.environ.update(env)
    setup_django()
    try:
        seconds = sum(generate(size) for size in sizes)
        return page_urls(first_size) | deep_page_urls(), reader_cookies(connections), seconds
    finally:
        close_django()


def run(args, sites, server_url, redis_url):
    figures = {"sizes": args.sizes, "workers": args.workers, "connections": args.connections}
    figures |= {"duration": args.duration, "rounds": args.rounds, "results": []}
    figures["generation_seconds"] = {site.size: site.generation_seconds for site in sites}
    watcher = CpuWatcher(sites, server_url, redis_url)
    for mode, settings in MODES.items():
        print(f"\n{mode}:", flush=True)
        with ExitStack() as stack:
            for site in sites:
                site.process = stack.enter_context(
                    gunicorn(site.server_env(mode, settings), site.base)
                )
                check_static_copy(site)
                check_signed_in(site)
            for page in sites[0].urls:
                for reader in READERS:
                    for row in measure(sites, page, reader, args, watcher):
                        row |= {"mode": mode, "reader": reader, "page": page}
                        figures["results"].append(row)
                        print(
                            f"  {row['size']:>7} {page:<18}{reader:<10}{row['rps']:>9.0f} req/s"
                            f"  p50 {row['p50_ms']:.1f} ms  {row['static_share']:.0%} of static"
                            f"  (other processes: {row['other_cpu']:.0%} CPU)",
                            flush=True,
                        )
    return figures


def measure(sites, page, reader, args, watcher):
    """`page` loaded by `reader` on every size's server: a row per site. Each round loads, on
    one server and then the next, the static file and then the page; a row has the medians of
    its rounds, the page's share of the static rate being the median of each round's."""
    page_cache = {}
    for site in sites:
        warm_up(site, STATIC_PATH, reader, args)
        page_cache[site] = warm_up(site, site.urls[page], reader, args)
    rounds = {site: [] for site in sites}
    for _ in range(args.rounds):
        for site in sites:
            static = load(site, STATIC_PATH, reader, args, watcher)
            rounds[site].append((static, load(site, site.urls[page], reader, args, watcher)))
    return [
        summary(rounds[site])
        | {"size": site.size, "url": site.urls[page]}
        | {"page_cache": page_cache[site]}
        for site in sites
    ]


def summary(rounds):
    """The medians of (static, page) figures of several rounds, and the most CPU other
    processes took in any."""
    pages = [loaded for _, loaded in rounds]
    return {
        "rps": median(row["rps"] for row in pages),
        "p50_ms": median(row["p50_ms"] for row in pages),
        "p99_ms": median(row["p99_ms"] for row in pages),
        "static_rps": median(static["rps"] for static, _ in rounds),
        "static_share": median(row["rps"] / static["rps"] for static, row in rounds),
        "other_cpu": max(row["other_cpu"] for pair in rounds for row in pair),
        "errors": "; ".join(sorted({row["errors"] for row in pages} - {""})),
        "rounds": [{"static_rps": static["rps"], **row} for static, row in rounds],
    }


# --- setup -----------------------------------------------------------------------------------


def install_wrk():
    if shutil.which("wrk"):
        return
    print("installing wrk from Debian's packages…", flush=True)
    env = os.environ | {"DEBIAN_FRONTEND": "noninteractive"}
    try:
        subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
        subprocess.run(["apt-get", "install", "-y", "-qq", "wrk"], check=True, env=env)
    except (OSError, subprocess.CalledProcessError) as error:
        sys.exit(f"could not install wrk ({error}); as root: apt-get install wrk")


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def production_env(database_url, redis_url, scratch):
    return {
        "DJANGO_SETTINGS_MODULE": "notesite.settings",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",  # plain HTTP on the loopback
        "DATABASE_URL": database_url,
        "CONN_MAX_AGE": "600",
        "REDIS_URL": redis_url,
        "STATIC_ROOT": str(scratch / "static"),
        "MEDIA_ROOT": str(scratch / "media"),
    }


def setup_django():
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    print("migrating and collecting static files…", flush=True)
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)


def close_django():
    if "papers.viewcounts" in sys.modules:  # views counted in this process (profile_page.py)
        from papers import viewcounts

        viewcounts.stop_pushing()  # else pushed at exit, after the run's keys are deleted
    if "django.db" in sys.modules:
        from django.db import connections

        connections.close_all()


def delete_redis_keys(redis_url, run_id):
    import redis

    client = redis.Redis.from_url(redis_url)
    keys = list(client.scan_iter(match=f"{run_id}-*", count=1000))
    for start in range(0, len(keys), 1000):
        client.delete(*keys[start : start + 1000])


def generate(size):
    started = time.perf_counter()
    indexing = generate_notes(size, discussion=True)
    seconds = time.perf_counter() - started
    print(f"{size} notes ready in {seconds:.0f} s (search index {indexing:.0f} s)", flush=True)
    return seconds


def page_urls(first_size):
    """The URLs to load, by name; pages that exist at `first_size` notes and at every larger."""
    from django.utils import timezone

    from papers.models import Note

    month = timezone.localtime(Note.objects.get(slug=f"bench-{first_size // 2}").published_at)
    return {
        "/": "/",
        "topic": "/topics/dl/",
        f"month {month:%Y-%m}": f"/{month:%Y/%m}/",
        "busy note": f"/notes/{BUSY_SLUG}/",
        "its annotations": f"/notes/{BUSY_SLUG}/annotations/",
        "search": f"/search/?q={quote(SEARCH)}",
    }


def deep_page_urls():
    """The middle and the last page of `/` at the size generated now (`/` lists 12 a page)."""
    from papers.models import Note

    last = max(1, -(-Note.objects.published().count() // 12))
    return {"/ middle page": f"/?page={(last + 1) // 2}", "/ last page": f"/?page={last}"}


def reader_cookies(count):
    """`count` Cookie headers, each signing in another generated reader (a new session)."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.utils.crypto import get_random_string

    SessionStore = import_module(settings.SESSION_ENGINE).SessionStore
    readers = reader_accounts()
    cookies = []
    for i in range(count):
        reader = readers[i % len(readers)]
        session = SessionStore()
        session[SESSION_KEY] = str(reader.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = reader.get_session_auth_hash()
        session.create()
        # A CSRF cookie too, as a browser that has been here sends: no new token per request.
        cookies.append(
            f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
            f"{settings.CSRF_COOKIE_NAME}={get_random_string(32)}"  # a CSRF secret's form
        )
    return cookies


def write_cookie_script(path, cookies):
    """wrk's Lua script giving each thread (one connection each) its own Cookie header."""
    quoted = ", ".join(json.dumps(cookie) for cookie in cookies)
    path.write_text(
        f"local cookies = {{{quoted}}}\n"
        "local started = 0\n"
        "function setup(thread)\n"
        "  started = started + 1\n"
        "  thread:set('cookie', cookies[started])\n"
        "end\n"
        "function init(args)\n"
        "  wrk.headers['Cookie'] = cookie\n"
        "end\n"
    )


def write_static_copy(site):
    """Write the bytes `/` answers at `site`'s size as its static copy, before the servers
    measured start (whitenoise lists the files when it starts)."""
    with gunicorn(site.server_env("copy"), site.base):
        home, _ = fetch(f"{site.base}/")
    path = Path(site.env["STATIC_ROOT"]) / STATIC_COPY
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(home)


# --- the server and the load -----------------------------------------------------------------


@contextmanager
def gunicorn(env, base):
    """gunicorn running with `env` until the block ends, however it ends."""
    command = [sys.executable, "-m", "gunicorn", "-c", "notesite/gunicorn.conf.py", "notesite.wsgi"]
    # The access log goes to stdout, discarded: written as in production, but not kept.
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            wait_until_healthy(base, process, log)
            yield process
        finally:
            process.terminate()
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_healthy(base, process, log, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            log.seek(0)
            sys.exit(f"gunicorn exited with {process.returncode}:\n{log.read().decode()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):  # not up yet, or busy
            pass
        time.sleep(0.2)
    sys.exit(f"gunicorn did not answer {base}/healthz within {timeout} s")


def fetch(url, cookie=None):
    """(body, X-Page-Cache header) of a 200 answer; exits with a message on anything else."""
    request = urllib.request.Request(url, headers={"Cookie": cookie} if cookie else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.read(), response.headers.get("X-Page-Cache", "-")
    except urllib.error.HTTPError as error:
        sys.exit(f"{url} answered {error.code}, not 200: not loading it")


def check_static_copy(site):
    served, _ = fetch(f"{site.base}/")
    copy, _ = fetch(site.base + STATIC_PATH)
    same = "same size" if len(served) == len(copy) else "SIZES DIFFER"
    print(f"  {site.size} notes: / is {len(served)} bytes, its static copy {len(copy)} ({same})")


def check_signed_in(site):
    """Stop unless the reader cookies sign in: else the signed-in column would measure
    anonymous pages."""
    page, _ = fetch(f"{site.base}/", site.cookies[0])
    if b"site-account__name" not in page:
        sys.exit("a reader's session cookie does not sign in: no signed-in column")


def warm_up(site, path, reader, args):
    """Load `path` on `site`'s server as `reader` for a while, unmeasured; the page cache's
    answer right after (the run stops on an answer other than 200)."""
    script, cookie = credentials(site, reader)
    fetch(site.base + path, cookie)
    wrk(site.base + path, WARM_UP_SECONDS, args.connections, script)
    return fetch(site.base + path, cookie)[1]


def load(site, path, reader, args, watcher):
    """wrk's figures for `path` on `site`'s server, loaded by `reader`, and the share of the
    CPU that processes outside the benchmark took meanwhile."""
    script, _ = credentials(site, reader)
    with watcher.measure(site) as other_cpu:
        figures = wrk(site.base + path, args.duration, args.connections, script)
    return figures | {"other_cpu": other_cpu[0]}


def credentials(site, reader):
    """(wrk's script, a Cookie header for one request) of `reader` on `site`."""
    if reader == "signed in":
        return site.cookie_script, site.cookies[0]
    return None, None


class CpuWatcher:
    """The share of the machine's CPU taken, during a measurement, by processes other than
    the server measured, the PostgreSQL backends of the run's databases, Redis and wrk."""

    def __init__(self, sites, server_url, redis_url):
        self.databases = [site.database for site in sites]
        self.server_url, self.redis_pid = server_url, cache_server_pid(redis_url)

    @contextmanager
    def measure(self, site):
        """Yields a one-item list, filled with the share when the block ends.

        The processes are listed again at the end: a PostgreSQL backend replaced meanwhile
        (CONN_MAX_AGE ends a connection after 600 s) must not take the old one's whole CPU
        time out of ours, nor the new one's be counted as another's."""
        share = [0.0]
        started, (machine, before) = time.monotonic(), cpu_seconds(self.pids(site))
        yield share
        elapsed = time.monotonic() - started
        machine_after, after = cpu_seconds(self.pids(site) | before.keys() - {0})
        ours = sum(seconds - before.get(pid, 0.0) for pid, seconds in after.items())
        share[0] = max(0.0, machine_after - machine - ours) / (elapsed * os.cpu_count())

    def pids(self, site):
        import psycopg

        server = site.process.pid
        children = Path(f"/proc/{server}/task/{server}/children").read_text().split()
        with psycopg.connect(self.server_url) as connection:
            rows = connection.execute(
                "SELECT pid FROM pg_stat_activity WHERE datname = ANY(%s)", [self.databases]
            ).fetchall()
        backends = [pid for (pid,) in rows if process_name(pid) == "postgres"]
        redis = [self.redis_pid] if self.redis_pid else []
        return {server, *map(int, children), *backends, *redis}


def cache_server_pid(redis_url):
    import redis

    pid = redis.Redis.from_url(redis_url).info("server")["process_id"]
    return pid if process_name(pid).startswith("redis") else None


def process_name(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:  # not on this machine
        return ""


def cpu_seconds(pids):
    """(CPU seconds the machine has been busy, {pid: its CPU seconds} of those of `pids` still
    running, this process's finished children (wrk) under pid 0)."""
    ticks = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    machine = (user + nice + system + irq + softirq + steal) / ticks
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds = {0: children.ru_utime + children.ru_stime}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # it ended: its time since the start is counted as another's
            continue
        seconds[pid] = (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return machine, seconds


def wrk(url, seconds, connections, script=None):
    """wrk's figures for `url`: one thread, or with a Lua `script` one thread a connection."""
    threads = connections if script else 1
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{seconds}s", "--latency"]
    command += [*(["-s", str(script)] if script else []), url]
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    latency = {p: float(value) * TO_MS[unit] for p, value, unit in LATENCY.findall(output)}
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    socket_errors = re.search(r"Socket errors: (.*)", output)
    errors = [f"{non_2xx[1]} non-2xx" if non_2xx else "", socket_errors[1] if socket_errors else ""]
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output)[1]),
        "p50_ms": latency["50"],
        "p99_ms": latency["99"],
        "errors": "; ".join(filter(None, errors)),
    }


# --- the report ------------------------------------------------------------------------------


def report(figures, args):
    rows = figures["results"]
    print_results(rows, args)
    figures["growth"] = growth(rows, args.sizes)
    print_growth(figures["growth"], args.sizes)
    figures["goals"] = goals(rows, figures["growth"], args.sizes)
    print_goals(figures["goals"])
    for size, seconds in figures["generation_seconds"].items():
        print(f"generating {size} notes took {seconds:.0f} s")
    print(f"the whole run took {figures['wall_seconds'] / 60:.1f} minutes")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2, ensure_ascii=False))


def print_results(rows, args):
    print(
        f"\n{args.workers} gunicorn workers x 1 thread, wrk -t1 -c{args.connections} "
        f"-d{args.duration}s, {os.cpu_count()} CPU cores"
    )
    header = f"{'notes':>7}  {'mode':<9}{'reader':<10}{'page':<19}{'req/s':>8}"
    header += f"{'p50 ms':>9}{'p99 ms':>9}{'static':>8}"
    header += f"{'% static':>10}{'other CPU':>11}  {'cache':<6} errors"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['size']:>7}  {r['mode']:<9}{r['reader']:<10}{r['page']:<19}{r['rps']:>8.0f}"
            f"{r['p50_ms']:>9.1f}{r['p99_ms']:>9.1f}{r['static_rps']:>8.0f}"
            f"{r['static_share']:>10.0%}{r['other_cpu']:>10.0%}"
            f"  {r['page_cache']:<6} {r['errors']}"
        )
    disturbed = sum(r["other_cpu"] > OTHER_CPU_LIMIT for r in rows)
    if disturbed:
        print(
            f"WARNING: in {disturbed} of {len(rows)} measurements other processes took more "
            f"than {OTHER_CPU_LIMIT:.0%} of the CPU: their figures are unreliable; run again "
            "on an idle machine."
        )


def growth(rows, sizes):
    """Each page's latency at the last size over its latency at the first, per mode and
    column."""
    first = {(r["mode"], r["reader"], r["page"]): r for r in rows if r["size"] == sizes[0]}
    return [
        {
            "mode": r["mode"],
            "reader": r["reader"],
            "page": r["page"],
            "url": r["url"],
            "p50": r["p50_ms"] / first[r["mode"], r["reader"], r["page"]]["p50_ms"],
            "p99": r["p99_ms"] / first[r["mode"], r["reader"], r["page"]]["p99_ms"],
        }
        for r in rows
        if r["size"] == sizes[-1] and len(sizes) > 1
    ]


def print_growth(grown, sizes):
    if not grown:
        return
    print(f"\nlatency at {sizes[-1]} notes / latency at {sizes[0]} notes")
    print(f"{'mode':<9}{'reader':<10}{'page':<19}{'p50':>7}{'p99':>7}")
    for g in grown:
        print(f"{g['mode']:<9}{g['reader']:<10}{g['page']:<19}{g['p50']:>6.2f}x{g['p99']:>6.2f}x")


def goals(rows, grown, sizes):
    cached = [r for r in rows if r["mode"] == "cached" and r["reader"] == "anonymous"]
    busy = [r for r in cached if r["page"] == "busy note"]
    signed_in = [r for r in rows if r["mode"] == "cached" and r["reader"] == "signed in"]
    uncached_home = [
        r
        for r in rows
        if r["mode"] == "uncached" and r["url"] == "/" and r["reader"] == "anonymous"
    ]
    return [
        goal(
            f"cached pages but the busy note >= {CACHED_SHARE:.0%} of the static rate",
            [(f"{r['page']} at {r['size']}", r["static_share"]) for r in cached if r not in busy],
            lambda share: share >= CACHED_SHARE,
            "{:.0%}",
        ),
        goal(
            f"cached busy note >= {BUSY_NOTE_SHARE:.0%} of the static rate",
            [(f"busy note at {r['size']}", r["static_share"]) for r in busy],
            lambda share: share >= BUSY_NOTE_SHARE,
            "{:.0%}",
        ),
        goal(
            f"signed-in cached pages >= {SIGNED_IN_SHARE:.0%} of the static rate",
            [(f"{r['page']} at {r['size']}", r["static_share"]) for r in signed_in],
            lambda share: share >= SIGNED_IN_SHARE,
            "{:.0%}",
        ),
        goal(
            f"uncached / >= {UNCACHED_HOME_SHARE:.0%} of the static rate",
            [(f"/ at {r['size']}", r["static_share"]) for r in uncached_home],
            lambda share: share >= UNCACHED_HOME_SHARE,
            "{:.0%}",
        ),
        goal(
            f"p50 at {sizes[-1]} notes within {MAX_GROWTH}x of p50 at {sizes[0]}",
            [(f"{g['page']} ({g['mode']}, {g['reader']})", g["p50"]) for g in grown],
            lambda ratio: ratio <= MAX_GROWTH,
            "{:.2f}x",
        ),
    ]


def goal(name, measured, met, style):
    """The goal `name` over (what, figure) pairs: passed when `met` holds for every figure,
    None when there is nothing to judge (growth, with one size)."""
    missed = [(what, figure) for what, figure in measured if not met(figure)]
    return {
        "goal": name,
        "passed": not missed if measured else None,
        "missed": [f"{what}: {style.format(figure)}" for what, figure in missed],
    }


def print_goals(results):
    print()
    for result in results:
        verdict = {True: "PASS", False: "FAIL", None: "n/a "}[result["passed"]]
        print(f"{verdict}  {result['goal']}")
        for missed in result["missed"]:
            print(f"      {missed}")


if __name__ == "__main__":
    main()
