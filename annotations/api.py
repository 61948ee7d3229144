"""The passage-annotation API: JSON under a published note, for static/js/annotations.js.

    GET    /notes/<slug>/annotations/        the annotations the reader may see, document order
    POST   /notes/<slug>/annotations/        create: {exact, start, end, body, visibility}
    GET    /notes/<slug>/annotations.jsonld  the same list as a W3C AnnotationCollection
    GET    /annotations/<id>/                one annotation the reader may see
    PATCH  /annotations/<id>/                the author edits {body, visibility, tags}
    DELETE /annotations/<id>/                the author deletes it; a moderator hides it
    POST   /annotations/<id>/replies/        reply to a public annotation: {body}
    PATCH  /annotation-replies/<id>/         the author edits {body}
    DELETE /annotation-replies/<id>/         the author deletes it; a moderator hides it
    POST   /annotations/<id>/flag/           report it to staff: {reason} (optional)
    POST   /annotation-replies/<id>/flag/    report a reply

`quote` is the passage as the reader selected it; `exact` / `prefix` / `suffix` / `start` / `end`
describe where it is now (an edit of the note may have moved it or changed its words:
`text_changed`), and an orphan (`state` "orphaned") keeps the last place it had.

Session authentication; CsrfViewMiddleware checks the X-CSRFToken header of every write.
Anonymous readers may read public annotations; writing answers 403 with `login_url`. What a
reader may see is `Annotation.objects.visible_to(user)`: another reader's private annotation is
a 404, as if it did not exist; another reader's public one cannot be changed (403), except
that a moderator may DELETE it, which hides it (annotations.annotation_moderation: its author
keeps it and is told). `may_hide` alone decides who is a moderator, for DELETE and for the
`can_hide` field each annotation and reply carries (the page offers 隐藏 by it). Selector and
field errors are a 400 `{"errors": {field: [messages]}}`; posts, edits and flags are
rate-limited per address and account like comments (429).

Each annotation carries its visible replies (`replies`, oldest first), its author, times and
`edited`; the list is three queries whatever the number of annotations and replies.
"""

import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db.models import Prefetch
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import display_name
from papers.caching import personal
from papers.models import Note

from . import abuse, annotation_moderation, passages, replies
from .models import Annotation, Reply

JSONLD_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = f'application/ld+json; profile="{JSONLD_CONTEXT}"'
LOGIN_MESSAGE = "请先登录"
CREATE_FIELDS = {"exact", "prefix", "suffix", "start", "end", "body", "visibility", "tags"}
EDIT_FIELDS = {"body", "visibility", "tags"}
MODERATOR_PERMISSION = "annotations.change_annotation"


def json_response(data, status=200, content_type="application/json"):
    """`data` as JSON in UTF-8, not \\u escapes: Chinese text (quotes, bodies, their HTML,
    names) takes half the bytes (3 a character instead of 6)."""
    return JsonResponse(
        data, status=status, content_type=content_type, json_dumps_params={"ensure_ascii": False}
    )


def error(message, status, **extra):
    return json_response({"error": message, **extra}, status=status)


def login_required_response(request, note):
    login_url = redirect_to_login(note.get_absolute_url())["Location"]
    return error(LOGIN_MESSAGE, 403, login_url=login_url)


def invalid(errors):
    first = next(iter(errors.values()))[0]
    return json_response({"error": first, "errors": errors}, status=400)


def rate_limited():
    response = error("批注太频繁了,请稍后再试。", 429)
    response["Retry-After"] = str(min(window for _, window in settings.COMMENTS_RATE_LIMITS))
    return response


