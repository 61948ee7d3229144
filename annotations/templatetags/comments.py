"""`{% comment_section note %}`: the discussion under a note, as django-contrib-comments does it.

The note page (papers) loads this library, so papers never imports annotations. One query
fetches the thread (see CommentQuerySet.thread); the count is the note's own counter. What
anonymous readers see of the thread is the same for all of them: it is rendered once per
content version and kept in the cache (papers.caching.fragments).
"""

from collections import defaultdict

from django import template
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from papers.caching import fragments, pages

from .. import fills
from ..forms import CommentForm
from ..models import Comment
from ..views import pending_ids

register = template.Library()


def build_thread(comments):
    """Top-level comments, oldest first, each with `thread_replies` (one level)."""
    top, replies = [], defaultdict(list)
    for comment in comments:
        comment.thread_replies = []
        (replies[comment.parent_id] if comment.parent_id else top).append(comment)
    shown = []
    for comment in top:
        comment.thread_replies = replies.get(comment.pk, [])
        if comment.is_shown or comment.thread_replies:
            shown.append(comment)
    return shown


def render_list(note, comments):
    context = {"note": note, "comments": comments, "allow_replies": True}
    return mark_safe(render_to_string("annotations/includes/comment_list.html", context).strip())


@register.inclusion_tag("annotations/comment_section.html", takes_context=True)
def comment_section(context, note):
    """Rendered as for an anonymous reader, and the same for every reader but those with a
    comment waiting for approval or a reply open (`?reply=`): a signed-in reader's parts (the
    form's "as NAME", the links to edit their comments) are filled in per response
    (annotations.fills), so the page cache serves this page to signed-in readers too."""
    request = context["request"]
    if not note.is_public:  # a staff preview: no discussion yet
        return {"open": False}
    pending, wanted = pending_ids(request), request.GET.get("reply", "")
    reply_to = None
    if pending or wanted:
        comments = build_thread(Comment.objects.thread(note, pending))
        reply_to = next(
            (c for c in comments if str(c.pk) == wanted and c.state == Comment.State.PUBLIC), None
        )
        listing = render_list(note, comments)
    else:  # the same for every reader: rendered once per content version

        def shared_list():
            return render_list(note, build_thread(Comment.objects.thread(note, [])))

        listing = fragments.comment_thread(note.pk, shared_list)
    initial = {"parent": reply_to.pk if reply_to else None}
    return {
        "open": True,
        "note": note,
        "comment_list": listing,
        "form": CommentForm(note, AnonymousUser(), initial=initial),  # the guest's fields
        "reply_to": reply_to,
        "allow_replies": True,
        "moderated": settings.COMMENTS_MODERATE_ANONYMOUS,  # said to guests only
        "request": request,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def comment_actions(comment):
    """The placeholder of the edit and delete links its author gets (annotations.fills), on
    comments a reader may still change: not a guest's, nor one past its edit window when
    rendered. Kept pages and threads only ever get older, so a comment left without one
    never needs it; most comments of a busy note are such, and each placeholder is work on
    every signed-in reader's hit."""
    if comment.user_id is None or timezone.now() >= comment.edit_deadline:
        return ""
    return pages.placeholder("comment-actions", fills.actions_argument(comment))
