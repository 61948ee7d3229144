"""Head tags for link previews, JSON-LD, BibTeX downloads and "cite this note"."""

import json
import re
from datetime import date
from urllib.parse import quote

import pytest
from django.utils import timezone

from papers.models import Note, Paper
from tests.papers.helpers import html

DRAFT = Note.Status.DRAFT


def meta(page, attribute, name):
    """The content of <meta {attribute}="{name}" content="...">."""
    match = re.search(rf'<meta {attribute}="{re.escape(name)}" content="([^"]*)">', page)
    return match and match.group(1)


def head_tags(page):
    return {
        "title": re.search(r"<title>(.*?)</title>", page).group(1),
        "description": meta(page, "name", "description"),
        "canonical": re.search(r'<link rel="canonical" href="([^"]*)">', page).group(1),
        "og:type": meta(page, "property", "og:type"),
        "og:url": meta(page, "property", "og:url"),
        "og:title": meta(page, "property", "og:title"),
        "og:description": meta(page, "property", "og:description"),
        "og:site_name": meta(page, "property", "og:site_name"),
        "twitter:card": meta(page, "name", "twitter:card"),
    }


def json_ld(page):
    [data] = re.findall(r'<script type="application/ld\+json">(.*?)</script>', page, re.DOTALL)
    return json.loads(data)


@pytest.fixture
def note(make_note, topic, paper):
    paper.published_on = date(2023, 8, 4)
    paper.save()
    return make_note(
        title="ESRL 笔记",
        slug="esrl",
        topic=topic,
        paper=paper,
        summary="采样式强化学习。",
        body="正文。",
        tags=["RL", "采样"],
    )


# --- head tags ------------------------------------------------------------------------------


def test_home_head_tags(client, note):
    """/ has the site title and description, its canonical URL, OpenGraph and Twitter tags."""
    assert head_tags(html(client.get("/"))) == {
        "title": "notesite",
        "description": "深度学习论文的阅读笔记:个人总结、摘要、公式与代码。",
        "canonical": "http://testserver/",
        "og:type": "website",
        "og:url": "http://testserver/",
        "og:title": "notesite",
        "og:description": "深度学习论文的阅读笔记:个人总结、摘要、公式与代码。",
        "og:site_name": "notesite",
        "twitter:card": "summary",
    }


def test_note_head_tags(client, note):
    """A note page: its title, excerpt as description, article type and times."""
    page = html(client.get("/notes/esrl/"))
    assert head_tags(page) == {
        "title": "ESRL 笔记 · notesite",
        "description": "采样式强化学习。 正文。",
        "canonical": "http://testserver/notes/esrl/",
        "og:type": "article",
        "og:url": "http://testserver/notes/esrl/",
        "og:title": "ESRL 笔记",
        "og:description": "采样式强化学习。 正文。",
        "og:site_name": "notesite",
        "twitter:card": "summary",
    }
    published = timezone.localtime(note.published_at).replace(microsecond=0).isoformat()
    assert meta(page, "property", "article:published_time") == published  # whole seconds
    assert meta(page, "property", "article:section") == "深度学习"
    assert re.findall(r'<meta property="article:tag" content="([^"]*)">', page) == ["RL", "采样"]


def test_topic_head_tags(client, note, topic):
    """A topic page is titled by the topic, with its canonical URL."""
    url = f"http://testserver/topics/{quote('深度学习')}/"
    tags = head_tags(html(client.get(f"/topics/{quote('深度学习')}/")))
    assert tags["title"] == "深度学习 · notesite"
    assert tags["og:title"] == "深度学习 · notesite"
    assert tags["canonical"] == tags["og:url"] == url
    assert tags["og:type"] == "website"


@pytest.mark.parametrize(
    "query, canonical",
    [
        ("?utm_source=x&fbclid=y", "http://testserver/"),
        ("?page=1", "http://testserver/"),
        ("?page=2&utm_source=x", "http://testserver/?page=2"),
    ],
)
def test_canonical_drops_tracking_and_keeps_later_pages(client, make_note, query, canonical):
    """Canonical URLs drop other parameters but keep ?page=N after the first page."""
    for day in range(1, 14):
        make_note(days_ago=day)
    assert head_tags(html(client.get("/" + query)))["canonical"] == canonical


def test_search_canonical_keeps_the_query(client, note):
    """On the search page the canonical URL keeps q."""
    page = html(client.get("/search/", {"q": "ESRL", "utm_source": "x"}))
    assert head_tags(page)["canonical"] == "http://testserver/search/?q=ESRL"


def test_head_tag_values_are_escaped(client, make_note):
    """Quotes and markup in a title cannot break out of an attribute."""
    make_note(title='"><script>alert(1)</script>', slug="xss")
    page = html(client.get("/notes/xss/"))
    assert meta(page, "property", "og:title") == "&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"
    assert "<script>alert" not in page


