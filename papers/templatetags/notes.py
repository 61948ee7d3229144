from django import template
from django.utils import timezone
from django.utils.html import format_html_join
from django.utils.safestring import mark_safe

from ..caching import fragments
from ..models import Note

register = template.Library()


@register.simple_tag(takes_context=True)
def note_cards(context, notes):
    """The cards of a listing, each rendered once and kept in the cache (one read for all)."""
    template = context.template.engine.get_template("includes/note_card.html")

    def render(missing):
        cards = {}
        for note in loaded(missing):
            with context.push(note=note):
                cards[note.pk] = template.render(context)
        return cards

    return mark_safe("".join(fragments.note_cards(notes, render)))


def loaded(notes):
    """`notes` as cards render them: the ListedNote of a kept page loaded in one query (those
    since deleted left out), showing the counters their cards are kept under."""
    listed = {note.pk: note for note in notes if isinstance(note, fragments.ListedNote)}
    found = Note.objects.cards().in_bulk(listed) if listed else {}
    for note in notes:
        if note.pk not in listed:
            yield note
        elif (loaded_note := found.get(note.pk)) is not None:
            loaded_note.view_count = note.view_count
            loaded_note.comment_count = note.comment_count
            yield loaded_note


@register.simple_tag
def title_items(notes):
    """The rows of a title list: a date and a linked title per note, built here because the
    template engine took most of an archive page's time on its hundred rows of four tags."""
    return format_html_join(
        "",
        '\n  <li class="title-list__item"><time class="title-list__date" datetime="{}">{}</time>'
        ' <a href="{}">{}</a></li>\n  ',
        (
            (day, day, note.get_absolute_url(), note.title)
            for note in notes
            for day in [f"{timezone.localtime(note.published_at):%Y-%m-%d}"]
        ),
    )


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


# Listings and search results load KaTeX only when a card shows a formula.
@register.filter
def excerpts_have_math(notes):
    return any(note.excerpt_has_math for note in notes)
