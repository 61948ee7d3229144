"""papers.importing as a whole run: one transaction, re-runs, dry runs, commands, queries."""

import os
import sys
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from taggit.models import Tag, TaggedItem

from papers import importing
from papers.importing import ImportFailed, import_notes
from papers.management.commands.import_notes import ProgressBar
from papers.models import Note, Paper
from papers.search import search_notes
from tests.papers.test_importing import write
from topics.models import Topic

pytestmark = pytest.mark.django_db

MODELS = (Note, Topic, Paper, Tag, TaggedItem)


def database_rows():
    """Every row of every table an import writes, for before/after comparisons."""
    return {model.__name__: list(model.objects.order_by("pk").values()) for model in MODELS}


def row_counts():
    return {model.__name__: model.objects.count() for model in MODELS}


def good_tree(folder):
    """Three valid notes: Hexo, Hugo TOML and an Obsidian file without front matter."""
    write(
        folder,
        "hexo.md",
        "---\ntitle: Hexo\ndate: 2024-11-25 10:00:00\ncategories: [[深度学习, RL]]\n"
        "tags: [RL, LLM]\narxiv: 2308.02223\n---\n开头\n\n<!-- more -->\n\n后文\n",
    )
    write(
        folder,
        "hugo.md",
        '+++\ntitle = "Hugo"\ndate = 2024-11-24\ntags = ["hugo"]\n'
        'categories = ["工具"]\n+++\n正文\n',
    )
    os.utime(write(folder, "obsidian.md", "# Obsidian\n\n[[Hexo]]\n"), (1_700_000_000,) * 2)


BAD_DATE = "---\ntitle: Bad\ntags: [x]\ndate: someday\n---\n"


# --- one transaction -----------------------------------------------------------------------


def test_one_bad_file_writes_nothing(tmp_path):
    """A bad file among good ones: nothing is written, and its `path:line:` is reported."""
    good_tree(tmp_path / "notes")
    bad = write(tmp_path / "notes", "bad.md", BAD_DATE)
    before = row_counts()
    with pytest.raises(ImportFailed) as failed:
        import_notes([tmp_path / "notes"])
    assert row_counts() == before == dict.fromkeys(before, 0)
    assert [str(p) for p in failed.value.problems] == [
        f"{bad}:4: date: cannot read 'someday' as a date"
    ]


def test_bad_file_leaves_existing_notes_alone(tmp_path, make_note):
    """The rollback also covers notes that an import would have updated."""
    make_note(slug="hexo", title="Old")
    good_tree(tmp_path / "notes")
    write(tmp_path / "notes", "bad.md", BAD_DATE)
    rows = database_rows()
    with pytest.raises(ImportFailed):
        import_notes([tmp_path / "notes"])
    assert database_rows() == rows


def test_problems_from_both_passes_are_all_reported(tmp_path):
    """A file bad in front matter and another with a tag too long (found when its body is
    rewritten) are both reported."""
    bad = write(tmp_path / "notes", "bad.md", BAD_DATE)
    long_tag = write(tmp_path / "notes", "tag.md", f"text #{'t' * 101}\n")
    with pytest.raises(ImportFailed) as failed:
        import_notes([tmp_path / "notes"])
    assert [str(p) for p in failed.value.problems] == [
        f"{bad}:4: date: cannot read 'someday' as a date",
        f"{long_tag}:1: tag longer than 100 characters: {'t' * 20}...",
    ]


def test_failed_run_copies_no_image(tmp_path, settings, django_capture_on_commit_callbacks):
    """Images are copied only when the run commits."""
    write(tmp_path / "notes", "fig.png", b"PNG")
    write(tmp_path / "notes", "a.md", "![](fig.png)\n")
    write(tmp_path / "notes", "bad.md", BAD_DATE)
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ImportFailed):
        import_notes([tmp_path / "notes"])
    assert not (settings.MEDIA_ROOT / "notes").exists()


