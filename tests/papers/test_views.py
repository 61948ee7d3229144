"""Reader pages: listings, archives, paper and note pages, drafts and future notes."""

import re
import time
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from urllib.parse import quote

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from papers.caching import versions
from papers.models import Note, Paper
from tests.papers.helpers import card_titles, cards, html, listed_titles, shanghai
from topics.models import Topic

DRAFT = Note.Status.DRAFT


def heading(response):
    match = re.search(r'<h1 class="listing__heading[^"]*">([^<]*)</h1>', html(response))
    return match and match.group(1)


# --- / ---------------------------------------------------------------------------------------


@pytest.fixture
def fourteen_notes(make_note, topic):
    """Fourteen published notes, "N01" newest ... "N14" oldest."""
    return [make_note(title=f"N{d:02d}", days_ago=d, topic=topic) for d in range(1, 15)]


def test_index_heading(client, db):
    """The front page is headed LATEST UPDATES."""
    response = client.get("/")
    assert response.status_code == 200
    assert heading(response) == "LATEST UPDATES"


def test_index_without_notes_says_so(client, db):
    """An empty site shows the empty-listing message and no pagination."""
    response = client.get("/")
    assert "还没有笔记。" in html(response)
    assert 'class="pagination"' not in html(response)


def test_index_first_page_has_twelve_newest_first(client, fourteen_notes):
    """Page 1 shows the twelve newest notes, newest first."""
    response = client.get("/")
    assert card_titles(response) == [f"N{d:02d}" for d in range(1, 13)]


def test_index_second_page_has_the_rest(client, fourteen_notes):
    """Page 2 shows the two oldest notes."""
    response = client.get("/?page=2")
    assert response.status_code == 200
    assert card_titles(response) == ["N13", "N14"]


def test_index_pagination_links(client, fourteen_notes):
    """Page 1 marks itself current and links page 2 by number and as next."""
    page = html(client.get("/"))
    assert (
        '<span class="pagination__link pagination__link--current" aria-current="page">1</span>'
    ) in page
    assert '<a class="pagination__link" href="?page=2">2</a>' in page
    assert '<a class="pagination__link" href="?page=2" rel="next">下一页</a>' in page
    assert 'rel="prev"' not in page


def test_index_second_page_links_back(client, fourteen_notes):
    """Page 2 marks itself current and links page 1 by number and as previous."""
    page = html(client.get("/?page=2"))
    assert 'aria-current="page">2</span>' in page
    assert '<a class="pagination__link" href="?page=1">1</a>' in page
    assert '<a class="pagination__link" href="?page=1" rel="prev">上一页</a>' in page
    assert 'rel="next"' not in page


@pytest.mark.parametrize("page", ["abc", "999", "0", "-1"])
def test_index_bad_page_is_404(client, fourteen_notes, page):
    """A page number that is not a page of the listing is a 404."""
    assert client.get(f"/?page={page}").status_code == 404


def test_index_card_shows_date_topic_counters_title_excerpt(client, topic, make_note):
    """A card shows the local date, topic link, read and comment counts, title and excerpt."""
    # 01:30 in Shanghai is still the 24th in UTC: the card must show the local date.
    note = make_note(
        title="注意力笔记",
        slug="注意力笔记",
        topic=topic,
        published_at=shanghai(2024, 11, 25, 1, 30),
        summary="总结一句。",
        body="正文  内容",
        view_count=7,
        comment_count=3,
    )
    (card,) = cards(client.get("/"))
    assert '<time class="meta__date" datetime="2024-11-25T01:30:00+08:00">2024-11-25</time>' in card
    topic_url = f"/topics/{quote('深度学习')}/"
    assert f'<a class="meta__topic" href="{topic_url}">深度学习</a>' in card
    assert re.search(r'title="阅读数">.*?</svg>7</span>', card)
    assert re.search(r'title="评论数">.*?</svg>3</span>', card)
    assert f'<a href="{note.get_absolute_url()}">注意力笔记</a>' in card
    assert '<p class="note-card__excerpt">总结一句。 正文 内容</p>' in card


def test_card_without_topic_has_no_topic_link(client, make_note):
    """A note without a topic gets no topic link on its card."""
    make_note()
    (card,) = cards(client.get("/"))
    assert "meta__topic" not in card


# --- drafts and future notes on every listing (acceptance item 6) ----------------------------


@pytest.fixture
def mixed(frozen_now, topic, paper, make_note):
    """One public note and hidden ones sharing its topic, paper, tag and day (now: 25 Nov 12:00)."""
    shared = {"topic": topic, "paper": paper, "tags": ["共享"]}
    return {
        "public": make_note(
            title="公开笔记PUBLIC", published_at=shanghai(2024, 11, 25, 8), **shared
        ),
        "draft": make_note(
            title="草稿笔记DRAFT", status=DRAFT, published_at=shanghai(2024, 11, 25, 9), **shared
        ),
        "future": make_note(
            title="未来笔记FUTURE", published_at=shanghai(2024, 11, 25, 20), **shared
        ),
        "old_draft": make_note(
            title="十月草稿OLDDRAFT",
            status=DRAFT,
            published_at=shanghai(2024, 10, 3),
            **shared,
        ),
        "later": make_note(title="十二月未来LATER", published_at=shanghai(2024, 12, 3), **shared),
    }