def read_json(request):
    """The request's JSON object, or None when it is not one."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, UnicodeDecodeError, RecursionError):  # nested too deep to read
        return None
    return data if isinstance(data, dict) else None


def unknown_fields(data, allowed):
    return {name: ["不能设置这个字段。"] for name in sorted(set(data) - allowed)}


def published_note(slug):
    return Note.objects.published().filter(slug=slug).first()


def visible_replies(user):
    return Reply.objects.visible_to(user).select_related("user__profile")


def visible(user, note=None):
    """What `user` may see (of `note`), with authors and visible replies: three queries. Through
    the note's own manager the rows know their note (no query per permalink)."""
    annotations = Annotation.objects if note is None else note.annotations
    return (
        annotations.visible_to(user)
        .select_related("user__profile")
        .prefetch_related(
            Prefetch("replies", queryset=visible_replies(user), to_attr="shown_replies")
        )
    )


def may_hide(user, annotation):
    """Whether `user` may hide `annotation` (or a reply): staff with the "change annotation"
    permission (a superuser has it), and not its author, who deletes rather than hides.
    Django keeps the permissions on `user`, so a list asks the database at most once."""
    return (
        user.is_authenticated
        and user.is_staff
        and annotation.user_id != user.pk
        and user.has_perm(MODERATOR_PERMISSION)
    )


def reply_json(reply, user):
    return {
        "id": reply.pk,
        "url": reverse("annotations:reply", kwargs={"pk": reply.pk}),
        "body": reply.body,
        "body_html": reply.body_html,
        "author": display_name(reply.user),
        "mine": user.is_authenticated and reply.user_id == user.pk,
        "created_at": reply.created_at.isoformat(),
        "edited": reply.edited_at is not None,
        "hidden": reply.is_hidden,
        "can_hide": may_hide(user, reply),
    }


def as_json(annotation, user):
    return {
        "id": annotation.pk,
        "url": reverse("annotations:annotation", kwargs={"pk": annotation.pk}),
        "quote": annotation.quote,
        "exact": annotation.exact,
        "prefix": annotation.prefix,
        "suffix": annotation.suffix,
        "start": annotation.start,
        "end": annotation.end,
        "state": annotation.state,
        "text_changed": annotation.text_changed,
        "body": annotation.body,
        "body_html": annotation.body_html,
        "visibility": annotation.visibility,
        "tags": annotation.tag_list,
        "author": display_name(annotation.user),
        "mine": user.is_authenticated and annotation.user_id == user.pk,
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
        "edited": annotation.edited_at is not None,
        "hidden": annotation.is_hidden,
        "can_hide": may_hide(user, annotation),
        "permalink": annotation.get_absolute_url(),
        "replies_open": replies.takes_replies(annotation),
        "replies": [reply_json(reply, user) for reply in annotation.shown_replies],
    }


def not_found():
    return error("没有这条批注。", 404)


@require_http_methods(["GET", "POST"])
def annotation_list(request, slug):
    note = published_note(slug)
    if note is None:
        return error("没有这篇笔记。", 404)
    if request.method == "POST":
        return create(request, note)
    personal.kept_per_reader(request)  # the reader's own annotations are in it
    annotations = visible(request.user, note).in_document_order()
    items = [as_json(annotation, request.user) for annotation in annotations]
    return json_response({"count": len(items), "annotations": items})


def create(request, note):
    if not request.user.is_authenticated:
        return login_required_response(request, note)
    if abuse.rate_limited(request, "annotations"):
        return rate_limited()
    data = read_json(request)
    if data is None:
        return error("请求不是有效的 JSON 对象。", 400)
    errors = unknown_fields(data, CREATE_FIELDS)
    selector, selector_errors = passages.clean_selector(passages.note_text(note), data)
    fields, field_errors = passages.clean_fields(data)
    errors.update(selector_errors, **field_errors)
    if errors:
        return invalid(errors)
    annotation = passages.create_annotation(note, request.user, selector, **fields)
    annotation.note, annotation.shown_replies = note, []
    return json_response(as_json(annotation, request.user), status=201)


def visible_annotation(user, pk):
    """Annotation `pk` on a published note, if `user` may see it."""
    published = Note.objects.published()
    return visible(user).filter(pk=pk, note__in=published).select_related("note").first()


