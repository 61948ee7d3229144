"""Posting comments and replies: who sees them when, what is stored, and bad input."""

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from annotations import moderation
from annotations.models import Comment
from papers.models import Note
from tests.annotations.conftest import comment_anchors, post_url

State = Comment.State


def comments_of(note):
    return list(Comment.objects.filter(note=note).values_list("body", "state", "name"))


def test_signed_in_comment_is_public_at_once(reader_client, post, note):
    """A reader with an account sees their comment on the note page right away, counted."""
    response = post(note, body="讲得清楚。")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/notes/attention/#comment-{comment.pk}"
    assert comments_of(note) == [("讲得清楚。", State.PUBLIC, "小读者")]
    page = reader_client.get(note.get_absolute_url())
    assert comment_anchors(page) == [f"comment-{comment.pk}"]
    assert '<span class="comment__author">小读者</span>' in page.content.decode()
    note.refresh_from_db()
    assert note.comment_count == 1


def test_anonymous_comment_waits_for_moderation(client, post, note):
    """An anonymous comment is stored pending, not counted, with a flash message."""
    response = post(note, body="路过。", name="路人甲", email="a@example.com")
    comment = Comment.objects.get()
    assert (comment.state, comment.name, comment.email) == (
        State.PENDING,
        "路人甲",
        "a@example.com",
    )
    assert comment.user is None
    page = client.get(response["Location"])
    assert "评论已提交,审核通过后对其他读者显示。" in page.content.decode()
    note.refresh_from_db()
    assert note.comment_count == 0


def test_pending_comment_is_shown_only_to_its_poster(client, post, note, django_user_model):
    """The poster's session sees their pending comment marked as waiting; others do not."""
    post(note, body="等审核。")
    comment = Comment.objects.get()
    own = client.get(note.get_absolute_url()).content.decode()
    assert f'id="comment-{comment.pk}"' in own
    assert "等待审核,仅你可见" in own
    client.cookies.clear()
    other = client.get(note.get_absolute_url())
    assert comment_anchors(other) == []
    assert "等审核。" not in other.content.decode()


def test_moderation_setting_off_publishes_anonymous_comments(client, post, note, settings):
    """COMMENTS_MODERATE_ANONYMOUS=False: anonymous comments are public and counted at once."""
    settings.COMMENTS_MODERATE_ANONYMOUS = False
    post(note, body="无需审核。")
    assert comments_of(note) == [("无需审核。", State.PUBLIC, "路人甲")]
    note.refresh_from_db()
    assert note.comment_count == 1
    assert "无需审核。" in client.get(note.get_absolute_url()).content.decode()


def test_email_is_never_shown(client, post, note, settings):
    """An anonymous reader's email is stored for moderators but not on the page."""
    settings.COMMENTS_MODERATE_ANONYMOUS = False
    post(note, email="secret@example.com")
    assert Comment.objects.get().email == "secret@example.com"
    assert "secret@example.com" not in client.get(note.get_absolute_url()).content.decode()


def test_ip_is_stored_and_never_shown(client, post, note, settings):
    """The poster's address is kept for moderation only."""
    settings.COMMENTS_MODERATE_ANONYMOUS = False
    post(note)
    assert Comment.objects.get().ip == "127.0.0.1"
    assert "127.0.0.1" not in client.get(note.get_absolute_url()).content.decode()


def test_signed_in_form_has_no_name_or_email(reader_client, note):
    """Readers with an account post under their display name: no name or email fields."""
    html = reader_client.get(note.get_absolute_url()).content.decode()
    assert 'name="name"' not in html
    assert 'name="email"' not in html
    assert "以 <strong>小读者</strong> 的身份评论。" in html


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"body": ""}, "评论内容不能为空。"),
        ({"body": "   \n  "}, "评论内容不能为空。"),
        ({"body": "长" * 3001}, "3000"),
        ({"name": ""}, "请填写署名。"),
        ({"name": "名" * 51}, "50"),
        ({"email": "not-an-email"}, "输入一个有效的 Email 地址。"),
    ],
    ids=["empty", "blank", "too-long", "no-name", "long-name", "bad-email"],
)
def test_bad_input_gets_a_form_error(client, post, note, fields, message):
    """Invalid fields: 400 with the form again, the error shown and nothing stored."""
    response = post(note, **fields)
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html
    assert 'class="comment-form"' in html
    assert Comment.objects.count() == 0


def test_form_error_keeps_the_text(client, post, note):
    """The form shown again after an error still holds what the reader wrote."""
    response = post(note, body="我的长评论", name="")
    assert ">\n我的长评论</textarea>" in response.content.decode()


def test_body_at_the_limit_is_accepted(reader_client, post, note):
    """Exactly 3000 characters is allowed."""
    assert post(note, body="字" * 3000).status_code == 302
    assert len(Comment.objects.get().body) == 3000


def test_unknown_note_is_404(client, post, note):
    """Posting under a slug no note has is a 404, nothing stored."""
    note.slug = "gone"
    response = client.post(post_url(note), {"body": "x"})
    assert response.status_code == 404
    assert Comment.objects.count() == 0


def test_draft_note_is_404_even_for_a_direct_post(client, post, make_note):
    """A draft takes no comments: a crafted POST gets 404, nothing stored."""
    draft = make_note(slug="draft", status=Note.Status.DRAFT)
    assert post(draft).status_code == 404
    assert Comment.objects.count() == 0


def test_future_note_is_404(client, post, make_note):
    """A note scheduled for later takes no comments yet."""
    later = make_note(slug="later", published_at=timezone.now() + timedelta(days=1))
    assert post(later).status_code == 404
    assert Comment.objects.count() == 0


