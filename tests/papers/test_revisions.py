"""A note's history in the admin: its revisions, two compared, one restored (papers.revisions)."""

import re

import pytest
from django.contrib.auth.models import Permission

from papers import revisions
from papers.models import Note, NoteRevision
from papers.search import search_notes
from tests.papers.helpers import html

PASSAGE = "稀疏注意力把复杂度降到线性"
REWORDED = "稀疏注意力把复杂度降到近似线性"
BODY = f"## 背景\n\n全局注意力看见整个序列,代价是平方级。\n\n{PASSAGE},代价是只看局部窗口。"


@pytest.fixture
def edited(make_note, admin_user):
    """A note saved twice: its first revision, then one with a new title and a reworded body."""
    note = make_note(title="稀疏注意力", slug="sparse", body=BODY)
    note.title, note.body = "稀疏注意力(修订)", BODY.replace(PASSAGE, REWORDED)
    note.save()
    return Note.objects.get(pk=note.pk)


def first_revision(note):
    return note.revisions.order_by("id").first()


def history_url(note):
    return f"/admin/papers/note/{note.pk}/revisions/"


def restore_url(note, revision):
    return f"{history_url(note)}{revision.pk}/restore/"


# --- restoring ----------------------------------------------------------------------------


def test_restore_makes_a_new_revision_and_changes_the_note(edited, admin_user):
    """The note reads as the old revision again, searchable so; the history keeps all three."""
    old = first_revision(edited)
    assert revisions.restore(old, admin_user) == []
    note = Note.objects.get(pk=edited.pk)
    assert (note.title, note.body) == ("稀疏注意力", BODY)
    assert PASSAGE in note.body_html and REWORDED not in note.body_html
    kept = list(note.revisions.order_by("id").values_list("title", "source", "detail", "author"))
    assert kept == [
        ("稀疏注意力", NoteRevision.Source.OTHER, "", None),
        ("稀疏注意力(修订)", NoteRevision.Source.OTHER, "", None),
        ("稀疏注意力", NoteRevision.Source.RESTORE, f"恢复到版本 #{old.pk}", admin_user.pk),
    ]
    assert [found.slug for found in search_notes("修订")] == []


def test_restoring_what_the_note_already_reads_changes_nothing(edited, admin_user):
    latest = edited.revisions.first()
    assert revisions.restore(latest, admin_user) is None
    assert edited.revisions.count() == 2


# --- the admin's pages --------------------------------------------------------------------


def test_history_page_lists_revisions_with_two_picked_to_compare(admin_client, edited):
    """Newest first, the latest two picked, a restore link for every revision but the current."""
    old, new = edited.revisions.order_by("id")
    page = html(admin_client.get(history_url(edited)))
    assert re.findall(r'name="old" value="(\d+)"[^>]*?( checked)?>', page) == [
        (str(new.pk), ""),
        (str(old.pk), " checked"),
    ]
    assert re.findall(r'name="new" value="(\d+)"[^>]*?( checked)?>', page) == [
        (str(new.pk), " checked"),
        (str(old.pk), ""),
    ]
    assert f'action="{history_url(edited)}compare/"' in page
    assert re.findall(r'href="([^"]*/restore/)"', page) == [restore_url(edited, old)]


def test_change_page_links_to_the_history(admin_client, edited):
    page = html(admin_client.get(f"/admin/papers/note/{edited.pk}/change/"))
    assert f'<a href="{history_url(edited)}">历史版本</a>' in page


def test_compare_page_marks_insertions_and_deletions(admin_client, edited):
    """Either order of picking shows the older revision as the old side."""
    old, new = edited.revisions.order_by("id")
    page = html(admin_client.get(f"{history_url(edited)}compare/?old={new.pk}&new={old.pk}"))
    assert '<ins class="revision-diff__inserted">近似</ins>' in page
    assert '<ins class="revision-diff__inserted">(修订)</ins>' in page
    assert "没有变化" in page  # the summary
    assert f"比较版本 #{old.pk} 与 #{new.pk}" in page


