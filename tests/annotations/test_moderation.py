"""Moderation in the admin, the public-comment counter through every transition, emails."""

import re

import pytest
from django.core import mail

from annotations import moderation
from annotations.models import Comment
from tests.annotations.conftest import comment_anchors
from tests.papers.helpers import html

State = Comment.State
CARD_COMMENT_COUNT = re.compile(r'<span class="meta__counter" title="评论数">.*?</svg>(\d+)</span>')


def card_comment_counts(response):
    """The comment counter of each note card on a listing page."""
    return CARD_COMMENT_COUNT.findall(html(response))


@pytest.fixture
def moderator(client, admin_user):
    client.force_login(admin_user)
    return client


def count_of(note):
    note.refresh_from_db()
    return note.comment_count


def public_count(note):
    return Comment.objects.filter(note=note, state=State.PUBLIC).count()


def only(comment):
    return Comment.objects.filter(pk=comment.pk)


def run_action(client, action, *comments, model="comment"):
    return client.post(
        f"/admin/annotations/{model}/",
        {"action": action, "_selected_action": [c.pk for c in comments]},
        follow=True,
    )


def test_counter_follows_every_transition(note, make_comment):
    """comment_count equals the public comments through approve, hide, spam, remove, delete."""
    first = make_comment(note, state=State.PENDING)
    second = make_comment(note, body="二")
    steps = [
        (moderation.approve, first),
        (moderation.approve, first),  # approving twice counts once
        (moderation.hide, first),
        (moderation.approve, first),
        (moderation.mark_spam, second),
        (moderation.approve, second),
        (moderation.remove_by_author, None),
        (moderation.mark_spam, first),
    ]
    for action, comment in steps:
        if action is moderation.remove_by_author:
            action(second)
        else:
            action(only(comment))
        assert count_of(note) == public_count(note)
    assert count_of(note) == 0


def test_counter_after_hard_delete(note, make_comment):
    """Deleting a public comment row (as the admin does) takes it off the counter."""
    public = make_comment(note)
    make_comment(note, state=State.PENDING).delete()
    assert count_of(note) == 1
    public.delete()
    assert count_of(note) == 0


def test_counter_after_deleting_a_parent_with_replies(note, make_comment):
    """Replies deleted with their parent leave the counter too."""
    parent = make_comment(note)
    make_comment(note, parent=parent)
    make_comment(note, parent=parent)
    assert count_of(note) == 3
    parent.delete()
    assert count_of(note) == 0 == Comment.objects.count()


def test_counter_is_per_note(note, make_note, make_comment):
    """Moderating comments of two notes at once changes each note's own counter."""
    other = make_note(slug="other")
    comments = [make_comment(note, state=State.PENDING), make_comment(other, state=State.PENDING)]
    make_comment(other, state=State.PENDING)
    moderation.approve(Comment.objects.filter(pk__in=[c.pk for c in comments]))
    assert (count_of(note), count_of(other)) == (1, 1)


def test_anonymous_comment_approved_in_admin_is_shown_and_counted(client, post, note, admin_user):
    """Acceptance 2: held, then approved in the admin: on the note page and on the / card."""
    post(note, body="请问复杂度?", name="访客乙")
    comment = Comment.objects.get()
    client.cookies.clear()  # another reader, without the poster's session
    assert comment_anchors(client.get(note.get_absolute_url())) == []
    assert card_comment_counts(client.get("/")) == ["0"]

    client.force_login(admin_user)
    response = run_action(client, "approve", comment, model="pendingcomment")
    assert "1 条评论已公开。" in response.content.decode()
    client.logout()

    page = client.get(note.get_absolute_url())
    assert comment_anchors(page) == [f"comment-{comment.pk}"]
    assert "请问复杂度?" in page.content.decode()
    assert '<span class="comments__count" data-comment-count>1</span>' in page.content.decode()
    assert card_comment_counts(client.get("/")) == ["1"]


@pytest.mark.parametrize(
    ("action", "state", "message"),
    [
        ("approve", State.PUBLIC, "1 条评论已公开。"),  # one of the two already was
        ("hide", State.HIDDEN, "2 条评论已隐藏。"),
        ("mark_spam", State.SPAM, "2 条评论已标为垃圾评论。"),
    ],
)
def test_bulk_actions(moderator, note, make_comment, action, state, message):
    """Each admin action moves every selected comment and keeps the counter right."""
    comments = [make_comment(note, state=State.PENDING), make_comment(note, body="二")]
    response = run_action(moderator, action, *comments)
    assert message in response.content.decode()
    assert set(Comment.objects.values_list("state", flat=True)) == {state}
    assert count_of(note) == public_count(note)


