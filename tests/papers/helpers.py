"""Small helpers shared by the papers tests: local dates and reading rendered pages."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

CARD_TITLE = re.compile(r'<h2 class="note-card__title"><a href="[^"]*">([^<]*)</a></h2>')
CARD = re.compile(r'<article class="note-card">.*?</article>', re.DOTALL)


def shanghai(*args):
    """An aware datetime on the site's wall clock (settings.TIME_ZONE is Asia/Shanghai)."""
    return datetime(*args, tzinfo=SHANGHAI)


def html(response):
    return response.content.decode()


def card_titles(response):
    """The titles of the note cards on a listing page, in page order."""
    return CARD_TITLE.findall(html(response))


def cards(response):
    """The HTML of each note card on a listing page, in page order."""
    return CARD.findall(html(response))
