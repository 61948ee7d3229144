"""Conversation and moderation of passage annotations: replies, tags, flags, hiding."""

import json

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client

from accounts.models import Profile
from annotations import annotation_moderation
from annotations.models import Annotation, Flag, Reply
from tests.annotations.test_annotation_api import (
    BODY,
    PASSAGE,
    patch_json,
    post_json,
    selector,
)

ABUSE = "辱骂内容独有词汇山茶花"


@pytest.fixture
def note(make_note):
    return make_note(title="注意力", slug="attention", body=BODY)


@pytest.fixture
def public(note, other, annotate):
    """Another reader's public annotation."""
    return annotate(note, other, PASSAGE, body=ABUSE, visibility="public")


def listed(client, note):
    return client.get(f"/notes/{note.slug}/annotations/").json()["annotations"]


def reply_url(annotation):
    return f"/annotations/{annotation.pk}/replies/"


# --- replies -------------------------------------------------------------------------------------


def test_a_reply_to_a_public_annotation_is_seen_by_every_reader(reader_client, note, public):
    """201 with its author and time; anonymous readers see it inside the annotation."""
    response = post_json(reader_client, reply_url(public), {"body": "同意,**很对**"})
    assert response.status_code == 201
    reply = response.json()
    assert reply["author"] == "小读者"
    assert reply["body_html"] == "<p>同意,<strong>很对</strong></p>"
    assert reply["edited"] is False
    [item] = listed(Client(), note)
    assert [r["body"] for r in item["replies"]] == ["同意,**很对**"]
    assert item["replies"][0]["created_at"] == reply["created_at"]


def test_replies_follow_their_annotation_when_it_turns_private(reader_client, note, public, reader):
    """Made private by its author, the annotation and its replies leave other readers' view."""
    post_json(reader_client, reply_url(public), {"body": "一条回复"})
    public.visibility = Annotation.Visibility.PRIVATE
    public.save()
    assert listed(reader_client, note) == []
    assert listed(Client(), note) == []
    assert Reply.objects.visible_to(reader).count() == 0
    assert Reply.objects.visible_to(public.user).count() == 1


def test_a_private_annotation_takes_no_reply(client, note, reader, annotate):
    """Its own author is told why (400); another reader does not know it exists (404)."""
    private = annotate(note, reader, PASSAGE, visibility="private")
    client.force_login(reader)
    response = post_json(client, reply_url(private), {"body": "自言自语"})
    assert response.status_code == 400
    assert response.json()["error"] == "只能回复公开的批注。"
    other = Client()
    other.force_login(Profile.objects.get(user=reader).user.__class__.objects.create_user("x"))
    assert post_json(other, reply_url(private), {"body": "看看"}).status_code == 404
    assert not Reply.objects.exists()


def test_reply_markdown_is_sanitized(reader_client, public):
    body = "<script>alert(1)</script>[x](javascript:alert(1))"
    html = post_json(reader_client, reply_url(public), {"body": body}).json()["body_html"]
    assert "<script>" not in html
    assert "javascript:" not in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"body": ""}, "body"),
        ({"body": 3}, "body"),
        ({"body": "x" * 3001}, "body"),
        ({"body": "a", "visibility": "public"}, "visibility"),
    ],
)
def test_a_bad_reply_is_a_400_naming_the_field(reader_client, public, data, field):
    response = post_json(reader_client, reply_url(public), data)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_anonymous_readers_are_asked_to_log_in_to_reply(client, public):
    response = post_json(client, reply_url(public), {"body": "匿名"})
    assert response.status_code == 403
    assert response.json()["login_url"] == "/accounts/login/?next=/notes/attention/"


def test_replying_too_fast_is_429(reader_client, public):
    statuses = [
        post_json(reader_client, reply_url(public), {"body": f"回复 {i}"}).status_code
        for i in range(6)
    ]
    assert statuses == [201] * 5 + [429]


def test_replies_need_the_csrf_token(reader, public, note):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    client.get(note.get_absolute_url())
    assert post_json(client, reply_url(public), {"body": "x"}).status_code == 403
    token = client.cookies["csrftoken"].value
    response = post_json(client, reply_url(public), {"body": "x"}, X_CSRFToken=token)
    assert response.status_code == 201


def test_the_author_edits_a_reply_which_then_shows_edited(reader_client, public, note):
    url = post_json(reader_client, reply_url(public), {"body": "初稿"}).json()["url"]
    response = patch_json(reader_client, url, {"body": "改稿"})
    assert response.status_code == 200
    assert response.json()["edited"] is True
    assert listed(Client(), note)[0]["replies"][0]["body"] == "改稿"


def test_another_reader_cannot_change_a_reply(reader_client, public, other):
    url = post_json(reader_client, reply_url(public), {"body": "我的"}).json()["url"]
    client = Client()
    client.force_login(other)
    assert patch_json(client, url, {"body": "他的"}).status_code == 403
    assert client.delete(url).status_code == 403
    assert reader_client.delete(url).status_code == 204
    assert not Reply.objects.exists()