CARD_LISTINGS = {
    "index": "/",
    "topic": f"/topics/{quote('深度学习')}/",
    "tag": f"/tags/{quote('共享')}/",
    "paper": "/papers/2308.02223/",
}
TITLE_LISTINGS = {
    "archive": "/archive/",
    "year": "/2024/",
    "month": "/2024/11/",
    "day": "/2024/11/25/",
}
HIDDEN_TITLES = ["草稿笔记DRAFT", "未来笔记FUTURE", "十月草稿OLDDRAFT", "十二月未来LATER"]


@pytest.mark.parametrize("url", CARD_LISTINGS.values(), ids=CARD_LISTINGS.keys())
def test_listing_never_shows_drafts_or_future_notes(client, mixed, url):
    """Acceptance item 6: a listing shows the public note and never a draft or future one."""
    response = client.get(url)
    assert response.status_code == 200
    assert card_titles(response) == ["公开笔记PUBLIC"]
    for title in HIDDEN_TITLES:
        assert title not in html(response)


@pytest.mark.parametrize("url", TITLE_LISTINGS.values(), ids=TITLE_LISTINGS.keys())
def test_archive_never_shows_drafts_or_future_notes(client, mixed, url):
    """Acceptance item 6: an archive page lists the public note's title, never a hidden one."""
    response = client.get(url)
    assert response.status_code == 200
    assert listed_titles(response) == ["公开笔记PUBLIC"]
    for title in HIDDEN_TITLES:
        assert title not in html(response)


@pytest.fixture
def hidden_and_public(topic, paper, make_note):
    """Real-clock notes on one topic and paper: one public, one draft, one due tomorrow."""
    make_note(title="公开笔记PUBLIC", topic=topic, paper=paper, days_ago=1)
    make_note(title="草稿笔记DRAFT", topic=topic, paper=paper, days_ago=1, status=DRAFT)
    make_note(title="未来笔记FUTURE", topic=topic, paper=paper, days_ago=-1)


def test_topics_index_counts_only_published_notes(client, hidden_and_public):
    """Acceptance item 6: the topics index counts the one public note, not drafts or future."""
    page = html(client.get("/topics/"))
    assert re.search(r'>深度学习</a>\s*<span class="index-list__count">1 篇</span>', page)


def test_papers_index_counts_only_published_notes(client, hidden_and_public):
    """Acceptance item 6: the papers index counts the one public note, not drafts or future."""
    assert "<span>1 篇笔记</span>" in html(client.get("/papers/"))


def test_papers_index_hides_papers_with_only_hidden_notes(client, hidden_and_public, make_note):
    """Acceptance item 6: a paper with only draft/future notes is not in the papers index."""
    hidden = Paper.objects.create(arxiv_id="2401.00001", title="HiddenPaper")
    make_note(paper=hidden, status=DRAFT)
    make_note(paper=hidden, days_ago=-1)
    page = html(client.get("/papers/"))
    assert "ESRL" in page
    assert "HiddenPaper" not in page
    assert "2401.00001" not in page


def test_listings_of_hidden_notes_on_real_clock(client, hidden_and_public):
    """Acceptance item 6: on the real clock too, / and the topic page show only the public note."""
    for url in ("/", f"/topics/{quote('深度学习')}/", "/papers/2308.02223/"):
        assert card_titles(client.get(url)) == ["公开笔记PUBLIC"], url


@pytest.fixture
def scheduled_note_now_due(client, topic, paper, make_note, monkeypatch):
    """A note scheduled for tomorrow, pages served, then the clock moved two days on."""
    note = make_note(title="定时笔记", topic=topic, paper=paper, days_ago=-1)
    # The site is up and serving (URLconf and views loaded) before the note falls due.
    assert client.get("/topics/").status_code == 200
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    return note


def test_scheduled_note_appears_on_index_when_due(client, scheduled_note_now_due):
    """Once its time has come, a scheduled note is listed on / without any restart."""
    assert card_titles(client.get("/")) == ["定时笔记"]


def test_topics_index_counts_scheduled_note_when_due(client, scheduled_note_now_due):
    """Once its time has come, a scheduled note is counted on the topics index."""
    page = html(client.get("/topics/"))
    assert re.search(r'>深度学习</a>\s*<span class="index-list__count">1 篇</span>', page)


def test_papers_index_lists_paper_of_scheduled_note_when_due(client, scheduled_note_now_due):
    """Once its time has come, a scheduled note's paper is listed on the papers index."""
    assert "<span>1 篇笔记</span>" in html(client.get("/papers/"))


