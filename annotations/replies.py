"""Replies to public annotations: one level, the light Markdown of comments.

A reply has no visibility of its own (Reply.objects.visible_to follows its annotation), so only
public annotations staff have not hidden take replies. Writes to replies of a public annotation
change what anonymous readers see: they draw a new content version (papers.caching); the others
make only the pages kept for each reader stale (papers.caching.personal).
"""

from django.utils import timezone

from papers.caching import personal, versions

from .models import Annotation, Reply


def takes_replies(annotation):
    return annotation.visibility == Annotation.Visibility.PUBLIC and not annotation.is_hidden


def create_reply(annotation, user, body):
    reply = Reply.objects.create(annotation=annotation, user=user, body=body)
    versions.changed()  # its annotation is public (takes_replies)
    return reply


def edit_reply(reply, body):
    """Its author's new text, marked edited."""
    if body != reply.body:
        reply.body, reply.edited_at = body, timezone.now()
        reply.save(update_fields=["body", "edited_at"])
        public = reply.annotation.visibility == Annotation.Visibility.PUBLIC
        personal.changed(shown_to_everyone=public)
    return reply


def reply_deleted(sender, instance, **kwargs):
    """`post_delete` receiver (the API, the admin, an annotation or reader deleted)."""
    personal.changed(shown_to_everyone=instance.hidden_at is None)  # else its author saw it