def test_an_annotation_edit_is_marked_edited(client, note, public, other):
    """Editing the text marks it; changing its visibility or tags alone does not."""
    client.force_login(other)
    url = f"/annotations/{public.pk}/"
    assert patch_json(client, url, {"tags": ["复杂度"]}).json()["edited"] is False
    assert patch_json(client, url, {"body": "改了"}).json()["edited"] is True


def test_the_api_gives_each_card_its_permalink(client, public):
    [item] = listed(client, public.note)
    assert item["permalink"] == f"/notes/attention/#annotation-{public.pk}"
    assert item["author"] == "另一位"
    assert item["created_at"] == public.created_at.isoformat()


# --- tags ----------------------------------------------------------------------------------------


def test_tags_are_cleaned_and_stored(reader_client, note):
    data = {**selector(note), "tags": [" #方法 ", "RL", "方法", ""]}
    response = post_json(reader_client, f"/notes/{note.slug}/annotations/", data)
    assert response.status_code == 201
    assert response.json()["tags"] == ["方法", "RL"]
    assert list(Annotation.objects.tagged("RL")) == list(Annotation.objects.all())
    assert not Annotation.objects.tagged("R").exists()


@pytest.mark.parametrize("tags", ["方法", [1], ["x" * 31], [f"t{i}" for i in range(11)], ["a\x00"]])
def test_bad_tags_are_a_400(reader_client, note, tags):
    data = {**selector(note), "tags": tags}
    response = post_json(reader_client, f"/notes/{note.slug}/annotations/", data)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["tags"]


def test_json_ld_carries_tags_and_replies(reader_client, note, public):
    patch = Client()
    patch.force_login(public.user)
    patch_json(patch, f"/annotations/{public.pk}/", {"tags": ["复杂度"]})
    post_json(reader_client, reply_url(public), {"body": "回复"})
    collection = json.loads(Client().get(f"/notes/{note.slug}/annotations.jsonld").content)
    annotation, reply = collection["first"]["items"]
    assert collection["total"] == 2
    assert {"type": "TextualBody", "value": "复杂度", "purpose": "tagging"} in annotation["body"]
    assert reply["motivation"] == "replying"
    assert reply["target"] == annotation["id"]


# --- flags and hiding ----------------------------------------------------------------------------


def test_a_reader_flags_a_public_annotation_once(reader_client, public, reader):
    url = f"/annotations/{public.pk}/flag/"
    assert post_json(reader_client, url, {"reason": "辱骂"}).status_code == 201
    assert post_json(reader_client, url, {"reason": "再次"}).status_code == 200
    assert list(Flag.objects.values_list("user", "reason")) == [(reader.pk, "辱骂")]


def test_a_reply_can_be_flagged(reader_client, public, other):
    reply = Reply.objects.create(annotation=public, user=other, body="坏回复")
    response = post_json(reader_client, f"/annotation-replies/{reply.pk}/flag/", {})
    assert response.status_code == 201
    assert Flag.objects.get().reply == reply


def test_flagging_needs_an_account_and_a_public_annotation(client, note, reader, other, annotate):
    public = annotate(note, other, PASSAGE, visibility="public")
    assert post_json(client, f"/annotations/{public.pk}/flag/", {}).status_code == 403
    private = annotate(note, other, "稀疏注意力", visibility="private")
    client.force_login(reader)
    assert post_json(client, f"/annotations/{private.pk}/flag/", {}).status_code == 404
    long_reason = {"reason": "x" * 201}
    assert post_json(client, f"/annotations/{public.pk}/flag/", long_reason).status_code == 400
    assert not Flag.objects.exists()


def test_flagging_too_fast_is_429(reader_client, note, other, annotate):
    annotations = [
        annotate(note, other, quote, visibility="public")
        for quote in ["自注意力", "序列越长越贵", "It scales", "稀疏注意力", "局部窗口", "sequence"]
    ]
    statuses = [
        post_json(reader_client, f"/annotations/{a.pk}/flag/", {}).status_code for a in annotations
    ]
    assert statuses == [201] * 5 + [429]


def test_a_superuser_deleting_a_public_annotation_hides_it(
    admin_client, note, public, reader, django_capture_on_commit_callbacks
):
    """204; other readers no longer get it from the API or the JSON-LD; its author still sees
    it, marked hidden, and gets an email after commit."""
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(f"/annotations/{public.pk}/").status_code == 204
    public.refresh_from_db()
    assert public.is_hidden
    for client in (Client(), admin_client):
        assert listed(client, note) == []
        assert ABUSE not in client.get(f"/notes/{note.slug}/annotations.jsonld").content.decode()
        assert client.get(f"/annotations/{public.pk}/").status_code == 404
    author = Client()
    author.force_login(public.user)
    [item] = listed(author, note)
    assert item["hidden"] is True
    assert ABUSE in author.get(f"/notes/{note.slug}/annotations.jsonld").content.decode()
    [email] = mail.outbox
    assert email.to == ["other@example.com"]
    assert "隐藏" in email.subject
    assert f"http://testserver/notes/attention/#annotation-{public.pk}" in email.body


