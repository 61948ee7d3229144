"""The endpoints behind the note editor of the admin (static/js/note-editor.js): the live
preview and image uploads. Staff who may write notes only, POST with the CSRF token; every
answer is JSON, a refusal included, so the editor can show it."""

from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from .rendering import render_markdown
from .uploads import ImageRefused, store_image


def may_write_notes(user):
    return (
        user.is_active
        and user.is_staff
        and (user.has_perm("papers.change_note") or user.has_perm("papers.add_note"))
    )


def editor_endpoint(view):
    """POST only, CSRF-checked, never cached, 403 in JSON for anyone who may not write notes."""

    @never_cache
    @csrf_protect
    @require_POST
    def checked(request):
        if not may_write_notes(request.user):
            return JsonResponse({"error": "只有能写笔记的管理员可以这样做。"}, status=403)
        return view(request)

    return checked


@editor_endpoint
def preview(request):
    """The body's HTML as a saved note would have it, plus the source line markers."""
    rendered = render_markdown(request.POST.get("body", ""), mark_lines=True)
    return JsonResponse({"html": rendered.html})


@editor_endpoint
def upload_image(request):
    upload = request.FILES.get("image")
    if upload is None:
        return JsonResponse({"error": "没有收到图片文件。"}, status=400)
    try:
        stored = store_image(upload)
    except ImageRefused as refusal:
        return JsonResponse({"error": str(refusal)}, status=400)
    return JsonResponse({"url": stored.url, "markdown": stored.markdown})


def editor_attributes(note_pk):
    """The body textarea's data attributes that the editor module starts from."""
    return {
        "data-markdown-editor": "",
        "data-preview-url": reverse("admin:papers_note_preview"),
        "data-upload-url": reverse("admin:papers_note_upload_image"),
        "data-draft-key": f"note-draft:{note_pk or 'new'}",
    }
