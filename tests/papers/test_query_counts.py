"""Acceptance item 5: each public page runs the same number of SQL queries for 1 or 30 notes.

Each constant is the count observed with one note; the same constant must hold with thirty
(spread over three topics and three papers, each note with two tags), so no page does a query
per note, topic, paper or tag. Requests are anonymous.
"""

from datetime import timedelta

import pytest

from papers.models import Paper
from tests.papers.helpers import card_titles, html, listed_titles, shanghai
from topics.models import Topic

INDEX_QUERIES = 2  # page count, cards (with topic and paper joined)
TOPIC_QUERIES = 3  # topic, page count, cards
TAG_QUERIES = 4  # tag, non-empty check (allow_empty=False), page count, cards
PAPER_QUERIES = 3  # paper with its published-note count, page count, cards
PAPERS_QUERIES = 2  # page count, papers with counts
TOPICS_QUERIES = 1  # topics with counts
ARCHIVE_QUERIES = 3  # page count, titles, day counts (papers.archive)
TAGS_QUERIES = 1  # tags with counts
# A year, a month and a day: day counts (whether it has notes, its neighbours, the months'
# counts: papers.archive), page count, titles
YEAR_QUERIES = MONTH_QUERIES = DAY_QUERIES = 3
# note+topic+paper, its tags, previous, next, related notes (its paper's, then by tags), view
# count update, comments, and the public annotations and their replies (annotations' panel,
# kept per content version)
NOTE_QUERIES = 10

# A listing page asked again, with no write in between, keeps its count and rows
# (papers.caching.fragments.listing_page), and topics are kept: what is left is looking up
# the page's tag, paper or date range.
LISTINGS_AGAIN = {
    "/": 0,
    "/?page=1": 0,
    "/topics/topic-0/": 0,
    "/tags/shared/": 2,  # tag, non-empty check
    "/papers/2401.00001/": 1,  # paper with its published-note count
    "/archive/": 0,
    "/2024/": 0,
    "/2024/11/": 0,
    "/2024/11/25/": 0,
}


@pytest.fixture(params=[1, 30], ids=["1-note", "30-notes"])
def notes(request, make_note):
    """1 or 30 published notes on 25 Nov 2024 (Shanghai) with topics, tags and papers."""
    count = request.param
    spread = min(count, 3)
    topics = [
        Topic.objects.create(name=f"主题{i}", slug=f"topic-{i}", position=i) for i in range(spread)
    ]
    papers = [
        Paper.objects.create(arxiv_id=f"2401.{i + 1:05d}", title=f"Paper {i}", authors="A B, C D")
        for i in range(spread)
    ]
    return [
        make_note(
            title=f"N{i:02d}",
            topic=topics[i % spread],
            paper=papers[i % spread],
            tags=["shared", f"tag-{i % 3}"],
            published_at=shanghai(2024, 11, 25, 8) + timedelta(minutes=i),
            summary="总结 $x$",
            body="## 一\n\n正文\n\n## 二\n\n结尾",
        )
        for i in range(count)
    ]


def cards_on_first_page(count):
    return min(count, 12)


def get_listing(client, django_assert_num_queries, url, queries):
    with django_assert_num_queries(queries):
        response = client.get(url)
    assert response.status_code == 200
    return response


def test_index(client, notes, django_assert_num_queries):
    """/ runs INDEX_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/", INDEX_QUERIES)
    assert len(card_titles(response)) == cards_on_first_page(len(notes))


def test_index_second_page(client, make_note, django_assert_num_queries):
    """/?page=2 of 30 notes runs the same INDEX_QUERIES queries as page 1."""
    for day in range(1, 31):
        make_note(days_ago=day)
    response = get_listing(client, django_assert_num_queries, "/?page=2", INDEX_QUERIES)
    assert len(card_titles(response)) == 12


def test_index_last_page(client, make_note, django_assert_num_queries):
    """/?page=3 of 30 notes (paged from the back, papers.paging) runs INDEX_QUERIES queries."""
    for day in range(1, 31):
        make_note(days_ago=day)
    response = get_listing(client, django_assert_num_queries, "/?page=3", INDEX_QUERIES)
    assert len(card_titles(response)) == 6


def test_topic_page(client, notes, django_assert_num_queries):
    """A topic page runs TOPIC_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/topics/topic-0/", TOPIC_QUERIES)
    assert len(card_titles(response)) == len(notes[::3])


