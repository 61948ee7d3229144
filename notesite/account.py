"""The header's account links of a signed-in reader, filled in per response: every page, cached
or not, renders an anonymous reader's links (templates/includes/account.html) as a personal
region whose argument is the page's address (papers.caching.pages)."""

import functools
from urllib.parse import unquote

from django.template.loader import render_to_string
from django.urls import get_script_prefix

from accounts.models import display_name
from papers.caching import pages


def account_links(reader, argument):
    return _links(display_name(reader), unquote(argument), get_script_prefix())


# The links hold nothing but the name and the page's address (the logout form's token is a
# placeholder, filled after), so each pair is rendered once per process: rendering the
# template was a fifth of a signed-in reader's cached hit (cProfile, 1,000 hits of /).
@functools.lru_cache(maxsize=4096)
def _links(name, next_address, script_prefix):  # the prefix, which the URLs hold, keys it
    context = {
        "reader": True,
        "name": name,
        "next": next_address,
        "csrf_token": pages.placeholder("csrf"),  # filled after the region, as every token
    }
    return render_to_string("includes/account.html", context)
