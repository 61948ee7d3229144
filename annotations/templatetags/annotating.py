"""`{% annotation_panel note %}`: the side list of passage annotations; `{% annotation_hits
query %}`: the annotations section of the search page.

The note page (papers) loads this library, so papers never imports annotations. The panel lists
the note's public annotations (staff have not hidden them) with their replies, server-rendered,
so that a reader without JavaScript sees them; the list is the same for every reader, rendered
in two queries whatever the number of annotations and replies, and kept per content version
(papers.caching.fragments). static/js/annotations.js replaces it with what the API gives the
reader (their own private ones too), and what a reader may see is decided in one place,
`Annotation.objects.visible_to`.
"""

from collections import defaultdict

from django import template
from django.contrib.auth.views import redirect_to_login
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from papers.caching import fragments
from papers.templatetags.notes import snippets_have_math

from .. import finding
from ..models import Annotation, Reply

register = template.Library()


@register.inclusion_tag("annotations/annotation_panel.html", takes_context=True)
def annotation_panel(context, note):
    """The same for every reader: whether they are signed in is filled in per response
    (annotations.fills), so the page cache serves the note page to signed-in readers too."""
    if not note.is_public:  # a staff preview: no annotations yet
        return {"open": False}
    return {
        "open": True,
        "list_url": reverse("annotations:annotation-list", kwargs={"slug": note.slug}),
        "jsonld_url": reverse("annotations:annotation-collection", kwargs={"slug": note.slug}),
        "login_url": redirect_to_login(note.get_absolute_url())["Location"],
        "csrf_token": context.get("csrf_token"),
        "public_list": fragments.public_annotations(note.pk, lambda: render_public(note)),
    }


def render_public(note):
    """The note's public annotations as list items: anchored ones in document order, then the
    orphans under "未定位". Two queries: the annotations, and all their replies."""
    public = note.annotations.visible_to(None).select_related("user__profile")
    annotations = list(public.in_document_order())
    replies = defaultdict(list)
    shown = Reply.objects.visible_to(None).filter(annotation__note=note)
    for reply in shown.select_related("user__profile").order_by("created_at", "id"):
        replies[reply.annotation_id].append(reply)
    anchored, orphans = [], []
    for annotation in annotations:
        annotation.shown_replies = replies[annotation.pk]
        is_orphan = annotation.state == Annotation.State.ORPHANED
        (orphans if is_orphan else anchored).append(annotation)
    context = {"anchored": anchored, "orphans": orphans, "count": len(annotations)}
    return {
        "count": len(annotations),
        "html": mark_safe(render_to_string("annotations/includes/public_list.html", context)),
    }


@register.inclusion_tag("annotations/search_hits.html", takes_context=True)
def annotation_hits(context, query):
    """The search page's "批注" section: annotations the reader may see that match `query`."""
    if not query:
        return {"hits": []}
    found = finding.search_annotations(context["request"].user, query)
    hits = finding.hits(found, query)
    return {
        "hits": hits,
        "query": query,
        # The page's head loads KaTeX when a note hit has math; else this section does.
        "load_math": any(hit["has_math"] for hit in hits)
        and not snippets_have_math(context.get("hits", ())),
    }
