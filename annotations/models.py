"""Readers' contributions to notes: comments and passage annotations."""

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from accounts.models import display_name
from papers.models import Note, NoteRevision

from .anchoring import CONTEXT_LENGTH
from .comments import render_comment


class OnNote(models.Model):
    """What comments and annotations share: a light-Markdown body rendered on save, and a
    permalink that is the note's URL plus an anchor."""

    anchor_prefix = ""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.body_html = render_comment(self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "body" in update_fields:
            kwargs["update_fields"] = {*update_fields, "body_html"}
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return f"{self.note.get_absolute_url()}#{self.anchor}"

    @property
    def anchor(self):
        return f"{self.anchor_prefix}-{self.pk}"


class CommentQuerySet(models.QuerySet):
    def public(self):
        return self.filter(state=Comment.State.PUBLIC)

    def thread(self, note, pending_ids=()):
        """What readers see under `note`, oldest first, authors' profiles joined: one query.

        Public comments; the pending ones in `pending_ids` (their poster's own, from the
        session); and top-level comments that are no longer public but keep public replies,
        which the page shows as a placeholder.
        """
        public_reply = self.model.objects.filter(parent=OuterRef("pk"), state=Comment.State.PUBLIC)
        placeholder = Q(parent__isnull=True) & Q(Exists(public_reply))
        own_pending = Q(pk__in=list(pending_ids), state=Comment.State.PENDING)
        return (
            self.filter(note=note)
            .filter(Q(state=Comment.State.PUBLIC) | own_pending | placeholder)
            .select_related("user__profile")
            .order_by("created_at", "id")
        )


class Comment(OnNote):
    anchor_prefix = "comment"

    class State(models.TextChoices):
        PUBLIC = "public", "公开"
        PENDING = "pending", "待审核"
        HIDDEN = "hidden", "已隐藏"
        SPAM = "spam", "垃圾评论"
        REMOVED = "removed", "作者已删除"

    note = models.ForeignKey(
        Note, verbose_name="笔记", on_delete=models.CASCADE, related_name="comments"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name="回复的评论",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="replies",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="账户",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="comments",
    )
    name = models.CharField(
        "署名", max_length=50, help_text="匿名读者填写的名字;账户评论时为当时的显示名。"
    )
    email = models.EmailField("邮箱", blank=True, help_text="不公开。")
    body = models.TextField("内容", help_text="Markdown:强调、代码、链接、行内公式。")
    body_html = models.TextField(editable=False, blank=True)
    state = models.CharField(
        "状态", max_length=10, choices=State, default=State.PUBLIC, db_index=True
    )
    ip = models.GenericIPAddressField("IP", null=True, blank=True, editable=False)
    created_at = models.DateTimeField("发表时间", default=timezone.now, editable=False)
    edited_at = models.DateTimeField("修改时间", null=True, blank=True, editable=False)

    objects = CommentQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["note", "created_at"], name="comment_note_idx")]
        verbose_name = "评论"
        verbose_name_plural = "评论"

    def __str__(self):
        return f"#{self.pk} {self.name}: {self.excerpt}"

    @property
    def author_name(self):
        """The name shown on the page: the account's current display name, else the signature."""
        return display_name(self.user) if self.user else self.name

    @property
    def excerpt(self):
        text = " ".join(self.body.split())
        return text if len(text) <= 60 else text[:60] + "…"

    @property
    def is_shown(self):
        """Its text is on the page (public, or pending and shown to its poster)."""
        return self.state in {self.State.PUBLIC, self.State.PENDING}

    @property
    def edit_deadline(self):
        return self.created_at + timedelta(minutes=settings.COMMENTS_EDIT_WINDOW_MINUTES)

    def editable_by(self, user):
        """Its author may still edit or delete it: signed in, theirs, shown, within the window."""
        return (
            user.is_authenticated
            and self.user_id == user.pk
            and self.is_shown
            and timezone.now() < self.edit_deadline
        )