def test_get_is_not_allowed(client, note):
    """The comment URL only takes POST."""
    assert client.get(post_url(note)).status_code == 405


def test_reply_is_nested_under_its_parent(reader_client, post, note, make_comment):
    """A reply is stored with its parent and shown inside the parent's article."""
    parent = make_comment(note, body="问题")
    response = post(note, body="回答", parent=parent.pk)
    reply = Comment.objects.get(body="回答")
    assert reply.parent == parent
    assert response["Location"].endswith(f"#comment-{reply.pk}")
    html = reader_client.get(note.get_absolute_url()).content.decode()
    parent_start = html.index(f'id="comment-{parent.pk}"')
    replies = html.index('<div class="comment__replies" data-replies>', parent_start)
    assert html.index(f'id="comment-{reply.pk}"') > replies
    assert 'class="comment comment--reply" id="comment-' in html


def test_reply_to_a_reply_is_a_form_error(reader_client, post, note, make_comment):
    """Replies go one level deep: answering a reply is refused with a form error."""
    parent = make_comment(note)
    reply = make_comment(note, parent=parent)
    response = post(note, body="再回复", parent=reply.pk)
    assert response.status_code == 400
    assert "只能回复顶层评论,不能回复回复。" in response.content.decode()
    assert not Comment.objects.filter(body="再回复").exists()


def test_reply_to_another_notes_comment_is_a_form_error(
    reader_client, post, note, make_note, make_comment
):
    """A parent from another note is refused, nothing stored."""
    elsewhere = make_comment(make_note(slug="other"))
    response = post(note, body="串门", parent=elsewhere.pk)
    assert response.status_code == 400
    assert "要回复的评论不在这篇笔记下。" in response.content.decode()
    assert not Comment.objects.filter(body="串门").exists()


def test_reply_to_unknown_comment_is_a_form_error(reader_client, post, note):
    """A parent id that does not exist is a form error, not a 500."""
    response = post(note, parent=999_999)
    assert response.status_code == 400
    assert "要回复的评论不存在。" in response.content.decode()


def test_reply_to_a_hidden_comment_is_a_form_error(reader_client, post, note, make_comment):
    """Only public comments can be answered."""
    hidden = make_comment(note, state=State.HIDDEN)
    response = post(note, parent=hidden.pk)
    assert response.status_code == 400
    assert "这条评论已不能回复。" in response.content.decode()


def test_non_numeric_parent_is_a_form_error(reader_client, post, note):
    """A parent that is not a number is a form error too."""
    assert post(note, parent="abc").status_code == 400
    assert Comment.objects.count() == 0


def test_double_submit_stores_one_comment(reader_client, post, note):
    """The same text posted twice in a row by the same reader is stored once."""
    first = post(note, body="只发一次")
    second = post(note, body="只发一次")
    assert first["Location"] == second["Location"]
    assert Comment.objects.count() == 1
    note.refresh_from_db()
    assert note.comment_count == 1


def test_reply_link_without_javascript_prefills_the_parent(client, note, make_comment):
    """?reply=ID shows the form as a reply to that comment, with the parent field set."""
    parent = make_comment(note, name="张三")
    html = client.get(f"{note.get_absolute_url()}?reply={parent.pk}").content.decode()
    assert "<span data-form-title>回复 张三</span>" in html
    assert f'<input type="hidden" name="parent" value="{parent.pk}" id="id_parent">' in html


def test_json_post_returns_the_rendered_comment(reader_client, post, note):
    """With Accept: application/json the answer is 201 JSON with the list's HTML fragment."""
    response = post(note, body="*即时*", json=True)
    comment = Comment.objects.get()
    data = response.json()
    assert response.status_code == 201
    assert data["id"] == comment.pk
    assert data["anchor"] == f"comment-{comment.pk}"
    assert data["state"] == "public"
    assert data["count"] == 1
    assert data["parent"] is None
    assert data["html"].startswith(f'<article class="comment" id="comment-{comment.pk}"')
    assert "<em>即时</em>" in data["html"]
    assert "编辑</a>" in data["html"]


def test_json_post_of_a_pending_comment_says_so(client, post, note):
    """The JSON answer for a held comment carries the moderation message."""
    data = post(note, json=True).json()
    assert data["state"] == "pending"
    assert data["message"] == "评论已提交,审核通过后对其他读者显示。"
    assert data["count"] == 0


def test_json_form_error(client, post, note):
    """Bad input on the JSON path: 400 with {"error": ...} and the field errors."""
    response = post(note, body="", json=True)
    assert response.status_code == 400
    data = response.json()
    assert data["error"] == "评论内容不能为空。"
    assert data["errors"]["body"][0]["code"] == "required"
    assert set(data["security"]) == {"timestamp", "security_hash"}


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="SQLite's in-memory test database refuses concurrent writers instead of queueing them",
)
@pytest.mark.django_db(transaction=True)
def test_identical_posts_sent_at_once_store_one_comment(note, reader):
    """Ten threads post the same text for the same reader together: one row, counted once."""
    start = threading.Barrier(10)

    def send(_):
        start.wait()
        try:
            return moderation.post_comment(note=note, body="并发的同一句话", user=reader).pk
        finally:
            connection.close()  # each thread's own connection

    with ThreadPoolExecutor(10) as pool:
        ids = set(pool.map(send, range(10)))
    assert len(ids) == 1
    assert Comment.objects.count() == 1
    note.refresh_from_db()
    assert note.comment_count == 1
