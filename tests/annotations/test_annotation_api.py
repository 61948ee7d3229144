"""The passage-annotation API: every status it answers, and every privacy rule."""

import json

import pytest
from django.test import Client

from annotations import passages
from annotations.models import Annotation
from papers.models import Note

BODY = (
    "自注意力的代价是 $O(n^2 d)$,**序列越长越贵**。\n\n"
    "It scales quadratically with the sequence length.\n\n"
    "稀疏注意力只看局部窗口。"
)
PASSAGE = "It scales quadratically with the sequence length"
REWORDED = "It scales quadratically and badly with the sequence length"
SECRET = "私密批注独有词汇紫罗兰"  # another reader's private annotation body: never shown


@pytest.fixture
def note(make_note):
    return make_note(title="注意力", slug="attention", body=BODY)


@pytest.fixture
def secret(note, other, annotate):
    """Another reader's private annotation."""
    return annotate(note, other, "稀疏注意力", body=SECRET, visibility="private")


def list_url(note):
    return f"/notes/{note.slug}/annotations/"


def selector(note, quote=PASSAGE):
    text = passages.note_text(note)
    start = text.index(quote)
    return {"exact": quote, "start": start, "end": start + len(quote)}


def post_json(client, url, data, **headers):
    body = data if isinstance(data, str | bytes) else json.dumps(data)
    return client.post(url, body, content_type="application/json", headers=headers)


def patch_json(client, url, data, **headers):
    return client.patch(url, json.dumps(data), content_type="application/json", headers=headers)


def ids(response):
    return [item["id"] for item in response.json()["annotations"]]


# --- list ---------------------------------------------------------------------------------------


def test_anonymous_list_has_public_annotations_only(client, note, reader, secret, annotate):
    """Anonymous: 200, public ones only, no private one (neither its body nor its count)."""
    public = annotate(note, reader, PASSAGE, body="公开的", visibility="public")
    annotate(note, reader, "序列越长越贵", visibility="private")
    response = client.get(list_url(note))
    assert response.status_code == 200
    assert response.json()["count"] == 1
    assert ids(response) == [public.pk]
    assert SECRET not in response.content.decode()


def test_json_holds_the_text_in_utf_8_not_escaped(client, note, reader, annotate):
    """Chinese text as UTF-8 (half the bytes of \\u escapes), which also makes the checks that
    a private body is absent meaningful: an escaped body never matched them."""
    annotate(note, reader, PASSAGE, body="公开的批注", visibility="public")
    body = client.get(list_url(note)).content.decode("utf-8")
    assert '"body": "公开的批注"' in body
    assert "\\u" not in body


def test_reader_lists_public_and_own_private_in_document_order(
    reader_client, note, reader, other, secret, annotate
):
    """Own private + everyone's public, in text order; another reader's private never."""
    later = annotate(note, reader, "稀疏注意力", visibility="private")
    earlier = annotate(note, other, PASSAGE, visibility="public")
    response = reader_client.get(list_url(note))
    assert ids(response) == [earlier.pk, later.pk]
    assert response.json()["count"] == 2
    assert SECRET not in response.content.decode()
    mine = response.json()["annotations"][1]
    assert (mine["mine"], mine["author"], mine["exact"]) == (True, "小读者", "稀疏注意力")
    assert response.json()["annotations"][0]["mine"] is False


def test_orphans_are_listed_last_with_their_quote(reader_client, note, reader, annotate):
    """An orphaned annotation comes after the anchored ones, its quote kept."""
    orphan = annotate(note, reader, PASSAGE)
    anchored = annotate(note, reader, "稀疏注意力")
    note.body = note.body.replace(PASSAGE + ".", "")
    note.save()
    items = reader_client.get(list_url(note)).json()["annotations"]
    assert [(i["id"], i["state"], i["exact"]) for i in items] == [
        (anchored.pk, "anchored", "稀疏注意力"),
        (orphan.pk, "orphaned", PASSAGE),
    ]


