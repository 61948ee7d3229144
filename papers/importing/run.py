"""The run: one import at a time, in one transaction, pass two in batches."""

from contextlib import contextmanager, nullcontext
from functools import partial

from django.db import OperationalError, connection, transaction

from .. import writes
from ..models import NoteRevision
from .addresses import Blogs
from .body import BodyRewriter
from .files import note_files, scan_files
from .frontmatter import TOPIC_LENGTH, check_name
from .media import SiteRoots, store_files
from .problems import ImportFailed, ImportReport, InvalidNote, NoteProblem
from .progress import Progress
from .reading import read_note
from .writing import NoteWriter

BATCH_SIZE = 500


def parsed_batches(files, scan, report, progress, math_in_code=False):
    """Pass two: each file pass one kept, parsed, given the slug pass one chose and its body
    rewritten, in batches of BATCH_SIZE."""
    sites, blogs, batch = SiteRoots(), Blogs(), []
    for path, source_path in files:
        if path in scan.left_out:
            continue
        try:
            note = read_note(path, source_path, blogs.of(path))
            note.slug = scan.renamed.get(path, note.slug)
            rewriter = BodyRewriter(note, scan.links, sites, math_in_code=math_in_code)
            body_warnings = rewriter.rewrite()
            report.warnings += note.warnings + body_warnings
            batch.append(note)
        except InvalidNote as invalid:
            report.problems += invalid.problems
            progress.advance()
        if len(batch) == BATCH_SIZE:
            yield batch
            batch = []
    if batch:
        yield batch


# The advisory lock PostgreSQL holds for a run (any number that other code does not use).
IMPORT_LOCK = 0x6E6F7465  # "note"
DEFAULT_WAIT_SECONDS = 600


class ImportBusy(Exception):
    """Another run held the database for longer than this one would wait; nothing written."""

    def __init__(self, wait):
        super().__init__(
            f"another import_notes run is still writing to this database after {wait:g} s; "
            "nothing written (run again when it ends, or wait longer with --wait)"
        )


@contextmanager
def exclusive_run(wait, on_wait):
    """The run's batch of writes (papers.writes: one transaction), opened once no other run
    writes: two runs of one folder at once would each find a note missing and both create it.

    The second run waits up to `wait` seconds for the first to commit, then reads what it
    wrote (and finds it unchanged); `on_wait()` is called first if it has to wait. PostgreSQL:
    an advisory lock held until the transaction ends. SQLite: the database's write lock, which
    a transaction takes when it begins (settings: transaction_mode IMMEDIATE), waited for with
    SQLite's busy timeout.
    """
    sqlite = connection.vendor == "sqlite" and not connection.in_atomic_block
    waiting = _sqlite_busy_timeout(wait, on_wait) if sqlite else nullcontext()
    try:
        # A transaction of its own (a savepoint inside a caller's), which a dry run rolls back.
        with (
            waiting,
            transaction.atomic(),
            writes.batch(source=NoteRevision.Source.IMPORT) as batch,
        ):
            if connection.vendor == "postgresql":
                _advisory_lock(wait, on_wait)
            yield batch
    except OperationalError as error:
        if _waited_too_long(error):
            raise ImportBusy(wait) from None
        raise


@contextmanager
def _sqlite_busy_timeout(wait, on_wait):
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA busy_timeout")
        (usual,) = cursor.fetchone()
        cursor.execute("PRAGMA busy_timeout = 0")
        try:  # is another writer there? (a transaction taken and given back at once)
            cursor.execute("BEGIN IMMEDIATE")
            cursor.execute("ROLLBACK")
        except OperationalError:
            on_wait()
        cursor.execute(f"PRAGMA busy_timeout = {int(wait * 1000)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA busy_timeout = {usual}")


def _advisory_lock(wait, on_wait):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [IMPORT_LOCK])
        if cursor.fetchone()[0]:
            return
        on_wait()
        # At least 1 ms: a lock_timeout of 0 is no limit, and --wait 0 means not to wait.
        cursor.execute(f"SET LOCAL lock_timeout = {max(int(wait * 1000), 1)}")
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK])
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")


def _waited_too_long(error):
    """SQLite's busy timeout ran out, or PostgreSQL's lock_timeout (SQLSTATE 55P03)."""
    cause = error.__cause__
    return "database is locked" in str(error) or getattr(cause, "sqlstate", None) == "55P03"


def import_notes(
    paths,
    *,
    default_topic=None,
    dry_run=False,
    skip_invalid=False,
    replace=False,
    math_in_code=False,
    progress=None,
    wait=DEFAULT_WAIT_SECONDS,
    on_wait=lambda: None,
):
    """Import note files and folders in one transaction; see the module docstring.

    Raises ImportFailed (having written nothing) when a file has a problem and `skip_invalid`
    is off, and ImportBusy when another run kept the database for more than `wait` seconds.
    `replace` lets files take over notes that came from other files or from the admin.
    `math_in_code` makes code spans holding only math math (codemath.py).
    `progress` (a Progress) is told of each file read and each note written.
    """
    if default_topic:
        try:
            check_name(default_topic, TOPIC_LENGTH, "topic", None)
        except NoteProblem as problem:
            raise ValueError(problem.message) from None
    progress = progress or Progress()
    files = note_files(paths)
    report = ImportReport(dry_run=dry_run)
    progress.start("reading", len(files))
    scan = scan_files(files, report, progress)
    media_files = []
    with exclusive_run(wait, on_wait) as changes:
        writer = NoteWriter(report, default_topic, changes, progress, replace=replace)
        progress.start("writing", len(files) - len(scan.left_out))
        for batch in parsed_batches(files, scan, report, progress, math_in_code):
            # Once the run is bound to fail, only look for further problems.
            if skip_invalid or not report.problems:
                written = writer.write(batch)
                media_files += [file for note in written for file in note.media_files]
            else:
                progress.advance(len(batch))
        if dry_run or (report.problems and not skip_invalid):
            transaction.set_rollback(True)
        else:
            transaction.on_commit(partial(store_files, media_files))
    if report.problems and not skip_invalid:
        raise ImportFailed(report.problems)
    report.skipped = len(scan.left_out | {problem.path for problem in report.problems})
    return report
