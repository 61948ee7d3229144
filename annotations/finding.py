"""Annotations in the site search: the public ones, and the searching reader's own private ones.

papers.search indexes notes only (its docstring says why annotations are not folded into note
rows); the search page loads `{% annotation_hits query %}` (templatetags/annotating.py), which
calls `search_annotations`. What a reader may find is `Annotation.objects.visible_to(user)`,
the one privacy rule: another reader's private annotation, or one staff hid, is never found.
The match is a case-insensitive substring of the quote or the text, on published notes, over
the annotation rows themselves (no index yet: a scan of the visible rows, which is cheap while
annotations are thousands; a trigram index like the notes' is the step after).
"""

from django.db.models import Q

from papers.models import Note
from papers.search import highlight, snippet

from .models import Annotation

LIMIT = 10


def search_annotations(user, query, limit=LIMIT):
    """Up to `limit` annotations `user` may see whose quote or text contains `query`, newest
    first, with their notes and authors: one query."""
    matching = Q(quote__icontains=query) | Q(body__icontains=query)
    return list(
        Annotation.objects.visible_to(user)
        .filter(matching, note__in=Note.objects.published())
        .select_related("note", "user__profile")
        .order_by("-created_at", "-id")[:limit]
    )


def hit(annotation, query):
    """What the search page shows of an annotation: its quote and text around the match."""
    return {
        "annotation": annotation,
        "quote": snippet(annotation.quote, query),
        "body": snippet(annotation.body, query) if annotation.body else "",
        "note_title": highlight(annotation.note.title, query),
    }
