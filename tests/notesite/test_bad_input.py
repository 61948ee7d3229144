"""Inputs that once made a 500: each is now a 404 or a 400 that says what is wrong."""

import json

import pytest

from annotations import passages
from annotations.models import Annotation


@pytest.fixture
def note(make_note, topic, paper):
    return make_note(title="注意力", slug="attention", topic=topic, paper=paper, tags=["rl"])


@pytest.mark.parametrize(
    "url",
    [
        "/?page=²",
        "/?page=١٢",
        "/topics/深度学习/?page=²",
        "/search/?q=注意力&page=²",
    ],
)
def test_a_page_number_that_is_no_number_is_not_found(client, note, url):
    """`²` is a digit to str.isdigit() but no number to int()."""
    assert client.get(url).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/notes/%00/",
        "/notes/att%00ention/",
        "/tags/%00/",
        "/tags/%00/feed/rss/",
        "/topics/%00/",
        "/topics/%00/feed/atom/",
        "/papers/%00/",
        "/papers/%00.bib",
        "/notes/%00/annotations/",
        "/notes/%00/annotations.jsonld",
        "/notes/%00/comments/",
        "/%00/",
    ],
)
def test_a_nul_in_the_address_is_a_bad_request(client, note, url):
    """PostgreSQL refuses NUL in text: the request is refused before any query."""
    response = client.get(url)
    assert response.status_code == 400
    assert "网址里有无法处理的字符" in response.content.decode()


@pytest.mark.parametrize(
    "url",
    ["/9999/", "/9999/12/", "/9999/12/31/", "/0001/01/01/", "/0/", "/1/01/", "/12345/"],
)
def test_dates_at_the_ends_of_the_calendar_are_not_found(client, note, url):
    """A year whose next or previous day Python cannot count is no archive page."""
    assert client.get(url).status_code == 404


@pytest.fixture
def reader_client(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    return client


def post_json(client, url, body, method="post"):
    return getattr(client, method)(url, body, content_type="application/json")


def test_an_annotation_body_with_nul_is_refused_by_name(reader_client, note):
    text = passages.note_text(note)
    data = {"exact": text[:2], "start": 0, "end": 2, "body": "批注\u0000"}
    response = post_json(reader_client, "/notes/attention/annotations/", json.dumps(data))
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["body"]
    assert not Annotation.objects.exists()


def test_json_nested_too_deep_is_a_bad_request(reader_client, note):
    deep = "[" * 50_000 + "]" * 50_000
    response = post_json(reader_client, "/notes/attention/annotations/", deep)
    assert response.status_code == 400
    assert response.json()["error"] == "请求不是有效的 JSON 对象。"


DEEP_TEXTS = {
    "list markers": "- " * 1500,
    "brackets": "[" * 1500 + "]" * 1500,
    "quotes": "> " * 1499 + "深",
    "emphasis": "*a " * 1000,
}


@pytest.mark.parametrize("text", DEEP_TEXTS.values(), ids=DEEP_TEXTS.keys())
def test_a_reader_text_nested_deep_is_rendered(reader_client, note, text):
    """Markdown nesting past markdown-it's limit renders as text instead of recursing: the
    comment and the annotation are stored (it took RecursionError before)."""
    from annotations.comments import render_comment
    from annotations.models import Comment
    from tests.annotations.conftest import form_data

    assert render_comment(text)
    response = reader_client.post("/notes/attention/comments/", form_data(note, body=text))
    assert response.status_code == 302
    assert Comment.objects.get().body_html
    passage = passages.note_text(note)[:2]
    data = {"exact": passage, "start": 0, "end": 2, "body": text[:3000]}
    response = post_json(reader_client, "/notes/attention/annotations/", json.dumps(data))
    assert response.status_code == 201
