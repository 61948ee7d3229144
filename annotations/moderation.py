"""Everything that happens to a comment after the form: posted, edited, removed, moderated.

Views and admin actions both call these functions, so `Note.comment_count` (the number of
public comments) changes in one place, `_count()`, with an `F()` update in the same
transaction as the change of state. Hard deletes (the admin, or a note or parent cascading)
reach `comment_deleted` through the `post_delete` signal connected in `AnnotationsConfig`.
The email to the author goes out after commit.

Anonymous readers see public comments, and a placeholder for a top-level comment that is no
longer shown but keeps public replies: only changes to those draw a new content version
(papers.caching), so a comment waiting for moderation, or moderated from one hidden state to
another, leaves cached pages alone.
"""

from collections import Counter
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from accounts.models import display_name
from papers.caching import versions
from papers.models import Note

from .models import Comment

State = Comment.State
DUPLICATE_WINDOW_MINUTES = 10
SHOWN_STATES = [State.PUBLIC, State.PENDING]


def _count(deltas):
    """Apply {note id: change} to the notes' public-comment counters."""
    for note_id, delta in deltas.items():
        if delta:
            Note.objects.filter(pk=note_id).update(comment_count=F("comment_count") + delta)


def initial_state(user):
    """Accounts' comments are public at once; anonymous ones wait unless moderation is off."""
    if user is None and settings.COMMENTS_MODERATE_ANONYMOUS:
        return State.PENDING
    return State.PUBLIC


def find_duplicate(*, note, body, parent=None, user=None, name="", ip=None):
    """The same text by the same poster under the same note a moment ago: a double submit."""
    since = timezone.now() - timedelta(minutes=DUPLICATE_WINDOW_MINUTES)
    same = Comment.objects.filter(
        note=note, parent=parent, body=body, created_at__gte=since, state__in=SHOWN_STATES
    )
    same = same.filter(user=user) if user else same.filter(user=None, name=name, ip=ip)
    return same.order_by("-created_at").first()


def post_comment(*, note, body, user=None, name="", email="", parent=None, ip=None, site=""):
    """Store a new comment, count it if public, and email the author after commit; or, for
    a double submit, return the comment the same poster just posted with the same text.

    Posts under one note take turns (a lock on the note's row; SQLite's transactions take the
    write lock when they begin), so two identical posts sent at once find each other.
    `site` is the absolute URL of the site's root, for the links in the email.
    """
    with transaction.atomic():
        list(Note.objects.select_for_update().filter(pk=note.pk).values_list("pk"))
        poster = {"user": user, "name": name, "ip": ip}
        if duplicate := find_duplicate(note=note, body=body, parent=parent, **poster):
            return duplicate
        if user is not None:
            name, email = display_name(user), user.email
        comment = Comment.objects.create(
            note=note,
            parent=parent,
            user=user,
            name=name,
            email=email,
            body=body,
            state=initial_state(user),
            ip=ip,
        )
        if comment.state == State.PUBLIC:
            _count({note.pk: 1})
            versions.changed()
        transaction.on_commit(partial(notify_author, comment.pk, site), robust=True)
    return comment


def edit_comment(comment, body):
    """A new text for `comment`, by its author or a moderator; marked as edited."""
    comment.body = body
    comment.edited_at = timezone.now()
    comment.save(update_fields=["body", "edited_at"])
    if comment.state == State.PUBLIC:
        versions.changed()


def moderate(comments, state):
    """Move `comments` (a queryset) to `state`, keeping counters right; how many changed."""
    with transaction.atomic():
        locked = Comment.objects.filter(pk__in=comments.values("pk")).select_for_update()
        rows = list(locked.exclude(state=state).values_list("pk", "note_id", "state", "parent_id"))
        Comment.objects.filter(pk__in=[pk for pk, *_ in rows]).update(state=state)
        if _shown_to_anonymous_readers(rows, state):
            versions.changed()
        deltas = Counter()
        for _, note_id, old, _ in rows:
            deltas[note_id] += (state == State.PUBLIC) - (old == State.PUBLIC)
        _count(deltas)
    return len(rows)


def _shown_to_anonymous_readers(rows, new_state):
    """Whether moving these (pk, note, state, parent) rows to `new_state` changes any page."""
    if new_state == State.PUBLIC or any(old == State.PUBLIC for _, _, old, _ in rows):
        return True
    top_level = [pk for pk, _, _, parent in rows if parent is None]
    # Such a comment shows as a placeholder ("此评论已隐藏") when it keeps public replies.
    return Comment.objects.filter(parent__in=top_level, state=State.PUBLIC).exists()


def approve(comments):
    return moderate(comments, State.PUBLIC)


def hide(comments):
    return moderate(comments, State.HIDDEN)


def mark_spam(comments):
    return moderate(comments, State.SPAM)


def remove_by_author(comment):
    """The author's "delete": the comment leaves the page (a placeholder if it has replies)."""
    return moderate(Comment.objects.filter(pk=comment.pk), State.REMOVED)


def comment_deleted(sender, instance, **kwargs):
    """`post_delete` receiver: a deleted public comment no longer counts or shows."""
    if instance.state == State.PUBLIC:
        _count({instance.note_id: -1})
        versions.changed()


def notify_author(comment_id, site=""):
    """Email NOTESITE_AUTHOR_EMAIL about a new comment (not about the author's own)."""
    recipient = settings.NOTESITE_AUTHOR_EMAIL
    comment = Comment.objects.select_related("note", "user").filter(pk=comment_id).first()
    if not recipient or comment is None:
        return
    if comment.user and comment.user.email.lower() == recipient.lower():
        return
    root = site.rstrip("/")
    context = {
        "comment": comment,
        "note": comment.note,
        "comment_url": root + comment.get_absolute_url(),
        "admin_url": root + reverse("admin:annotations_comment_change", args=[comment.pk]),
        "queue_url": root + reverse("admin:annotations_pendingcomment_changelist"),
    }
    held = "待审核" if comment.state == State.PENDING else "新"
    send_mail(
        subject=f"[notesite] {held}评论:{comment.note.title}",
        message=render_to_string("annotations/email/new_comment.txt", context),
        from_email=None,
        recipient_list=[recipient],
    )