class PendingComment(Comment):
    """The moderation queue in the admin: comments waiting for approval."""

    class Meta:
        proxy = True
        verbose_name = "待审核评论"
        verbose_name_plural = "待审核评论"


class AnnotationQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one privacy rule: public annotations staff have not hidden, and the reader's
        own (private, or hidden: its author still sees it, marked)."""
        shown = Q(visibility=Annotation.Visibility.PUBLIC, hidden_at__isnull=True)
        if user is not None and user.is_authenticated:
            return self.filter(shown | Q(user=user))
        return self.filter(shown)

    def tagged(self, tag):
        """Annotations carrying `tag` (see Annotation.tags: one tag a line)."""
        return self.filter(tags__contains=f"\n{tag}\n")

    def in_document_order(self):
        """Anchored passages as they come in the text, then orphans (oldest first)."""
        return self.order_by(
            models.Case(
                models.When(state=Annotation.State.ORPHANED, then=1),
                default=0,
                output_field=models.IntegerField(),
            ),
            "start",
            "end",
            "created_at",
            "id",
        )


class Annotation(OnNote):
    """A reader's note on a passage of a note's body, anchored as Hypothesis anchors them.

    The passage is a W3C Web Annotation selector pair over the plain text of the note body
    (papers.rendering.plain_text): TextQuoteSelector (`exact`, `prefix`, `suffix`) and
    TextPositionSelector (`start`, `end`), in code points. annotations.passages re-anchors
    every annotation when its note's body changes, so the selector always describes the text as
    it is now. `quote` is what the reader selected, on `revision`: never rewritten, so a passage
    whose wording changed since shows both, and an orphan keeps it.
    """

    anchor_prefix = "annotation"

    class Visibility(models.TextChoices):
        PRIVATE = "private", "仅自己可见"
        PUBLIC = "public", "公开"

    class State(models.TextChoices):
        ANCHORED = "anchored", "已定位"
        ORPHANED = "orphaned", "原文已删除"

    note = models.ForeignKey(
        Note, verbose_name="笔记", on_delete=models.CASCADE, related_name="annotations"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="读者",
        on_delete=models.CASCADE,
        related_name="annotations",
    )
    revision = models.ForeignKey(
        NoteRevision,
        verbose_name="批注时的版本",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="annotations",
    )
    quote = models.TextField("读者选中的原文", help_text="批注时选中的文字,之后不会改变。")
    exact = models.TextField("现在的原文")
    prefix = models.CharField("前文", max_length=CONTEXT_LENGTH, blank=True)
    suffix = models.CharField("后文", max_length=CONTEXT_LENGTH, blank=True)
    start = models.PositiveIntegerField("起点")
    end = models.PositiveIntegerField("终点")
    body = models.TextField("批注", blank=True, help_text="Markdown:强调、代码、链接、行内公式。")
    body_html = models.TextField(editable=False, blank=True)
    visibility = models.CharField(
        "可见性", max_length=10, choices=Visibility, default=Visibility.PRIVATE
    )
    state = models.CharField("状态", max_length=10, choices=State, default=State.ANCHORED)
    # One tag a line between new lines ("\n方法\nRL\n"): a tag filter is one substring test on
    # the row, no join, and readers' tags stay out of the notes' tag table (taggit).
    tags = models.TextField("标签", blank=True, default="")
    created_at = models.DateTimeField("创建时间", default=timezone.now, editable=False)
    updated_at = models.DateTimeField("修改时间", auto_now=True)
    edited_at = models.DateTimeField("编辑时间", null=True, blank=True, editable=False)
    hidden_at = models.DateTimeField(
        "隐藏时间", null=True, blank=True, editable=False, help_text="管理员隐藏后只有作者可见。"
    )

    objects = AnnotationQuerySet.as_manager()

    class Meta:
        ordering = ["note", "start", "end", "id"]
        indexes = [
            models.Index(fields=["note", "visibility"], name="annotation_note_idx"),
            # Search lists matches newest first (annotations.finding).
            models.Index(fields=["created_at", "id"], name="annotation_created_idx"),
        ]
        verbose_name = "批注"
        verbose_name_plural = "批注"

    def __str__(self):
        quote = self.quote if len(self.quote) <= 30 else self.quote[:30] + "…"
        return f"#{self.pk} 「{quote}」"

    @property
    def author_name(self):
        return display_name(self.user)

    @property
    def tag_list(self):
        return self.tags.split("\n")[1:-1]

    @property
    def is_hidden(self):
        return self.hidden_at is not None

    @property
    def text_changed(self):
        """Its passage is still there, but its words are no longer those the reader chose."""
        return self.state == self.State.ANCHORED and self.exact != self.quote

    @property
    def selector(self):
        """The five-key selector annotations.anchoring works with."""
        return {
            "exact": self.exact,
            "prefix": self.prefix,
            "suffix": self.suffix,
            "start": self.start,
            "end": self.end,
        }


def joined_tags(tags):
    """The stored form of a list of tags (Annotation.tags)."""
    return "\n" + "\n".join(tags) + "\n" if tags else ""


class ReplyQuerySet(models.QuerySet):
    def visible_to(self, user):
        """A reply follows its annotation's visibility; one staff hid shows to its author only."""
        annotations = Annotation.objects.visible_to(user)
        shown = Q(annotation__in=annotations)
        if user is not None and user.is_authenticated:
            return self.filter(shown & (Q(hidden_at__isnull=True) | Q(user=user)))
        return self.filter(shown, hidden_at__isnull=True)


