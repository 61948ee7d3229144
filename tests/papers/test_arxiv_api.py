"""papers.arxiv_api and the admin's "从 arXiv 填写" view, on recorded replies, never the network."""

import socket
import urllib.error
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

from papers import arxiv_api

ENTRY = (Path(__file__).parent / "data" / "arxiv_entry.atom").read_bytes()
FEED = '<feed xmlns="http://www.w3.org/2005/Atom">{}</feed>'
FIELDS = {
    "arxiv_id": "2401.01234v2",
    "title": "Routing Tokens Sparsely: Long-Context Attention at Linear Cost",
    "authors": "Lin Qiao, Maria Okafor, Kenji Watanabe",
    "abstract": (
        r"We route each query token to $k \ll n$ key blocks chosen by a learned score, so"
        r" attention over a context of $n$ tokens costs $O(nk)$ rather than $O(n^2)$. On"
        " long-document benchmarks the routed model matches dense attention & uses a quarter"
        " of the memory."
    ),
    "published_on": date(2024, 1, 3),
}
FILL_URL = "/admin/papers/paper/arxiv-fields/"


@pytest.fixture
def arxiv_replies(monkeypatch):
    """fetch_atom answering an id with `.replies[id]` (bytes, or an exception it raises); the
    ids it was asked for are in `.asked`."""
    recorded = SimpleNamespace(replies={}, asked=[])

    def fetch(arxiv_id):
        recorded.asked.append(arxiv_id)
        reply = recorded.replies[arxiv_id]
        if isinstance(reply, Exception):
            raise reply
        return reply

    monkeypatch.setattr(arxiv_api, "fetch_atom", fetch)
    return recorded


def lookup_error(value):
    with pytest.raises(arxiv_api.ArxivLookupError) as excinfo:
        arxiv_api.lookup(value)
    return str(excinfo.value), excinfo.value.status


def test_lookup_reads_a_recorded_entry(arxiv_replies):
    """A pasted abs URL asks arXiv for its id; the entry's title and abstract lose arXiv's line
    wrapping, the authors are joined by commas, the date is the first version's."""
    arxiv_replies.replies["2401.01234"] = ENTRY
    assert arxiv_api.lookup("https://arxiv.org/abs/2401.01234") == FIELDS
    assert arxiv_replies.asked == ["2401.01234"]


def test_lookup_of_a_bad_id_asks_nobody(arxiv_replies):
    """An id that is no arXiv id is refused with the parser's reason, before any request."""
    assert lookup_error("2305.1829") == (
        "“2305.1829” 不是 arXiv 编号:2015 年起的编号在点后有 5 位数字,这里有 4 位。",
        400,
    )
    assert lookup_error("  ") == ("请先填写 arXiv 编号或链接。", 400)
    assert arxiv_replies.asked == []


@pytest.mark.parametrize(
    "reply",
    [
        FEED.format("").encode(),  # no entry
        FEED.format("<entry><id>http://arxiv.org/abs/2401.99999</id><title/></entry>").encode(),
    ],
)
def test_lookup_of_an_unknown_paper_says_so(arxiv_replies, reply):
    """A feed without an entry, or with an empty one, is a paper arXiv does not have."""
    arxiv_replies.replies["2401.99999"] = reply
    assert lookup_error("2401.99999") == ("arXiv 上没有编号为 2401.99999 的论文。", 404)


def test_lookup_relays_the_api_refusal(arxiv_replies):
    """The API's error entry is shown with its own words."""
    arxiv_replies.replies["2401.01234"] = FEED.format(
        "<entry><id>http://arxiv.org/api/errors#incorrect_id_format_for_2401.01234</id>"
        "<title>Error</title><summary>incorrect id format for 2401.01234</summary></entry>"
    ).encode()
    assert lookup_error("2401.01234") == (
        "arXiv 不接受编号 2401.01234:incorrect id format for 2401.01234。",
        400,
    )


@pytest.mark.parametrize(
    "reply",
    [
        b"<html><body>Service Unavailable</body></html>",
        b"<feed xmlns='http://www.w3.org/2005/Atom'><entry>",
        ENTRY.replace(b"2024-01-03T18:40:11Z", b"yesterday"),
        ENTRY.replace(b"http://arxiv.org/abs/2401.01234v2", b"not an id"),
    ],
)
def test_lookup_of_a_malformed_reply_says_so(arxiv_replies, reply):
    """A reply that is not the expected feed is an error, never a crash."""
    arxiv_replies.replies["2401.01234"] = reply
    assert lookup_error("2401.01234") == (
        "arXiv 的回复无法读取(不是预期的 Atom 格式),请稍后再试。",
        502,
    )


