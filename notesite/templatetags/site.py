import functools

from django import template
from django.urls import get_script_prefix, reverse
from django.utils import timezone
from django.utils.html import format_html

register = template.Library()


@register.simple_tag
def site_url(name):
    """`{% url name %}` for a URL without arguments, reversed once per process.

    base.html links a dozen such URLs on every page, and reverse() takes ~0.1 ms each: a
    tenth of rendering an uncached listing.
    """
    return _reverse(name, get_script_prefix())


@functools.cache
def _reverse(name, script_prefix):  # the prefix, which reverse() reads itself, keys the cache
    return reverse(name)


@register.filter
def iso_datetime(value):
    """An aware datetime as ISO 8601 in the site's time zone, to the second: `<time datetime>`
    allows at most three digits of a fraction of a second, where `|date:'c'` writes six."""
    return timezone.localtime(value).replace(microsecond=0).isoformat()


# The header's sections and the pages inside each, by URL name: a note belongs to 最新, a year,
# month or day to 归档, a tag to 标签...
NAV_SECTIONS = {
    "papers:index": {"papers:index", "papers:note"},
    "papers:topics": {"papers:topics", "papers:topic"},
    "papers:tags": {"papers:tags", "papers:tag"},
    "papers:papers": {"papers:papers", "papers:paper"},
    "papers:archive": {
        "papers:archive",
        "papers:archive-year",
        "papers:archive-month",
        "papers:archive-day",
    },
}


@register.simple_tag(takes_context=True)
def nav_current(context, name):
    """` aria-current="page"` on the header link to the page shown, `="true"` on the link to
    its section (a note under 最新), else nothing."""
    match = getattr(context.get("request"), "resolver_match", None)
    if match is None or match.view_name not in NAV_SECTIONS.get(name, ()):
        return ""
    return format_html(' aria-current="{}"', "page" if match.view_name == name else "true")