# --- JSON-LD --------------------------------------------------------------------------------


def test_note_json_ld_is_a_blog_posting_citing_the_paper(client, note):
    """The note page has BlogPosting JSON-LD whose citation is the paper as ScholarlyArticle."""
    data = json_ld(html(client.get("/notes/esrl/")))
    assert data["@context"] == "https://schema.org"
    assert data["@type"] == "BlogPosting"
    assert data["headline"] == "ESRL 笔记"
    assert data["url"] == "http://testserver/notes/esrl/"
    assert data["datePublished"] == timezone.localtime(note.published_at).isoformat()
    assert data["author"] == {"@type": "Person", "name": "notesite"}
    assert data["keywords"] == ["RL", "采样"]
    assert data["articleSection"] == "深度学习"
    assert data["citation"] == {
        "@type": "ScholarlyArticle",
        "name": note.paper.title,
        "headline": note.paper.title,
        "url": "https://arxiv.org/abs/2308.02223",
        "identifier": "arXiv:2308.02223",
        "author": [
            {"@type": "Person", "name": "Chenglong Wang"},
            {"@type": "Person", "name": "Hang Zhou"},
            {"@type": "Person", "name": "Yimin Hu"},
        ],
        "datePublished": "2023-08-04",
    }


def test_json_ld_cannot_close_its_script_element(client, make_note):
    """<, > and & in the data are \\u-escaped inside the JSON-LD element."""
    make_note(title="</script><script>alert(1)</script> & co", slug="xss")
    page = html(client.get("/notes/xss/"))
    raw = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S).group(1)
    assert "\\u003C/script\\u003E" in raw
    assert "\\u0026 co" in raw
    assert json_ld(page)["headline"] == "</script><script>alert(1)</script> & co"


def test_no_inline_executable_script(client, note):
    """Every <script> on a note page loads a file or is JSON-LD data."""
    page = html(client.get("/notes/esrl/"))
    for tag in re.findall(r"<script[^>]*>", page):
        assert " src=" in tag or 'type="application/ld+json"' in tag, tag


# --- BibTeX and citations -------------------------------------------------------------------


def test_paper_bibtex_download(client, note):
    """/papers/<id>.bib is the paper's BibTeX as an attachment named after the id."""
    response = client.get("/papers/2308.02223.bib")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/x-bibtex; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="2308.02223.bib"'
    assert response.content.decode() == note.paper.bibtex + "\n"
    assert response.content.decode().startswith("@misc{wang2023esrl,\n")


def test_old_style_id_bibtex_download(client, make_note):
    """An id with a slash downloads under a file name without it."""
    paper = Paper.objects.create(arxiv_id="hep-th/9901001", title="Strings", authors="A B")
    make_note(paper=paper)
    response = client.get("/papers/hep-th/9901001.bib")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="hep-th_9901001.bib"'


@pytest.mark.parametrize("arxiv_id", ["2401.00001", "2401.00002", "9999.99999", "not-an-id"])
def test_bibtex_of_hidden_or_unknown_paper_is_404(client, make_note, arxiv_id):
    """Papers whose notes are all drafts, and unknown ids, have no .bib."""
    make_note(paper=Paper.objects.create(arxiv_id="2401.00001", title="H"), status=DRAFT)
    assert client.get(f"/papers/{arxiv_id}.bib").status_code == 404


def test_paper_card_links_the_bib_download(client, note):
    """The paper card offers the .bib download."""
    page = html(client.get("/notes/esrl/"))
    assert '<a class="button" href="/papers/2308.02223.bib" download>下载 .bib</a>' in page


def test_cite_this_note(client, note, settings):
    """The note page offers a BibTeX @online entry and a reference line, with copy buttons."""
    settings.SITE_AUTHOR = "Zhang San"
    page = html(client.get("/notes/esrl/"))
    details = re.search(r'<details class="note__cite">.*?</details>', page, re.S).group(0)
    day = timezone.localtime(note.published_at).date()
    assert "<summary>引用这篇笔记</summary>" in details
    assert (
        f"Zhang San. ESRL 笔记[EB/OL]. ({day.isoformat()}). http://testserver/notes/esrl/."
        in details
    )
    assert f"@online{{zhangsan{day.year}note{note.pk}," in details
    assert "  author = {{Zhang San}}," in details
    assert "  url = {http://testserver/notes/esrl/}," in details
    assert "  note = {Notes on arXiv:2308.02223}" in details
    assert 'data-copy="cite-text"' in details and 'data-copy="cite-bibtex"' in details


def test_dark_code_palette_is_linked_for_dark_screens(client, note):
    """The note page links the dark Pygments palette for dark screens only."""
    page = html(client.get("/notes/esrl/"))
    assert (
        '<link rel="stylesheet" href="/static/css/highlight-dark.css"'
        ' media="screen and (prefers-color-scheme: dark)">'
    ) in page
