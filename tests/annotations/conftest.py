import re

import pytest

from accounts import limits
from accounts.models import Profile
from annotations import abuse, moderation
from annotations.models import Comment
from tests.annotations.helpers import annotate_in_code

# The start of an hour (and so of a minute): rate-limit windows never roll over mid-test.
NOW = 1_800_000_000.0


@pytest.fixture(autouse=True)
def fixed_clock(monkeypatch):
    """Pin the clock that signs forms and buckets rate limits."""
    monkeypatch.setattr(limits, "clock", lambda: NOW)
    return NOW


@pytest.fixture
def note(make_note):
    return make_note(title="注意力机制", slug="attention")


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user("reader", "reader@example.com", "pw-Reader-1")
    Profile.objects.create(user=user, display_name="小读者")
    return user


@pytest.fixture
def other(django_user_model):
    """A second reader, with a display name."""
    user = django_user_model.objects.create_user("other", "other@example.com", "pw-Other-1")
    Profile.objects.create(user=user, display_name="另一位")
    return user


@pytest.fixture
def reader_client(client, reader):
    client.force_login(reader)
    return client


def form_data(note, seconds_ago=10, **fields):
    """A comment form for `note` as a browser posts it, rendered `seconds_ago` seconds back."""
    security = abuse.security_data(f"papers.note:{note.pk}", now=limits.clock() - seconds_ago)
    return {"body": "很好的笔记。", **security, **fields}


def post_url(note):
    return f"/notes/{note.slug}/comments/"


@pytest.fixture
def post(client):
    """POST a comment on `note` (anonymous unless the client is logged in); extra fields win."""

    def send(note, json=False, environ=None, **fields):
        fields.setdefault("name", "路人甲")
        headers = {"Accept": "application/json"} if json else {}
        data = form_data(note, **fields)
        return client.post(post_url(note), data, headers=headers, **(environ or {}))

    return send


@pytest.fixture
def make_comment(db):
    """A comment posted through annotations.moderation (so counters agree), then put in `state`.

    Each with a text of its own unless given: the same text again is a double submit."""
    numbers = iter(range(1, 10_000))

    def make(note, body=None, state=Comment.State.PUBLIC, name="路人甲", **fields):
        body = body or f"一条评论 {next(numbers)}"
        comment = moderation.post_comment(note=note, body=body, name=name, **fields)
        moderation.moderate(Comment.objects.filter(pk=comment.pk), state)
        comment.refresh_from_db()
        return comment

    return make


COMMENT_ARTICLE = re.compile(r'<article class="comment[^"]*" id="(comment-\d+)"')


def comment_anchors(response):
    """The ids of the comment articles on a page, in page order."""
    return COMMENT_ARTICLE.findall(response.content.decode())


@pytest.fixture
def annotate(db):
    """An annotation by `user` on the first `quote` in `note`'s plain text."""

    def make(note, user, quote, body="批注", visibility="private"):
        return annotate_in_code(note, user, quote, body, visibility)

    return make