def test_a_reworded_passage_keeps_the_readers_quote_and_is_marked_changed(
    reader_client, note, reader, annotate
):
    """After the author rewords a passage, `exact` is its new words, `quote` the reader's, and
    `text_changed` is true; an untouched passage is not marked."""
    reworded = annotate(note, reader, PASSAGE)
    untouched = annotate(note, reader, "稀疏注意力")
    note.body = note.body.replace(PASSAGE, REWORDED)
    note.save()
    items = reader_client.get(list_url(note)).json()["annotations"]
    fields = ["id", "state", "quote", "exact", "text_changed"]
    assert [[item[name] for name in fields] for item in items] == [
        [reworded.pk, "anchored", PASSAGE, REWORDED, True],
        [untouched.pk, "anchored", "稀疏注意力", "稀疏注意力", False],
    ]


def test_list_of_a_draft_or_missing_note_is_404(client, make_note):
    """Only published notes have annotations to list."""
    draft = make_note(slug="draft", status=Note.Status.DRAFT)
    assert client.get(list_url(draft)).status_code == 404
    assert client.get("/notes/missing/annotations/").status_code == 404
    assert client.get("/notes/draft/annotations.jsonld").status_code == 404


def test_unsupported_method_is_405(reader_client, note):
    assert reader_client.put(list_url(note)).status_code == 405


# --- JSON-LD ------------------------------------------------------------------------------------


def test_jsonld_is_a_w3c_annotation_collection(client, note, reader, annotate):
    """@context, AnnotationCollection, items with target.source and both selectors."""
    annotation = annotate(note, reader, PASSAGE, body="好句子", visibility="public")
    response = client.get(f"/notes/{note.slug}/annotations.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    data = response.json()
    assert data["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert data["type"] == "AnnotationCollection"
    assert data["total"] == 1
    (item,) = data["first"]["items"]
    assert item["type"] == "Annotation"
    assert item["id"] == f"http://testserver/annotations/{annotation.pk}/"
    assert item["body"] == {"type": "TextualBody", "value": "好句子", "format": "text/markdown"}
    assert item["target"]["source"] == "http://testserver/notes/attention/"
    quote, position = item["target"]["selector"]
    assert quote == {
        "type": "TextQuoteSelector",
        "exact": PASSAGE,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
    }
    assert position == {
        "type": "TextPositionSelector",
        "start": annotation.start,
        "end": annotation.end,
    }


def test_jsonld_never_holds_another_readers_private_annotation(client, reader_client, note, secret):
    """Neither anonymous readers nor other readers get it in the collection."""
    for viewer in (client, reader_client):
        response = viewer.get(f"/notes/{note.slug}/annotations.jsonld")
        assert response.json()["total"] == 0
        assert SECRET not in response.content.decode()


def test_jsonld_holds_the_readers_own_private_annotation(note, other, secret, client):
    client.force_login(other)
    data = client.get(f"/notes/{note.slug}/annotations.jsonld").json()
    assert [item["body"]["value"] for item in data["first"]["items"]] == [SECRET]


# --- create -------------------------------------------------------------------------------------


def test_reader_creates_a_private_annotation(reader_client, note, reader):
    """201 with the stored annotation; private unless asked; context from the server's text."""
    response = post_json(reader_client, list_url(note), {**selector(note), "body": "**关键**"})
    assert response.status_code == 201
    annotation = Annotation.objects.get()
    data = response.json()
    assert data["id"] == annotation.pk
    assert data["body_html"] == "<p><strong>关键</strong></p>"
    assert (annotation.user, annotation.exact, annotation.visibility, annotation.state) == (
        reader,
        PASSAGE,
        "private",
        "anchored",
    )
    assert annotation.suffix == passages.note_text(note)[annotation.end :][:32]


def test_reader_creates_a_public_annotation(reader_client, note):
    response = post_json(reader_client, list_url(note), {**selector(note), "visibility": "public"})
    assert response.status_code == 201
    assert Annotation.objects.get().visibility == "public"


def test_anonymous_reader_is_asked_to_log_in(client, note):
    """403 with a login link back to the note; nothing stored."""
    response = post_json(client, list_url(note), selector(note))
    assert response.status_code == 403
    assert response.json() == {
        "error": "请先登录",
        "login_url": "/accounts/login/?next=/notes/attention/",
    }
    assert not Annotation.objects.exists()


def test_create_on_a_draft_is_404(reader_client, make_note):
    draft = make_note(slug="draft", status=Note.Status.DRAFT, body=BODY)
    assert post_json(reader_client, list_url(draft), selector(draft)).status_code == 404


@pytest.mark.parametrize("body", ["{not json", "[1, 2]", b"\xff\xfe"])
def test_invalid_json_is_400(reader_client, note, body):
    response = post_json(reader_client, list_url(note), body)
    assert response.status_code == 400
    assert "error" in response.json()


def bad(note, **changes):
    return {**selector(note), **changes}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"exact": ""}, "exact"),
        ({"exact": None}, "exact"),
        ({"exact": "x" * 2001}, "exact"),
        ({"exact": "与正文不符的文字"}, "exact"),
        ({"start": -1}, "start"),
        ({"start": "3"}, "start"),
        ({"start": True}, "start"),
        ({"end": 100_000}, "end"),
        ({"end": 0}, "end"),
        ({"visibility": "friends"}, "visibility"),
        ({"body": "长" * 3001}, "body"),
        ({"body": ["a"]}, "body"),
        ({"state": "orphaned"}, "state"),
    ],
    ids=lambda value: str(value)[:30],
)
def test_invalid_selector_or_field_is_400_naming_the_field(reader_client, note, changes, field):
    """Each validation failure is a 400 whose `errors` names the field; nothing stored."""
    response = post_json(reader_client, list_url(note), bad(note, **changes))
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Annotation.objects.exists()


