from django import template

from papers.caching import pages

register = template.Library()


@register.simple_tag
def fill(name, argument=""):
    """`{% fill "form-time" %}`: a per-request value, filled in even on a cached page."""
    return pages.placeholder(name, argument)
