"""Fault benchmark: what readers get while Redis hangs or dies and while PostgreSQL is away.

    .venv/bin/python scripts/bench_faults.py                 # 10 s per phase
    .venv/bin/python scripts/bench_faults.py --duration 5 --notes 100

gunicorn (production settings, 2 workers) serves a scratch database of generated notes over
PostgreSQL and a Redis of the run's own (`redis-server` on a free port, so pausing or killing
it touches nobody else's). PostgreSQL is reached through a TCP proxy of this script's, which
can cut every connection and refuse new ones: "PostgreSQL down" without stopping a server
others use. wrk loads a mix of reader pages (/, a topic, a month, a search, three notes), and
a thread of this script reads one more note at a steady rate, counting its 200s, to measure
views lost.

Phases, each `--duration` seconds of wrk: the uncached rate with everything up (a server run
with PAGE_CACHE_SECONDS=0, the floor the goals compare with), then on the cached server: before,
Redis paused (SIGSTOP, a hung Redis), after, Redis killed (SIGKILL; a new one started when the
phase ends, empty, as Redis keeps nothing on disk), after, PostgreSQL cut, after. For each it
prints requests per second, p50/p99 latency, non-2xx answers and socket errors, and at the end
the views the counting thread was answered against the views the database holds after a
final flush.

Goals: while Redis hangs or is dead, throughput at least the uncached rate with Redis up, and
no non-2xx answer; while PostgreSQL is away, cached pages still served (some 2xx) and the rest
503; views lost at most one flush interval's worth (VIEW_COUNT_FLUSH_SECONDS, 5 here).

BENCH_POSTGRES_URL names the PostgreSQL server (default postgres://postgres@127.0.0.1:5432/
postgres); the scratch database `notesite_faults` is dropped at the end.
"""

import argparse
import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import quote, urlsplit, urlunsplit

from bench_load import (
    ROOT,
    close_django,
    free_port,
    gunicorn,
    install_wrk,
    production_env,
    setup_django,
    wrk,
)
from benchdata import (
    drop_postgres_database,
    generate_notes,
    postgres_url,
    recreate_postgres_database,
)

DATABASE = "notesite_faults"
FLUSH_SECONDS = 5
COUNTED_NOTE = "bench-3"  # read by the counting thread only
VIEWS_PER_SECOND = 20


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per phase")
    parser.add_argument("--notes", type=int, default=300)
    parser.add_argument("--connections", type=int, default=8)
    return parser.parse_args()


def main():
    args = parse_args()
    install_wrk()
    if not shutil.which("redis-server"):
        sys.exit("redis-server is needed (Debian's redis-server package)")
    server = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    scratch = Path(tempfile.mkdtemp(prefix="notesite-faults-"))
    recreate_postgres_database(server, DATABASE)
    redis = OwnRedis(free_port(), scratch)
    proxy = CuttableProxy(urlsplit(postgres_url(server, DATABASE)))
    try:
        os.environ.update(production_env(postgres_url(server, DATABASE), redis.url, scratch))
        os.environ.update(VIEW_COUNT_FLUSH_SECONDS=str(FLUSH_SECONDS), CONN_MAX_AGE="600")
        setup_django()
        generate_notes(args.notes)
        rows, views = run(args, redis, proxy)
        report(rows, views)
    finally:
        close_django()
        proxy.close()
        redis.stop()
        drop_postgres_database(server, DATABASE)
        shutil.rmtree(scratch, ignore_errors=True)


def run(args, redis, proxy):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    through_proxy = proxy.url(os.environ["DATABASE_URL"])
    env = os.environ | {"DATABASE_URL": through_proxy, "GUNICORN_BIND": f"127.0.0.1:{port}"}
    env |= {"GUNICORN_WORKERS": "2", "GUNICORN_THREADS": "1", "CACHE_KEY_PREFIX": "faults"}
    script = write_wrk_script(Path(os.environ["STATIC_ROOT"]).parent / "mix.lua")
    rows = []
    with gunicorn(env | {"PAGE_CACHE_SECONDS": "0"}, base):
        rows.append(phase("uncached, all up", base, script, args))
    with gunicorn(env, base), CountingReader(f"{base}/notes/{COUNTED_NOTE}/") as reader:
        faults = [
            ("Redis paused (hung)", redis.pause, redis.resume),
            ("Redis killed", redis.kill, redis.start),
            ("PostgreSQL away", proxy.cut, proxy.restore),
        ]
        rows.append(phase("cached, all up", base, script, args))
        for name, start, end in faults:
            start()
            try:
                rows.append(phase(name, base, script, args))
            finally:
                end()
            rows.append(phase(f"after: {name}", base, script, args))
    views = reader.answered, stored_views()
    return rows, views


def phase(name, base, script, args):
    print(f"{name}…", flush=True)
    return {"phase": name} | wrk(f"{base}/", args.duration, args.connections, script)


