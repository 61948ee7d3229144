"""`{% annotation_panel note %}`: the side list of passage annotations, filled by JavaScript;
`{% annotation_hits query %}`: the annotations section of the search page.

The note page (papers) loads this library, so papers never imports annotations. It renders no
annotation and runs no query: static/js/annotations.js fetches the list from the API
(annotations.api), so the page costs the same queries whatever the number of annotations, and
what a reader may see is decided in one place, `Annotation.objects.visible_to`.
"""

from django import template
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse

from .. import finding

register = template.Library()


@register.inclusion_tag("annotations/annotation_panel.html", takes_context=True)
def annotation_panel(context, note):
    request = context["request"]
    if not note.is_public:  # a staff preview: no annotations yet
        return {"open": False}
    return {
        "open": True,
        "list_url": reverse("annotations:annotation-list", kwargs={"slug": note.slug}),
        "jsonld_url": reverse("annotations:annotation-collection", kwargs={"slug": note.slug}),
        "login_url": redirect_to_login(note.get_absolute_url())["Location"],
        "signed_in": request.user.is_authenticated,
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("annotations/search_hits.html", takes_context=True)
def annotation_hits(context, query):
    """The search page's "批注" section: annotations the reader may see that match `query`."""
    if not query:
        return {"hits": []}
    found = finding.search_annotations(context["request"].user, query)
    return {"hits": [finding.hit(annotation, query) for annotation in found], "query": query}
