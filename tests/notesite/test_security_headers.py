"""Every page works under a Content-Security-Policy without inline script."""

from html.parser import HTMLParser

import pytest

from papers.models import Note, Paper
from topics.models import Topic

DIRECTIVES = {
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "style-src-attr 'unsafe-inline'",
    "img-src 'self' data: https:",
    "font-src 'self'",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
}


class ScriptFinder(HTMLParser):
    """Collects inline <script> elements that would run and on*= event-handler attributes."""

    def __init__(self):
        super().__init__()
        self.inline_scripts = []
        self.handlers = []
        self.json_ld = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        self.handlers += [f"<{tag} {name}=...>" for name, _ in attrs if name.startswith("on")]
        if tag != "script":
            return
        if attributes.get("type") == "application/ld+json":
            self.json_ld += 1
        elif not attributes.get("src"):
            self.inline_scripts.append(attrs)


@pytest.fixture
def note(db):
    topic = Topic.objects.create(name="深度学习", slug="deep-learning", position=1)
    paper = Paper.objects.create(arxiv_id="1706.03762", title="Attention", authors="A. Vaswani")
    return Note.objects.create(
        title="注意力",
        slug="attention",
        topic=topic,
        paper=paper,
        status=Note.Status.PUBLISHED,
        body="公式 $x^2$ 与代码:\n\n```python\nprint(1)\n```\n",
    )


PAGES = {
    "index": "/",
    "note": "/notes/attention/",
    "search": "/search/?q=注意力",
    "topic": "/topics/deep-learning/",
    "paper": "/papers/1706.03762/",
    "archive": "/archive/",
    "login": "/accounts/login/",
    "signup": "/accounts/signup/",
}


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_pages_have_no_inline_script_or_event_handlers(client, note, url):
    """No <script> without src except JSON-LD data, and no on*= attribute."""
    response = client.get(url)
    assert response.status_code == 200
    finder = ScriptFinder()
    finder.feed(response.content.decode())
    assert finder.inline_scripts == []
    assert finder.handlers == []


def test_note_page_json_ld_is_data(client, note):
    """The note page's only script element without src is its JSON-LD."""
    finder = ScriptFinder()
    finder.feed(client.get("/notes/attention/").content.decode())
    assert finder.json_ld == 1


@pytest.mark.parametrize("url", PAGES.values(), ids=PAGES.keys())
def test_pages_send_the_content_security_policy(client, note, url):
    """Every page sends the whole policy, plus nosniff, the referrer policy and DENY framing."""
    response = client.get(url)
    assert set(response["Content-Security-Policy"].split("; ")) == DIRECTIVES
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"


def test_error_responses_send_the_policy_too(client, db):
    """A 404 carries the policy as well."""
    response = client.get("/notes/missing/")
    assert response.status_code == 404
    assert "script-src 'self'" in response["Content-Security-Policy"]


def test_policy_comes_from_settings(client, db, settings):
    """CONTENT_SECURITY_POLICY can be overridden; an empty one sends no header."""
    settings.CONTENT_SECURITY_POLICY = {"default-src": ["'none'"]}
    assert client.get("/accounts/login/")["Content-Security-Policy"] == "default-src 'none'"
    settings.CONTENT_SECURITY_POLICY = {}
    assert "Content-Security-Policy" not in client.get("/accounts/login/")