class Reply(OnNote):
    """A reader's answer to a public annotation: one level, Markdown as in comments. It has no
    visibility of its own: it is seen by whoever sees its annotation."""

    anchor_prefix = "reply"

    annotation = models.ForeignKey(
        Annotation, verbose_name="批注", on_delete=models.CASCADE, related_name="replies"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="读者",
        on_delete=models.CASCADE,
        related_name="annotation_replies",
    )
    body = models.TextField("回复", help_text="Markdown:强调、代码、链接、行内公式。")
    body_html = models.TextField(editable=False, blank=True)
    created_at = models.DateTimeField("回复时间", default=timezone.now, editable=False)
    edited_at = models.DateTimeField("编辑时间", null=True, blank=True, editable=False)
    hidden_at = models.DateTimeField(
        "隐藏时间", null=True, blank=True, editable=False, help_text="管理员隐藏后只有作者可见。"
    )

    objects = ReplyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["annotation", "created_at"], name="reply_annotation_idx")]
        verbose_name = "批注回复"
        verbose_name_plural = "批注回复"

    def __str__(self):
        return f"#{self.pk} {self.excerpt}"

    def get_absolute_url(self):
        # The reply is read inside its annotation's card: the permalink opens that card.
        return self.annotation.get_absolute_url()

    @property
    def note(self):
        return self.annotation.note

    @property
    def author_name(self):
        return display_name(self.user)

    @property
    def excerpt(self):
        text = " ".join(self.body.split())
        return text if len(text) <= 30 else text[:30] + "…"

    @property
    def is_hidden(self):
        return self.hidden_at is not None


class Flag(models.Model):
    """A reader's report of a public annotation, or of one of its replies, for staff to review."""

    annotation = models.ForeignKey(
        Annotation, verbose_name="批注", on_delete=models.CASCADE, related_name="flags"
    )
    reply = models.ForeignKey(
        Reply,
        verbose_name="回复",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="flags",
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="举报者",
        on_delete=models.CASCADE,
        related_name="annotation_flags",
    )
    reason = models.CharField("理由", max_length=200, blank=True)
    created_at = models.DateTimeField("举报时间", default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["annotation", "user"],
                condition=Q(reply__isnull=True),
                name="flag_once_per_annotation",
            ),
            models.UniqueConstraint(
                fields=["reply", "user"],
                condition=Q(reply__isnull=False),
                name="flag_once_per_reply",
            ),
        ]
        verbose_name = "举报"
        verbose_name_plural = "举报"

    def __str__(self):
        return f"{self.reply or self.annotation}({self.reason or '未说明理由'})"
