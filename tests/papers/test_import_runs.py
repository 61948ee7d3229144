"""papers.importing as a whole run: one transaction, re-runs, dry runs, commands, queries."""

import os
import sys
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from taggit.models import Tag, TaggedItem

from papers import importing
from papers.importing import ImportFailed, import_notes
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


def test_skip_invalid_keeps_the_first_of_two_files_claiming_a_slug(tmp_path):
    """Two different files claiming one slug: the first in the run's order lands."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\nslug: same\n---\n")
    second = write(tmp_path / "notes", "b.md", "---\ntitle: B\nslug: same\n---\n")
    write(tmp_path / "notes", "c.md", "---\ntitle: C\n---\n")
    report = import_notes([tmp_path / "notes"], skip_invalid=True)
    assert sorted(Note.objects.values_list("slug", "title")) == [("c", "C"), ("same", "A")]
    assert [str(p) for p in report.problems] == [
        f"{second}:3: slug 'same' is also claimed by {tmp_path / 'notes/a.md'}"
    ]
    assert report.summary() == "created 2, updated 0, unchanged 0, skipped 1, errors 1, warnings 0"


def test_copy_of_a_file_lands_once_with_a_warning(tmp_path):
    """Two byte-identical files with one slug: one note, a warning naming the first file."""
    text = "---\ntitle: 同一篇\nslug: same\n---\n正文\n"
    first = write(tmp_path / "notes", "2023/same.md", text)
    copy = write(tmp_path / "notes", "backup/same.md", text)
    report = import_notes([tmp_path / "notes"])
    assert list(Note.objects.values_list("slug", "source_path")) == [("same", "2023/same.md")]
    assert [str(warning) for warning in report.warnings] == [
        f"{copy}:3: a copy of {first}, which claims the same slug 'same'; skipped"
    ]
    assert report.summary() == "created 1, updated 0, unchanged 0, skipped 1, errors 0, warnings 1"


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


# --- which file a note belongs to ------------------------------------------------------------


def test_note_remembers_its_file_relative_to_the_folder_given(tmp_path):
    """A note's source path is its file under the folder given, or the name of a file given."""
    write(tmp_path / "blog/_posts", "2024/a.md", "---\ntitle: A\n---\n")
    single = write(tmp_path / "elsewhere", "b.md", "---\ntitle: B\n---\n")
    import_notes([tmp_path / "blog", single])
    assert sorted(Note.objects.values_list("slug", "source_path")) == [
        ("a", "_posts/2024/a.md"),
        ("b", "b.md"),
    ]


def test_file_claiming_a_note_of_another_file_is_refused(tmp_path):
    """A later run's file with the slug of another file's note is refused at its slug's line."""
    write(tmp_path / "old", "a.md", "---\ntitle: A\nslug: same\n---\n原来的\n")
    import_notes([tmp_path / "old"])
    other = write(tmp_path / "new", "b.md", "---\ntitle: B\nslug: same\n---\n别的\n")
    rows = database_rows()
    with pytest.raises(ImportFailed) as failed:
        import_notes([tmp_path / "new"])
    assert [str(p) for p in failed.value.problems] == [
        f"{other}:3: slug 'same' belongs to the note imported from a.md; "
        "--replace lets this file take it over"
    ]
    assert database_rows() == rows


def test_file_claiming_a_note_written_in_the_admin_is_refused(tmp_path, make_note):
    """An import does not overwrite a note written in the admin with the file's slug."""
    make_note(slug="hexo", title="Old", tags=["old"])
    good_tree(tmp_path / "notes")
    report = import_notes([tmp_path / "notes"], skip_invalid=True)
    note = Note.objects.get(slug="hexo")
    assert (note.title, note.source_path, set(note.tags.names())) == ("Old", "", {"old"})
    assert [str(p) for p in report.problems] == [
        f"{tmp_path / 'notes/hexo.md'}:1: slug 'hexo' belongs to a note written in the admin; "
        "--replace lets this file take it over"
    ]
    assert (report.created, report.skipped) == (2, 1)


def test_refused_file_creates_no_topic_tag_or_paper(tmp_path, make_note):
    """What a refused file names is not created for it."""
    make_note(slug="hexo")
    good_tree(tmp_path / "notes")
    (tmp_path / "notes/hugo.md").unlink()
    (tmp_path / "notes/obsidian.md").unlink()
    import_notes([tmp_path / "notes"], skip_invalid=True)
    assert (Topic.objects.count(), Tag.objects.count(), Paper.objects.count()) == (0, 0, 0)


