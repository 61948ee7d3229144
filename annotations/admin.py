"""Moderation: every comment, and the queue of those waiting (`PendingComment`); readers'
passage annotations and their replies, with the reports readers filed, to hide or show again.

State changes go through annotations.moderation and annotations.annotation_moderation (the
actions), never through the change form, so counters, cached pages and authors' emails follow;
the comment form edits only the text, and what a reader annotated is never edited here.
"""

from django.contrib import admin, messages
from django.db.models import Count, F, Q
from django.forms import Script
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from accounts.models import display_name

from . import annotation_moderation, moderation
from .models import Annotation, Comment, Flag, PendingComment, Reply


class ReadersTextMedia:
    """What the rendered text of a comment, annotation or reply needs in the admin: KaTeX and
    math.js to typeset it, content.css to scroll a formula wider than the column in its own box."""

    css = {"all": ["vendor/katex/katex.min.css", "css/content.css", "css/admin.css"]}
    js = ["vendor/katex/katex.min.js", Script("js/math.js", type="module")]


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

    Media = ReadersTextMedia

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


class HiddenFilter(admin.SimpleListFilter):
    title = "管理状态"
    parameter_name = "moderation"

    def lookups(self, request, model_admin):
        return [("shown", "显示中"), ("hidden", "已隐藏"), ("flagged", "被举报且显示中")]

    def queryset(self, request, queryset):
        if self.value() == "shown":
            return queryset.filter(hidden_at__isnull=True)
        if self.value() == "hidden":
            return queryset.filter(hidden_at__isnull=False)
        if self.value() == "flagged":
            return queryset.filter(hidden_at__isnull=True, flag_count__gt=0)
        return queryset


class HidingActions:
    """Hide and show again, through annotations.annotation_moderation; `hide` and `show` are
    its functions for the model."""

    hide_rows = show_rows = None
    actions = ["hide_selected", "show_selected"]

    def has_add_permission(self, request):
        return False  # readers write on the note page

    def has_change_permission(self, request, obj=None):
        # The list's actions need it; a reader's text is theirs, never edited here.
        return obj is None and super().has_change_permission(request)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(flag_count=Count("flags", distinct=True))

    @admin.display(description="举报", ordering="flag_count")
    def flags(self, row):
        return row.flag_count or ""

    @admin.display(description="已隐藏", boolean=True, ordering="hidden_at")
    def hidden(self, row):
        return row.is_hidden

    @admin.action(description="隐藏所选(只有作者可见,并邮件告知作者)", permissions=["change"])
    def hide_selected(self, request, queryset):
        count = type(self).hide_rows(queryset, site=request.build_absolute_uri("/"))
        self.message_user(request, f"{count} 条已隐藏,作者会收到邮件。", messages.SUCCESS)

    @admin.action(description="重新显示所选", permissions=["change"])
    def show_selected(self, request, queryset):
        count = type(self).show_rows(queryset)
        self.message_user(request, f"{count} 条已重新显示。", messages.SUCCESS)


class FlagInline(admin.TabularInline):
    model = Flag
    fields = ["reply", "user", "reason", "created_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = "读者的举报"

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Annotation)
class AnnotationAdmin(HidingActions, admin.ModelAdmin):
    """Readers' passage annotations: after a save or an import moves some onto changed wording
    or loses their passage, the author's message links here; reported ones are hidden here.

    A private annotation's text is its reader's alone: the admin shows its passage, not its
    text.
    """

    Media = ReadersTextMedia

    hide_rows = annotation_moderation.hide_annotations
    show_rows = annotation_moderation.show_annotations
    list_display = [
        "short_quote",
        "wording",
        "note",
        "reader",
        "visibility",
        "state",
        "flags",
        "hidden",
        "created_at",
    ]
    list_filter = [
        HiddenFilter,
        "state",
        WordingChangedFilter,
        "visibility",
        ("note", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["note", "user__profile"]
    search_fields = ["quote", "exact", "note__title", "user__username", "tags"]
    date_hierarchy = "created_at"
    fields = [
        "note",
        "reader",
        "visibility",
        "state",
        "hidden_at",
        "quote",
        "wording",
        "revision",
        "text",
        "tags",
        "created_at",
        "updated_at",
        "edited_at",
    ]
    readonly_fields = fields
    inlines = [FlagInline]

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
        return rendered_body(annotation)


def rendered_body(row):
    # body_html was sanitized by annotations.comments.render_comment when it was saved.
    return format_html('<div class="admin-preview">{}</div>', mark_safe(row.body_html))


class ReplyVisibilityFilter(admin.SimpleListFilter):
    """A reply's visibility is its annotation's."""

    title = "可见性"
    parameter_name = "visibility"

    def lookups(self, request, model_admin):
        return Annotation.Visibility.choices

    def queryset(self, request, queryset):
        if self.value() in Annotation.Visibility.values:
            return queryset.filter(annotation__visibility=self.value())
        return queryset


@admin.register(Reply)
class ReplyAdmin(HidingActions, admin.ModelAdmin):
    """Replies to public annotations (a reply is as public as its annotation)."""

    Media = ReadersTextMedia

    hide_rows = annotation_moderation.hide_replies
    show_rows = annotation_moderation.show_replies
    list_display = ["excerpt", "annotation", "note", "reader", "flags", "hidden", "created_at"]
    list_filter = [
        HiddenFilter,
        ReplyVisibilityFilter,
        ("annotation__note", admin.RelatedOnlyFieldListFilter),
        ("user", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["annotation__note", "user__profile"]
    search_fields = ["body", "annotation__quote", "annotation__note__title", "user__username"]
    date_hierarchy = "created_at"
    fields = ["annotation", "note", "reader", "hidden_at", "text", "created_at", "edited_at"]
    readonly_fields = fields

    @admin.display(description="回复")
    def excerpt(self, reply):
        return reply.excerpt

    @admin.display(description="笔记", ordering="annotation__note__title")
    def note(self, reply):
        return reply.annotation.note

    @admin.display(description="读者", ordering="user__username")
    def reader(self, reply):
        return f"{display_name(reply.user)}({reply.user.get_username()})"

    @admin.display(description="回复")
    def text(self, reply):
        return rendered_body(reply)
