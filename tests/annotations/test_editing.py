"""Authors edit or delete their own comments within the window; deleted parents keep replies."""

from datetime import timedelta

import pytest
from django.utils import timezone

from annotations.models import Comment
from tests.annotations.conftest import comment_anchors

State = Comment.State


@pytest.fixture
def own_comment(make_comment, note, reader):
    return make_comment(note, body="原来的话", user=reader)


def age(comment, minutes):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timedelta(minutes=minutes)
    )


def test_author_sees_edit_and_delete_links(reader_client, note, own_comment):
    """Within the window the author's comment shows 编辑 and 删除."""
    html = reader_client.get(note.get_absolute_url()).content.decode()
    assert f'href="/comments/{own_comment.pk}/edit/">编辑</a>' in html
    assert f'href="/comments/{own_comment.pk}/delete/">删除</a>' in html


def test_others_see_no_edit_links(client, note, own_comment, django_user_model):
    """Another reader, or an anonymous one, gets no edit or delete links."""
    assert "/edit/" not in client.get(note.get_absolute_url()).content.decode()
    client.force_login(django_user_model.objects.create_user("other"))
    assert "/edit/" not in client.get(note.get_absolute_url()).content.decode()


def test_links_disappear_after_the_window(reader_client, note, own_comment, settings):
    """After COMMENTS_EDIT_WINDOW_MINUTES the links are gone."""
    age(own_comment, settings.COMMENTS_EDIT_WINDOW_MINUTES + 1)
    assert "/edit/" not in reader_client.get(note.get_absolute_url()).content.decode()


def test_author_edits_within_the_window(reader_client, note, own_comment):
    """Editing re-renders the body, marks it edited and redirects to the comment."""
    response = reader_client.post(f"/comments/{own_comment.pk}/edit/", {"body": "改成 *这样*"})
    assert response.status_code == 302
    assert response["Location"] == f"/notes/attention/#comment-{own_comment.pk}"
    own_comment.refresh_from_db()
    assert own_comment.body_html == "<p>改成 <em>这样</em></p>"
    assert own_comment.edited_at is not None
    html = reader_client.get(note.get_absolute_url()).content.decode()
    assert "<p>改成 <em>这样</em></p>" in html
    assert "已编辑</span>" in html


def test_edit_page_shows_the_source(reader_client, own_comment):
    """GET shows a form holding the Markdown source."""
    response = reader_client.get(f"/comments/{own_comment.pk}/edit/")
    assert response.status_code == 200
    assert ">\n原来的话</textarea>" in response.content.decode()


def test_empty_edit_is_a_form_error(reader_client, own_comment):
    """An empty body is refused with the form again; the comment is unchanged."""
    response = reader_client.post(f"/comments/{own_comment.pk}/edit/", {"body": ""})
    assert response.status_code == 400
    assert "评论内容不能为空。" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.body == "原来的话"


def test_edit_after_the_window_is_refused(reader_client, own_comment, settings):
    """Too late: 403 with the rule, nothing changed."""
    age(own_comment, settings.COMMENTS_EDIT_WINDOW_MINUTES + 1)
    response = reader_client.post(f"/comments/{own_comment.pk}/edit/", {"body": "晚了"})
    assert response.status_code == 403
    assert "只能在发表后 15 分钟内修改或删除自己的评论。" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.body == "原来的话"


def test_edit_of_someone_elses_comment_is_refused(client, own_comment, django_user_model):
    """Another account gets 403."""
    client.force_login(django_user_model.objects.create_user("other"))
    assert client.post(f"/comments/{own_comment.pk}/edit/", {"body": "x"}).status_code == 403
    own_comment.refresh_from_db()
    assert own_comment.body == "原来的话"


def test_anonymous_edit_goes_to_login(client, own_comment):
    """Without an account the edit URL asks to log in."""
    response = client.get(f"/comments/{own_comment.pk}/edit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")


def test_edit_of_a_hidden_comment_is_404(reader_client, own_comment):
    """A comment moderators hid is not there to edit."""
    Comment.objects.filter(pk=own_comment.pk).update(state=State.HIDDEN)
    assert reader_client.get(f"/comments/{own_comment.pk}/edit/").status_code == 404


def test_delete_asks_for_confirmation(reader_client, own_comment):
    """GET shows the comment and a POST button; nothing changes."""
    response = reader_client.get(f"/comments/{own_comment.pk}/delete/")
    assert response.status_code == 200
    assert "删除评论?" in response.content.decode()
    own_comment.refresh_from_db()
    assert own_comment.state == State.PUBLIC


def test_delete_without_replies_leaves_the_page(reader_client, note, own_comment):
    """Deleting takes the comment off the page and the counter; the row is kept as removed."""
    response = reader_client.post(f"/comments/{own_comment.pk}/delete/")
    assert response["Location"] == "/notes/attention/#comments"
    own_comment.refresh_from_db()
    assert own_comment.state == State.REMOVED
    page = reader_client.get(note.get_absolute_url())
    assert comment_anchors(page) == []
    assert "原来的话" not in page.content.decode()
    note.refresh_from_db()
    assert note.comment_count == 0


def test_deleted_comment_with_replies_shows_as_deleted(
    reader_client, note, own_comment, make_comment
):
    """A deleted parent stays as "此评论已删除" and keeps its replies on the page."""
    reply = make_comment(note, body="一条回复", parent=own_comment)
    reader_client.post(f"/comments/{own_comment.pk}/delete/")
    page = reader_client.get(note.get_absolute_url())
    html = page.content.decode()
    assert comment_anchors(page) == [f"comment-{own_comment.pk}", f"comment-{reply.pk}"]
    assert '<p class="comment__gone">此评论已删除</p>' in html
    assert "原来的话" not in html
    assert "一条回复" in html
    note.refresh_from_db()
    assert note.comment_count == 1


def test_delete_after_the_window_is_refused(reader_client, own_comment, settings):
    """Too late to delete: 403, still public."""
    age(own_comment, settings.COMMENTS_EDIT_WINDOW_MINUTES + 1)
    assert reader_client.post(f"/comments/{own_comment.pk}/delete/").status_code == 403
    own_comment.refresh_from_db()
    assert own_comment.state == State.PUBLIC


def test_delete_is_404_once_the_note_is_unpublished(reader_client, note, own_comment):
    """Comments of a note taken back to draft cannot be reached."""
    note.status = note.Status.DRAFT
    note.save()
    assert reader_client.post(f"/comments/{own_comment.pk}/delete/").status_code == 404
