"""Load benchmark: reader pages under gunicorn, PostgreSQL and Redis, driven by wrk.

    .venv/bin/python scripts/bench_load.py                        # 1,000 then 100,000 notes
    .venv/bin/python scripts/bench_load.py --sizes 200 2000 --duration 3
    .venv/bin/python scripts/bench_load.py --workers 4 --connections 16 --json load.json --keep

Options: --sizes (notes, each size extending the previous data; default 1000 100000),
--duration (seconds of load per URL, after a 2 s warm-up; default 10), --workers (gunicorn
workers, default $GUNICORN_WORKERS or 2; one thread each), --connections (wrk's open
connections, default 8), --json FILE (every figure), --keep (keep the scratch database and
print its URL), --database (its name, default notesite_load: give each person running the
benchmark on one server a name of their own). BENCH_POSTGRES_URL names the PostgreSQL server
(default postgres://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL the Redis (default
redis://127.0.0.1:6379/0).

What it does: installs wrk from Debian's packages when missing; recreates the database
(`--database`) on that server, migrates it and collects the static files into a temporary
STATIC_ROOT; then for each size generates notes (scripts/benchdata.py: topics, tags, papers,
Chinese text with English terms, math and code, public comments and annotations on a fraction
of the notes, and one "busy" note with 50 of each), builds the search index and runs VACUUM
ANALYZE. For each size it runs gunicorn twice with production settings (DEBUG=0, Redis cache
under a fresh key prefix, CONN_MAX_AGE=600): "cached" with the default settings and
"uncached" with PAGE_CACHE_SECONDS=0. Against each it runs `wrk -t1 -c8 -d10s --latency` on:
a static file holding the bytes of `/` (the ceiling: whitenoise serving the same size), `/`, the
middle and the last page of `/` at that size (the deepest pages: papers.paging counts from the
nearer end, so the middle one skips the most rows), a topic, a month archive, the busy note,
its annotations (the JSON the note page fetches) and a search. Each URL is loaded twice:
anonymously, and signed in, every connection with the session cookie of its own reader (wrk
with one thread per connection, as wrk's Lua has no per-connection hook; a script gives each
thread its cookie). Each column's ceiling is the static file loaded the same way. It prints
requests per second, the 50% and 99% latencies, the rate as a share of the static file's in
the same server run and the same column, and the share of the CPU other processes took
meanwhile (over 10% marks the figure unreliable: run on an idle machine), then how each
latency grew from the first size to the last, then the goals. It cleans up on every exit:
gunicorn stopped, the database dropped (unless --keep), the run's Redis keys deleted.

Goals (issue 18): in cached mode every anonymous page at least 90% of the static file's rate
(the busy note 70%) and every signed-in page at least 60%; uncached `/` at least 15%; every
page's median (p50) latency at the last size (100,000 notes) within 1.3x of its latency at the
first (1,000), deepest pages included, in every mode and column (p99 growth is printed, not
judged).

A full run takes about 20 minutes on 2 cores (12 with --duration 5): 3.5 to generate 100,000
notes (2.6 of them the search index: rebuild_index() and its GIN indexes; 3 s for 1,000 notes),
16 for the 4 server runs of 10 URLs x 2 columns x 12 s.
"""

import argparse
import json
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
from contextlib import contextmanager
from importlib import import_module
from pathlib import Path
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
WARM_UP_SECONDS = 2
SEARCH = "对比学习"  # in a twentieth of the notes
STATIC_COPY = "bench/home.html"  # under STATIC_ROOT: the static file as big as `/`
MODES = {"cached": {}, "uncached": {"PAGE_CACHE_SECONDS": "0"}}
READERS = {"anonymous": None, "signed in": "signed_in.lua"}  # column: its wrk script
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
    parser.add_argument("--duration", type=int, default=10, help="seconds per URL")
    parser.add_argument("--workers", type=int, default=int(os.environ.get("GUNICORN_WORKERS", 2)))
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--json", type=Path, help="write every figure to this file")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--database", default="notesite_load", help="the scratch database")
    return parser.parse_args()


