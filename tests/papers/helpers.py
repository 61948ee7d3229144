"""Small helpers shared by the papers tests: local dates and reading rendered pages."""

import re
from datetime import datetime
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")

CARD_TITLE = re.compile(r'<h2 class="note-card__title"><a href="[^"]*">([^<]*)</a></h2>')
TITLE_ITEM = re.compile(
    r'<li class="title-list__item"><time [^>]*>[^<]*</time> <a href="[^"]*">([^<]*)</a>'
)
CARD = re.compile(r'<article class="note-card">.*?</article>', re.DOTALL)


def shanghai(*args):
    """An aware datetime on the site's wall clock (settings.TIME_ZONE is Asia/Shanghai)."""
    return datetime(*args, tzinfo=SHANGHAI)


def html(response):
    return response.content.decode()


def card_titles(response):
    """The titles of the note cards on a listing page, in page order."""
    return CARD_TITLE.findall(html(response))


def listed_titles(response):
    """The titles of the archive pages' title lists, in page order."""
    return TITLE_ITEM.findall(html(response))


def cards(response):
    """The HTML of each note card on a listing page, in page order."""
    return CARD.findall(html(response))


class _FormFields(HTMLParser):
    """The values a browser would send for the fields of an admin change form."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.fields, self._select, self._textarea = {}, None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "checkbox", "file"}:
            self.fields[name] = attrs.get("value", "")
        elif tag == "input" and name and attrs.get("type") == "checkbox" and "checked" in attrs:
            self.fields[name] = attrs.get("value", "on")
        elif tag == "select" and name:
            self._select = name
            self.fields.setdefault(name, "")
        elif tag == "option" and self._select and "selected" in attrs:
            self.fields[self._select] = attrs.get("value", "")
        elif tag == "textarea" and name:
            self._textarea = name
            self.fields[name] = ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea":
            # Django writes a new line after <textarea>, which browsers drop.
            self.fields[self._textarea] = self.fields[self._textarea].removeprefix("\n")
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.fields[self._textarea] += data


def admin_form(client, url, **changes):
    """The admin form at `url` as a browser would post it, with `changes` applied."""
    parser = _FormFields()
    parser.feed(html(client.get(url)))
    fields = {name: value for name, value in parser.fields.items() if name != "csrfmiddlewaretoken"}
    return {**fields, "_save": "保存", **changes}