@require_http_methods(["GET", "PATCH", "DELETE"])
def annotation_detail(request, pk):
    annotation = visible_annotation(request.user, pk)
    if annotation is None:
        return not_found()
    if request.method == "GET":
        return json_response(as_json(annotation, request.user))
    if not request.user.is_authenticated:
        return login_required_response(request, annotation.note)
    if request.method == "DELETE" and may_hide(request.user, annotation):
        site = request.build_absolute_uri("/")
        annotation_moderation.hide_annotations(Annotation.objects.filter(pk=pk), site)
        return HttpResponse(status=204)
    if annotation.user_id != request.user.pk:
        return error("只能修改或删除自己的批注。", 403)
    if request.method == "DELETE":
        annotation.delete()
        return HttpResponse(status=204)
    if abuse.rate_limited(request, "annotations"):
        return rate_limited()
    data = read_json(request)
    if data is None:
        return error("请求不是有效的 JSON 对象。", 400)
    errors = unknown_fields(data, EDIT_FIELDS)
    fields, field_errors = passages.clean_fields(data, partial=True)
    errors.update(field_errors)
    if errors:
        return invalid(errors)
    passages.edit_annotation(annotation, **fields)
    return json_response(as_json(annotation, request.user))


def read_body(request):
    """(fields, error response) for a reply's `{body}`."""
    data = read_json(request)
    if data is None:
        return None, error("请求不是有效的 JSON 对象。", 400)
    errors = unknown_fields(data, {"body"})
    fields, body_errors = passages.clean_body(data, required=True)
    errors.update(body_errors)
    return (None, invalid(errors)) if errors else (fields, None)


@require_http_methods(["POST"])
def reply_create(request, pk):
    annotation = visible_annotation(request.user, pk)
    if annotation is None:
        return not_found()
    if not request.user.is_authenticated:
        return login_required_response(request, annotation.note)
    if not replies.takes_replies(annotation):
        return error("只能回复公开的批注。", 400)
    if abuse.rate_limited(request, "annotations"):
        return rate_limited()
    fields, refusal = read_body(request)
    if refusal:
        return refusal
    reply = replies.create_reply(annotation, request.user, fields["body"])
    return json_response(reply_json(reply, request.user), status=201)


@require_http_methods(["PATCH", "DELETE"])
def reply_detail(request, pk):
    reply = visible_reply(request.user, pk)
    if reply is None:
        return error("没有这条回复。", 404)
    if not request.user.is_authenticated:
        return login_required_response(request, reply.annotation.note)
    if request.method == "DELETE" and may_hide(request.user, reply):
        site = request.build_absolute_uri("/")
        annotation_moderation.hide_replies(Reply.objects.filter(pk=pk), site)
        return HttpResponse(status=204)
    if reply.user_id != request.user.pk:
        return error("只能修改或删除自己的回复。", 403)
    if request.method == "DELETE":
        reply.delete()
        return HttpResponse(status=204)
    if abuse.rate_limited(request, "annotations"):
        return rate_limited()
    fields, refusal = read_body(request)
    if refusal:
        return refusal
    replies.edit_reply(reply, fields["body"])
    return json_response(reply_json(reply, request.user))


def visible_reply(user, pk):
    """Reply `pk` under a published note, if `user` may see it."""
    published = Note.objects.published()
    replies_seen = visible_replies(user).filter(pk=pk, annotation__note__in=published)
    return replies_seen.select_related("annotation__note").first()


@require_http_methods(["POST"])
def annotation_flag(request, pk):
    annotation = visible_annotation(request.user, pk)
    return flag(request, annotation) if annotation else not_found()


@require_http_methods(["POST"])
def reply_flag(request, pk):
    reply = visible_reply(request.user, pk)
    return flag(request, reply.annotation, reply) if reply else error("没有这条回复。", 404)