def main():
    args = parse_args()
    started = time.perf_counter()
    install_wrk()
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    redis_url = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/0")
    run_id = f"bench-load-{secrets.token_hex(4)}"  # every cache key prefix of this run
    scratch = Path(tempfile.mkdtemp(prefix="notesite-load-"))
    port = free_port()
    recreate_postgres_database(server, args.database)
    try:
        # This process (migrations, generation) and gunicorn share the production settings.
        os.environ.update(production_env(postgres_url(server, args.database), redis_url, scratch))
        os.environ.pop("PAGE_CACHE_SECONDS", None)  # "cached" runs with the default
        os.environ.update(CACHE_KEY_PREFIX=f"{run_id}-setup", GUNICORN_BIND=f"127.0.0.1:{port}")
        setup_django()
        figures = run(args, port, run_id, scratch)
        figures["wall_seconds"] = time.perf_counter() - started
        report(figures, args)
    finally:
        close_django()
        if args.keep:
            print(f"kept the database: {postgres_url(server, args.database)}")
        else:
            drop_postgres_database(server, args.database)
        delete_redis_keys(redis_url, run_id)
        shutil.rmtree(scratch, ignore_errors=True)


def run(args, port, run_id, scratch):
    figures = {"sizes": args.sizes, "workers": args.workers, "connections": args.connections}
    figures |= {"duration": args.duration, "generation_seconds": {}, "results": []}
    base = f"http://127.0.0.1:{port}"
    urls = cookies = None
    for size in args.sizes:
        figures["generation_seconds"][size] = generate(size)
        if urls is None:  # fixed at the first size: the same pages at every size
            urls = page_urls(args.sizes[0])
            cookies = reader_cookies(args.connections)
            write_cookie_script(scratch / READERS["signed in"], cookies)
        sized_urls = urls | deep_page_urls()
        for page, path in sized_urls.items():
            print(f"  {page:<18}{unquote(path)}")
        home = write_static_copy(server_env(args, f"{run_id}-{size}-copy"), base)
        for mode, settings in MODES.items():
            print(f"\n{size} notes, {mode}:", flush=True)
            with gunicorn(server_env(args, f"{run_id}-{size}-{mode}", settings), base) as server:
                check_static_copy(base, home)
                check_signed_in(base, cookies[0])
                for page, path in sized_urls.items():
                    for reader, script in READERS.items():
                        script = script and scratch / script
                        row = load(base + path, args, server, script, cookies[0])
                        row |= {"size": size, "mode": mode, "reader": reader}
                        row |= {"page": page, "url": path}
                        figures["results"].append(row)
                        print(
                            f"  {page:<18}{reader:<10}{row['rps']:>9.0f} req/s"
                            f"  p50 {row['p50_ms']:.1f} ms"
                            f"  (other processes: {row['other_cpu']:.0%} CPU)"
                        )
    return figures


def server_env(args, cache_key_prefix, settings=None):
    """gunicorn's environment: this process's production settings, a cache of its own."""
    env = os.environ | (settings or {}) | {"CACHE_KEY_PREFIX": cache_key_prefix}
    return env | {"GUNICORN_WORKERS": str(args.workers), "GUNICORN_THREADS": "1"}


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
        "static copy of /": f"/static/{STATIC_COPY}",
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


def write_static_copy(env, base):
    """Write the bytes `/` answers as the static copy, before the servers measured start
    (whitenoise lists the files when it starts). Returns them."""
    with gunicorn(env, base):
        home, _ = fetch(f"{base}/")
    path = Path(os.environ["STATIC_ROOT"]) / STATIC_COPY
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(home)
    return home


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


def check_static_copy(base, home):
    served, _ = fetch(f"{base}/")
    copy, _ = fetch(f"{base}/static/{STATIC_COPY}")
    same = "same size" if len(served) == len(copy) == len(home) else "SIZES DIFFER"
    print(f"  / is {len(served)} bytes, its static copy {len(copy)} bytes ({same})")