def test_a_reader_still_cannot_delete_anothers_public_annotation(reader_client, public):
    assert reader_client.delete(f"/annotations/{public.pk}/").status_code == 403
    public.refresh_from_db()
    assert not public.is_hidden


def staff_client(django_user_model, is_staff=True, permitted=True):
    user = django_user_model.objects.create_user("staff", is_staff=is_staff)
    if permitted:
        user.user_permissions.add(Permission.objects.get(codename="change_annotation"))
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize(
    ("is_staff", "permitted", "hides"),
    [(True, True, True), (True, False, False), (False, True, False)],
)
def test_only_staff_with_the_permission_may_hide(
    django_user_model, note, public, is_staff, permitted, hides
):
    """`can_hide` in the API says what DELETE then does: hide (204) or refuse (403)."""
    client = staff_client(django_user_model, is_staff, permitted)
    reply = Reply.objects.create(annotation=public, user=public.user, body="回复")
    [item] = listed(client, note)
    assert item["can_hide"] is hides
    assert item["replies"][0]["can_hide"] is hides
    assert client.delete(f"/annotation-replies/{reply.pk}/").status_code == (204 if hides else 403)
    assert client.delete(f"/annotations/{public.pk}/").status_code == (204 if hides else 403)
    assert Annotation.objects.get().is_hidden is hides
    assert Reply.objects.get().is_hidden is hides


def test_a_moderator_cannot_hide_their_own_annotation_only_delete_it(
    admin_client, admin_user, note, annotate
):
    """A moderator's own annotation offers no 隐藏; their DELETE deletes it."""
    own = annotate(note, admin_user, PASSAGE, visibility="public")
    [item] = listed(admin_client, note)
    assert item["can_hide"] is False
    assert admin_client.delete(f"/annotations/{own.pk}/").status_code == 204
    assert not Annotation.objects.exists()


def test_a_reader_is_never_offered_to_hide(reader_client, note, public):
    [item] = listed(reader_client, note)
    assert item["can_hide"] is False


def test_a_moderator_hides_a_reply(
    admin_client, note, public, reader, django_capture_on_commit_callbacks
):
    reply = Reply.objects.create(annotation=public, user=reader, body="坏回复")
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_client.delete(f"/annotation-replies/{reply.pk}/").status_code == 204
    assert listed(Client(), note)[0]["replies"] == []
    assert Reply.objects.get().is_hidden
    assert mail.outbox[0].to == ["reader@example.com"]


def test_admin_actions_hide_and_show_again(
    admin_client, note, public, django_capture_on_commit_callbacks
):
    url = "/admin/annotations/annotation/"
    data = {"action": "hide_selected", "_selected_action": [public.pk]}
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(url, data, follow=True)
    assert "1 条已隐藏" in response.content.decode()
    assert listed(Client(), note) == []
    admin_client.post(url, {"action": "show_selected", "_selected_action": [public.pk]})
    assert len(listed(Client(), note)) == 1
    assert len(mail.outbox) == 1  # told once, when hidden


def test_hiding_twice_changes_and_tells_nothing_more(public, django_capture_on_commit_callbacks):
    rows = Annotation.objects.filter(pk=public.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert annotation_moderation.hide_annotations(rows) == 1
        assert annotation_moderation.hide_annotations(rows) == 0
    assert len(mail.outbox) == 1


def test_hiding_a_public_annotation_makes_cached_pages_stale(client, note, public, settings):
    from papers.caching import versions

    before = versions.current()
    annotation_moderation.hide_annotations(Annotation.objects.filter(pk=public.pk))
    assert versions.current() != before


@pytest.mark.parametrize(
    "query",
    ["", "?moderation=hidden", "?moderation=flagged", "?visibility=public", "?state=anchored"],
)
def test_admin_lists_annotations_and_replies_with_filters(admin_client, public, reader, query):
    Reply.objects.create(annotation=public, user=reader, body="回复内容")
    Flag.objects.create(annotation=public, user=reader, reason="辱骂")
    response = admin_client.get(f"/admin/annotations/annotation/{query}")
    assert response.status_code == 200
    shown = query != "?moderation=hidden"
    assert (f"/admin/annotations/annotation/{public.pk}/change/" in response.content.decode()) == (
        shown
    )
    reply_query = query if "state" not in query else ""
    assert admin_client.get(f"/admin/annotations/reply/{reply_query}").status_code == 200
    change = admin_client.get(f"/admin/annotations/annotation/{public.pk}/change/")
    assert "辱骂" in change.content.decode()  # the report, inline