def test_skip_invalid_imports_the_good_files(tmp_path):
    """--skip-invalid imports the good files and lists the bad one."""
    good_tree(tmp_path / "notes")
    bad = write(tmp_path / "notes", "bad.md", BAD_DATE)
    report = import_notes([tmp_path / "notes"], skip_invalid=True)
    assert sorted(Note.objects.values_list("slug", flat=True)) == ["hexo", "hugo", "obsidian"]
    assert [str(p) for p in report.problems] == [f"{bad}:4: date: cannot read 'someday' as a date"]
    assert report.summary() == "created 3, updated 0, unchanged 0, skipped 1, errors 1, warnings 0"


def test_skip_invalid_skips_both_duplicate_slugs(tmp_path):
    """Two files claiming one slug are both skipped: neither is the right one to keep."""
    write(tmp_path / "notes", "a.md", "---\nslug: same\n---\n")
    write(tmp_path / "notes", "b.md", "---\nslug: same\n---\n")
    write(tmp_path / "notes", "c.md", "---\ntitle: C\n---\n")
    report = import_notes([tmp_path / "notes"], skip_invalid=True)
    assert list(Note.objects.values_list("slug", flat=True)) == ["c"]
    assert (report.skipped, len(report.problems)) == (2, 2)


# --- dry run -------------------------------------------------------------------------------


def test_dry_run_writes_nothing_and_counts(tmp_path, make_note):
    """--dry-run reports what would be created, updated and left alone, and writes nothing."""
    good_tree(tmp_path / "notes")
    import_notes([tmp_path / "notes"])
    (tmp_path / "notes/hugo.md").write_text('+++\ntitle = "Hugo 2"\ndate = 2024-11-24\n+++\n')
    write(tmp_path / "notes", "new.md", "---\ntitle: New\n---\n")
    rows = database_rows()
    report = import_notes([tmp_path / "notes"], dry_run=True)
    assert database_rows() == rows
    assert report.summary() == "created 1, updated 1, unchanged 2, skipped 0, errors 0, warnings 0"
    assert [(action, slug) for action, slug, _ in report.changes] == [
        ("updated", "hugo"),
        ("created", "new"),
    ]