def check_signed_in(base, cookie):
    """Stop unless the reader cookies sign in: else the signed-in column would measure
    anonymous pages."""
    page, _ = fetch(f"{base}/", cookie)
    if b"site-account__name" not in page:
        sys.exit("a reader's session cookie does not sign in: no signed-in column")


def load(url, args, server, script=None, cookie=None):
    """wrk's figures for `url` (signed in when `script` gives cookies, `cookie` being one of
    them) after a warm-up, the page cache's answer right after it, and the share of the CPU
    that processes outside the benchmark took meanwhile."""
    cookie = cookie if script else None
    fetch(url, cookie)  # 200, or the run stops here
    wrk(url, WARM_UP_SECONDS, args.connections, script)
    _, page_cache = fetch(url, cookie)
    pids = benchmark_pids(server)
    started, before = time.monotonic(), cpu_seconds(pids)
    figures = wrk(url, args.duration, args.connections, script)
    elapsed = time.monotonic() - started
    machine, ours = (after - start for after, start in zip(cpu_seconds(pids), before, strict=True))
    other = max(0.0, machine - ours) / (elapsed * os.cpu_count())
    return figures | {"page_cache": page_cache, "other_cpu": other}


def benchmark_pids(server):
    """gunicorn's processes, and the local PostgreSQL backends and Redis serving them."""
    from django.db import connection

    children = Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        backends = [pid for (pid,) in cursor.fetchall() if process_name(pid) == "postgres"]
    redis_pid = cache_server_pid()
    return [server.pid, *map(int, children), *backends, *([redis_pid] if redis_pid else [])]


def cache_server_pid():
    import redis

    pid = redis.Redis.from_url(os.environ["REDIS_URL"]).info("server")["process_id"]
    return pid if process_name(pid).startswith("redis") else None


def process_name(pid):
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except FileNotFoundError:  # not on this machine
        return ""


def cpu_seconds(pids):
    """(CPU seconds the machine has been busy, those of `pids` and of this process's
    finished children: wrk)."""
    ticks = os.sysconf("SC_CLK_TCK")
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(
        int, Path("/proc/stat").read_text().split()[1:9]
    )
    machine = (user + nice + system + irq + softirq + steal) / ticks
    ours = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:  # it ended: its time is missed, counted as another's
            continue
        ours += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return machine, ours + children.ru_utime + children.ru_stime


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
    static_rps = {column(r): r["rps"] for r in rows if not is_page(r)}
    for row in rows:
        row["static_share"] = row["rps"] / static_rps[column(row)]
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
    header += f"{'p50 ms':>9}{'p99 ms':>9}"
    header += f"{'% static':>10}{'other CPU':>11}  {'cache':<6} errors"
    print(header)
    print("-" * len(header))
    for r in rows:
        print(
            f"{r['size']:>7}  {r['mode']:<9}{r['reader']:<10}{r['page']:<19}{r['rps']:>8.0f}"
            f"{r['p50_ms']:>9.1f}"
            f"{r['p99_ms']:>9.1f}{r['static_share']:>9.0%}{r['other_cpu']:>10.0%}"
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
    pages = [r for r in rows if is_page(r)]
    cached = [r for r in pages if r["mode"] == "cached" and r["reader"] == "anonymous"]
    busy = [r for r in cached if r["page"] == "busy note"]
    signed_in = [r for r in pages if r["mode"] == "cached" and r["reader"] == "signed in"]
    uncached_home = [
        r
        for r in pages
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
            [(f"{g['page']} ({g['mode']}, {g['reader']})", g["p50"]) for g in grown if is_page(g)],
            lambda ratio: ratio <= MAX_GROWTH,
            "{:.2f}x",
        ),
    ]


def is_page(row):
    return not row["url"].startswith("/static/")


def column(row):
    """The server run and column a row belongs to: the static file's rate there is its ceiling."""
    return row["size"], row["mode"], row["reader"]


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