def test_archive_index_counts_only_published_notes(client, mixed):
    """Acceptance item 6: the archive counts 1 note in 2024-11 and lists no draft/future month."""
    page = html(client.get("/archive/"))
    assert month_headings(page) == [("/2024/11/", "2024 年 11 月", "1")]
    assert "/2024/10/" not in page
    assert "/2024/12/" not in page


@pytest.mark.parametrize("url", ["/2024/", "/2024/11/"])
def test_date_archives_link_no_month_of_hidden_notes(client, mixed, url):
    """Acceptance item 6: year and month pages link no month that has only hidden notes."""
    page = html(client.get(url))
    assert "/2024/10/" not in page
    assert "/2024/12/" not in page


@pytest.mark.parametrize("url", ["/2024/10/", "/2024/10/03/", "/2024/12/", "/2024/12/03/"])
def test_date_archive_of_only_hidden_notes_is_404(client, mixed, url):
    """Acceptance item 6: a month or day holding only a draft or a future note is a 404."""
    assert client.get(url).status_code == 404


# --- topics ---------------------------------------------------------------------------------


def test_topic_page_lists_its_notes_only(client, topic, make_note):
    """A topic page is headed by the topic, shows its description and only its notes."""
    topic.description = "关于深度学习的笔记。"
    topic.save()
    other = Topic.objects.create(name="工具使用", slug="tools")
    make_note(title="mine", topic=topic)
    make_note(title="theirs", topic=other)
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assert heading(response) == "深度学习"
    assert '<p class="listing__intro">关于深度学习的笔记。</p>' in html(response)
    assert card_titles(response) == ["mine"]


def test_topic_page_accepts_unencoded_cjk_slug(client, topic, make_note):
    """The topic page answers at its raw Chinese path too."""
    make_note(title="mine", topic=topic)
    assert card_titles(client.get("/topics/深度学习/")) == ["mine"]


def test_unknown_topic_is_404(client, db):
    """A topic slug that does not exist is a 404."""
    assert client.get("/topics/nope/").status_code == 404


@pytest.fixture
def three_topics(topic, make_note):
    """Topics created out of position order: 深度学习 (1), 工具使用 (0), DL论文 (2)."""
    tools = Topic.objects.create(name="工具使用", slug="tools", position=0)
    Topic.objects.create(name="DL论文", slug="dl", position=2)
    make_note(topic=topic)
    make_note(topic=topic)
    make_note(topic=topic, status=DRAFT)
    make_note(topic=topic, days_ago=-1)
    make_note(topic=tools)


TOPIC_ROW = re.compile(
    r'<a href="[^"]*">([^<]*)</a>\s*<span class="index-list__count">(\d+) 篇</span>'
)


def test_topics_index_lists_every_topic_with_count(client, three_topics):
    """The topics index lists every topic, empty ones too, with its published-note count."""
    rows = TOPIC_ROW.findall(html(client.get("/topics/")))
    assert sorted(rows) == sorted([("工具使用", "1"), ("深度学习", "2"), ("DL论文", "0")])


def test_topics_index_in_position_order(client, three_topics):
    """The topics index lists topics by position, then name."""
    response = client.get("/topics/")
    rows = TOPIC_ROW.findall(html(response))
    assert [name for name, _ in rows] == ["工具使用", "深度学习", "DL论文"]


# --- tags -----------------------------------------------------------------------------------


def test_tag_page_lists_tagged_notes(client, make_note):
    """A tag page is headed "# tag" and lists the published notes with that tag."""
    make_note(title="tagged", tags=["注意力"])
    make_note(title="other", tags=["优化"])
    response = client.get(f"/tags/{quote('注意力')}/")
    assert response.status_code == 200
    assert heading(response) == "# 注意力"
    assert card_titles(response) == ["tagged"]


def test_tag_used_only_by_drafts_is_404(client, make_note):
    """A tag that only drafts and future notes carry is a 404."""
    make_note(status=DRAFT, tags=["secret"])
    make_note(days_ago=-1, tags=["secret"])
    assert Tag.objects.filter(slug="secret").exists()
    assert client.get("/tags/secret/").status_code == 404


def test_tag_index_counts_published_notes_only(client, make_note):
    """/tags/ lists each tag of published notes by name with its count; drafts' and future
    notes' tags and uses are left out."""
    make_note(tags=["优化", "Attention"])
    make_note(tags=["Attention"])
    make_note(status=DRAFT, tags=["secret", "Attention"])
    make_note(days_ago=-1, tags=["secret"])
    response = client.get("/tags/")
    assert response.status_code == 200
    items = re.findall(
        r'<a href="([^"]+)">([^<]+)</a>\s*<span class="index-list__count">(\d+) 篇', html(response)
    )
    assert items == [
        ("/tags/attention/", "Attention", "2"),
        (f"/tags/{quote('优化')}/", "优化", "1"),
    ]


def test_unknown_tag_is_404(client, db):
    """A tag slug that does not exist is a 404."""
    assert client.get("/tags/nope/").status_code == 404


