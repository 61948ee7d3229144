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


@register.simple_tag(takes_context=True)
def annotation_hits(context, query):
    """The search page's "批注" section: annotations the reader may see that match `query`;
    the same for every reader who is not signed in, so kept per content version for them."""
    user = context["request"].user
    # The page's head loads KaTeX when a note hit has math; else this section does.
    notes_have_math = context.get("results_have_math", False)

    def render():
        found = finding.search_annotations(user, query) if query else []
        hits = finding.hits(found, query)
        load_math = any(hit["has_math"] for hit in hits) and not notes_have_math
        section = {"hits": hits, "query": query, "load_math": load_math}
        return render_to_string("annotations/search_hits.html", section)

    # Kept only beside notes found, as the page is: random queries must not add keys.
    if user.is_authenticated or not context.get("results_html"):
        return mark_safe(render())  # the template escapes what it shows
    key = f"{query}\n{notes_have_math}"
    return mark_safe(fragments.public_annotation_hits(key, render))