@pytest.mark.parametrize(
    ("failure", "message"),
    [
        (
            urllib.error.URLError(socket.gaierror(-3, "Temporary failure in name resolution")),
            "连不上 arXiv(网络不通或域名无法解析),请检查网络后再试。",
        ),
        (ConnectionRefusedError(111, "Connection refused"), "连不上 arXiv"),
        (urllib.error.URLError(TimeoutError("timed out")), "arXiv 在 8 秒内没有回应"),
        (TimeoutError("The read operation timed out"), "arXiv 在 8 秒内没有回应"),
        (urllib.error.HTTPError("u", 503, "Unavailable", {}, None), "arXiv 接口出错(HTTP 503)"),
    ],
)
def test_fetch_failures_are_said_in_words(monkeypatch, failure, message):
    """Offline, refused, timed out or an HTTP error: an ArxivLookupError saying which."""

    def urlopen(request, timeout):
        assert timeout == arxiv_api.TIMEOUT_SECONDS
        raise failure

    monkeypatch.setattr(arxiv_api.urllib.request, "urlopen", urlopen)
    with pytest.raises(arxiv_api.ArxivLookupError) as excinfo:
        arxiv_api.fetch_atom("2401.01234")
    assert str(excinfo.value).startswith(message)


def test_fetch_asks_the_configured_api_for_the_id(monkeypatch, settings):
    """The request goes to ARXIV_API_URL with the id in id_list."""
    settings.ARXIV_API_URL = "http://arxiv.test/api/query"
    asked = []

    class Reply:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def read(self, limit):
            return ENTRY

    def urlopen(request, timeout):
        asked.append(request.full_url)
        return Reply()

    monkeypatch.setattr(arxiv_api.urllib.request, "urlopen", urlopen)
    assert arxiv_api.fetch_atom("math.GT/0309136") == ENTRY
    assert asked == ["http://arxiv.test/api/query?id_list=math.GT%2F0309136"]


# --- the admin view ----------------------------------------------------------------------------


def test_admin_view_answers_the_fields_as_json(admin_client, arxiv_replies):
    """A staff member who may add papers gets the fields, the date as YYYY-MM-DD."""
    arxiv_replies.replies["2401.01234v2"] = ENTRY
    response = admin_client.get(FILL_URL, {"id": "arXiv:2401.01234v2"})
    assert response.status_code == 200
    assert response.json() == {"fields": {**FIELDS, "published_on": "2024-01-03"}}


def test_admin_view_says_when_arxiv_is_unreachable(admin_client, arxiv_replies):
    """Offline, the view answers 504 with the reason in words."""
    arxiv_replies.replies["2401.01234"] = arxiv_api.ArxivLookupError(
        "连不上 arXiv(网络不通或域名无法解析),请检查网络后再试。", status=504
    )
    response = admin_client.get(FILL_URL, {"id": "2401.01234"})
    assert response.status_code == 504
    assert response.json() == {"error": "连不上 arXiv(网络不通或域名无法解析),请检查网络后再试。"}


def test_admin_view_refuses_readers(reader_client, client, arxiv_replies):
    """Readers and visitors are sent to the admin login; arXiv is never asked."""
    for someone in (reader_client, client):
        response = someone.get(FILL_URL, {"id": "2401.01234"})
        assert response.status_code == 302
        assert response["Location"].startswith("/admin/login/")
    assert arxiv_replies.asked == []


def test_admin_view_refuses_staff_who_may_not_edit_papers(staff_client, arxiv_replies):
    """Staff without the add or change permission on papers get a 403."""
    assert staff_client.get(FILL_URL, {"id": "2401.01234"}).status_code == 403
    assert arxiv_replies.asked == []


def test_admin_view_answers_get_only(admin_client, arxiv_replies):
    """It changes nothing, so it takes GET; a POST is a 405."""
    assert admin_client.post(FILL_URL, {"id": "2401.01234"}).status_code == 405


def test_paper_form_names_the_view_and_loads_the_module(admin_client):
    """The id field carries the view's address; the script is an ES module, not inline."""
    page = admin_client.get("/admin/papers/paper/add/").content.decode()
    assert f'data-arxiv-fields="{FILL_URL}"' in page
    assert '<script src="/static/js/arxiv-fill.js" type="module"></script>' in page
