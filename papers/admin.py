import contextlib

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Script
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import arxiv, arxiv_api, writes
from .models import Note, NoteRevision, OldAddress, Paper


class NoteInline(admin.TabularInline):
    """A paper's notes, linked to their own change pages."""

    model = Note
    fields = ["title", "status", "published_at"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    max_num = 0
    can_delete = False


@admin.register(Paper)
class PaperAdmin(admin.ModelAdmin):
    list_display = ["arxiv_id", "title", "published_on"]
    search_fields = ["arxiv_id", "title", "authors"]
    date_hierarchy = "published_on"
    inlines = [NoteInline]

    class Media:
        css = {"all": ["css/arxiv-fill.css"]}
        js = [Script("js/arxiv-fill.js", type="module")]

    def get_urls(self):
        fill = self.admin_site.admin_view(self.arxiv_fields_view)
        return [path("arxiv-fields/", fill, name="papers_paper_arxiv_fields"), *super().get_urls()]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "arxiv_id":  # where js/arxiv-fill.js puts its button and asks
            formfield.widget.attrs["data-arxiv-fields"] = reverse("admin:papers_paper_arxiv_fields")
        return formfield

    def get_search_results(self, request, queryset, search_term):
        """A pasted id, `arXiv:` id or URL of any version finds the paper (the note form's
        paper box searches here too)."""
        with contextlib.suppress(ValidationError):
            search_term = arxiv.base_id(search_term)
        return super().get_search_results(request, queryset, search_term)

    def arxiv_fields_view(self, request):
        """JSON for "从 arXiv 填写": the fields of the paper `?id=` names, or the error in words.
        A GET that changes nothing, for those who may add or change papers."""
        if request.method != "GET":
            return JsonResponse({"error": "只接受 GET 请求。"}, status=405)
        if not (self.has_add_permission(request) or self.has_change_permission(request)):
            raise PermissionDenied
        try:
            fields = arxiv_api.lookup(request.GET.get("id", ""))
        except arxiv_api.ArxivLookupError as error:
            return JsonResponse({"error": str(error)}, status=error.status)
        return JsonResponse({"fields": fields})


class RevisionInline(admin.TabularInline):
    """A note's history, newest first, each linked to its own page."""

    model = NoteRevision
    fields = ["created_at", "author", "source", "detail", "title"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "历史版本"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


@admin.register(NoteRevision)
class NoteRevisionAdmin(admin.ModelAdmin):
    """Every kept version of every note; kept by papers.writes, never edited by hand."""

    list_display = ["note", "created_at", "author", "source", "detail"]
    list_filter = ["source", "created_at"]
    list_select_related = ["note", "author"]
    search_fields = ["note__title", "title", "detail"]
    date_hierarchy = "created_at"
    fields = ["note", "created_at", "author", "source", "detail", "title", "summary", "body"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # a note's history goes only with the note


class OldAddressInline(admin.TabularInline):
    """Addresses the note had on the old blog, each answering 301 to it (papers.redirects)."""

    model = OldAddress
    extra = 0


@admin.register(OldAddress)
class OldAddressAdmin(admin.ModelAdmin):
    list_display = ["path", "note"]
    list_select_related = ["note"]
    search_fields = ["path", "note__title", "note__slug"]
    autocomplete_fields = ["note"]


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "status", "published_at", "paper", "view_count"]
    list_filter = ["status", "topic", "published_at", ("paper", admin.EmptyFieldListFilter)]
    list_select_related = ["topic", "paper"]
    search_fields = ["title", "slug", "summary", "body", "paper__arxiv_id", "paper__title"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["paper"]
    readonly_fields = ["preview", "view_count", "comment_count", "updated_at", "source_path"]
    actions = ["publish", "unpublish"]
    inlines = [OldAddressInline, RevisionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "topic", "tags", "paper"]}),
        ("内容", {"fields": ["summary", "body"]}),
        ("发布", {"fields": ["status", "published_at", "updated_at", "source_path"]}),
        ("预览", {"fields": ["preview"], "description": "保存后按读者看到的样子显示。"}),
        ("统计", {"fields": ["view_count", "comment_count"], "classes": ["collapse"]}),
    ]

    class Media:
        css = {
            "all": [
                "vendor/katex/katex.min.css",
                "css/content.css",
                "css/highlight.css",
                "css/admin.css",
            ]
        }
        js = ["vendor/katex/katex.min.js", Script("js/math.js", type="module")]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def changeform_view(self, request, *args, **kwargs):
        """The note's save and its tags', one batch of the write path under the editor's name;
        the editor is told what it did to readers' annotations."""
        with writes.batch(author=request.user, source=NoteRevision.Source.ADMIN) as batch:
            response = super().changeform_view(request, *args, **kwargs)
        tell(self, request, batch.notices)
        return response

    def delete_queryset(self, request, queryset):
        with writes.batch(author=request.user, source=NoteRevision.Source.ADMIN):
            super().delete_queryset(request, queryset)

    @admin.display(description="渲染结果")
    def preview(self, note):
        if not note.pk:
            return "保存后显示。"
        # The stored HTML was sanitized when the note was saved (papers.rendering.sanitize).
        return format_html(
            '<div class="admin-preview note-content">{}{}{}</div>',
            mark_safe(note.summary_html),
            mark_safe(note.toc_html),
            mark_safe(note.body_html),
        )

    @admin.action(description="发布所选笔记")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Note.Status.PUBLISHED)

    @admin.action(description="撤回所选笔记为草稿")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Note.Status.DRAFT)

    def _set_status(self, request, queryset, status):
        notes = list(queryset.exclude(status=status))
        with writes.batch(author=request.user, source=NoteRevision.Source.ADMIN) as batch:
            for note in notes:
                note.status = status
            Note.objects.bulk_update(notes, ["status"])
            batch.record(writes.change_of(note, ["status"]) for note in notes)
        count = len(notes)
        self.message_user(request, f"{count} 篇笔记已设为“{status.label}”。", messages.SUCCESS)


def tell(model_admin, request, notices):
    """Show the write path's notices (papers.writes.Notice) as warnings, with their links."""
    for notice in notices:
        message = format_html('{} <a href="{}">查看</a>', notice.message, notice.url)
        model_admin.message_user(
            request, message if notice.url else notice.message, messages.WARNING
        )
