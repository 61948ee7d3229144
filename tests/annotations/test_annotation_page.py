"""The note page with passage annotations: the panel, and queries that do not grow with them."""

import re

import pytest
from django.utils import timezone

from annotations import passages
from annotations.models import Annotation, Reply
from papers.models import Note
from tests.annotations.test_query_counts import ANONYMOUS_QUERIES, SIGNED_IN_CACHED_QUERIES

BODY = "自注意力的代价是 $O(n^2 d)$。\n\nIt scales quadratically with the sequence length."


ANNOTATION_ITEM = re.compile(r'<li class="annotation[^"]*" id="annotation-\d+"')


@pytest.fixture
def note(make_note):
    return make_note(title="注意力", slug="attention", body=BODY)


def annotate_many(note, users, count):
    """`count` annotations over the body, public and private, by several readers; each public
    one with two replies, one of them hidden by staff."""
    text = passages.note_text(note)
    rows = []
    for i in range(count):
        start = i % (len(text) - 10)
        selector = passages.selector_at(text, start, start + 8)
        visibility = "public" if i % 2 else "private"
        rows.append(
            Annotation(note=note, user=users[i % len(users)], visibility=visibility, **selector)
        )
    Annotation.objects.bulk_create(rows)
    Reply.objects.bulk_create(
        Reply(annotation=row, user=users[(i + j) % len(users)], body=f"回复 {j}", hidden_at=hidden)
        for i, row in enumerate(Annotation.objects.filter(note=note, visibility="public"))
        for j, hidden in enumerate([None, timezone.now()])
    )


@pytest.fixture
def users(django_user_model):
    return [django_user_model.objects.create_user(f"reader-{i}") for i in range(3)]


def test_note_page_has_the_annotation_panel(client, note):
    """The panel carries the API and login URLs for static/js/annotations.js."""
    response = client.get(note.get_absolute_url())
    html = response.content.decode()
    assert 'data-list-url="/notes/attention/annotations/"' in html
    assert 'data-login-url="/accounts/login/?next=/notes/attention/"' in html
    assert 'data-signed-in="false"' in html
    assert 'src="/static/js/annotations.js"' in html


def test_signed_in_panel_carries_the_csrf_token(client, note, users):
    client.force_login(users[0])
    html = client.get(note.get_absolute_url()).content.decode()
    assert 'data-signed-in="true"' in html
    assert re.search(r'data-csrf-token="[A-Za-z0-9]{64}"', html)
    assert "csrftoken" in client.cookies


def test_a_staff_preview_has_no_annotation_panel(admin_client, make_note):
    draft = make_note(slug="draft", status=Note.Status.DRAFT)
    html = admin_client.get(draft.get_absolute_url()).content.decode()
    assert "data-annotations" not in html


@pytest.mark.parametrize("count", [0, 50])
def test_note_page_queries_do_not_grow_with_annotations(
    client, note, users, count, django_assert_num_queries
):
    """Anonymous and signed-in readers: the same queries with 0 or 50 annotations and their
    replies; the signed-in reader gets the page the anonymous one's request cached."""
    annotate_many(note, users, count)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(note.get_absolute_url())
    assert len(ANNOTATION_ITEM.findall(response.content.decode())) == count // 2
    client.force_login(users[0])
    with django_assert_num_queries(SIGNED_IN_CACHED_QUERIES):
        response = client.get(note.get_absolute_url())
    assert response["X-Page-Cache"] == "hit"
    assert len(ANNOTATION_ITEM.findall(response.content.decode())) == count // 2


@pytest.mark.parametrize("count", [1, 50])
def test_annotation_list_queries_do_not_grow_with_annotations(
    client, note, users, count, django_assert_num_queries
):
    """The API list and JSON-LD: the note, the annotations with their authors, their replies
    with theirs (plus session and user), whatever the number of annotations and replies."""
    annotate_many(note, users, count)
    client.force_login(users[0])
    with django_assert_num_queries(5):
        response = client.get("/notes/attention/annotations/")
    annotations = response.json()["annotations"]
    assert len(annotations) == len([i for i in range(count) if i % 2 or i % 3 == 0])
    public = [a for a in annotations if a["visibility"] == "public"]
    for annotation in public:  # the shown reply, and the hidden one only to its author
        assert [r["body"] for r in annotation["replies"] if not r["mine"]][:1] in (["回复 0"], [])
        assert all(r["mine"] for r in annotation["replies"] if r["hidden"])
    assert sum(len(a["replies"]) for a in public) >= len(public)
    with django_assert_num_queries(5):
        client.get("/notes/attention/annotations.jsonld")