# --- papers ---------------------------------------------------------------------------------


def test_paper_page_shows_paper_card(client, paper, make_note):
    """The paper page shows title, authors, arXiv abs and PDF links, abstract and BibTeX."""
    make_note(title="paper note", paper=paper)
    response = client.get("/papers/2308.02223/")
    assert response.status_code == 200
    page = html(response)
    assert f'<h2 class="paper-card__title">{paper.title}</h2>' in page
    assert '<p class="paper-card__authors">Chenglong Wang, Hang Zhou, Yimin Hu</p>' in page
    assert '<span class="paper-card__id">arXiv:2308.02223</span>' in page
    assert '<a href="https://arxiv.org/abs/2308.02223" rel="nofollow noopener">摘要页</a>' in page
    assert '<a href="https://arxiv.org/pdf/2308.02223" rel="nofollow noopener">PDF</a>' in page
    assert r'<span class="arithmatex">\(x^2\)</span>' in page
    bibtex = re.search(r'<pre class="paper-card__bibtex" id="bibtex-\d+">(.*?)</pre>', page, re.S)
    assert bibtex.group(1).startswith("@misc{wangesrl,\n")
    assert "  author = {Chenglong Wang and Hang Zhou and Yimin Hu},\n" in bibtex.group(1)
    assert card_titles(response) == ["paper note"]


def test_paper_page_with_only_drafts_is_404(client, paper, make_note):
    """A paper whose notes are all drafts or future is a 404."""
    make_note(paper=paper, status=DRAFT)
    make_note(paper=paper, days_ago=-1)
    assert client.get("/papers/2308.02223/").status_code == 404


def test_unknown_paper_is_404(client, db):
    """An arXiv id no paper has is a 404."""
    assert client.get("/papers/2401.00001/").status_code == 404


def test_old_style_paper_page(client, make_note):
    """A paper with an old-style id (with a slash) has a working page."""
    paper = Paper.objects.create(arxiv_id="hep-th/9901001", title="Old Strings")
    make_note(title="old", paper=paper)
    response = client.get("/papers/hep-th/9901001/")
    assert response.status_code == 200
    assert card_titles(response) == ["old"]


def test_paper_with_a_version_shows_and_links_that_version(client, make_note):
    """A paper noted on v7 has its page at its bare id; the card names and links v7."""
    paper = Paper.objects.create(arxiv_id="1706.03762v7", title="Attention Is All You Need")
    make_note(paper=paper)
    page = html(client.get("/papers/1706.03762/"))
    assert '<span class="paper-card__id">arXiv:1706.03762v7</span>' in page
    assert '<a href="https://arxiv.org/abs/1706.03762v7" rel="nofollow noopener">摘要页</a>' in page
    assert "  eprint = {1706.03762},\n" in page


@pytest.mark.parametrize(
    ("path", "location"),
    [
        ("/papers/1706.03762v7/", "/papers/1706.03762/"),
        ("/papers/1706.03762v2/", "/papers/1706.03762/"),
        ("/papers/arXiv:1706.03762/", "/papers/1706.03762/"),
        ("/papers/math.GT/0309136v1/", "/papers/math.GT/0309136/"),
        ("/papers/1706.03762v7.bib", "/papers/1706.03762.bib"),
    ],
)
def test_paper_address_with_a_version_redirects_to_the_paper(client, db, path, location):
    """Any version of a paper, or its `arXiv:` form, answers 301 to the paper's one address."""
    response = client.get(path)
    assert (response.status_code, response["Location"]) == (301, location)


def test_papers_index_lists_papers_with_counts(client, paper, make_note):
    """The papers index lists each paper with a published note, its id, authors and count."""
    make_note(paper=paper)
    make_note(paper=paper)
    page = html(client.get("/papers/"))
    assert f'<a href="/papers/2308.02223/">{paper.title}</a>' in page
    assert "<span>arXiv:2308.02223</span>" in page
    assert "<span>2 篇笔记</span>" in page
    assert '<p class="paper-row__authors">Chenglong Wang, Hang Zhou, Yimin Hu</p>' in page


def test_papers_index_newest_paper_first(client, make_note):
    """The papers index lists papers by publication date, newest first, paginated stably."""
    for arxiv_id, title, day in [("2401.00001", "Middle", 10), ("2401.00002", "Newest", 20)]:
        paper = Paper.objects.create(
            arxiv_id=arxiv_id, title=title, published_on=date(2024, 1, day)
        )
        make_note(paper=paper)
    paper = Paper.objects.create(
        arxiv_id="2312.00001", title="Oldest", published_on=date(2023, 12, 1)
    )
    make_note(paper=paper)
    response = client.get("/papers/")
    titles = re.findall(r'<h2 class="paper-row__title"><a href="[^"]*">([^<]*)</a>', html(response))
    assert titles == ["Newest", "Middle", "Oldest"]


# --- archives -------------------------------------------------------------------------------


