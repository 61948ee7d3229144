"""Moderation: every comment, and the queue of those waiting (`PendingComment`); readers'
passage annotations, to look at.

State changes go through annotations.moderation (the actions), never through the change form,
so `Note.comment_count` stays right; the form edits only the text.
"""

from django.contrib import admin, messages
from django.db.models import F, Q
from django.forms import Script
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.models import display_name

from . import moderation
from .models import Annotation, Comment, PendingComment


@admin.register(Comment)
class CommentAdmin(admin.ModelAdmin):
    list_display = ["excerpt", "author", "note", "state", "created_at", "ip"]
    list_display_links = ["excerpt"]
    list_filter = ["state", ("note", admin.RelatedOnlyFieldListFilter), "created_at"]
    list_select_related = ["note", "user__profile"]
    search_fields = ["body", "name", "email", "user__username", "ip", "note__title"]
    date_hierarchy = "created_at"
    actions = ["approve", "hide", "mark_spam"]
    fields = [
        "note",
        "parent",
        "author",
        "email",
        "ip",
        "state",
        "created_at",
        "edited_at",
        "body",
        "rendered",
    ]
    # State changes only through the actions, which keep the counter right.
    readonly_fields = [name for name in fields if name != "body"]

    def has_add_permission(self, request):
        return False  # comments come from the site's form

    def save_model(self, request, obj, form, change):
        moderation.edit_comment(obj, obj.body)  # marked edited; the pages showing it go stale

    class Media:
        css = {"all": ["vendor/katex/katex.min.css", "css/admin.css"]}
        js = ["vendor/katex/katex.min.js", Script("js/math.js", type="module")]

    @admin.display(description="作者", ordering="name")
    def author(self, comment):
        if comment.user is None:
            return f"{comment.name}(访客)"
        return f"{comment.author_name}({comment.user.get_username()})"

    @admin.display(description="内容")
    def excerpt(self, comment):
        return comment.excerpt

    @admin.display(description="显示效果")
    def rendered(self, comment):
        # body_html was sanitized by annotations.comments.render_comment when it was saved.
        return format_html('<div class="admin-preview">{}</div>', mark_safe(comment.body_html))

    def _moderate(self, request, queryset, action, label):
        count = action(queryset)
        self.message_user(request, f"{count} 条评论已{label}。", messages.SUCCESS)

    @admin.action(description="通过所选评论(公开)")
    def approve(self, request, queryset):
        self._moderate(request, queryset, moderation.approve, "公开")

    @admin.action(description="隐藏所选评论")
    def hide(self, request, queryset):
        self._moderate(request, queryset, moderation.hide, "隐藏")

    @admin.action(description="把所选评论标为垃圾评论")
    def mark_spam(self, request, queryset):
        self._moderate(request, queryset, moderation.mark_spam, "标为垃圾评论")


@admin.register(PendingComment)
class PendingCommentAdmin(CommentAdmin):
    """The queue: only comments waiting for moderation, oldest first."""

    list_filter = [("note", admin.RelatedOnlyFieldListFilter), "created_at"]
    ordering = ["created_at", "id"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(state=Comment.State.PENDING)


class WordingChangedFilter(admin.SimpleListFilter):
    title = "原文是否已修改"
    parameter_name = "wording"

    def lookups(self, request, model_admin):
        return [("changed", "原文已修改"), ("same", "与批注时相同")]

    def queryset(self, request, queryset):
        changed = Q(state=Annotation.State.ANCHORED) & ~Q(exact=F("quote"))
        if self.value() == "changed":
            return queryset.filter(changed)
        if self.value() == "same":
            return queryset.exclude(changed)
        return queryset


@admin.register(Annotation)
class AnnotationAdmin(admin.ModelAdmin):
    """Readers' passage annotations, to look at: after a save or an import moves some onto
    changed wording or loses their passage, the author's message links here.

    A private annotation's text is its reader's alone: the admin shows its passage, not its
    text.
    """

    list_display = ["short_quote", "wording", "note", "reader", "visibility", "state", "created_at"]
    list_filter = [
        "state",
        WordingChangedFilter,
        "visibility",
        ("note", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["note", "user__profile"]
    search_fields = ["quote", "exact", "note__title", "user__username"]
    date_hierarchy = "created_at"
    fields = [
        "note",
        "reader",
        "visibility",
        "state",
        "quote",
        "wording",
        "revision",
        "text",
        "created_at",
        "updated_at",
    ]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False  # readers annotate on the note page

    def has_change_permission(self, request, obj=None):
        return False  # what a reader wrote is theirs

    @admin.display(description="读者选中的原文", ordering="quote")
    def short_quote(self, annotation):
        return annotation.quote if len(annotation.quote) <= 40 else annotation.quote[:40] + "…"

    @admin.display(description="现在的原文")
    def wording(self, annotation):
        if annotation.state == Annotation.State.ORPHANED:
            return "—"  # the state says 原文已删除
        return annotation.exact if annotation.text_changed else "(未改变)"

    @admin.display(description="读者", ordering="user__username")
    def reader(self, annotation):
        return f"{display_name(annotation.user)}({annotation.user.get_username()})"

    @admin.display(description="批注")
    def text(self, annotation):
        if annotation.visibility == Annotation.Visibility.PRIVATE:
            return "(仅读者自己可见)"
        # body_html was sanitized by annotations.comments.render_comment when it was saved.
        return format_html('<div class="admin-preview">{}</div>', mark_safe(annotation.body_html))
