"""The passage-annotation API: JSON under a published note, for static/js/annotations.js.

    GET    /notes/<slug>/annotations/        the annotations the reader may see, document order
    POST   /notes/<slug>/annotations/        create: {exact, start, end, body, visibility}
    GET    /notes/<slug>/annotations.jsonld  the same list as a W3C AnnotationCollection
    GET    /annotations/<id>/                one annotation the reader may see
    PATCH  /annotations/<id>/                the author edits {body, visibility}
    DELETE /annotations/<id>/                the author deletes it

`quote` is the passage as the reader selected it; `exact` / `prefix` / `suffix` / `start` / `end`
describe where it is now (an edit of the note may have moved it or changed its words:
`text_changed`), and an orphan (`state` "orphaned") keeps the last place it had.

Session authentication; CsrfViewMiddleware checks the X-CSRFToken header of every write.
Anonymous readers may read public annotations; writing answers 403 with `login_url`. What a
reader may see is `Annotation.objects.visible_to(user)`: another reader's private annotation is
a 404, as if it did not exist; another reader's public one cannot be changed (403). Selector and
field errors are a 400 `{"errors": {field: [messages]}}`; posts and edits are rate-limited per
address and account like comments (429).
"""

import json

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from accounts.models import display_name
from papers.models import Note

from . import abuse, passages
from .models import Annotation

JSONLD_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
JSONLD_CONTENT_TYPE = f'application/ld+json; profile="{JSONLD_CONTEXT}"'
LOGIN_MESSAGE = "请先登录"
CREATE_FIELDS = {"exact", "prefix", "suffix", "start", "end", "body", "visibility"}
EDIT_FIELDS = {"body", "visibility"}


def error(message, status, **extra):
    return JsonResponse({"error": message, **extra}, status=status)


def login_required_response(request, note):
    login_url = redirect_to_login(note.get_absolute_url())["Location"]
    return error(LOGIN_MESSAGE, 403, login_url=login_url)


def invalid(errors):
    first = next(iter(errors.values()))[0]
    return JsonResponse({"error": first, "errors": errors}, status=400)


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


def visible(user, note=None):
    annotations = Annotation.objects.visible_to(user).select_related("user__profile")
    return annotations.filter(note=note) if note is not None else annotations


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
        "author": display_name(annotation.user),
        "mine": user.is_authenticated and annotation.user_id == user.pk,
        "created_at": annotation.created_at.isoformat(),
        "updated_at": annotation.updated_at.isoformat(),
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
    annotations = visible(request.user, note).in_document_order()
    items = [as_json(annotation, request.user) for annotation in annotations]
    return JsonResponse({"count": len(items), "annotations": items})


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
    return JsonResponse(as_json(annotation, request.user), status=201)


@require_http_methods(["GET", "PATCH", "DELETE"])
def annotation_detail(request, pk):
    annotation = (
        visible(request.user)
        .filter(pk=pk, note__in=Note.objects.published())
        .select_related("note")
        .first()
    )
    if annotation is None:
        return not_found()
    if request.method == "GET":
        return JsonResponse(as_json(annotation, request.user))
    if not request.user.is_authenticated:
        return login_required_response(request, annotation.note)
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
    return JsonResponse(as_json(annotation, request.user))


@require_GET
def annotation_collection(request, slug):
    """The annotations the reader may see as W3C Web Annotation JSON-LD, one embedded page."""
    note = published_note(slug)
    if note is None:
        return error("没有这篇笔记。", 404)
    collection_url = request.build_absolute_uri()
    source = request.build_absolute_uri(note.get_absolute_url())
    annotations = visible(request.user, note).in_document_order()
    items = [as_web_annotation(request, annotation, source) for annotation in annotations]
    collection = {
        "@context": JSONLD_CONTEXT,
        "id": collection_url,
        "type": "AnnotationCollection",
        "label": f"{note.title} 的批注",
        "total": len(items),
        "first": {
            "id": f"{collection_url}#page-1",
            "type": "AnnotationPage",
            "partOf": collection_url,
            "startIndex": 0,
            "items": items,
        },
    }
    return JsonResponse(
        collection,
        content_type=JSONLD_CONTENT_TYPE,
        json_dumps_params={"ensure_ascii": False},
    )


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
    if annotation.body:
        item["body"] = {
            "type": "TextualBody",
            "value": annotation.body,
            "format": "text/markdown",
        }
    return item
