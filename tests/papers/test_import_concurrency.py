"""Two `import_notes` runs of one folder at once: one writes, the other waits for it and then
finds every note unchanged, or gives up after `--wait` seconds with a one-line error and writes
nothing. Either way the database holds each note once.

The runs are separate processes (`manage.py import_notes` through subprocess, as a user at two
terminals starts them) over a database of their own, on each backend: a SQLite file, and a
PostgreSQL database when PostgreSQL answers (required with REQUIRE_SERVICES=1, as in CI).
pytest-django's test database cannot show any of this: its transaction never commits, and the
test's queries all use one connection, while what keeps two runs apart (SQLite's write lock,
PostgreSQL's advisory lock) lies between connections and lasts until a commit.

The database is migrated once per backend and copied for each test.
"""

import os
import re
import shutil
import sqlite3
import subprocess
import sys
import time
from contextlib import closing, contextmanager
from dataclasses import dataclass

import psycopg
import pytest

from papers.importing import IMPORT_LOCK
from tests.notesite.test_settings import NOT_INHERITED, PROJECT
from tests.services import (
    postgres_missing,
    postgres_url,
    require_service,
    scratch_postgres_database,
)

WAITING = "another import_notes run is writing to this database; waiting for it"
GAVE_UP = (
    "CommandError: another import_notes run is still writing to this database after {} s; "
    "nothing written (run again when it ends, or wait longer with --wait)"
)
SECONDS = 60  # the longest any process of these tests may take
PROGRESS = re.compile(r"^(?:reading|writing) .*\d+/\d+.*\n", re.MULTILINE)


def summary(created=0, unchanged=0):
    """The last line a run prints."""
    return f"created {created}, updated 0, unchanged {unchanged}, skipped 0, errors 0, warnings 0"


def write_notes(folder, count):
    """`count` Hexo notes with front matter (slugs concurrent-001 ...); returns their slugs."""
    folder.mkdir()
    slugs = []
    for number in range(1, count + 1):
        slug = f"concurrent-{number:03d}"
        (folder / f"{slug}.md").write_text(
            f"---\ntitle: 并发导入之{number}\ndate: 2024-11-25 10:{number % 60:02d}:00\n"
            f"categories: [深度学习]\ntags: [并发, 导入]\nslug: {slug}\n---\n"
            f"第 {number} 篇:两次导入同时运行,这篇笔记也只写入一次。\n\n"
            "缩放点积注意力:$\\mathrm{softmax}(QK^T/\\sqrt{d_k})V$。\n",
            encoding="utf-8",
        )
        slugs.append(slug)
    return slugs


class SqliteFile:
    """A database file; the test takes the write lock as another writer would."""

    def __init__(self, path):
        self.path = path
        self.url = f"sqlite:///{path}"

    @contextmanager
    def copy(self, folder):
        yield SqliteFile(shutil.copy(self.path, folder / self.path.name))

    def rows(self, query):
        with closing(sqlite3.connect(self.path)) as connection:
            return connection.execute(query).fetchall()

    @contextmanager
    def import_lock_held(self):
        with closing(sqlite3.connect(self.path, isolation_level=None)) as connection:
            connection.execute("BEGIN IMMEDIATE")
            yield
            connection.execute("ROLLBACK")


class PostgresDatabase:
    """A database on the PostgreSQL server; the test takes the importer's advisory lock."""

    def __init__(self, name):
        self.name = name
        self.url = postgres_url(name)

    @contextmanager
    def copy(self, folder):
        with scratch_postgres_database(template=self.name) as name:
            yield PostgresDatabase(name)

    def rows(self, query):
        with psycopg.connect(self.url) as connection:
            return connection.execute(query).fetchall()

    @contextmanager
    def import_lock_held(self):
        with psycopg.connect(self.url) as connection:
            connection.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
            yield
            connection.rollback()


def manage(database_url, *args, **popen):
    """Start `manage.py *args` on the database at `database_url`, with this process's
    environment otherwise; not a developer's REDIS_URL (the runs' caches stay in memory)."""
    env = {k: v for k, v in os.environ.items() if k not in {*NOT_INHERITED, "REDIS_URL"}}
    return subprocess.Popen(
        [sys.executable, "manage.py", *args],
        cwd=PROJECT,
        env={**env, "DATABASE_URL": database_url},
        text=True,
        **popen,
    )


def migrated(database):
    process = manage(database.url, "migrate", "--verbosity", "0", stderr=subprocess.PIPE)
    _, errors = process.communicate(timeout=SECONDS)
    assert process.returncode == 0, errors
    return database


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def backend(request, tmp_path_factory):
    """A migrated database per backend, which each test copies."""
    if request.param == "sqlite":
        yield migrated(SqliteFile(tmp_path_factory.mktemp("migrated") / "db.sqlite3"))
        return
    if missing := postgres_missing():
        require_service(missing)
    with scratch_postgres_database() as name:
        yield migrated(PostgresDatabase(name))


