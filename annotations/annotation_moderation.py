"""What staff and readers do about public annotations and replies: flag, hide, show again.

Views, the API and admin actions all call these functions. Hiding is a soft state
(`hidden_at`): a hidden annotation or reply leaves the page, the API, the JSON-LD and search for
everyone but its author, who still sees it, marked, and is told by email after commit (as
annotations.moderation tells the site's author about comments). Hiding or showing again what
anonymous readers can see draws a new content version (papers.caching); hiding a private one
(its author sees it marked) makes the pages kept for each reader stale (papers.caching.personal).
"""

from functools import partial

from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from papers.caching import personal

from .models import Annotation, Flag, Reply

FLAG_REASON_MAX_LENGTH = Flag._meta.get_field("reason").max_length


def flag(annotation, user, reason="", reply=None):
    """Record `user`'s report of `annotation` (or of its `reply`); a second report by the same
    reader is the first one. Returns (flag, created)."""
    target = {"annotation": annotation, "reply": reply, "user": user}
    existing = Flag.objects.filter(**target).first()
    if existing:
        return existing, False
    try:
        with transaction.atomic():
            return Flag.objects.create(**target, reason=reason), True
    except IntegrityError:  # the same reader's report sent twice at once
        return Flag.objects.get(**target), False


def _set_hidden(model, queryset, hidden, site):
    """Hide (or show again) the rows of `queryset` not already so; how many changed."""
    with transaction.atomic():
        rows = model.objects.filter(pk__in=queryset.values("pk"), hidden_at__isnull=hidden)
        changed = list(rows.select_for_update().values_list("pk", flat=True))
        if not changed:
            return 0
        model.objects.filter(pk__in=changed).update(hidden_at=timezone.now() if hidden else None)
        personal.changed(shown_to_everyone=_any_public(model, changed))
        if hidden:
            notice = partial(notify_hidden, model, changed, site)
            transaction.on_commit(notice, robust=True)
    return len(changed)


def _any_public(model, pks):
    public = Annotation.Visibility.PUBLIC
    if model is Reply:
        return Reply.objects.filter(pk__in=pks, annotation__visibility=public).exists()
    return Annotation.objects.filter(pk__in=pks, visibility=public).exists()


def hide_annotations(annotations, site=""):
    return _set_hidden(Annotation, annotations, True, site)


def show_annotations(annotations):
    return _set_hidden(Annotation, annotations, False, "")


def hide_replies(replies, site=""):
    return _set_hidden(Reply, replies, True, site)


def show_replies(replies):
    return _set_hidden(Reply, replies, False, "")


def notify_hidden(model, pks, site=""):
    """Email each author whose annotations or replies staff hid, once, listing them."""
    rows = model.objects.filter(pk__in=pks).select_related("user")
    if model is Reply:
        rows = rows.select_related("annotation__note")
    else:
        rows = rows.select_related("note")
    by_author = {}
    for row in rows:
        if row.user.email:
            by_author.setdefault(row.user, []).append(row)
    root = site.rstrip("/")
    kind = "回复" if model is Reply else "批注"
    for user, hidden in by_author.items():
        context = {"user": user, "kind": kind, "hidden": hidden, "root": root}
        send_mail(
            subject=f"[notesite] 你的 {len(hidden)} 条{kind}已被管理员隐藏",
            message=render_to_string("annotations/email/annotation_hidden.txt", context),
            from_email=None,
            recipient_list=[user.email],
        )
