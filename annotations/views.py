"""Posting, editing and deleting comments, only under published notes; and a reader's own
annotations ("我的批注") with their exports.

Every comment view answers a plain form POST with a redirect (or the form again, with its
errors) and a `fetch` from static/js/comments.js (`Accept: application/json`) with JSON.
"""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.views import generic
from django.views.decorators.http import require_GET, require_POST

from accounts.limits import client_ip
from accounts.models import display_name
from papers.caching import pages
from papers.models import Note

from . import abuse, api, mine, moderation
from .forms import CommentEditForm, CommentForm
from .models import Comment

PENDING_SESSION_KEY = "annotations.pending_comments"
HELD_MESSAGE = "评论已提交,审核通过后对其他读者显示。"


def wants_json(request):
    return "application/json" in request.headers.get("Accept", "")


def rate_limit_message():
    per = {60: "每分钟", 3600: "每小时", 86400: "每天"}
    limits = ",".join(
        f"{per.get(window, f'每 {window} 秒')}最多 {limit} 条"
        for limit, window in settings.COMMENTS_RATE_LIMITS
    )
    return f"评论太频繁了,请稍后再试({limits})。"


def refuse(request, message, status, note=None):
    """A post refused outright: a short page, or `{"error": ...}` for JavaScript."""
    if wants_json(request):
        response = api.json_response({"error": message}, status=status)
    else:
        context = {"title": "评论未能提交", "message": message, "note": note}
        response = render(request, "annotations/message.html", context, status=status)
    if status == 429:
        response["Retry-After"] = str(min(window for _, window in settings.COMMENTS_RATE_LIMITS))
    return response


def form_errors(request, form):
    """The form again with its errors and a fresh timestamp (400); the text is kept."""
    if wants_json(request):
        errors = form.errors.get_json_data()
        first = next(iter(errors.values()))[0]["message"]
        security = abuse.security_data(form.target)
        return api.json_response({"error": first, "errors": errors, "security": security}, 400)
    moderated = not request.user.is_authenticated and settings.COMMENTS_MODERATE_ANONYMOUS
    context = {"form": form, "note": form.note, "moderated": moderated}
    return render(request, "annotations/comment_form_page.html", context, status=400)


def comment_fragment(request, comment):
    """The HTML of one comment, as annotations/includes/comment.html renders it in the list,
    its author's links filled in (it goes out in JSON, which the page cache does not fill)."""
    comment.thread_replies = []
    context = {"comment": comment, "note": comment.note, "allow_replies": True}
    html = render_to_string("annotations/includes/comment.html", context, request=request)
    return pages.filled(html.strip().encode(), request).decode()


def remember_pending(request, comment):
    """An anonymous poster sees their own comment while it waits (their session only)."""
    pending = request.session.get(PENDING_SESSION_KEY, [])
    request.session[PENDING_SESSION_KEY] = [*pending[-19:], comment.pk]


def pending_ids(request):
    return request.session.get(PENDING_SESSION_KEY, [])


@require_POST
def post_comment(request, slug):
    note = get_object_or_404(Note.objects.published(), slug=slug)
    if abuse.rate_limited(request, "comments"):
        return refuse(request, rate_limit_message(), 429, note)
    form = CommentForm(note, request.user, request.POST)
    if not form.is_valid():
        refusal = form.refusal()
        return refuse(request, refusal, 400, note) if refusal else form_errors(request, form)

    data = form.cleaned_data
    user = request.user if request.user.is_authenticated else None
    post = {"note": note, "body": data["body"], "parent": data["parent"], "user": user}
    ip = client_ip(request)
    if user is None:
        post.update(name=data["name"])
    comment = moderation.post_comment(
        **post, email=data.get("email", ""), ip=ip, site=request.build_absolute_uri("/")
    )
    message = ""
    if comment.state == Comment.State.PENDING:
        remember_pending(request, comment)
        message = HELD_MESSAGE

    if wants_json(request):
        note.refresh_from_db(fields=["comment_count"])
        payload = {
            "id": comment.pk,
            "anchor": comment.anchor,
            "parent": comment.parent_id,
            "state": comment.state,
            "count": note.comment_count,
            "message": message,
            "html": comment_fragment(request, comment),
        }
        return api.json_response(payload, status=201)
    if message:
        messages.info(request, message)
    return redirect(comment)