def test_refused_file_copies_no_image(
    tmp_path, make_note, settings, django_capture_on_commit_callbacks
):
    """The images of a refused file are not copied into media."""
    make_note(slug="a")
    write(tmp_path / "notes", "fig.png", b"PNG")
    write(tmp_path / "notes", "a.md", "![](fig.png)\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_notes([tmp_path / "notes"], skip_invalid=True)
    assert not (settings.MEDIA_ROOT / "notes").exists()


def test_replace_takes_over_a_note_written_in_the_admin(tmp_path, make_note):
    """--replace: the file updates the admin's note (the same row) and the note is its own."""
    existing = make_note(slug="hexo", title="Old", tags=["old"])
    good_tree(tmp_path / "notes")
    report = import_notes([tmp_path / "notes"], replace=True)
    note = Note.objects.get(slug="hexo")
    assert (note.pk, note.title, note.source_path) == (existing.pk, "Hexo", "hexo.md")
    assert set(note.tags.names()) == {"RL", "LLM"}
    assert (report.created, report.updated) == (2, 1)


def test_replace_takes_over_a_note_of_another_file(tmp_path):
    """--replace moves a note to the file that now claims its slug; that file then updates it."""
    write(tmp_path / "old", "a.md", "---\ntitle: A\nslug: same\n---\n")
    import_notes([tmp_path / "old"])
    path = write(tmp_path / "new", "b.md", "---\ntitle: B\nslug: same\n---\n")
    import_notes([tmp_path / "new"], replace=True)
    path.write_text("---\ntitle: B2\nslug: same\n---\n")
    import_notes([tmp_path / "new"])
    assert list(Note.objects.values_list("title", "source_path")) == [("B2", "b.md")]


def test_file_holding_what_a_foreign_note_holds_leaves_it_alone(tmp_path, make_note):
    """A file that would change nothing (an export imported back) is not refused: unchanged."""
    note = make_note(slug="same", title="T", body="正文")
    dates = f"date: {note.published_at.isoformat()}\nupdated: {note.updated_at.isoformat()}"
    write(tmp_path / "notes", "same.md", f"---\ntitle: T\n{dates}\n---\n正文\n")
    report = import_notes([tmp_path / "notes"])
    assert report.summary() == "created 0, updated 0, unchanged 1, skipped 0, errors 0, warnings 0"
    assert Note.objects.get().source_path == ""


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


class RecordedProgress:
    """A Progress that writes down what the run tells it."""

    def __init__(self, events):
        self.events = events

    def start(self, phase, total):
        self.events.append(f"{phase} {total}")

    def advance(self, count=1):
        self.events.append(f"+{count}")


def test_progress_goes_through_both_passes_file_by_file(tmp_path):
    """Pass one counts each file read, pass two each note written; a bad file counts too."""
    good_tree(tmp_path / "notes")
    write(tmp_path / "notes", "nope.md", "![](gone.png)\n")
    events = []
    import_notes([tmp_path / "notes"], skip_invalid=True, progress=RecordedProgress(events))
    assert events == ["reading 4", *["+1"] * 4, "writing 4", *["+1"] * 4]


def test_progress_moves_as_notes_are_rendered_not_per_batch(tmp_path, monkeypatch):
    """Writing, progress follows each note's rendering (the slow part), not each batch."""
    monkeypatch.setattr(importing.run, "BATCH_SIZE", 2)
    write_notes(tmp_path / "notes", 3)
    events = []
    render = Note.render
    monkeypatch.setattr(Note, "render", lambda note: events.append("render") or render(note))
    import_notes([tmp_path / "notes"], progress=RecordedProgress(events))
    writing = events[events.index("writing 3") + 1 :]
    assert writing == ["render", "+1", "render", "+1", "render", "+1"]


# --- "updated" on the page ---------------------------------------------------------------------

UPDATED = '<span class="meta__updated">'


def test_imported_note_without_updated_date_shows_no_update(tmp_path, client):
    """A Hexo note without `updated` does not say "更新于 <the import day>"."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\ndate: 2024-11-25 10:00:00\n---\n正文\n")
    import_notes([tmp_path / "notes"])
    note = Note.objects.get()
    assert note.updated_at == note.published_at
    assert UPDATED not in client.get(note.get_absolute_url()).content.decode()


def test_imported_note_with_updated_date_shows_it(tmp_path, client):
    """`updated:` in the file is the day the page shows."""
    write(
        tmp_path / "notes",
        "a.md",
        "---\ntitle: A\ndate: 2024-11-25 10:00:00\nupdated: 2024-12-01 09:00:00\n---\n",
    )
    import_notes([tmp_path / "notes"])
    page = client.get(Note.objects.get().get_absolute_url()).content.decode()
    assert f"{UPDATED}更新于 2024-12-01</span>" in page


def test_changed_file_without_updated_date_shows_no_update(tmp_path, client):
    """A re-import of a changed file that gives no updated date does not date an update."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: A\ndate: 2024-11-25\n---\n旧\n")
    import_notes([tmp_path / "notes"])
    path.write_text("---\ntitle: A\ndate: 2024-11-25\n---\n新\n")
    assert import_notes([tmp_path / "notes"]).updated == 1
    note = Note.objects.get()
    assert note.body == "新"
    assert UPDATED not in client.get(note.get_absolute_url()).content.decode()