@pytest.fixture
def dated_notes(make_note):
    """Notes near local-time boundaries: each is one day/month earlier in UTC."""
    return {
        "nov25": make_note(title="NOV25", published_at=shanghai(2024, 11, 25, 1, 30)),
        "dec01": make_note(title="DEC01", published_at=shanghai(2024, 12, 1, 0, 30)),
        "mar10": make_note(title="MAR10", published_at=shanghai(2024, 3, 10, 12)),
        "y2023": make_note(title="Y2023", published_at=shanghai(2023, 1, 15, 12)),
    }


def month_headings(page):
    """(link, text, count) of the month headings of an archive page, in page order."""
    return re.findall(
        r'<h2 class="archive__month"><a href="(/\d{4}/\d{2}/)">([^<]*)</a> '
        r'<span class="archive__count">(\d+) 篇</span></h2>',
        page,
    )


def test_archive_index_lists_titles_under_months_newest_first(client, dated_notes, make_note):
    """/archive/ lists every title with its local date, newest first, under a heading per
    month (newest first) that links the month's page and counts its notes."""
    make_note(title="NOV02", published_at=shanghai(2024, 11, 2, 12))
    response = client.get("/archive/")
    assert heading(response) == "归档"
    assert month_headings(html(response)) == [
        ("/2024/12/", "2024 年 12 月", "1"),
        ("/2024/11/", "2024 年 11 月", "2"),
        ("/2024/03/", "2024 年 3 月", "1"),
        ("/2023/01/", "2023 年 1 月", "1"),
    ]
    assert listed_titles(response) == ["DEC01", "NOV25", "NOV02", "MAR10", "Y2023"]
    note = dated_notes["dec01"]
    assert (
        '<li class="title-list__item"><time class="title-list__date" datetime="2024-12-01">'
        f'2024-12-01</time> <a href="{note.get_absolute_url()}">DEC01</a></li>'
    ) in html(response)


def test_archive_title_is_escaped(client, make_note):
    """A title is shown as text in the title list, markup and all."""
    make_note(title="<b>对比 & 学习</b>", published_at=shanghai(2024, 11, 2, 12))
    assert '<a href="/notes/note-1/">&lt;b&gt;对比 &amp; 学习&lt;/b&gt;</a>' in html(
        client.get("/2024/11/")
    )


def test_archive_index_pages_by_a_hundred_titles(client, make_note):
    """101 notes: the first page lists 100 titles, the second the oldest one."""
    for day in range(1, 102):
        make_note(title=f"T{day:03d}", days_ago=day)
    first = listed_titles(client.get("/archive/"))
    assert first == [f"T{day:03d}" for day in range(1, 101)]
    assert listed_titles(client.get("/archive/?page=2")) == ["T101"]


def test_year_archive(client, dated_notes):
    """/2024/ lists the year's titles newest first, under its months, newest first."""
    response = client.get("/2024/")
    assert response.status_code == 200
    assert heading(response) == "2024 年"
    assert listed_titles(response) == ["DEC01", "NOV25", "MAR10"]
    assert [link for link, _, _ in month_headings(html(response))] == [
        "/2024/12/",
        "/2024/11/",
        "/2024/03/",
    ]


def test_month_archive_uses_local_time(client, dated_notes):
    """/2024/11/ holds the note of 25 Nov but not that of 1 Dec 00:30 (30 Nov in UTC)."""
    response = client.get("/2024/11/")
    assert response.status_code == 200
    assert heading(response) == "2024 年 11 月"
    assert listed_titles(response) == ["NOV25"]
    assert listed_titles(client.get("/2024/12/")) == ["DEC01"]


def test_month_archive_links_neighbouring_months(client, dated_notes):
    """A month page links the previous and next months that have notes, and its year."""
    page = html(client.get("/2024/11/"))
    assert '<a href="/2024/03/" rel="prev">← 2024-03</a>' in page
    assert '<a href="/2024/12/" rel="next">2024-12 →</a>' in page
    assert '<a href="/2024/">2024 全年</a>' in page


def test_year_archive_links_neighbouring_years(client, dated_notes, make_note):
    """A year page links the years before and after it that have notes, and the archive."""
    make_note(title="Y2026", published_at=shanghai(2026, 2, 1, 12))
    page = html(client.get("/2024/"))
    assert '<a href="/2023/" rel="prev">← 2023</a>' in page
    assert '<a href="/2026/" rel="next">2026 →</a>' in page  # 2025 has none
    assert '<a href="/archive/">全部归档</a>' in page
    assert 'rel="prev"' not in html(client.get("/2023/"))


def test_day_archive_links_neighbouring_days(client, dated_notes):
    """A day page links the days before and after it that have notes (on the site's clock),
    across months, and its month."""
    page = html(client.get("/2024/11/25/"))
    assert '<a href="/2024/03/10/" rel="prev">← 2024-03-10</a>' in page
    assert '<a href="/2024/12/01/" rel="next">2024-12-01 →</a>' in page
    assert '<a href="/2024/11/">2024 年 11 月</a>' in page
    assert 'rel="next"' not in html(client.get("/2024/12/01/"))