def flag(request, annotation, reply=None):
    """A reader reports a public annotation (or one of its replies) to staff: 201, or 200 when
    they had reported it already."""
    if not request.user.is_authenticated:
        return login_required_response(request, annotation.note)
    if annotation.visibility != Annotation.Visibility.PUBLIC:
        return error("只能举报公开的批注。", 400)
    if abuse.rate_limited(request, "annotations"):
        return rate_limited()
    data = read_json(request)
    if data is None:
        return error("请求不是有效的 JSON 对象。", 400)
    errors = unknown_fields(data, {"reason"})
    reason, limit = data.get("reason", ""), annotation_moderation.FLAG_REASON_MAX_LENGTH
    if not isinstance(reason, str) or len(reason) > limit:
        errors["reason"] = [f"理由须是文字,最多 {limit} 个字符。"]
    elif passages.CONTROL_CHARACTERS.search(reason):
        errors["reason"] = ["理由里有无法保存的控制字符。"]
    if errors:
        return invalid(errors)
    _, created = annotation_moderation.flag(annotation, request.user, reason.strip(), reply)
    return json_response({"flagged": True}, status=201 if created else 200)


@require_GET
def annotation_collection(request, slug):
    """The annotations the reader may see as W3C Web Annotation JSON-LD, one embedded page."""
    note = published_note(slug)
    if note is None:
        return error("没有这篇笔记。", 404)
    source = request.build_absolute_uri(note.get_absolute_url())
    annotations = visible(request.user, note).in_document_order()
    items = [
        item for annotation in annotations for item in web_annotations(request, annotation, source)
    ]
    label = f"{note.title} 的批注"
    return jsonld_collection(request.build_absolute_uri(), label, items)


def jsonld_collection(collection_url, label, items):
    """A W3C AnnotationCollection of `items`, one embedded page."""
    collection = {
        "@context": JSONLD_CONTEXT,
        "id": collection_url,
        "type": "AnnotationCollection",
        "label": label,
        "total": len(items),
        "first": {
            "id": f"{collection_url}#page-1",
            "type": "AnnotationPage",
            "partOf": collection_url,
            "startIndex": 0,
            "items": items,
        },
    }
    return json_response(collection, content_type=JSONLD_CONTENT_TYPE)


def web_annotations(request, annotation, source):
    """The annotation and its (prefetched) replies as W3C Web Annotations: a reply is an
    annotation whose target is the annotation it answers (motivation "replying")."""
    item = as_web_annotation(request, annotation, source)
    yield item
    for reply in annotation.shown_replies:
        yield {
            "id": request.build_absolute_uri(reverse("annotations:reply", kwargs={"pk": reply.pk})),
            "type": "Annotation",
            "motivation": "replying",
            "created": reply.created_at.isoformat(),
            "creator": {"type": "Person", "name": display_name(reply.user)},
            "body": {"type": "TextualBody", "value": reply.body, "format": "text/markdown"},
            "target": item["id"],
        }


def as_web_annotation(request, annotation, source):
    item = {
        "id": request.build_absolute_uri(
            reverse("annotations:annotation", kwargs={"pk": annotation.pk})
        ),
        "type": "Annotation",
        "motivation": "commenting" if annotation.body else "highlighting",
        "created": annotation.created_at.isoformat(),
        "modified": annotation.updated_at.isoformat(),
        "creator": {"type": "Person", "name": display_name(annotation.user)},
        "target": {
            "source": source,
            "selector": [
                {
                    "type": "TextQuoteSelector",
                    "exact": annotation.exact,
                    "prefix": annotation.prefix,
                    "suffix": annotation.suffix,
                },
                {
                    "type": "TextPositionSelector",
                    "start": annotation.start,
                    "end": annotation.end,
                },
            ],
        },
    }
    bodies = [{"type": "TextualBody", "value": annotation.body, "format": "text/markdown"}]
    bodies = bodies if annotation.body else []
    bodies += [
        {"type": "TextualBody", "value": tag, "purpose": "tagging"} for tag in annotation.tag_list
    ]
    if bodies:
        item["body"] = bodies[0] if len(bodies) == 1 else bodies
    return item