def test_missing_offsets_are_400(reader_client, note):
    response = post_json(reader_client, list_url(note), {"exact": PASSAGE})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"start", "end"}


def test_posting_too_fast_is_429(reader_client, note):
    """Rate-limited like comments: the sixth in a minute is refused with Retry-After."""
    statuses = [
        post_json(reader_client, list_url(note), selector(note)).status_code for _ in range(6)
    ]
    assert statuses == [201] * 5 + [429]
    response = post_json(reader_client, list_url(note), selector(note))
    assert response["Retry-After"] == "60"
    assert Annotation.objects.count() == 5


# --- CSRF ---------------------------------------------------------------------------------------


@pytest.fixture
def csrf_client(reader, note):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    client.get(note.get_absolute_url())  # sets the csrftoken cookie
    return client


def test_writes_without_the_csrf_token_are_refused(csrf_client, note, reader, annotate):
    """POST, PATCH and DELETE without X-CSRFToken: 403, nothing changes."""
    assert post_json(csrf_client, list_url(note), selector(note)).status_code == 403
    own = annotate(note, reader, PASSAGE)
    assert patch_json(csrf_client, f"/annotations/{own.pk}/", {"body": "x"}).status_code == 403
    assert csrf_client.delete(f"/annotations/{own.pk}/").status_code == 403
    assert Annotation.objects.get().body == "批注"


def test_writes_with_the_csrf_token_succeed(csrf_client, note):
    token = csrf_client.cookies["csrftoken"].value
    response = post_json(csrf_client, list_url(note), selector(note), X_CSRFToken=token)
    assert response.status_code == 201
    url = response.json()["url"]
    assert patch_json(csrf_client, url, {"body": "改"}, X_CSRFToken=token).status_code == 200
    assert csrf_client.delete(url, headers={"X-CSRFToken": token}).status_code == 204


# --- edit and delete ----------------------------------------------------------------------------


def test_author_edits_body_and_visibility(reader_client, note, reader, annotate):
    """PATCH: 200 with the new body (rendered) and visibility; the passage is unchanged."""
    own = annotate(note, reader, PASSAGE)
    response = patch_json(
        reader_client, f"/annotations/{own.pk}/", {"body": "*新*", "visibility": "public"}
    )
    assert response.status_code == 200
    own.refresh_from_db()
    assert (own.body, own.body_html, own.visibility, own.exact) == (
        "*新*",
        "<p><em>新</em></p>",
        "public",
        PASSAGE,
    )
    assert response.json()["visibility"] == "public"


def test_patch_may_change_only_body_and_visibility(reader_client, note, reader, annotate):
    own = annotate(note, reader, PASSAGE)
    response = patch_json(reader_client, f"/annotations/{own.pk}/", {"exact": "稀疏注意力"})
    assert response.status_code == 400
    assert "exact" in response.json()["errors"]


