"""Publishing in the admin: a draft published goes out now unless dated later (then it is
scheduled); the changelist tells drafts, scheduled and published notes apart."""

import re
from datetime import timedelta

import pytest

from papers.models import Note
from tests.papers.helpers import admin_form, html

DRAFT = Note.Status.DRAFT
PUBLISHED = Note.Status.PUBLISHED
NOTE_ROW = re.compile(r'<th class="field-title"><a href="[^"]*">([^<]*)</a></th>')
STATUS_CELL = re.compile(r'<td class="field-publication">([^<]*)</td>')


@pytest.fixture
def drafts(make_note, frozen_now):
    """A draft started ten days ago, and one dated three days ahead."""
    return {
        "old": make_note(title="旧草稿", status=DRAFT, days_ago=10),
        "future": make_note(title="定时草稿", status=DRAFT, days_ago=-3),
    }


def publish_action(client, *notes):
    data = {"action": "publish", "_selected_action": [note.pk for note in notes]}
    return client.post("/admin/papers/note/", data, follow=True)


def test_publishing_a_draft_dates_it_now(admin_client, drafts, frozen_now):
    """A draft started days ago goes out now, first in the listings, not back in time."""
    response = publish_action(admin_client, drafts["old"])
    assert "1 篇笔记已设为“已发布”。" in html(response)
    note = Note.objects.get(pk=drafts["old"].pk)
    assert (note.status, note.published_at) == (PUBLISHED, frozen_now)
    assert list(Note.objects.published()) == [note]


def test_publishing_a_future_dated_draft_keeps_it_scheduled(admin_client, drafts, frozen_now):
    response = publish_action(admin_client, drafts["old"], drafts["future"])
    assert "2 篇笔记已设为“已发布”。其中 1 篇定在将来的时间发布。" in html(response)
    note = Note.objects.get(pk=drafts["future"].pk)
    assert (note.status, note.published_at) == (PUBLISHED, frozen_now + timedelta(days=3))
    assert list(Note.objects.scheduled()) == [note]


def test_unpublishing_keeps_the_date(admin_client, make_note, frozen_now):
    note = make_note(days_ago=5)
    data = {"action": "unpublish", "_selected_action": [note.pk]}
    admin_client.post("/admin/papers/note/", data)
    note.refresh_from_db()
    assert (note.status, note.published_at) == (DRAFT, frozen_now - timedelta(days=5))


def test_publish_now_button_only_on_drafts(admin_client, drafts, make_note):
    button = '<input type="submit" value="立即发布" name="_publish"'
    assert button in html(admin_client.get(f"/admin/papers/note/{drafts['old'].pk}/change/"))
    assert button in html(admin_client.get("/admin/papers/note/add/"))
    published = make_note()
    assert button not in html(admin_client.get(f"/admin/papers/note/{published.pk}/change/"))


@pytest.mark.parametrize(
    ("draft", "published_at"),
    [("old", lambda now: now), ("future", lambda now: now + timedelta(days=3))],
    ids=["dated-now", "stays-scheduled"],
)
def test_publish_now_button_saves_and_publishes(
    admin_client, drafts, frozen_now, draft, published_at
):
    """The button saves the form's edits too, and dates the draft as the action does."""
    note = drafts[draft]
    url = f"/admin/papers/note/{note.pk}/change/"
    data = admin_form(admin_client, url, body="发布前的最后修改", _publish="立即发布")
    del data["_save"]
    assert admin_client.post(url, data).status_code == 302
    note.refresh_from_db()
    assert (note.status, note.published_at, note.body) == (
        PUBLISHED,
        published_at(frozen_now),
        "发布前的最后修改",
    )


@pytest.fixture
def three_states(drafts, make_note):
    return {
        "草稿": drafts["old"],
        "定时": make_note(title="定时的", days_ago=-2),
        "已发布": make_note(title="已发布的", days_ago=1),
    }


@pytest.mark.parametrize(
    ("publication", "titles"),
    [("draft", ["旧草稿", "定时草稿"]), ("scheduled", ["定时的"]), ("published", ["已发布的"])],
)
def test_publication_filter(admin_client, three_states, publication, titles):
    """Drafts (whatever their date), published notes dated later, and what readers see."""
    response = admin_client.get(f"/admin/papers/note/?publication={publication}")
    assert sorted(NOTE_ROW.findall(html(response))) == sorted(titles)


def test_changelist_shows_each_notes_state_and_a_scheduled_notes_time(admin_client, three_states):
    page = html(admin_client.get("/admin/papers/note/?o=-4"))  # by date, latest first
    assert list(zip(NOTE_ROW.findall(page), STATUS_CELL.findall(page), strict=True)) == [
        ("定时草稿", "草稿"),
        ("定时的", "定时 · 2024-11-27 12:00"),
        ("已发布的", "已发布"),
        ("旧草稿", "草稿"),
    ]
    for label in ["草稿", "定时", "已发布"]:
        assert re.search(rf'<a href="\?[^"]*publication=\w+[^"]*">{label}</a>', page), label