def test_admin_delete_keeps_the_counter(moderator, note, make_comment):
    """Deleting comments with the admin's bulk delete updates the counter."""
    comments = [make_comment(note), make_comment(note, body="二")]
    moderator.post(
        "/admin/annotations/comment/",
        {"action": "delete_selected", "_selected_action": [c.pk for c in comments], "post": "yes"},
    )
    assert Comment.objects.count() == 0
    assert count_of(note) == 0


def test_pending_queue_lists_only_waiting_comments(moderator, note, make_comment):
    """The "待审核评论" changelist shows pending comments only, and the admin index links it."""
    make_comment(note, body="等待中的评论", state=State.PENDING)
    make_comment(note, body="已经公开的评论")
    html = moderator.get("/admin/annotations/pendingcomment/").content.decode()
    assert "等待中的评论" in html
    assert "已经公开的评论" not in html
    assert "/admin/annotations/pendingcomment/" in moderator.get("/admin/").content.decode()


def test_changelist_filters_by_state_and_note(moderator, note, make_note, make_comment):
    """Filters by state and by note narrow the list."""
    other = make_note(slug="other", title="另一篇")
    make_comment(note, body="甲评论", state=State.SPAM)
    make_comment(other, body="乙评论")
    by_state = moderator.get("/admin/annotations/comment/?state__exact=spam").content.decode()
    assert "甲评论" in by_state
    assert "乙评论" not in by_state
    by_note = moderator.get(f"/admin/annotations/comment/?note__id__exact={other.pk}")
    assert "乙评论" in by_note.content.decode()
    assert "甲评论" not in by_note.content.decode()


def test_changelist_search(moderator, note, make_comment):
    """Search finds comments by text, name or address."""
    make_comment(note, body="关于位置编码", name="丙", ip="203.0.113.5")
    make_comment(note, body="别的话题", name="丁", ip="198.51.100.1")
    for query in ("位置编码", "丙", "203.0.113"):
        html = moderator.get("/admin/annotations/comment/", {"q": query}).content.decode()
        assert "关于位置编码" in html
        assert "别的话题" not in html


def test_change_page_shows_the_rendered_comment(moderator, note, make_comment):
    """The change page shows who wrote it, from where, and the sanitized rendering."""
    comment = make_comment(note, body="*强调*", name="戊", email="e@example.com", ip="192.0.2.9")
    html = moderator.get(f"/admin/annotations/comment/{comment.pk}/change/").content.decode()
    assert '<div class="admin-preview"><p><em>强调</em></p></div>' in html
    assert "戊(访客)" in html
    assert "e@example.com" in html
    assert "192.0.2.9" in html


def test_change_form_cannot_change_state(moderator, note, make_comment):
    """State is read-only in the change form (actions change it), so counters stay right."""
    comment = make_comment(note)
    moderator.post(
        f"/admin/annotations/comment/{comment.pk}/change/", {"body": "改过的", "state": "spam"}
    )
    comment.refresh_from_db()
    assert (comment.body, comment.state) == ("改过的", State.PUBLIC)
    assert comment.body_html == "<p>改过的</p>"
    assert count_of(note) == 1


def test_author_is_emailed_about_a_new_comment(
    client, post, note, settings, django_capture_on_commit_callbacks
):
    """After commit, NOTESITE_AUTHOR_EMAIL gets the comment with a link to the queue."""
    settings.NOTESITE_AUTHOR_EMAIL = "author@example.com"
    with django_capture_on_commit_callbacks(execute=True):
        post(note, body="新评论内容", name="访客丙")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["author@example.com"]
    assert message.subject == "[notesite] 待审核评论:注意力机制"
    assert "访客丙 在《注意力机制》下发表了评论,等待审核" in message.body
    assert "新评论内容" in message.body
    assert "http://testserver/admin/annotations/pendingcomment/" in message.body


def test_no_email_before_commit(client, post, note, settings, django_capture_on_commit_callbacks):
    """The email waits for the transaction: nothing is sent if it never commits."""
    settings.NOTESITE_AUTHOR_EMAIL = "author@example.com"
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        post(note)
    assert mail.outbox == []
    for callback in callbacks:
        callback()
    assert len(mail.outbox) == 1


def test_no_email_without_an_author_address(
    client, post, note, settings, django_capture_on_commit_callbacks
):
    """An empty NOTESITE_AUTHOR_EMAIL sends nothing."""
    settings.NOTESITE_AUTHOR_EMAIL = ""
    with django_capture_on_commit_callbacks(execute=True):
        post(note)
    assert mail.outbox == []


def test_author_is_not_emailed_about_their_own_comment(
    client, post, note, settings, admin_user, django_capture_on_commit_callbacks
):
    """The author commenting under their own note gets no email about it."""
    settings.NOTESITE_AUTHOR_EMAIL = admin_user.email
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        post(note)
    assert mail.outbox == []
