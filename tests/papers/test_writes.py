"""papers.writes, the one write path: revisions, search, the content version, whoever writes."""

import ast
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from papers import importing, writes
from papers.caching import versions
from papers.models import Note, NoteRevision
from papers.search import search_notes
from tests.papers.helpers import admin_form, html
from tests.papers.test_importing import write

ROOT = Path(__file__).resolve().parents[2]


def revisions_of(note):
    return list(note.revisions.order_by("id").values_list("title", "body", "source"))


def found(query):
    return [note.slug for note in search_notes(query)]


# --- what a save changed -------------------------------------------------------------------


def test_a_loaded_note_is_saved_without_reading_its_old_body(make_note):
    """The old body comes from what the note was loaded with: the save starts with its UPDATE."""
    note = Note.objects.get(pk=make_note(body="旧的正文").pk)
    note.body = "新的正文"
    with CaptureQueriesContext(connection) as queries:
        note.save()
    assert queries.captured_queries[0]["sql"].startswith('UPDATE "papers_note"')


def test_change_of_names_the_fields_a_write_changed(make_note, topic):
    note = Note.objects.get(pk=make_note(body="正文").pk)
    note.topic = topic
    note.body = "新正文"
    note.render()
    change = writes.change_of(note)
    assert change.fields == {"topic", "body", "body_html", "excerpt", "excerpt_html"}
    assert change.before["body"] == "正文"
    assert change.body_changed and change.text_changed
    assert writes.change_of(note, update_fields=["topic"]).fields == {"topic"}


def test_a_note_built_with_a_stored_pk_is_compared_with_its_row(make_note):
    """No snapshot to compare with: one query reads the row, and the change is still seen."""
    stored = make_note(title="原标题", body="原正文")
    rebuilt = Note(pk=stored.pk, title="新标题", slug=stored.slug, body="原正文")
    rebuilt.render()
    change = writes.change_of(rebuilt)
    assert not change.created
    assert "title" in change.fields and "body" not in change.fields


# --- revisions -----------------------------------------------------------------------------


def test_each_change_of_title_summary_or_body_keeps_a_revision(make_note):
    """A new note has one revision; text changes add one each; other changes add none."""
    note = make_note(title="第一版", body="一")
    note.title = "第二版"
    note.save()
    note.status = Note.Status.DRAFT
    note.save()
    note.body = "三"
    note.save()
    assert revisions_of(note) == [
        ("第一版", "一", "other"),
        ("第二版", "一", "other"),
        ("第二版", "三", "other"),
    ]


def test_a_failed_write_keeps_no_revision(make_note):
    """The revision commits or rolls back with the note."""
    make_note(slug="taken")
    note = make_note(slug="mine", body="正文")
    note.body = "改了"
    note.slug = "taken"
    with pytest.raises(IntegrityError), transaction.atomic():
        note.save()
    assert revisions_of(Note.objects.get(slug="mine")) == [("笔记 2", "正文", "other")]


def test_the_admin_records_who_edited(admin_client, admin_user, make_note):
    note = make_note(title="后台改之前")
    url = f"/admin/papers/note/{note.pk}/change/"
    admin_client.post(url, admin_form(admin_client, url, title="后台改之后"))
    latest = note.revisions.first()
    assert (latest.title, latest.author, latest.source) == ("后台改之后", admin_user, "admin")


def test_revisions_are_listed_in_the_admin(admin_client, make_note):
    """On the note's page (newest first) and in their own read-only list."""
    note = make_note(title="有历史的笔记")
    note.title = "有历史的笔记(改)"
    note.save()
    page = html(admin_client.get(f"/admin/papers/note/{note.pk}/change/"))
    assert "历史版本" in page
    assert page.index("有历史的笔记(改)") < page.rindex(">有历史的笔记<")
    listing = html(admin_client.get("/admin/papers/noterevision/"))
    assert listing.count("有历史的笔记") == 2
    revision = note.revisions.last()
    assert admin_client.get(f"/admin/papers/noterevision/{revision.pk}/change/").status_code == 200
    assert admin_client.get("/admin/papers/noterevision/add/").status_code == 403
    delete = f"/admin/papers/noterevision/{revision.pk}/delete/"
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_loaded_fixtures_get_revisions_and_search_rows(db):
    call_command("loaddata", "demo", verbosity=0)
    assert not Note.objects.filter(revisions=None).exists()
    note = Note.objects.published().first()
    assert note.slug in found(note.title)


# --- the importer's bulk path --------------------------------------------------------------


def import_file(folder, body, title="导入的笔记"):
    write(folder, "note.md", f"---\ntitle: {title}\nslug: imported\n---\n{body}\n")
    return importing.import_notes([folder])


def test_importer_updates_reach_the_search_index_and_revisions(tmp_path, db):
    import_file(tmp_path, "最初的词:蒸馏")
    assert found("蒸馏") == ["imported"]
    report = import_file(tmp_path, "改过的词:量化")
    assert report.updated == 1
    assert found("量化") == ["imported"]
    assert found("蒸馏") == []
    note = Note.objects.get(slug="imported")
    assert revisions_of(note) == [
        ("导入的笔记", "最初的词:蒸馏", "import"),
        ("导入的笔记", "改过的词:量化", "import"),
    ]
    assert note.revisions.first().detail == str(tmp_path / "note.md")


