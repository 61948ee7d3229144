from django import template
from django.core.cache import cache
from django.utils.safestring import mark_safe

from .. import versions

register = template.Library()
CARD_SECONDS = 3600


@register.simple_tag(takes_context=True)
def note_cards(context, notes):
    """The cards of a listing, each rendered once and kept in the cache (one read for all).

    A card's key holds the content version (papers/versions.py) and the note's counters,
    which change without a new version, so a kept card is always what rendering would give.
    """
    token = versions.current()
    keys = [f"card:{token}:{n.pk}:{n.view_count}:{n.comment_count}" for n in notes]
    cards = cache.get_many(keys)
    template = context.template.engine.get_template("includes/note_card.html")
    missing = {}
    for key, note in zip(keys, notes, strict=True):
        if key not in cards:
            with context.push(note=note):
                cards[key] = missing[key] = template.render(context)
    cache.set_many(missing, CARD_SECONDS)
    return mark_safe("".join(cards[key] for key in keys))


@register.inclusion_tag("includes/pagination.html", takes_context=True)
def pagination(context):
    """Numbered page links for the view's page, eliding long runs (1 2 … 9 10 11 … 40 41)."""
    page = context.get("page_obj")
    if page is None or not page.has_other_pages():
        return {"page": None}
    return {
        "page": page,
        "page_numbers": page.paginator.get_elided_page_range(page.number, on_each_side=2),
        "request": context["request"],
    }