def own_comment(pk):
    """The signed-in reader's comment `pk` under a published note, while they may change it."""
    comment = get_object_or_404(Comment.objects.select_related("note"), pk=pk)
    if not comment.note.is_public or not comment.is_shown:
        raise Http404
    return comment


def not_editable(request, comment):
    minutes = settings.COMMENTS_EDIT_WINDOW_MINUTES
    message = f"只能在发表后 {minutes} 分钟内修改或删除自己的评论。"
    return refuse(request, message, 403, comment.note)


@login_required
def edit_comment(request, pk):
    comment = own_comment(pk)
    if not comment.editable_by(request.user):
        return not_editable(request, comment)
    form = CommentEditForm(request.POST or None, initial={"body": comment.body})
    if form.is_valid():
        moderation.edit_comment(comment, form.cleaned_data["body"])
        messages.success(request, "评论已修改。")
        return redirect(comment)
    context = {"form": form, "comment": comment, "note": comment.note}
    status = 400 if form.is_bound else 200
    return render(request, "annotations/comment_edit.html", context, status=status)


@login_required
def delete_comment(request, pk):
    """GET asks for confirmation; POST removes the comment (its replies stay)."""
    comment = own_comment(pk)
    if not comment.editable_by(request.user):
        return not_editable(request, comment)
    if request.method == "POST":
        moderation.remove_by_author(comment)
        messages.success(request, "评论已删除。")
        return redirect(f"{comment.note.get_absolute_url()}#comments")
    context = {"comment": comment, "note": comment.note}
    return render(request, "annotations/comment_delete.html", context)


# --- 我的批注 ------------------------------------------------------------------------------------


def my_filters(request):
    """The bound filter form and its cleaned values ({} when a value is invalid: all shown)."""
    form = mine.MyAnnotationsFilter(request.user, request.GET or None)
    return form, (form.cleaned_data if form.is_valid() else {})


class MyAnnotationsView(LoginRequiredMixin, generic.ListView):
    """Every annotation of the signed-in reader, newest first, filtered and paginated."""

    template_name = "annotations/my_annotations.html"
    context_object_name = "annotations"
    paginate_by = 20

    def get_queryset(self):
        self.filter_form, filters = my_filters(self.request)
        return mine.annotations_of(self.request.user, filters)

    def get_context_data(self, **kwargs):
        return super().get_context_data(filter_form=self.filter_form, **kwargs)


def export_filename(extension):
    return f"notesite-annotations-{timezone.localdate():%Y%m%d}.{extension}"


def in_note_order(request):
    """The reader's filtered annotations grouped by note, in reading order within each."""
    _, filters = my_filters(request)
    annotations = mine.annotations_of(request.user, filters)
    return annotations.order_by("note__title", "note_id", "start", "end", "id")


@login_required
@require_GET
def export_markdown(request):
    text = mine.as_markdown(
        in_note_order(request), request.build_absolute_uri, display_name(request.user)
    )
    response = HttpResponse(text, content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{export_filename("md")}"'
    return response


@login_required
@require_GET
def export_jsonld(request):
    items = [
        item
        for annotation in in_note_order(request)
        for item in api.web_annotations(
            request, annotation, request.build_absolute_uri(annotation.note.get_absolute_url())
        )
    ]
    collection_url = request.build_absolute_uri()
    response = api.jsonld_collection(collection_url, f"{display_name(request.user)} 的批注", items)
    response["Content-Disposition"] = f'attachment; filename="{export_filename("jsonld")}"'
    return response