def test_an_unchanged_import_keeps_no_revision(tmp_path, db):
    import_file(tmp_path, "正文")
    assert import_file(tmp_path, "正文").unchanged == 1
    assert NoteRevision.objects.count() == 1


def test_retagging_by_import_reaches_search(tmp_path, db):
    write(tmp_path, "note.md", "---\ntitle: 标签\nslug: tagged\ntags: [旧标签]\n---\n正文\n")
    importing.import_notes([tmp_path])
    write(tmp_path, "note.md", "---\ntitle: 标签\nslug: tagged\ntags: [新标签]\n---\n正文\n")
    importing.import_notes([tmp_path])
    assert found("新标签") == ["tagged"]
    assert found("旧标签") == []


# --- the content version -------------------------------------------------------------------


@pytest.fixture
def draws(monkeypatch, version_drawn_after_commit):
    """The content versions drawn, under production's rule (after commit)."""
    drawn = []
    new = versions.new
    monkeypatch.setattr(versions, "new", lambda: drawn.append(1) or new())
    return drawn


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """A block whose writes commit at its end (the test's own transaction never does)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_one_content_version_per_import_run(tmp_path, monkeypatch, draws, committed, db):
    """An import of several batches draws one version, once it has committed."""
    monkeypatch.setattr(importing.run, "BATCH_SIZE", 2)
    for number in range(5):
        write(tmp_path, f"{number}.md", f"---\ntitle: 第 {number} 篇\n---\n正文 {number}\n")
    with committed():
        importing.import_notes([tmp_path])
        assert draws == []  # not before the commit
    assert draws == [1]
    assert Note.objects.count() == 5


def test_import_changing_only_the_updated_date_draws_a_version(tmp_path, draws, committed, db):
    """Readers see the updated date ("更新于"): a file changing only that makes pages stale."""
    path = write(tmp_path, "a.md", "---\ntitle: T\ndate: 2024-11-25\n---\n正文\n")
    importing.import_notes([tmp_path])
    path.write_text("---\ntitle: T\ndate: 2024-11-25\nupdated: 2024-12-01\n---\n正文\n")
    with committed():
        assert importing.import_notes([tmp_path]).updated == 1
    assert draws == [1]


def test_each_save_draws_a_version_once_committed(make_note, draws, committed):
    note = make_note()
    with committed():
        note.title = "新的标题"
        note.save()
        assert draws == []
    assert draws == [1]


def test_a_rolled_back_write_draws_no_version(make_note, draws, committed):
    note = make_note()
    with committed(), transaction.atomic():
        note.title = "不会保存"
        note.save()
        transaction.set_rollback(True)
    assert draws == []


def test_writes_of_what_no_page_shows_draw_no_version(make_note, draws, committed):
    """Counters, and saves that change nothing, leave every cached copy valid."""
    note = make_note()
    with committed():
        note.view_count = 7
        note.save(update_fields=["view_count"])
        Note.objects.get(pk=note.pk).save()
    assert draws == []


def test_the_admin_change_form_is_one_batch(admin_client, make_note, draws, committed):
    """The note's save and its tags' draw one version together."""
    note = make_note()
    url = f"/admin/papers/note/{note.pk}/change/"
    data = admin_form(admin_client, url, title="改了标题", tags="新标签")
    with committed():
        assert admin_client.post(url, data).status_code == 302
    assert draws == [1]
    assert found("新标签") == [note.slug]


def test_the_publish_action_goes_through_the_write_path(admin_client, make_note, draws, committed):
    draft = make_note(status=Note.Status.DRAFT)
    data = {"action": "publish", "_selected_action": [draft.pk]}
    with committed():
        admin_client.post("/admin/papers/note/", data)
    assert draws == [1]
    assert draft.revisions.count() == 1  # a status change is no new version of the text


# --- the one path --------------------------------------------------------------------------


def calls_of(name):
    """(module, line) of each call of a function called `name` in the site's own code."""
    found = []
    for app in ("accounts", "annotations", "notesite", "papers", "topics"):
        for source in (ROOT / app).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.Call):
                    called = node.func.attr if isinstance(node.func, ast.Attribute) else None
                    called = called or getattr(node.func, "id", None)
                    if called == name:
                        found.append(str(source.relative_to(ROOT)))
    return sorted(set(found))


def test_only_the_write_path_indexes_and_reanchors():
    """Nothing indexes notes or re-anchors annotations but papers.writes and its subscriber."""
    assert calls_of("index_notes") == ["papers/writes.py"]
    assert calls_of("reanchor_note") == ["annotations/passages.py"]
    assert calls_of("reanchor") == ["annotations/passages.py"]
    assert calls_of("reanchor_edited_notes") == []  # connected to notes_changed, never called
