"""Id-first paging (papers.paging): the pages of plain OFFSET paging, from either end."""

from datetime import timedelta

import pytest
from django.core.paginator import Paginator
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from papers.models import Note, Paper
from papers.paging import ListingPaginator
from tests.papers.helpers import card_titles


@pytest.fixture
def listing(make_note):
    """23 published notes, some sharing a time (the id breaks the tie), a draft, a future note."""
    now = timezone.now()
    for number in range(23):
        make_note(published_at=now - timedelta(hours=number // 3))
    make_note(status=Note.Status.DRAFT)
    make_note(days_ago=-1)
    return Note.objects.published().cards()


def page_ids(paginator):
    return [[note.pk for note in paginator.page(n)] for n in paginator.page_range]


@pytest.mark.parametrize("per_page, orphans", [(5, 0), (4, 2), (23, 0), (30, 0), (1, 0)])
def test_pages_match_offset_paging(listing, per_page, orphans):
    """Every page, front half and back half, holds the notes OFFSET paging puts there."""
    plain = Paginator(listing, per_page, orphans=orphans)
    paged = ListingPaginator(listing, per_page, orphans=orphans)
    assert page_ids(paged) == page_ids(plain)
    assert paged.num_pages == plain.num_pages


def test_papers_with_undated_ones_match_offset_paging(db):
    """Papers without a date (NULL sorts at one end) page as with OFFSET, from both ends."""
    for number in range(9):
        day = None if number % 3 == 0 else timezone.localdate() - timedelta(days=number)
        Paper.objects.create(arxiv_id=f"2401.{number + 1:05d}", title="P", published_on=day)
    papers = Paper.objects.order_by(*Paper._meta.ordering)
    assert page_ids(ListingPaginator(papers, 2)) == page_ids(Paginator(papers, 2))


def test_page_is_one_query(listing, django_assert_num_queries):
    """A page in the back half is fetched in one query, like one in the front half."""
    paginator = ListingPaginator(listing, 5)
    paginator.count  # noqa: B018  counted once, apart
    for number in (1, 3, 5):
        with django_assert_num_queries(1):
            list(paginator.page(number))


def test_last_page_of_index(client, listing):
    """/?page=2 of 23 notes (12 a page) lists the 11 oldest, oldest last."""
    response = client.get("/?page=2")
    assert card_titles(response) == [note.title for note in listing[12:]]


@pytest.mark.parametrize("page", ["0", "-1", "3", "abc", "1.5", "99999999999999999999999"])
@pytest.mark.parametrize("url", ["/", "/papers/", "/tags/shared/"])
def test_bad_page_number_is_404(client, make_note, url, page):
    """A page number that is not a page of the listing is a 404, not a 500."""
    paper = Paper.objects.create(arxiv_id="2401.00001", title="P")
    for _ in range(13):
        make_note(paper=paper, tags=["shared"])
    response = client.get(url, {"page": page})
    assert response.status_code == 404


def test_tag_page_loads_cards_by_id(client, make_note):
    """A tag page's cards come by id alone: the tag's join is in the id subquery only."""
    for _ in range(13):
        make_note(tags=["shared"])
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/tags/shared/", {"page": 2})
    assert len(card_titles(response)) == 1
    cards_query = queries.captured_queries[-1]["sql"]
    assert cards_query.count("taggit_taggeditem") == 1


def test_paper_list_last_page(client, make_note):
    """/papers/?page=2 of 13 papers with notes (counted per paper) lists the oldest paper."""
    for number in range(13):
        paper = Paper.objects.create(
            arxiv_id=f"2401.{number + 1:05d}",
            title=f"Paper {number}",
            published_on=timezone.localdate() - timedelta(days=number),
        )
        make_note(paper=paper)
    response = client.get("/papers/", {"page": 2})
    assert response.status_code == 200
    assert [paper.title for paper in response.context["object_list"]] == ["Paper 12"]
    assert response.context["object_list"][0].note_count == 1


@pytest.fixture
def long_listing(make_note):
    """300 published notes, three to a time (the id breaks the tie), and a draft among them."""
    now = timezone.now()
    for number in range(300):
        make_note(published_at=now - timedelta(minutes=number // 3))
    make_note(status=Note.Status.DRAFT, days_ago=0)
    return Note.objects.published().cards()


@pytest.mark.parametrize("block_rows", [7, 12, 36])
def test_pages_from_boundaries_match_offset_paging(long_listing, block_rows):
    """Every page, started from the nearest boundary, holds what OFFSET paging puts there, ties
    at the boundaries included."""
    plain = Paginator(long_listing, 5)
    paged = ListingPaginator(long_listing, 5, block_rows=block_rows)
    assert page_ids(paged) == page_ids(plain)


def test_boundaries_are_every_block_rows_th_row(long_listing):
    """One query finds the sort values of rows 36, 72, ... of the listing."""
    paginator = ListingPaginator(long_listing, 12, block_rows=36)
    listed = list(long_listing)
    expected = [(note.published_at, note.pk) for note in listed[36::36]]
    assert paginator.boundaries() == expected


def test_deep_page_of_index_skips_less_than_a_block(
    client, long_listing, django_assert_num_queries
):
    """/?page=22 (of 25) starts from the boundary at row 240 (20 pages of 12) and skips 12 rows
    of it. The count and the boundaries are found once per content version; then every deep
    page is one query, like page 1."""
    with django_assert_num_queries(3):  # the count, the boundaries, the page
        response = client.get("/", {"page": 22})
    assert card_titles(response) == [note.title for note in long_listing[252:264]]
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/", {"page": 23})
    assert card_titles(response) == [note.title for note in long_listing[264:276]]
    assert len(queries.captured_queries) == 1
    assert "OFFSET 24" in queries.captured_queries[0]["sql"]
    with django_assert_num_queries(1):
        client.get("/", {"page": 1})


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's plans")
def test_tag_listing_asks_each_note_for_its_tag_by_index(make_note):
    """A tag's listing can walk the notes in order and look up each one's tagged item by an
    index (papers 0012): the join casts object_id to the note's bigint id, which taggit's own
    indexes do not hold. Joins other than nested loops are turned off, as a table of a few
    rows would never take the index."""
    for _ in range(3):
        make_note(tags=["shared"])
    ids = Note.objects.published().filter(tags__slug="shared").values("pk")[:12]
    sql, params = ids.query.sql_with_params()
    with connection.cursor() as cursor:
        for setting in ("enable_hashjoin", "enable_mergejoin", "enable_seqscan"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "papers_taggeditem_note_idx" in plan


def test_pages_past_the_boundaries_found_start_from_the_last(long_listing):
    """Boundaries found before notes became visible may be too few for the count: deep pages
    then start from the last boundary found, with the pages of OFFSET paging."""

    class StaleBoundaries(ListingPaginator):
        def boundaries(self):
            return super().boundaries()[:2]

    paged = StaleBoundaries(long_listing, 5, block_rows=36)
    assert page_ids(paged) == page_ids(Paginator(long_listing, 5))