def test_edit_in_the_admin_shows_its_update(tmp_path, client):
    """An imported note edited later in the admin says "更新于" that day."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\ndate: 2024-11-25\n---\n正文\n")
    import_notes([tmp_path / "notes"])
    note = Note.objects.get()
    note.body = "在后台改的"
    note.save()
    today = timezone.localdate().isoformat()
    page = client.get(note.get_absolute_url()).content.decode()
    assert f"{UPDATED}更新于 {today}</span>" in page


def test_next_import_takes_the_import_day_off_notes_imported_before(tmp_path):
    """Notes stamped with the day of an earlier import lose it on the next run (no revision)."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\ndate: 2024-11-25\n---\n正文\n")
    import_notes([tmp_path / "notes"])
    Note.objects.update(updated_at=timezone.now())
    assert import_notes([tmp_path / "notes"]).updated == 1
    note = Note.objects.get()
    assert note.updated_at == note.published_at
    assert note.revisions.count() == 1


# --- queries -------------------------------------------------------------------------------


def write_notes(folder, count):
    for number in range(count):
        write(
            folder,
            f"n{number}.md",
            f"---\ntitle: N{number}\ndate: 2024-11-25\ncategories: [c{number % 3}]\n"
            f"tags: [shared, t{number}]\narxiv: 2401.{number + 1:05d}\n---\nbody {number}\n",
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
    # 8, then once per batch of files: the slugs their notes have (pass one, for same-named
    # vault files) and their old addresses.
    with django_assert_max_num_queries(10):
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


def test_command_prints_warnings(tmp_path):
    """Warnings go to stderr as `path:line: message (warning)`; the run imports the file."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: A\x08\n---\n")
    _, err = run("import_notes", str(tmp_path / "notes"), "-v", "0")
    assert err == f"{path}:2: control character U+0008 dropped (warning)\n"
    assert Note.objects.get().title == "A"


def test_command_report_lists_what_will_differ_file_by_file(tmp_path, make_note):
    """--report: every warning and refusal, grouped by file in line order, then the summary;
    nothing written, exit status 0."""
    make_note(slug="admin-note")
    notes = tmp_path / "notes"
    write(notes, "a.md", "---\ntitle: A\x08\n---\n正文\n\n第二\x1b段\n")
    write(notes, "b.md", b"")
    write(notes, "c.md", "---\nslug: admin-note\n---\n改写\n")
    write(notes, "d.md", BAD_DATE)
    write(notes, "e.md", "---\ntitle: E\n---\n")
    rows = database_rows()
    out, err = run("import_notes", str(notes), "--report")
    assert out.splitlines() == [
        f"{notes / 'a.md'}",
        "  line 2: control character U+0008 dropped (warning)",
        "  line 6: control character U+001B dropped (warning)",
        f"{notes / 'b.md'}",
        "  line 1: empty file; skipped (warning)",
        f"{notes / 'c.md'}",
        "  line 2: slug 'admin-note' belongs to a note written in the admin; "
        "--replace lets this file take it over (refused)",
        f"{notes / 'd.md'}",
        "  line 4: date: cannot read 'someday' as a date (refused)",
        "dry run, nothing written: "
        "created 2, updated 0, unchanged 0, skipped 3, errors 2, warnings 3",
    ]
    assert err == ""
    assert database_rows() == rows


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


def test_command_draws_progress_in_place_on_a_terminal(tmp_path, monkeypatch):
    """On a terminal each pass is a line redrawn in place on stderr, ended when done."""
    monkeypatch.setattr(sys, "stderr", Terminal())
    good_tree(tmp_path / "notes")
    run("import_notes", str(tmp_path / "notes"))
    lines = sys.stderr.getvalue().split("\n")
    assert [line.rsplit("\r", 1)[-1].split("] ")[-1] for line in lines] == [
        "100% 3/3 in 0:00:00",
        "100% 3/3 in 0:00:00",
        "",
    ]
    assert lines[0].startswith("\rreading [") and lines[1].startswith("\rwriting [")


def test_command_prints_progress_lines_off_a_terminal(tmp_path, monkeypatch):
    """Piped or logged, stderr gets plain lines: here, the end of each pass."""
    monkeypatch.setattr(sys, "stderr", StringIO())
    good_tree(tmp_path / "notes")
    run("import_notes", str(tmp_path / "notes"))
    assert sys.stderr.getvalue() == "reading 100% 3/3 in 0:00:00\nwriting 100% 3/3 in 0:00:00\n"


def test_command_shows_no_progress_with_verbosity_0(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "stderr", Terminal())
    good_tree(tmp_path / "notes")
    run("import_notes", str(tmp_path / "notes"), "-v", "0")
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
