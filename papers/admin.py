from django.contrib import admin, messages
from django.forms import Script
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from . import versions
from .models import Note, Paper


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


@admin.register(Note)
class NoteAdmin(admin.ModelAdmin):
    list_display = ["title", "topic", "status", "published_at", "paper", "view_count"]
    list_filter = ["status", "topic", "published_at", ("paper", admin.EmptyFieldListFilter)]
    list_select_related = ["topic", "paper"]
    search_fields = ["title", "slug", "summary", "body", "paper__arxiv_id", "paper__title"]
    date_hierarchy = "published_at"
    prepopulated_fields = {"slug": ["title"]}
    autocomplete_fields = ["paper"]
    readonly_fields = ["preview", "view_count", "comment_count", "updated_at"]
    actions = ["publish", "unpublish"]
    fieldsets = [
        (None, {"fields": ["title", "slug", "topic", "tags", "paper"]}),
        ("内容", {"fields": ["summary", "body"]}),
        ("发布", {"fields": ["status", "published_at", "updated_at"]}),
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
        count = queryset.exclude(status=status).update(status=status)
        versions.changed()  # update() sends no model signals
        self.message_user(request, f"{count} 篇笔记已设为“{status.label}”。", messages.SUCCESS)