def test_a_new_day_shows_among_the_neighbours_at_once(client, dated_notes, make_note):
    client.get("/2024/11/25/")
    make_note(title="NOV28", published_at=shanghai(2024, 11, 28, 9))
    page = html(client.get("/2024/11/25/"))
    assert '<a href="/2024/11/28/" rel="next">2024-11-28 →</a>' in page


def test_day_archive_uses_local_time(client, dated_notes):
    """/2024/11/25/ holds the note of 01:30 local time; /2024/11/24/ (its UTC date) is 404."""
    response = client.get("/2024/11/25/")
    assert response.status_code == 200
    assert heading(response) == "2024 年 11 月 25 日"
    assert listed_titles(response) == ["NOV25"]
    assert client.get("/2024/11/24/").status_code == 404


@pytest.mark.parametrize(
    "url", ["/2024/02/", "/2022/", "/2024/11/26/", "/2024/13/", "/2024/3/", "/2024/11/5/"]
)
def test_empty_or_invalid_date_archive_is_404(client, dated_notes, url):
    """An empty year, month or day, or a month or day not written with two digits, is a 404."""
    assert client.get(url).status_code == 404


# --- note page ------------------------------------------------------------------------------


@pytest.fixture
def full_note(topic, paper, make_note):
    return make_note(
        title="注意力里的公式",
        slug="注意力公式",
        topic=topic,
        paper=paper,
        tags=["注意力", "Transformer"],
        summary="个人总结:$O(n^2)$ 的显存。",
        body="## 一\n\n正文 $x$\n\n## 二\n\n结尾",
        published_at=shanghai(2024, 11, 25, 1, 30),
        view_count=5,
        comment_count=2,
    )


def test_note_page_header(client, full_note):
    """The note page shows title, local date, topic link, tags and both counters."""
    response = client.get(full_note.get_absolute_url())
    assert response.status_code == 200
    page = html(response)
    assert '<h1 class="note__title">注意力里的公式</h1>' in page
    assert ">2024-11-25</time>" in page
    assert f'<a class="meta__topic" href="/topics/{quote("深度学习")}/">深度学习</a>' in page
    assert f'<a class="tag" href="/tags/{quote("注意力")}/">注意力</a>' in page
    assert '<a class="tag" href="/tags/transformer/">Transformer</a>' in page
    assert re.search(r'title="阅读数">.*?</svg>5</span>', page)
    assert re.search(r'title="评论数">.*?</svg>2</span>', page)
    assert "note__preview-banner" not in page


def test_note_page_paper_card(client, full_note, paper):
    """The note page shows its paper's card with a link to the paper page and arXiv."""
    page = html(client.get(full_note.get_absolute_url()))
    title_link = f'<h2 class="paper-card__title"><a href="/papers/2308.02223/">{paper.title}</a>'
    assert title_link in page
    assert 'href="https://arxiv.org/pdf/2308.02223"' in page
    assert "@misc{wangesrl," in page


def test_note_page_summary_toc_and_body(client, full_note):
    """The note page has the 个人总结 section, the TOC and the rendered body."""
    page = html(client.get(full_note.get_absolute_url()))
    summary = re.search(r'<section class="note__summary".*?</section>', page, re.S).group(0)
    assert '<h2 id="summary-heading" class="note__summary-heading">个人总结</h2>' in summary
    assert full_note.summary_html in summary
    toc = re.search(r'<nav class="note__toc" aria-label="目录">.*?</nav>', page, re.S).group(0)
    assert full_note.toc_html in toc
    assert '<a href="#一">一</a>' in toc
    assert f'<div class="note__body note-content" data-note-body>{full_note.body_html}</div>' in (
        page
    )


def test_note_page_without_summary_or_headings_omits_them(client, make_note):
    """No summary and fewer than two headings: no summary section, no TOC."""
    note = make_note(body="# only\n\ntext")
    page = html(client.get(note.get_absolute_url()))
    assert "个人总结" not in page
    assert "note__toc" not in page


def test_note_page_at_raw_cjk_path(client, full_note):
    """The note page answers at both its encoded and raw Chinese slug paths."""
    assert full_note.get_absolute_url() == f"/notes/{quote('注意力公式')}/"
    assert client.get(full_note.get_absolute_url()).status_code == 200
    response = client.get("/notes/注意力公式/")
    assert response.status_code == 200
    assert f'<h1 class="note__title">{full_note.title}</h1>' in response.content.decode()


def test_note_page_previous_and_next_links(client, make_note):
    """Previous is the next older public note, next the next newer; hidden notes are skipped."""
    older = make_note(title="older", days_ago=5)
    make_note(title="draft-between", days_ago=4, status=DRAFT)
    note = make_note(title="middle", days_ago=3)
    make_note(title="future", days_ago=-1)
    newer = make_note(title="newer", days_ago=2)
    page = html(client.get(note.get_absolute_url()))
    assert (
        f'<a class="note__sibling note__sibling--previous" href="{older.get_absolute_url()}"'
        ' rel="prev"><span>上一篇</span>older</a>'
    ) in page
    assert (
        f'<a class="note__sibling note__sibling--next" href="{newer.get_absolute_url()}"'
        ' rel="next"><span>下一篇</span>newer</a>'
    ) in page
    assert "draft-between" not in page
    assert ">future<" not in page