@pytest.fixture
def database(backend, tmp_path):
    """This test's own copy of the migrated database."""
    with backend.copy(tmp_path) as database:
        yield database


@dataclass
class Finished:
    returncode: int
    stdout: str
    stderr: str


class ImportRun:
    """One `manage.py import_notes` process. Its output goes to files, which the test reads
    while it runs (and a pipe nobody reads could fill up and block it)."""

    def __init__(self, database, folder, options, outputs):
        self.stdout = outputs / "stdout"
        self.stderr = outputs / "stderr"
        outputs.mkdir()
        with self.stdout.open("w") as stdout, self.stderr.open("w") as stderr:
            self.process = manage(
                database.url,
                "import_notes",
                str(folder),
                "--verbosity",
                "1",
                *options,
                stdout=stdout,
                stderr=stderr,
            )

    def errors_so_far(self):
        return self.stderr.read_text(encoding="utf-8")

    def finish(self):
        """How the run ended; its stderr without the progress lines (each pass ends with one
        in a log), which say nothing of the other run."""
        self.process.wait(timeout=SECONDS)
        return Finished(
            self.process.returncode,
            self.stdout.read_text(encoding="utf-8"),
            PROGRESS.sub("", self.stderr.read_text(encoding="utf-8")),
        )


@pytest.fixture
def start_import(database, tmp_path):
    """start_import(folder, *options): an import_notes run on this test's database. Runs
    still going when the test ends (it failed) are killed."""
    runs = []

    def start(folder, *options):
        runs.append(ImportRun(database, folder, options, tmp_path / f"run-{len(runs) + 1}"))
        return runs[-1]

    yield start
    for run in runs:
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def wait_until_waiting(runs):
    """Return once every run has said that it waits; fail if one ends first."""
    deadline = time.monotonic() + SECONDS
    while not all(WAITING in run.errors_so_far() for run in runs):
        for run in runs:
            if run.process.poll() is not None:
                finished = run.finish()
                pytest.fail(f"a run ended while the database was taken: {finished}")
        if time.monotonic() > deadline:
            pytest.fail(f"not every run said it waits: {[run.errors_so_far() for run in runs]}")
        time.sleep(0.05)


def slug_counts(database):
    return dict(database.rows("SELECT slug, COUNT(*) FROM papers_note GROUP BY slug"))


def test_runs_that_find_the_database_taken_wait_and_the_second_changes_nothing(
    database, tmp_path, start_import
):
    """Two runs started while another writer holds the lock both say they wait; once it lets
    go, one creates the 50 notes and the other finds them unchanged: each stored once, with one
    revision each."""
    slugs = write_notes(tmp_path / "notes", 50)
    with database.import_lock_held():
        runs = [start_import(tmp_path / "notes") for _ in range(2)]
        wait_until_waiting(runs)
    results = [run.finish() for run in runs]

    assert [result.returncode for result in results] == [0, 0], results
    assert sorted(result.stdout for result in results) == sorted(
        [f"{summary(created=50)}\n", f"{summary(unchanged=50)}\n"]
    )
    assert [result.stderr for result in results] == [f"{WAITING}\n"] * 2
    assert slug_counts(database) == dict.fromkeys(slugs, 1)
    assert database.rows("SELECT COUNT(*) FROM papers_noterevision") == [(50,)]


@pytest.mark.parametrize("wait", ["1", "0"])
def test_run_kept_waiting_past_wait_gives_up_in_one_line_and_writes_nothing(
    database, tmp_path, start_import, wait
):
    """With the lock held past `--wait` seconds, the run says it waits, then exits 1 with one
    line naming the other run, no traceback; no note is written. `--wait 0` does not wait."""
    write_notes(tmp_path / "notes", 5)
    with database.import_lock_held():
        started = time.monotonic()
        result = start_import(tmp_path / "notes", "--wait", wait).finish()
        waited = time.monotonic() - started

    assert result.returncode == 1, result
    assert result.stdout == ""
    assert result.stderr.splitlines() == [WAITING, GAVE_UP.format(wait)]
    assert waited >= float(wait)
    assert database.rows("SELECT COUNT(*) FROM papers_note") == [(0,)]


def test_two_runs_started_together_store_each_note_once(database, tmp_path, start_import):
    """Two runs of 300 notes started at the same moment, no lock held by the test: both exit
    0 (the default --wait outlasts the other run), one creating every note and the other
    finding them unchanged, saying nothing but, when they overlapped, that it waits; each note
    is stored once."""
    slugs = write_notes(tmp_path / "notes", 300)
    runs = [start_import(tmp_path / "notes") for _ in range(2)]
    results = [run.finish() for run in runs]

    assert [result.returncode for result in results] == [0, 0], results
    assert sorted(result.stdout for result in results) == sorted(
        [f"{summary(created=300)}\n", f"{summary(unchanged=300)}\n"]
    )
    assert {result.stderr for result in results} <= {"", f"{WAITING}\n"}, results
    assert slug_counts(database) == dict.fromkeys(slugs, 1)
    print(f"runs that said they wait: {sum(bool(result.stderr) for result in results)}")
