"""How a note is cited: BibTeX, a one-line reference, and schema.org JSON-LD for its page.

Plain functions of a note and its absolute URL; the author is `settings.SITE_AUTHOR`.
"""

import re
from dataclasses import dataclass
from urllib.parse import unquote

from django.conf import settings
from django.utils import timezone

from . import arxiv


@dataclass(frozen=True)
class NoteCitation:
    bibtex: str
    text: str
    json_ld: dict


def site_author():
    return getattr(settings, "SITE_AUTHOR", "") or "notesite"


def cite_note(note, url):
    """Everything the note page offers for citing `note`, published at the absolute `url`."""
    return NoteCitation(
        bibtex=note_bibtex(note, url),
        text=note_reference(note, url),
        json_ld=note_json_ld(note, url),
    )


def _local_date(moment):
    return timezone.localtime(moment).date()


def note_bibtex(note, url):
    """A BibTeX @online entry (biblatex) for the note."""
    published = _local_date(note.published_at)
    author = site_author()
    key_author = re.sub(r"[^A-Za-z0-9]", "", author).lower() or "notesite"
    fields = [
        ("author", f"{{{arxiv.bibtex_escape(author)}}}"),  # braces: a name, not "Last, First"
        ("title", arxiv.bibtex_escape(note.title)),
        ("year", str(published.year)),
        ("date", published.isoformat()),
        ("url", url),
        ("urldate", timezone.localdate().isoformat()),
    ]
    if note.paper:
        fields.append(("note", f"Notes on arXiv:{note.paper.arxiv_id}"))
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields)
    return f"@online{{{key_author}{published.year}note{note.pk},\n{body}\n}}"


def note_reference(note, url):
    """A GB/T 7714 style reference: author. title[EB/OL]. (date). url, Chinese left readable."""
    published = _local_date(note.published_at).isoformat()
    return f"{site_author()}. {note.title}[EB/OL]. ({published}). {unquote(url)}."


def note_json_ld(note, url):
    """schema.org BlogPosting for the note page, citing its paper as a ScholarlyArticle."""
    data = {
        "@context": "https://schema.org",
        "@type": "BlogPosting",
        "headline": note.title,
        "description": note.excerpt,
        "url": url,
        "mainEntityOfPage": url,
        "datePublished": timezone.localtime(note.published_at).isoformat(),
        "dateModified": timezone.localtime(note.updated_at).isoformat(),
        "inLanguage": "zh-Hans",
        "author": {"@type": "Person", "name": site_author()},
    }
    if note.topic:
        data["articleSection"] = note.topic.name
    tags = [tag.name for tag in note.tags.all()]
    if tags:
        data["keywords"] = tags
    if note.paper:
        data["citation"] = paper_json_ld(note.paper)
    return data


def paper_json_ld(paper):
    data = {
        "@type": "ScholarlyArticle",
        "name": paper.title,
        "headline": paper.title,
        "url": paper.abs_url,
        "identifier": f"arXiv:{paper.arxiv_id}",
        "author": [{"@type": "Person", "name": name} for name in paper.author_list],
    }
    if paper.published_on:
        data["datePublished"] = paper.published_on.isoformat()
    return data
