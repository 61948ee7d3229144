"""A signed-in reader's parts of the note page, filled in per response (papers.caching.pages):
the page itself, cached or not, is rendered as an anonymous reader sees it.

- "comment-who": the comment form's "以 NAME 的身份评论", instead of the guest's name and email;
- "annotation-hint": how to annotate, instead of the invitation to sign in;
- "signed-in": the annotation panel's `data-signed-in` ("true" / "false"), for annotations.js;
- "comment-actions": the edit and delete links on the reader's own comments while they may
  still change them (argument: comment id, author id, end of the edit window as a timestamp).
"""

import time

from django.template.loader import render_to_string
from django.utils.html import format_html

from accounts.models import display_name
from papers.caching import pages

ACTIONS = "annotations/includes/comment_actions.html"


def comment_who(reader, argument):
    name = display_name(reader)
    return format_html('<p class="comment-form__who">以 <strong>{}</strong> 的身份评论。</p>', name)


def annotation_hint(reader, argument):
    return "选中正文中的文字即可批注;批注默认只有自己可见。"


def signed_in(request, argument):
    return "true" if pages.reader(request) else "false"


def actions_argument(comment):
    """What `comment_actions` needs to know of `comment`, as a placeholder's argument."""
    return f"{comment.pk}:{comment.user_id or ''}:{comment.edit_deadline.timestamp():.0f}"


def comment_actions(request, arguments):
    """Comment.editable_by's rule (the placeholders are only on comments that are shown), for
    all the page's comments at once: the busy note has 50, mostly other readers'."""
    reader = pages.reader(request)
    if reader is None:
        return [""] * len(arguments)
    own, now = str(reader.pk), time.time()
    values = []
    for argument in arguments:
        pk, author, deadline = argument.split(":")
        editable = author == own and now < int(deadline)
        values.append(render_to_string(ACTIONS, {"pk": int(pk)}) if editable else "")
    return values
