"""Head tags for search engines and link previews: canonical URLs and JSON-LD."""

import json
import re

from django import template
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.safestring import mark_safe

register = template.Library()

# The escapes of django.utils.html.json_script: nothing in the data can close the element.
JSON_SCRIPT_ESCAPES = {ord(">"): "\\u003E", ord("<"): "\\u003C", ord("&"): "\\u0026"}
# ASCII digits only: str.isdigit() is true of `²`, which int() refuses.
PAGE_NUMBER = re.compile(r"[0-9]+")


@register.simple_tag(takes_context=True)
def canonical_url(context):
    """This page's absolute URL without tracking or other parameters.

    `?page=N` stays for pages after the first, and so do the parameters a view names in
    `canonical_params` (the search page keeps `q`).
    """
    request = context["request"]
    keep = context.get("canonical_params", ())
    params = [(name, request.GET[name]) for name in keep if request.GET.get(name)]
    page = request.GET.get("page", "")
    if PAGE_NUMBER.fullmatch(page) and int(page) > 1:
        params.append(("page", str(int(page))))
    query = f"?{urlencode(params)}" if params else ""
    return request.build_absolute_uri(request.path) + query


@register.filter
def json_ld(data):
    """`data` as `<script type="application/ld+json">`, escaped like `json_script`."""
    text = json.dumps(data, cls=DjangoJSONEncoder, ensure_ascii=False)
    return format_html(
        '<script type="application/ld+json">{}</script>',
        mark_safe(text.translate(JSON_SCRIPT_ESCAPES)),  # <, > and & escaped
    )
