"""The note page runs the same number of queries with 0, 1 and 200 comments."""

import pytest

from accounts.models import Profile
from annotations.comments import render_comment
from annotations.models import Comment
from tests.annotations.conftest import comment_anchors
from tests.papers.test_query_counts import NOTE_QUERIES

State = Comment.State
# The note page's own queries, and one for the comments with their authors and profiles.
ANONYMOUS_QUERIES = NOTE_QUERIES
# Plus the session, the user, and the user's profile (for the header and the form).
SIGNED_IN_QUERIES = NOTE_QUERIES + 3
# Of NOTE_QUERIES: the public annotations and their replies, kept per content version.
PUBLIC_LIST_QUERIES = 2
# A signed-in reader's note page from the page cache: the session, the user, the profile (the
# name filled in), and the view counted (written at once without Redis, as in these tests).
SIGNED_IN_CACHED_QUERIES = 4


def make_thread(note, count, users):
    """`count` comments: every third a reply, by accounts (with and without profile) and
    anonymous readers, with a hidden parent kept as a placeholder."""
    rows, parents = [], []
    for i in range(count):
        parent = parents[-1] if i % 3 == 2 and parents else None
        rows.append(
            Comment(
                note=note,
                parent=parent,
                user=users[i % len(users)] if i % 2 else None,
                name=f"读者{i}",
                body=f"第 {i} 条",
                body_html=render_comment(f"第 {i} 条"),
                state=State.HIDDEN if i == 4 else State.PUBLIC,  # 5 answers it
            )
        )
        if parent is None:
            rows[-1].save()
            parents.append(rows[-1])
    Comment.objects.bulk_create([row for row in rows if row.pk is None])


@pytest.fixture
def users(django_user_model):
    with_profile = django_user_model.objects.create_user("with-profile")
    Profile.objects.create(user=with_profile, display_name="有资料")
    return [with_profile, django_user_model.objects.create_user("no-profile")]


@pytest.mark.parametrize("count", [0, 1, 200])
def test_note_page_anonymous(client, note, users, count, django_assert_num_queries):
    """An anonymous reader's note page runs ANONYMOUS_QUERIES queries for 0, 1 or 200 comments."""
    make_thread(note, count, users)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(note.get_absolute_url())
    assert len(comment_anchors(response)) == count


@pytest.mark.parametrize("count", [0, 1, 200])
def test_note_page_signed_in(client, note, users, count, django_assert_num_queries):
    """A signed-in reader's note page runs SIGNED_IN_QUERIES queries for 0, 1 or 200 comments."""
    make_thread(note, count, users)
    client.force_login(users[0])
    with django_assert_num_queries(SIGNED_IN_QUERIES):
        response = client.get(note.get_absolute_url())
    assert len(comment_anchors(response)) == count
    assert "有资料" in response.content.decode()


def test_anonymous_thread_is_rendered_once_per_content_version(
    client, note, users, settings, make_comment, django_assert_num_queries
):
    """Anonymous readers share one rendering of the thread until a comment changes."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    make_thread(note, 3, users)
    client.get(note.get_absolute_url())
    # No thread query, no annotations query: both kept for the content version.
    with django_assert_num_queries(ANONYMOUS_QUERIES - 1 - PUBLIC_LIST_QUERIES):
        response = client.get(note.get_absolute_url())
    assert len(comment_anchors(response)) == 3
    make_comment(note, body="新的一条")
    assert len(comment_anchors(client.get(note.get_absolute_url()))) == 4