def test_compare_page_shows_deleted_text_escaped(admin_client, make_note):
    note = make_note(body="保留。<script>alert(1)</script>删掉的字。")
    note.body = "保留。"
    note.save()
    old, new = note.revisions.order_by("id")
    page = html(admin_client.get(f"{history_url(note)}compare/?old={old.pk}&new={new.pk}"))
    assert (
        '<del class="revision-diff__deleted">&lt;script&gt;alert(1)&lt;/script&gt;删掉的字。</del>'
        in page
    )


@pytest.mark.parametrize(
    "query", ["", "?old=1", "?old=x&new=2", "?old=١&new=2", "same", "other-note", "too-large"]
)
def test_compare_without_two_revisions_of_the_note_says_so(admin_client, edited, make_note, query):
    """Missing, malformed, equal, another note's or no revision: back to the history, with why."""
    old = first_revision(edited)
    other = first_revision(make_note())
    query = {
        "same": f"?old={old.pk}&new={old.pk}",
        "other-note": f"?old={old.pk}&new={other.pk}",
        "too-large": f"?old={old.pk}&new={'9' * 30}",
    }.get(query, query)
    response = admin_client.get(f"{history_url(edited)}compare/{query}", follow=True)
    assert response.redirect_chain == [(history_url(edited), 302)]
    assert "请选择两个不同的版本再比较。" in html(response)


def test_restore_asks_first_showing_what_would_change(admin_client, edited):
    """GET shows the confirmation with the diff and a CSRF-protected form; nothing changes."""
    old = first_revision(edited)
    page = html(admin_client.get(restore_url(edited, old)))
    assert f'<input type="submit" class="default" value="恢复到版本 #{old.pk}">' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert '<del class="revision-diff__deleted">近似</del>' in page
    assert Note.objects.get(pk=edited.pk).title == "稀疏注意力(修订)"


def test_restore_of_the_current_revision_offers_nothing(admin_client, edited):
    page = html(admin_client.get(restore_url(edited, edited.revisions.first())))
    assert "无需恢复" in page
    assert 'type="submit"' not in page.split('id="content-main"')[1]


def test_restore_post_restores_and_says_so(admin_client, edited, admin_user):
    old = first_revision(edited)
    response = admin_client.post(restore_url(edited, old), follow=True)
    assert response.redirect_chain == [(history_url(edited), 302)]
    assert f"已恢复到版本 #{old.pk},另存为新版本。" in html(response)
    newest = Note.objects.get(pk=edited.pk).revisions.first()
    assert (newest.title, newest.source, newest.author) == (
        "稀疏注意力",
        NoteRevision.Source.RESTORE,
        admin_user,
    )


def test_restore_refuses_another_notes_revision(admin_client, edited, make_note):
    other = first_revision(make_note())
    assert admin_client.post(restore_url(edited, other)).status_code == 404
    assert admin_client.get("/admin/papers/note/999999/revisions/").status_code == 404
    assert admin_client.post(f"{history_url(edited)}{10**30}/restore/").status_code == 404
    assert admin_client.get(f"/admin/papers/note/{10**30}/revisions/").status_code == 404
    assert edited.revisions.count() == 2


def test_restore_needs_the_change_permission(client, django_user_model, edited):
    """Staff who may only view notes see the history but may not restore."""
    user = django_user_model.objects.create_user("viewer", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_note"))
    client.force_login(user)
    page = html(client.get(history_url(edited)))
    assert "稀疏注意力(修订)" in page
    assert "/restore/" not in page
    assert client.post(restore_url(edited, first_revision(edited))).status_code == 403
    assert edited.revisions.count() == 2


def test_restore_is_csrf_protected(client, admin_user, edited):
    client = type(client)(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert client.post(restore_url(edited, first_revision(edited))).status_code == 403
    assert edited.revisions.count() == 2