def test_dry_run_copies_no_image(tmp_path, settings, django_capture_on_commit_callbacks):
    """A dry run leaves media storage alone."""
    write(tmp_path / "notes", "fig.png", b"PNG")
    write(tmp_path / "notes", "a.md", "![](fig.png)\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_notes([tmp_path / "notes"], dry_run=True)
    assert not (settings.MEDIA_ROOT / "notes").exists()


# --- re-runs -------------------------------------------------------------------------------


def test_second_run_changes_nothing(tmp_path):
    """Importing the same files twice leaves every row as it was; all are unchanged."""
    good_tree(tmp_path / "notes")
    import_notes([tmp_path / "notes"])
    rows = database_rows()
    report = import_notes([tmp_path / "notes"])
    assert database_rows() == rows
    assert report.summary() == "created 0, updated 0, unchanged 3, skipped 0, errors 0, warnings 0"


def test_changed_file_updates_its_note(tmp_path):
    """A changed file updates its note (fields, HTML, tags); the others stay unchanged."""
    good_tree(tmp_path / "notes")
    import_notes([tmp_path / "notes"])
    (tmp_path / "notes/hexo.md").write_text(
        "---\ntitle: Hexo v2\ndate: 2024-11-25 10:00:00\ntags: [LLM, new]\n---\n**新**\n"
    )
    report = import_notes([tmp_path / "notes"])
    note = Note.objects.get(slug="hexo")
    assert (note.title, note.body_html, note.topic, note.paper) == (
        "Hexo v2",
        "<p><strong>新</strong></p>",
        None,
        None,
    )
    assert set(note.tags.names()) == {"LLM", "new"}
    assert report.summary() == "created 0, updated 1, unchanged 2, skipped 0, errors 0, warnings 0"


def test_touched_file_without_date_keeps_its_note_date(tmp_path):
    """A file dated by its mtime is not changed by a newer mtime alone."""
    path = write(tmp_path / "notes", "a.md", "text\n")
    os.utime(path, (1_700_000_000,) * 2)
    import_notes([tmp_path / "notes"])
    os.utime(path, (1_800_000_000,) * 2)
    assert import_notes([tmp_path / "notes"]).unchanged == 1


def test_import_updates_note_written_in_admin(tmp_path, make_note):
    """A note already in the database with the file's slug is that file's note."""
    existing = make_note(slug="hexo", title="Old", tags=["old"])
    good_tree(tmp_path / "notes")
    report = import_notes([tmp_path / "notes"])
    note = Note.objects.get(slug="hexo")
    assert (note.pk, note.title, set(note.tags.names())) == (existing.pk, "Hexo", {"RL", "LLM"})
    assert (report.created, report.updated) == (2, 1)


def test_imported_notes_are_searchable(tmp_path):
    """Bulk-written notes get their search rows, created and updated alike."""
    good_tree(tmp_path / "notes")
    import_notes([tmp_path / "notes"])
    (tmp_path / "notes/hugo.md").write_text(
        '+++\ntitle = "Hugo"\ndate = 2024-11-24\n+++\n换了正文\n'
    )
    import_notes([tmp_path / "notes"])
    assert [note.slug for note in search_notes("后文")] == ["hexo"]
    assert [note.slug for note in search_notes("换了正文")] == ["hugo"]


def test_progress_is_reported_per_file(tmp_path):
    """progress(done, total) follows the second pass file by file."""
    good_tree(tmp_path / "notes")
    calls = []
    import_notes([tmp_path / "notes"], progress=lambda done, total: calls.append((done, total)))
    assert calls == [(1, 3), (2, 3), (3, 3)]


# --- queries -------------------------------------------------------------------------------


def write_notes(folder, count):
    for number in range(count):
        write(
            folder,
            f"n{number}.md",
            f"---\ntitle: N{number}\ndate: 2024-11-25\ncategories: [c{number % 3}]\n"
            f"tags: [shared, t{number}]\narxiv: 2401.{number:05d}\n---\nbody {number}\n",
        )


def queries_to_import(folder, count):
    """Queries to import `count` new notes into an empty database."""
    for model in MODELS:
        model.objects.all().delete()
    ContentType.objects.clear_cache()
    write_notes(folder, count)
    with CaptureQueriesContext(connection) as queries:
        import_notes([folder])
    assert Note.objects.count() == count
    return len(queries)


def test_queries_do_not_grow_with_notes(tmp_path):
    """Importing 50 notes takes as many queries as importing 5: no query per note."""
    assert queries_to_import(tmp_path / "fifty", 50) == queries_to_import(tmp_path / "five", 5)


def test_queries_grow_per_batch_only(tmp_path, monkeypatch):
    """With batches of 10, three batches take at most three times one batch's queries."""
    monkeypatch.setattr(importing.run, "BATCH_SIZE", 10)
    one_batch = queries_to_import(tmp_path / "ten", 10)
    assert queries_to_import(tmp_path / "thirty", 30) <= 3 * one_batch


def test_unchanged_rerun_is_a_few_queries(tmp_path, django_assert_max_num_queries):
    """A re-run of 50 unchanged notes reads in bulk and writes nothing."""
    write_notes(tmp_path / "notes", 50)
    import_notes([tmp_path / "notes"])
    with django_assert_max_num_queries(8):
        import_notes([tmp_path / "notes"])


# --- the commands --------------------------------------------------------------------------


def run(*args):
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_command_prints_summary(tmp_path):
    """import_notes prints the mtime-dated notes, created papers and one summary line."""
    good_tree(tmp_path / "notes")
    out, err = run("import_notes", str(tmp_path / "notes"))
    assert out.splitlines() == [
        f"{tmp_path / 'notes/obsidian.md'}: no date in the file; dated 2023-11-15 06:13, its mtime",
        "created paper 2308.02223; its title is the arXiv id until you edit it in the admin",
        "created 3, updated 0, unchanged 0, skipped 0, errors 0, warnings 0",
    ]
    assert err == ""


def test_command_fails_with_every_problem(tmp_path):
    """A bad file: CommandError (exit status 1) listing `path:line: message`; nothing written."""
    good_tree(tmp_path / "notes")
    bad = write(tmp_path / "notes", "bad.md", BAD_DATE)
    with pytest.raises(CommandError) as failed:
        run("import_notes", str(tmp_path / "notes"))
    assert failed.value.returncode == 1
    assert str(failed.value).splitlines() == [
        "1 problem(s) in 1 file(s); nothing written (--skip-invalid imports the good files)",
        f"{bad}:4: date: cannot read 'someday' as a date",
    ]
    assert Note.objects.count() == 0


def test_command_skip_invalid_lists_bad_files(tmp_path):
    """--skip-invalid: bad files on stderr, the summary counts them, exit status 0."""
    good_tree(tmp_path / "notes")
    bad = write(tmp_path / "notes", "bad.md", BAD_DATE)
    out, err = run("import_notes", str(tmp_path / "notes"), "--skip-invalid", "-v", "0")
    assert err == f"{bad}:4: date: cannot read 'someday' as a date (skipped)\n"
    assert out == ""
    assert Note.objects.count() == 3


def test_command_dry_run_lists_changes(tmp_path):
    """--dry-run lists each note it would create and says nothing was written."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\ndate: 2024-11-25\n---\n")
    out, _ = run("import_notes", str(tmp_path / "notes"), "--dry-run")
    assert out.splitlines() == [
        f"would be created: a ({tmp_path / 'notes/a.md'})",
        "dry run, nothing written: "
        "created 1, updated 0, unchanged 0, skipped 0, errors 0, warnings 0",
    ]
    assert Note.objects.count() == 0


def test_command_topic_option(tmp_path):
    """--topic names the topic of notes without a category."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\ndate: 2024-11-25\n---\n")
    run("import_notes", str(tmp_path / "notes"), "--topic", "工具使用")
    assert Note.objects.get().topic.name == "工具使用"