def test_invalid_patch_is_400(reader_client, note, reader, annotate):
    own = annotate(note, reader, PASSAGE)
    response = patch_json(reader_client, f"/annotations/{own.pk}/", {"visibility": "all"})
    assert response.status_code == 400
    assert "visibility" in response.json()["errors"]
    bad_json = reader_client.patch(f"/annotations/{own.pk}/", "{", content_type="application/json")
    assert bad_json.status_code == 400


def test_author_deletes_own_annotation(reader_client, note, reader, annotate):
    own = annotate(note, reader, PASSAGE)
    assert reader_client.delete(f"/annotations/{own.pk}/").status_code == 204
    assert not Annotation.objects.exists()


def test_another_readers_public_annotation_cannot_be_changed(reader_client, note, other, annotate):
    """403 for PATCH and DELETE; it is untouched."""
    theirs = annotate(note, other, PASSAGE, body="原样", visibility="public")
    url = f"/annotations/{theirs.pk}/"
    assert reader_client.get(url).status_code == 200
    assert patch_json(reader_client, url, {"body": "篡改"}).status_code == 403
    assert reader_client.delete(url).status_code == 403
    theirs.refresh_from_db()
    assert theirs.body == "原样"


def test_another_readers_private_annotation_does_not_exist_for_others(
    reader_client, client, secret
):
    """GET, PATCH and DELETE of someone else's private annotation: 404, as if absent."""
    url = f"/annotations/{secret.pk}/"
    for viewer in (reader_client, client):
        assert viewer.get(url).status_code == 404
        assert patch_json(viewer, url, {"body": "x"}).status_code == 404
        assert viewer.delete(url).status_code == 404
    assert Annotation.objects.get().body == SECRET


def test_anonymous_reader_cannot_change_a_public_annotation(client, note, reader, annotate):
    """Asked to log in (403)."""
    public = annotate(note, reader, PASSAGE, visibility="public")
    url = f"/annotations/{public.pk}/"
    assert client.get(url).status_code == 200
    response = patch_json(client, url, {"body": "x"})
    assert response.status_code == 403
    assert response.json()["error"] == "请先登录"
    assert client.delete(url).status_code == 403


def test_annotation_under_an_unpublished_note_is_404(reader_client, note, reader, annotate):
    own = annotate(note, reader, PASSAGE)
    Note.objects.filter(pk=note.pk).update(status=Note.Status.DRAFT)
    assert reader_client.get(f"/annotations/{own.pk}/").status_code == 404
    assert reader_client.delete(f"/annotations/{own.pk}/").status_code == 404


def test_missing_annotation_is_404(reader_client):
    assert reader_client.get("/annotations/999/").status_code == 404


def test_editing_too_fast_is_429(reader_client, note, reader, annotate):
    own = annotate(note, reader, PASSAGE)
    url = f"/annotations/{own.pk}/"
    statuses = [patch_json(reader_client, url, {"body": str(i)}).status_code for i in range(6)]
    assert statuses == [200] * 5 + [429]


# --- privacy everywhere else --------------------------------------------------------------------


def test_private_annotation_is_not_in_the_note_page(client, reader_client, note, secret):
    """The note's HTML, for anonymous and other readers, holds neither its body nor its quote id."""
    for viewer in (client, reader_client):
        html = viewer.get(note.get_absolute_url()).content.decode()
        assert SECRET not in html
        assert f"annotation-{secret.pk}" not in html


def test_private_annotation_is_not_in_search(client, reader_client, note, secret):
    """Searching for a word only the private annotation has finds no note and shows no body."""
    for viewer in (client, reader_client):
        response = viewer.get("/search/", {"q": "紫罗兰"})
        assert response.status_code == 200
        assert list(response.context["object_list"]) == []
        assert SECRET not in response.content.decode()


def test_private_annotation_is_not_in_feeds_or_the_sitemap(client, note, secret):
    for url in ("/feed/atom/", "/feed/rss/", "/sitemap.xml"):
        response = client.get(url)
        assert response.status_code == 200
        content = response.content.decode()
        assert SECRET not in content
        assert f"/annotations/{secret.pk}/" not in content
        assert f"annotation-{secret.pk}" not in content
