from django import template

from notesite import pagecache

register = template.Library()


@register.simple_tag
def fill(name, argument=""):
    """`{% fill "form-time" %}`: a per-request value, filled in even on a cached page."""
    return pagecache.placeholder(name, argument)
