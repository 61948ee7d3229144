"""arXiv identifiers and citations: plain functions shared by models, admin and imports."""

import re

from django.core.exceptions import ValidationError

# New-style ids (YYMM.NNNNN, 2007 on) and old-style ids (archive[.SUBJ]/YYMMNNN), each with an
# optional version suffix.
ARXIV_ID = re.compile(
    r"(?:\d{2}(?:0[1-9]|1[0-2])\.\d{4,5}|[a-z]+(?:-[a-z]+)*(?:\.[A-Z]{2})?/\d{2}(?:0[1-9]|1[0-2])\d{3})"
    r"(?:v[1-9]\d*)?"
)
ARXIV_URL_PREFIX = re.compile(
    r"^(?:https?://)?(?:www\.|export\.)?arxiv\.org/(?:abs|pdf)/", flags=re.IGNORECASE
)


def parse_arxiv_id(value):
    """Return the arXiv id in `value`: an id, `arXiv:<id>`, or a pasted abs / PDF URL."""
    text = ARXIV_URL_PREFIX.sub("", str(value).strip())
    text = re.sub(r"^arxiv:", "", text, flags=re.IGNORECASE).rstrip("/")
    text = re.sub(r"\.pdf$", "", text)
    if not ARXIV_ID.fullmatch(text):
        raise ValidationError(
            "“%(value)s” 不是 arXiv 编号:应形如 2308.02223、2308.02223v2、hep-th/9901001,"
            "或 arxiv.org 的摘要页 / PDF 链接。",
            code="invalid_arxiv_id",
            params={"value": value},
        )
    return text


def abs_url(arxiv_id):
    return f"https://arxiv.org/abs/{arxiv_id}"


def pdf_url(arxiv_id):
    return f"https://arxiv.org/pdf/{arxiv_id}"


def split_authors(authors):
    """Author names from text as arXiv shows it: separated by commas, "and" or new lines."""
    parts = re.split(r",|\n|;|\band\b", authors)
    return [name.strip() for name in parts if name.strip()]


def bibtex_escape(text):
    return re.sub(r"([&%$#_])", r"\\\1", text)


def bibtex(arxiv_id, title, authors, year):
    """A BibTeX @misc entry in the form arXiv's own export uses."""
    names = split_authors(authors)
    surname = re.sub(r"\W", "", names[0].split()[-1]).lower() if names else "arxiv"
    first_word = next((w.lower() for w in re.findall(r"[A-Za-z]+", title) if len(w) > 3), "")
    key = f"{surname}{year or ''}{first_word}"
    fields = [
        ("title", bibtex_escape(title)),
        ("author", " and ".join(names)),
        ("year", str(year) if year else ""),
        ("eprint", re.sub(r"v\d+$", "", arxiv_id)),
        ("archivePrefix", "arXiv"),
        ("url", abs_url(arxiv_id)),
    ]
    body = ",\n".join(f"  {name} = {{{value}}}" for name, value in fields if value)
    return f"@misc{{{key},\n{body}\n}}"