def test_command_rejects_unusable_topic(tmp_path):
    """A --topic without letters or digits cannot be a topic's slug."""
    write(tmp_path / "notes", "a.md", "x\n")
    with pytest.raises(CommandError, match="has no letters or digits"):
        run("import_notes", str(tmp_path / "notes"), "--topic", "!!!")


class Terminal(StringIO):
    def isatty(self):
        return True


def test_progress_bar_draws_in_place():
    """The bar is redrawn in place when its percentage moves, and ends its line when done."""
    stream = StringIO()
    bar = ProgressBar(stream)
    for done in (1, 1, 2):
        bar(done, 2)
    assert stream.getvalue() == (f"\r[{'#' * 15}{'-' * 15}]  50% 1/2\r[{'#' * 30}] 100% 2/2\n")


@pytest.mark.parametrize(("verbosity", "drawn"), [("1", True), ("0", False)])
def test_command_draws_bar_on_a_terminal(tmp_path, monkeypatch, verbosity, drawn):
    """On a terminal the command draws the bar on stderr, unless -v 0."""
    monkeypatch.setattr(sys, "stderr", Terminal())
    good_tree(tmp_path / "notes")
    run("import_notes", str(tmp_path / "notes"), "-v", verbosity)
    assert ("100% 3/3" in sys.stderr.getvalue()) is drawn


def test_command_draws_no_bar_off_a_terminal(tmp_path, monkeypatch):
    """Piped or logged, stderr gets no bar."""
    monkeypatch.setattr(sys, "stderr", StringIO())
    good_tree(tmp_path / "notes")
    run("import_notes", str(tmp_path / "notes"))
    assert sys.stderr.getvalue() == ""


def test_export_command(tmp_path, make_note):
    """export_notes writes one file per note and says how many."""
    make_note(slug="a")
    out, _ = run("export_notes", str(tmp_path / "out"))
    assert out == f"notes exported to {tmp_path / 'out'}: 1\n"
    assert os.listdir(tmp_path / "out") == ["a.md"]


@pytest.mark.parametrize("wait", ["-1", "nan", "soon"])
def test_command_refuses_a_wait_that_is_no_number_of_seconds(tmp_path, wait):
    with pytest.raises(CommandError, match="--wait: invalid seconds value"):
        call_command("import_notes", str(tmp_path), "--wait", wait)
