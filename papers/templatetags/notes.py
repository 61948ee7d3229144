from django import template

register = template.Library()


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