def write_wrk_script(path):
    """A wrk script that requests reader pages in turn (not the counted note)."""
    from django.utils import timezone

    from papers.models import Note

    month = timezone.localtime(Note.objects.get(slug="bench-1").published_at)
    pages = [
        "/",
        "/topics/dl/",
        f"/{month:%Y/%m}/",
        f"/search/?q={quote('对比学习')}",
        "/notes/bench-1/",
        "/notes/bench-2/",
        "/notes/bench-5/",
    ]
    listed = ", ".join(f'"{page}"' for page in pages)
    path.write_text(
        f"local pages = {{{listed}}}\n"
        "local i = 0\n"
        "request = function()\n"
        "  i = i % #pages + 1\n"
        '  return wrk.format("GET", pages[i])\n'
        "end\n"
    )
    return path


# --- the services and their faults -----------------------------------------------------------


class OwnRedis:
    """A redis-server of this run's, on `port`, keeping nothing on disk (as in production)."""

    def __init__(self, port, scratch):
        self.port = port
        self.scratch = scratch
        self.url = f"redis://127.0.0.1:{port}/0"
        self.process = None
        self.start()

    def start(self):
        command = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.scratch)]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as probe:
                if probe.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        sys.exit("redis-server did not start")

    def pause(self):
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def kill(self):
        self.process.kill()
        self.process.wait()

    def stop(self):
        if self.process and self.process.poll() is None:
            self.resume()
            self.process.terminate()
            self.process.wait()


class CuttableProxy:
    """A TCP proxy to PostgreSQL that can cut every connection and refuse new ones."""

    def __init__(self, upstream):
        self.upstream = (upstream.hostname or "127.0.0.1", upstream.port or 5432)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.down = False
        self.sockets = set()
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def url(self, database_url):
        parts = urlsplit(database_url)
        netloc = parts.netloc.rsplit("@", 1)
        host = f"127.0.0.1:{self.port}"
        return urlunsplit(parts._replace(netloc=f"{netloc[0]}@{host}" if len(netloc) > 1 else host))

    def accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.down:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream)
            except OSError:
                client.close()
                continue
            with self.lock:
                self.sockets |= {client, server}
            for source, target in ((client, server), (server, client)):
                threading.Thread(target=self.pump, args=(source, target), daemon=True).start()

    def pump(self, source, target):
        try:
            while data := source.recv(65536):
                target.sendall(data)
        except OSError:
            pass
        finally:
            for end in (source, target):
                self.forget(end)

    def forget(self, end):
        with self.lock:
            self.sockets.discard(end)
        with contextlib.suppress(OSError):
            end.close()

    def cut(self):
        self.down = True
        with self.lock:
            ends = list(self.sockets)
        for end in ends:
            with contextlib.suppress(OSError):
                end.shutdown(socket.SHUT_RDWR)
            self.forget(end)

    def restore(self):
        self.down = False

    def close(self):
        self.listener.close()
        self.cut()


# --- views -----------------------------------------------------------------------------------


class CountingReader:
    """A reader who opens one note page VIEWS_PER_SECOND times a second; counts the 200s."""

    def __init__(self, url):
        self.url = url
        self.answered = 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self.read, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stopping.set()
        self.thread.join()

    def read(self):
        while not self.stopping.wait(1 / VIEWS_PER_SECOND):
            try:
                with urllib.request.urlopen(self.url, timeout=5) as response:
                    response.read()
                    self.answered += response.status == 200
            except (urllib.error.URLError, OSError):
                pass


def stored_views():
    """The counted note's views in the database, after flushing what waits in Redis."""
    from django.db import connections

    from papers import viewcounts
    from papers.models import Note

    connections.close_all()
    viewcounts.flush()
    return Note.objects.get(slug=COUNTED_NOTE).view_count


# --- the report ------------------------------------------------------------------------------


def report(rows, views):
    print(f"\n{'phase':<30}{'req/s':>8}{'p50 ms':>9}{'p99 ms':>9}  errors")
    for row in rows:
        print(
            f"{row['phase']:<30}{row['rps']:>8.0f}{row['p50_ms']:>9.1f}{row['p99_ms']:>9.1f}"
            f"  {row['errors'] or '-'}"
        )
    answered, stored = views
    lost = answered - stored
    print(f"\nviews: {answered} answered, {stored} in the database, {lost} lost")
    floor = rows[0]["rps"]
    by_phase = {row["phase"]: row for row in rows}
    print()
    for name in ("Redis paused (hung)", "Redis killed"):
        row = by_phase[name]
        verdict(
            "PASS" if row["rps"] >= floor else "FAIL",
            f"{name}: {row['rps']:.0f} req/s against {floor:.0f} uncached with Redis up",
        )
        verdict("PASS" if not row["errors"] else "FAIL", f"{name}: errors {row['errors'] or 0}")
    away = by_phase["PostgreSQL away"]
    verdict("INFO", f"PostgreSQL away: {away['rps']:.0f} req/s, {away['errors'] or 'no errors'}")
    allowed = FLUSH_SECONDS * VIEWS_PER_SECOND
    verdict("PASS" if lost <= allowed else "FAIL", f"views lost {lost} <= {allowed} (one flush)")


def verdict(result, text):
    print(f"{result:<5} {text}")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "scripts"))
    main()
