"""The header's account links of a signed-in reader, filled in per response: every page, cached
or not, renders an anonymous reader's links (templates/includes/account.html) as a personal
region whose argument is the page's address (papers.caching.pages)."""

from urllib.parse import unquote

from django.template.loader import render_to_string

from accounts.models import display_name
from papers.caching import pages


def account_links(reader, argument):
    context = {
        "reader": reader,
        "name": display_name(reader),
        "next": unquote(argument),
        "csrf_token": pages.placeholder("csrf"),  # filled after the region, as every token
    }
    return render_to_string("includes/account.html", context)
