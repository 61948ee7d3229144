"""sitemap.xml and robots.txt: only public URLs, each with a lastmod, each answering 200."""

from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import pytest
from django.utils import timezone

from papers.models import Note, Paper
from tests.papers.helpers import shanghai
from topics.models import Topic

NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}
DRAFT = Note.Status.DRAFT


def sitemap(client):
    """(path, lastmod) of every <url>, parsed as XML."""
    response = client.get("/sitemap.xml")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/xml"
    root = ElementTree.fromstring(response.content)
    return [
        (url.findtext("s:loc", namespaces=NS), url.findtext("s:lastmod", namespaces=NS))
        for url in root.findall("s:url", NS)
    ]


def paths(client):
    locations = [loc for loc, _ in sitemap(client)]
    assert all(loc.startswith("http://testserver/") for loc in locations)
    return [unquote(urlsplit(loc).path) for loc in locations]


@pytest.fixture
def site(make_note, topic, paper):
    """Published notes with topic, paper and tags; drafts and future notes with their own."""
    make_note(
        title="公开",
        slug="public",
        topic=topic,
        paper=paper,
        tags=["Transformer"],
        published_at=shanghai(2024, 11, 5, 9, 0),
    )
    make_note(title="较早", slug="older", published_at=shanghai(2023, 2, 1, 9, 0))
    hidden_topic = Topic.objects.create(name="只有草稿", slug="drafts-only")
    hidden_paper = Paper.objects.create(arxiv_id="2401.00001", title="Hidden")
    make_note(
        title="草稿",
        slug="draft",
        status=DRAFT,
        topic=hidden_topic,
        paper=hidden_paper,
        tags=["secret"],
    )
    make_note(title="未来", slug="future", days_ago=-3, tags=["secret"], paper=hidden_paper)


def test_sitemap_lists_public_pages_of_every_kind(client, site):
    """Notes, topics, tags, papers, archive years and months and the listing pages."""
    assert sorted(paths(client)) == sorted(
        [
            "/",
            "/topics/",
            "/papers/",
            "/archive/",
            "/tags/",
            "/notes/public/",
            "/notes/older/",
            "/topics/深度学习/",
            "/tags/transformer/",
            "/papers/2308.02223/",
            "/2024/11/",
            "/2023/02/",
            "/2024/",
            "/2023/",
        ]
    )


def test_every_sitemap_url_answers_200(client, site):
    """Each listed URL is a public page."""
    for path in paths(client):
        assert client.get(path).status_code == 200, path


def test_sitemap_never_lists_drafts_or_future_notes_or_what_only_they_use(client, site):
    """No draft, future note, or topic / tag / paper only they use."""
    listed = " ".join(paths(client))
    for hidden in ["draft", "future", "drafts-only", "secret", "2401.00001"]:
        assert hidden not in listed


def test_every_url_has_a_lastmod(client, site):
    """Each entry has a lastmod; a note's is its last change."""
    entries = dict(sitemap(client))
    assert all(entries.values())
    note = Note.objects.get(slug="public")
    assert (
        entries["http://testserver/notes/public/"]
        == timezone.localtime(note.updated_at).date().isoformat()
    )


def test_empty_site_sitemap_is_valid(client, db):
    """Without notes the sitemap still parses and lists the listing pages."""
    assert sorted(paths(client)) == ["/", "/archive/", "/papers/", "/tags/", "/topics/"]


def test_robots_txt_points_to_the_sitemap(client, db):
    """robots.txt is plain text, keeps crawlers out of admin and search, names the sitemap."""
    response = client.get("/robots.txt")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    text = response.content.decode()
    assert "Disallow: /admin/" in text
    assert "Disallow: /search/" in text
    assert "Sitemap: http://testserver/sitemap.xml" in text.splitlines()