def test_oldest_and_newest_note_lack_one_neighbour(client, make_note):
    """The oldest note has no previous link; the newest has no next link."""
    oldest = make_note(days_ago=2)
    newest = make_note(days_ago=1)
    oldest_page = html(client.get(oldest.get_absolute_url()))
    newest_page = html(client.get(newest.get_absolute_url()))
    assert 'rel="prev"' not in oldest_page
    assert 'rel="next"' in oldest_page
    assert 'rel="next"' not in newest_page
    assert 'rel="prev"' in newest_page


def test_note_page_view_counts_one_per_view(client, make_note):
    """Each reader view of a public note adds exactly one to its view count."""
    note = make_note()
    client.get(note.get_absolute_url())
    note.refresh_from_db()
    assert note.view_count == 1
    client.get(note.get_absolute_url())
    note.refresh_from_db()
    assert note.view_count == 2


def test_head_request_is_not_a_view(client, make_note):
    """A HEAD request (link checkers, previews fetching headers) does not count as a view."""
    note = make_note()
    assert client.head(note.get_absolute_url()).status_code == 200
    note.refresh_from_db()
    assert note.view_count == 0


def test_reader_view_leaves_updated_at_alone(client, make_note):
    """Counting a view does not make the note look edited (updated_at unchanged)."""
    note = make_note()
    client.get(note.get_absolute_url())
    assert Note.objects.get(pk=note.pk).updated_at == note.updated_at


def test_public_note_page_is_cacheable(client, make_note):
    """A public note page carries no never-cache headers."""
    response = client.get(make_note().get_absolute_url())
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_note_page_body_has_nothing_executable(client, make_note):
    """Acceptance item 4: hostile Markdown in summary and body reaches the page disarmed."""
    note = make_note(
        summary="<img src=x onerror=alert(1)>",
        body="[x](javascript:alert(1))\n\n<iframe src='https://evil.example'></iframe>\n\n"
        '<p style="color:red" onclick="alert(2)">s</p>\n\n<script>alert(3)</script>',
    )
    page = html(client.get(note.get_absolute_url())).lower()
    for needle in ["onerror", "onclick", "javascript:", "<iframe", "style=", "<script>alert"]:
        assert needle not in page


def test_unknown_note_is_404(client, db):
    """A slug no note has is a 404."""
    assert client.get("/notes/nope/").status_code == 404


# --- hidden notes' own pages ------------------------------------------------------------------


@pytest.fixture(params=["draft", "future"])
def hidden_note(request, make_note):
    if request.param == "draft":
        return make_note(title="hidden", status=DRAFT, days_ago=1)
    return make_note(title="hidden", days_ago=-2)


def test_hidden_note_is_404_for_anonymous(client, hidden_note):
    """A draft or future note's page is a 404 for an anonymous reader."""
    assert client.get(hidden_note.get_absolute_url()).status_code == 404


def test_hidden_note_is_404_for_non_staff_user(reader_client, hidden_note):
    """A draft or future note's page is a 404 for a logged-in reader who is not staff."""
    assert reader_client.get(hidden_note.get_absolute_url()).status_code == 404


def test_hidden_note_is_a_never_cached_preview_for_staff(staff_client, hidden_note):
    """Staff see a draft or future note with a 预览 banner, never cached."""
    response = staff_client.get(hidden_note.get_absolute_url())
    assert response.status_code == 200
    assert '<p class="note__preview-banner" role="status">预览:这篇笔记' in html(response)
    cache_control = response.headers["Cache-Control"]
    for directive in ("no-cache", "no-store", "max-age=0"):
        assert directive in cache_control


def test_draft_preview_says_draft(staff_client, make_note):
    """A draft preview says it is a draft."""
    note = make_note(status=DRAFT)
    assert "预览:这篇笔记是草稿,读者看不到。" in html(staff_client.get(note.get_absolute_url()))


def test_future_preview_says_when(staff_client, make_note):
    """A future note preview gives its local publication time."""
    note = make_note(published_at=shanghai(2999, 1, 2, 3, 4))
    page = html(staff_client.get(note.get_absolute_url()))
    assert "预览:这篇笔记定于 2999-01-02 03:04 发布,读者看不到。" in page


def test_staff_preview_does_not_count_a_view(staff_client, hidden_note):
    """Staff previews of a draft or future note leave its view count alone."""
    staff_client.get(hidden_note.get_absolute_url())
    hidden_note.refresh_from_db()
    assert hidden_note.view_count == 0


