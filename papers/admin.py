import contextlib

from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminSplitDateTime
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.storage import default_storage
from django.db import models
from django.forms import Script
from django.http import JsonResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from . import arxiv, arxiv_api, editor, media, publishing, writes
from .admin_notices import tell
from .models import Note, NoteRevision, OldAddress, Paper
from .publishing import Publication
from .revision_admin import NoteRevisionPages


class NamedSplitDateTime(AdminSplitDateTime):
    """The admin's date and time inputs, each named for screen readers ("发布时间 日期"): Django
    prints "日期:" and "时间:" as bare text, and a field of two inputs has no <label for>."""

    def __init__(self, field_name):
        super().__init__()
        self.field_name = field_name

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        parts = (context["date_label"], context["time_label"])
        for subwidget, part in zip(context["widget"]["subwidgets"], parts, strict=True):
            subwidget["attrs"]["aria-label"] = f"{self.field_name} {part.rstrip(':：')}"
        return context


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
    fields = ["created_at", "author", "source", "detail", "title", "compare"]
    readonly_fields = fields
    show_change_link = True
    extra = 0
    max_num = 0
    can_delete = False
    verbose_name_plural = "历史版本"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")

    @admin.display(description="")
    def compare(self, revision):
        if revision.pk is None:  # the formset's empty form
            return ""
        url = reverse("admin:papers_note_revisions", args=[revision.note_id])
        return format_html('<a href="{}">比较 / 恢复</a>', url)


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


class PublicationFilter(admin.SimpleListFilter):
    title = "发布状态"
    parameter_name = "publication"

    def lookups(self, request, model_admin):
        return Publication.choices

    def queryset(self, request, queryset):
        if self.value() in Publication.values:
            return publishing.filter_by_publication(queryset, self.value())
        return queryset


@admin.register(Note)
class NoteAdmin(NoteRevisionPages, admin.ModelAdmin):
    list_display = ["title", "topic", "publication", "published_at", "paper", "view_count"]
    list_filter = [
        PublicationFilter,
        "topic",
        "published_at",
        ("paper", admin.EmptyFieldListFilter),
    ]
    list_select_related = ["topic", "paper"]
    search_fields = ["title", "slug", "summary", "body", "paper__arxiv_id", "paper__title"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["paper"]
    readonly_fields = [
        "preview",
        "view_count",
        "comment_count",
        "updated_at",
        "source_path",
        "media_files",
    ]
    actions = ["publish", "unpublish"]
    inlines = [OldAddressInline, RevisionInline]
    fieldsets = [
        (None, {"fields": ["title", "slug", "topic", "tags", "paper"]}),
        ("内容", {"fields": ["summary", "body"]}),
        (
            "图片与文件",
            {"fields": ["media_files"], "description": "正文和个人总结引用的媒体文件。"},
        ),
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
            ],
            # Django links media in sorted order: "screen ..." comes after "all", so it wins.
            "screen and (prefers-color-scheme: dark)": ["css/highlight-dark.css"],
        }
        js = [
            "vendor/katex/katex.min.js",
            Script("js/math.js", type="module"),
            Script("js/note-editor.js", type="module"),
        ]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.DateTimeField):
            kwargs["widget"] = NamedSplitDateTime(db_field.verbose_name)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tags")

    def get_urls(self):
        return [
            path("editor/preview/", editor.preview, name="papers_note_preview"),
            path("editor/upload-image/", editor.upload_image, name="papers_note_upload_image"),
            *super().get_urls(),
        ]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        if "body" in form.base_fields:  # a user who may only view the note gets no editor
            form.base_fields["body"].widget.attrs.update(editor.editor_attributes(obj and obj.pk))
        return form

    def changeform_view(self, request, *args, **kwargs):
        """The note's save and its tags', one batch of the write path under the editor's name;
        the editor is told what it did to readers' annotations."""
        with writes.batch(author=request.user, source=NoteRevision.Source.ADMIN) as batch:
            response = super().changeform_view(request, *args, **kwargs)
        tell(self, request, batch.notices)
        return response

    def save_model(self, request, obj, form, change):
        """The button "立即发布" publishes a draft: dated now, or scheduled when dated later."""
        if "_publish" in request.POST and form.initial.get("status") != Note.Status.PUBLISHED:
            publishing.set_status(obj, Note.Status.PUBLISHED, timezone.now())
        super().save_model(request, obj, form, change)

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

    @admin.display(description="状态", ordering="status")
    def publication(self, note):
        publication = publishing.publication_of(note)
        if publication == Publication.SCHEDULED:
            when = timezone.localtime(note.published_at)
            return format_html("{} · {}", publication.label, f"{when:%Y-%m-%d %H:%M}")
        return publication.label

    @admin.display(description="媒体文件")
    def media_files(self, note):
        """Thumbnails of the images the note links to, names of its other files."""
        names = media.note_media(note)
        if not names:
            return "没有引用媒体文件。"
        return format_html(
            '<ul class="note-media">{}</ul>',
            format_html_join("", "<li>{}</li>", ((media_item(name),) for name in names)),
        )

    @admin.action(description="发布所选笔记")
    def publish(self, request, queryset):
        self._set_status(request, queryset, Note.Status.PUBLISHED)

    @admin.action(description="撤回所选笔记为草稿")
    def unpublish(self, request, queryset):
        self._set_status(request, queryset, Note.Status.DRAFT)

    def _set_status(self, request, queryset, status):
        notes = list(queryset.exclude(status=status))
        now = timezone.now()
        fields = ["status", "published_at"]
        with writes.batch(author=request.user, source=NoteRevision.Source.ADMIN) as batch:
            for note in notes:
                publishing.set_status(note, status, now)
            Note.objects.bulk_update(notes, fields)
            batch.record(writes.change_of(note, fields) for note in notes)
        message = f"{len(notes)} 篇笔记已设为“{status.label}”。"
        scheduled = sum(note.published_at > now for note in notes)
        if status == Note.Status.PUBLISHED and scheduled:
            message += f"其中 {scheduled} 篇定在将来的时间发布。"
        self.message_user(request, message, messages.SUCCESS)


def media_item(name):
    """One media file of a note: a thumbnail for an image, its name linked; or its name
    marked missing, when storage no longer has it."""
    if not default_storage.exists(name):
        return format_html('{} <span class="note-media__missing">(文件不存在)</span>', name)
    url = default_storage.url(name)
    if media.is_image(name):
        return format_html(
            '<a href="{}"><img class="note-media__thumb" src="{}" alt="" loading="lazy">{}</a>',
            url,
            url,
            name,
        )
    return format_html('<a href="{}">{}</a>', url, name)