def test_tag_page(client, notes, django_assert_num_queries):
    """A tag page runs TAG_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/tags/shared/", TAG_QUERIES)
    assert len(card_titles(response)) == cards_on_first_page(len(notes))


def test_paper_page(client, notes, django_assert_num_queries):
    """A paper page runs PAPER_QUERIES queries for 1 or 30 notes."""
    url = "/papers/2401.00001/"
    response = get_listing(client, django_assert_num_queries, url, PAPER_QUERIES)
    assert len(card_titles(response)) == len(notes[::3])


def test_papers_index(client, notes, django_assert_num_queries):
    """The papers index runs PAPERS_QUERIES queries for 1 or 30 notes (1 or 3 papers)."""
    response = get_listing(client, django_assert_num_queries, "/papers/", PAPERS_QUERIES)
    assert html(response).count('class="paper-row"') == min(len(notes), 3)


def test_topics_index(client, notes, django_assert_num_queries):
    """The topics index runs TOPICS_QUERIES queries for 1 or 30 notes (1 or 3 topics)."""
    response = get_listing(client, django_assert_num_queries, "/topics/", TOPICS_QUERIES)
    assert html(response).count('class="index-list__item"') == min(len(notes), 3)


def test_tag_index(client, notes, django_assert_num_queries):
    """/tags/ runs TAGS_QUERIES queries for 1 or 30 notes, counting each tag's notes."""
    response = get_listing(client, django_assert_num_queries, "/tags/", TAGS_QUERIES)
    assert f'<span class="index-list__count">{len(notes)} 篇</span>' in html(response)


def test_archive_index(client, notes, django_assert_num_queries):
    """The archive index runs ARCHIVE_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/archive/", ARCHIVE_QUERIES)
    assert f'<span class="archive__count">{len(notes)} 篇</span>' in html(response)
    assert len(listed_titles(response)) == len(notes)


def test_archive_index_second_page(client, make_note, django_assert_num_queries):
    """/archive/?page=2 of 130 notes runs the same ARCHIVE_QUERIES queries as page 1."""
    for day in range(1, 131):
        make_note(days_ago=day)
    response = get_listing(client, django_assert_num_queries, "/archive/?page=2", ARCHIVE_QUERIES)
    assert len(listed_titles(response)) == 30


def test_year_archive(client, notes, django_assert_num_queries):
    """/2024/ runs YEAR_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/2024/", YEAR_QUERIES)
    assert len(listed_titles(response)) == len(notes)


def test_month_archive(client, notes, django_assert_num_queries):
    """/2024/11/ runs MONTH_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/2024/11/", MONTH_QUERIES)
    assert len(listed_titles(response)) == len(notes)


def test_day_archive(client, notes, django_assert_num_queries):
    """/2024/11/25/ runs DAY_QUERIES queries for 1 or 30 notes."""
    response = get_listing(client, django_assert_num_queries, "/2024/11/25/", DAY_QUERIES)
    assert len(listed_titles(response)) == len(notes)


def test_note_page(client, notes, django_assert_num_queries):
    """A note page (tags, paper card, neighbours) runs NOTE_QUERIES queries for 1 or 30 notes."""
    note = notes[len(notes) // 2]
    response = get_listing(client, django_assert_num_queries, note.get_absolute_url(), NOTE_QUERIES)
    assert f'<h1 class="note__title">{note.title}</h1>' in html(response)
    assert html(response).count('class="tag"') == 2
    assert html(response).count('class="title-list__item"') == min(len(notes) - 1, 5)


@pytest.mark.parametrize("url", LISTINGS_AGAIN)
def test_listing_asked_again(client, notes, url, settings, django_assert_num_queries):
    """A listing rendered again (the page cache off) runs only its lookups, for 1 or 30 notes."""
    settings.PAGE_CACHE_SECONDS = 0
    first = client.get(url)
    again = get_listing(client, django_assert_num_queries, url, LISTINGS_AGAIN[url])
    assert html(again) == html(first)