def test_staff_view_of_public_note_counts(staff_client, make_note):
    """As the code stands, a staff member reading a public note is counted like any reader."""
    note = make_note()
    staff_client.get(note.get_absolute_url())
    note.refresh_from_db()
    assert note.view_count == 1


# --- 404 page ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["/notes/nope/", "/no/such/page/", "/?page=abc"])
def test_404_uses_site_template(client, db, url):
    """A 404 renders the site's own page: its header and the 找不到这个页面 message."""
    response = client.get(url)
    assert response.status_code == 404
    page = html(response)
    assert '<h1 class="error-page__title">找不到这个页面</h1>' in page
    assert '<a class="site-header__brand" href="/">notesite</a>' in page


def test_reverse_of_listing_names_matches_listing_urls():
    """The listing URLs used above are the ones the site reverses to."""
    assert reverse("papers:tag", kwargs={"slug": "共享"}) == CARD_LISTINGS["tag"]
    assert reverse("papers:archive-day", args=[2024, 11, 25]) == TITLE_LISTINGS["day"]


def test_malformed_arxiv_id_in_paper_url_is_404(client, db):
    """A paper URL whose id is not an arXiv id is a 404, not a 500."""
    assert client.get("/papers/not-an-id/").status_code == 404
    assert client.get("/papers/not-an-id.bib").status_code == 404


def test_listing_is_counted_once_per_content_version(
    client, make_note, settings, django_assert_num_queries
):
    """Paging needs the number of notes: counted once, again only after a note changes."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    for _ in range(12):
        make_note()
    # The count (12 notes make one page), and the old-address lookup of every 404.
    with django_assert_num_queries(2):
        assert client.get("/?page=2").status_code == 404
    with django_assert_num_queries(1):  # the page; the count is known
        client.get("/")
    make_note(title="第十三篇", days_ago=30)
    with django_assert_num_queries(2):
        assert "第十三篇" in client.get("/?page=2").content.decode()


def test_listing_page_is_loaded_once_per_content_version(
    client, make_note, settings, django_assert_num_queries
):
    """A listing page asked again runs no SQL; a new note shows on the next request."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    make_note(title="第一篇", days_ago=2)
    client.get("/")
    with django_assert_num_queries(0):
        assert card_titles(client.get("/")) == ["第一篇"]
    make_note(title="第二篇", days_ago=1)
    assert card_titles(client.get("/")) == ["第二篇", "第一篇"]


def test_kept_listing_page_loads_the_notes_of_evicted_cards(
    client, make_note, settings, django_assert_num_queries
):
    """A kept page whose cards left the cache loads their notes in one query, same page."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    notes = [make_note(title=f"N{day}", days_ago=day) for day in (1, 2, 3)]
    first = html(client.get("/"))
    cache.delete_many([f"card:{versions.current()}:{note.pk}:0:0" for note in notes[:2]])
    with django_assert_num_queries(1):
        assert html(client.get("/")) == first


def view_counter(response):
    (card,) = cards(response)
    return re.search(r'title="阅读数">.*?</svg>(\d+)</span>', card).group(1)


def test_listing_counters_are_at_most_one_view_flush_old(client, make_note, settings, monkeypatch):
    """Views written to the database without a new content version (papers.viewcounts) show
    on listings within VIEW_COUNT_FLUSH_SECONDS, the longest a page's rows are kept."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    settings.VIEW_COUNT_FLUSH_SECONDS = 60
    note = make_note()
    assert view_counter(client.get("/")) == "0"
    Note.objects.filter(pk=note.pk).update(view_count=5)
    assert view_counter(client.get("/")) == "0"
    later = time.time() + 61
    clock = SimpleNamespace(time=lambda: later)  # the test cache's clock, a minute on
    monkeypatch.setattr("django.core.cache.backends.locmem.time", clock)
    assert view_counter(client.get("/")) == "5"


def test_topic_page_shows_a_topic_changed_at_once(client, topic, make_note, settings):
    """Topics are kept per content version: a topic renamed or given a child shows at once."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    make_note(topic=topic)
    url = topic.get_absolute_url()
    client.get(url)
    topic.name = "机器学习"
    topic.save()
    Topic.objects.create(name="强化学习", slug="rl", parent=topic)
    response = client.get(url)
    assert heading(response) == "机器学习"
    assert '<a href="/topics/rl/">强化学习</a>' in html(response)


def test_counts_kept_per_version_follow_new_notes(client, make_note, topic, settings):
    """The archive's months, the year's months and topic counts are kept until a note changes."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders
    make_note(topic=topic, published_at=datetime(2024, 3, 5, tzinfo=UTC))
    for url in ("/archive/", "/2024/", "/topics/"):
        client.get(url)
    make_note(topic=topic, published_at=datetime(2024, 7, 5, tzinfo=UTC))
    assert "/2024/07/" in html(client.get("/archive/"))
    assert "/2024/07/" in html(client.get("/2024/"))
    assert ("深度学习", "2") in TOPIC_ROW.findall(html(client.get("/topics/")))
