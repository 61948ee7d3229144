"""The arXiv API: a paper's title, authors, abstract and date, for the admin's "从 arXiv 填写".

One GET of `settings.ARXIV_API_URL?id_list=<id>` with a short timeout, read as Atom. Whatever
goes wrong (a bad id, no such paper, arXiv slow, down or unreachable, a reply that is not the
expected feed) is an ArxivLookupError whose text the admin shows as it is.
"""

import urllib.error
import urllib.parse
import urllib.request
import xml.etree.ElementTree as ET
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError

from . import arxiv

ATOM = "{http://www.w3.org/2005/Atom}"
# The author waits for the button: longer than arXiv takes on a good day (under 2 s), short
# enough to give up while they still look at the form.
TIMEOUT_SECONDS = 8
MAX_REPLY_BYTES = 1_000_000  # one entry is a few kB


class ArxivLookupError(Exception):
    """Why a paper's fields could not be had from arXiv, in words for the author; `status` is
    the HTTP status the admin answers with."""

    def __init__(self, message, status=502):
        super().__init__(message)
        self.status = status


def lookup(value):
    """The fields of the paper `value` names (an id, `arXiv:` id or abs / PDF URL): a dict of
    `arxiv_id` (as arXiv names its latest version), `title`, `authors`, `abstract` and
    `published_on` (the first version's date). Raises ArxivLookupError."""
    if not str(value).strip():
        raise ArxivLookupError("请先填写 arXiv 编号或链接。", status=400)
    try:
        arxiv_id = arxiv.parse_arxiv_id(value)
    except ValidationError as error:
        raise ArxivLookupError(error.messages[0], status=400) from None
    return read_entry(fetch_atom(arxiv_id), arxiv_id)


def fetch_atom(arxiv_id):
    """The API's reply for `arxiv_id`, as bytes (tests replace this function)."""
    url = f"{settings.ARXIV_API_URL}?{urllib.parse.urlencode({'id_list': arxiv_id})}"
    request = urllib.request.Request(url, headers={"User-Agent": "notesite (arXiv fill)"})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            return response.read(MAX_REPLY_BYTES)
    except urllib.error.HTTPError as error:
        raise ArxivLookupError(f"arXiv 接口出错(HTTP {error.code}),请稍后再试。") from None
    except (TimeoutError, urllib.error.URLError, OSError) as error:
        # urlopen wraps a timeout while connecting in URLError; one while reading is bare.
        if isinstance(getattr(error, "reason", error), TimeoutError):
            message = f"arXiv 在 {TIMEOUT_SECONDS} 秒内没有回应,请稍后再试。"
        else:
            message = "连不上 arXiv(网络不通或域名无法解析),请检查网络后再试。"
        raise ArxivLookupError(message, status=504) from None


def read_entry(atom, arxiv_id):
    """The fields of the one entry in the Atom feed `atom` (bytes) for `arxiv_id`."""
    malformed = ArxivLookupError("arXiv 的回复无法读取(不是预期的 Atom 格式),请稍后再试。")
    try:
        # ElementTree fetches no external entities; expat (2.5 here) caps entity expansion.
        feed = ET.fromstring(atom)
    except ET.ParseError:
        raise malformed from None
    if feed.tag != f"{ATOM}feed":
        raise malformed
    entry = feed.find(f"{ATOM}entry")
    not_found = ArxivLookupError(f"arXiv 上没有编号为 {arxiv_id} 的论文。", status=404)
    if entry is None:
        raise not_found
    entry_id = text_of(entry, "id")
    if "/api/errors" in entry_id:  # how the API refuses an id: an entry describing the error
        refusal = text_of(entry, "summary")
        raise ArxivLookupError(f"arXiv 不接受编号 {arxiv_id}:{refusal}。", status=400)
    if not text_of(entry, "title"):  # how it answers a well-formed id no paper has
        raise not_found
    try:
        latest_id = arxiv.parse_arxiv_id(entry_id)
        published_on = date.fromisoformat(text_of(entry, "published")[:10])
    except (ValidationError, ValueError):
        raise malformed from None
    return {
        "arxiv_id": latest_id,
        "title": text_of(entry, "title"),
        "authors": ", ".join(text_of(author, "name") for author in entry.iter(f"{ATOM}author")),
        "abstract": text_of(entry, "summary"),
        "published_on": published_on,
    }


def text_of(element, name):
    """The text of `element`'s child `name`, its line breaks and runs of spaces made one space
    (arXiv wraps titles and abstracts at about 80 columns)."""
    return " ".join((element.findtext(f"{ATOM}{name}") or "").split())
