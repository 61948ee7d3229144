"""The note page with passage annotations: the panel, and queries that do not grow with them."""

import re

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone
from pytest_django.asserts import assertContains

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
        visibility = "private" if i % 2 else "public"
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


def test_the_json_ld_link_says_what_a_reader_gets(client, note):
    """Readers are told what the file is for, not the name of the standard alone (issue 17)."""
    response = client.get(note.get_absolute_url())
    assertContains(
        response,
        '<a href="/notes/attention/annotations.jsonld" type="application/ld+json" download>'
        "下载本篇的批注(JSON-LD,W3C 批注标准格式,可导入其他批注工具)</a>",
        html=True,
    )


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


@pytest.fixture
def staff(django_user_model):
    """Staff who may hide annotations, not a superuser: their permissions cost queries."""
    user = django_user_model.objects.create_user("moderator", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="change_annotation"))
    return user


def log_in(client, who, users, staff):
    """`client` as `who`: "anonymous", "reader" (author of some of the annotations) or "staff"."""
    if who != "anonymous":
        client.force_login(users[0] if who == "reader" else staff)


def seen_by(who, count):
    """How many of annotate_many's annotations `who` gets from the API: the public ones, and
    for the reader their own private ones too."""
    public = [i for i in range(count) if i % 2 == 0]
    own_private = [i for i in range(count) if i % 2 and i % 3 == 0]
    return len(public) + (len(own_private) if who == "reader" else 0)


# A reader is served the page the anonymous request cached; staff never are (they see previews),
# so theirs is rendered, but the public annotations' list is still taken from its cache.
SIGNED_IN_PAGE_QUERIES = {"reader": SIGNED_IN_CACHED_QUERIES, "staff": 10}


@pytest.mark.parametrize("who", ["reader", "staff"])
@pytest.mark.parametrize("count", [1, 50])
def test_note_page_queries_do_not_grow_with_annotations(
    client, note, users, staff, who, count, django_assert_num_queries
):
    """Anonymous, signed-in and staff readers: the same queries with 1 or 50 annotations and
    their replies; the signed-in reader gets the page the anonymous one's request cached."""
    annotate_many(note, users, count)
    with django_assert_num_queries(ANONYMOUS_QUERIES):
        response = client.get(note.get_absolute_url())
    assert len(ANNOTATION_ITEM.findall(response.content.decode())) == seen_by("anonymous", count)
    log_in(client, who, users, staff)
    with django_assert_num_queries(SIGNED_IN_PAGE_QUERIES[who]):
        response = client.get(note.get_absolute_url())
    assert response.get("X-Page-Cache") == ("hit" if who == "reader" else None)
    assert len(ANNOTATION_ITEM.findall(response.content.decode())) == seen_by("anonymous", count)


# The note, the annotations with their authors, their replies with theirs; signed in, the
# session and the user; in the API, staff's own and their groups' permissions (for can_hide).
JSONLD_QUERIES = {"anonymous": 3, "reader": 5, "staff": 5}
API_QUERIES = {**JSONLD_QUERIES, "staff": 7}


@pytest.mark.parametrize("who", API_QUERIES)
@pytest.mark.parametrize("count", [1, 50])
def test_annotation_list_queries_do_not_grow_with_annotations(
    client, note, users, staff, who, count, django_assert_num_queries
):
    """The API list and JSON-LD run API_QUERIES / JSONLD_QUERIES queries whatever the number
    of annotations and replies (public ones with replies, the reader's private ones)."""
    annotate_many(note, users, count)
    log_in(client, who, users, staff)
    with django_assert_num_queries(API_QUERIES[who]):
        response = client.get("/notes/attention/annotations/")
    annotations = response.json()["annotations"]
    assert len(annotations) == seen_by(who, count)
    public = [a for a in annotations if a["visibility"] == "public"]
    for annotation in public:  # the shown reply, and the hidden one only to its author
        assert [r["body"] for r in annotation["replies"] if not r["mine"]][:1] in (["回复 0"], [])
        assert all(r["mine"] for r in annotation["replies"] if r["hidden"])
        assert annotation["can_hide"] is (who == "staff")
    assert sum(len(a["replies"]) for a in public) >= len(public)
    with django_assert_num_queries(JSONLD_QUERIES[who]):
        response = client.get("/notes/attention/annotations.jsonld")
    assert response.json()["total"] >= len(annotations)
