"""papers.models: rendering on save, the published rule, ordering helpers, URLs."""

from datetime import date, timedelta
from urllib.parse import quote, unquote

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from papers import urls as paper_urls
from papers.models import Note, Paper
from tests.papers.helpers import shanghai

# --- rendering on save ---------------------------------------------------------------------


def test_save_renders_summary_body_toc_and_excerpt(db):
    """Saving a note stores its summary/body HTML, TOC and excerpt from the Markdown."""
    note = Note.objects.create(
        title="T",
        slug="t",
        summary="总结 $x^2$",
        body="# 一\n\n正文 *强调*\n\n## 二\n\n结尾",
    )
    note.refresh_from_db()
    assert note.summary_html == '<p>总结 <span class="arithmatex">\\(x^2\\)</span></p>'
    assert '<h1 id="一">一<a class="headerlink"' in note.body_html
    assert "<p>正文 <em>强调</em></p>" in note.body_html
    assert '<a href="#一">一</a>' in note.toc_html
    assert '<a href="#二">二</a>' in note.toc_html
    assert note.excerpt == "总结 x^2 一 正文 强调 二 结尾"


def test_save_rerenders_after_edit(db):
    """Editing the body and saving again replaces the stored HTML and excerpt."""
    note = Note.objects.create(title="T", slug="t", body="old")
    note.body = "**new**"
    note.save()
    note.refresh_from_db()
    assert note.body_html == "<p><strong>new</strong></p>"
    assert note.excerpt == "new"


def test_save_sanitizes_body(db):
    """What is stored for a note is already sanitized."""
    note = Note.objects.create(title="T", slug="t", body="<script>x()</script><b onclick=y>b</b>")
    assert note.body_html == "x()<b>b</b>"


def test_blank_slug_from_cjk_title_keeps_cjk(db):
    """A note saved without a slug gets one from its title, Chinese characters kept."""
    note = Note.objects.create(title="注意力机制 Attention 笔记!", slug="")
    assert note.slug == "注意力机制-attention-笔记"
    assert Note.objects.get(slug="注意力机制-attention-笔记") == note


def test_given_slug_is_kept(db):
    """A slug the author typed is not replaced by one from the title."""
    assert Note.objects.create(title="注意力", slug="attn").slug == "attn"


# --- what readers may see ------------------------------------------------------------------


def test_published_excludes_drafts_and_future_notes(make_note):
    """published() holds past published notes only."""
    past = make_note(days_ago=1)
    make_note(days_ago=2, status=Note.Status.DRAFT)
    make_note(days_ago=-1)
    make_note(days_ago=-1, status=Note.Status.DRAFT)
    assert list(Note.objects.published()) == [past]


def test_is_public(make_note):
    """is_public is true only for a published note dated now or earlier."""
    assert make_note(days_ago=1).is_public
    assert not make_note(days_ago=1, status=Note.Status.DRAFT).is_public
    assert not make_note(days_ago=-1).is_public


def test_is_public_at_an_exact_moment(make_note, frozen_now):
    """A note published exactly now is public; one a second later is not."""
    assert make_note(published_at=frozen_now).is_public
    assert not make_note(published_at=frozen_now + timedelta(seconds=1)).is_public
    assert Note.objects.published().count() == 1


# --- neighbours ----------------------------------------------------------------------------


def test_before_lists_older_notes_nearest_first(make_note):
    """before(note) holds the older notes, the nearest one first."""
    oldest, older, middle, newer = (make_note(days_ago=d) for d in (4, 3, 2, 1))
    assert list(Note.objects.before(newer)) == [middle, older, oldest]
    assert list(Note.objects.before(oldest)) == []


def test_after_lists_newer_notes_nearest_first(make_note):
    """after(note) holds the newer notes, the nearest one first."""
    oldest, middle, newer, newest = (make_note(days_ago=d) for d in (4, 3, 2, 1))
    assert list(Note.objects.after(oldest)) == [middle, newer, newest]
    assert list(Note.objects.after(newest)) == []


def test_before_and_after_break_ties_on_equal_dates_by_id(make_note):
    """Two notes with the same published_at: the later id is listed first, and each
    is the other's neighbour exactly once."""
    moment = timezone.now() - timedelta(days=1)
    first = make_note(published_at=moment)
    second = make_note(published_at=moment)
    assert list(Note.objects.all()) == [second, first]
    assert list(Note.objects.before(second)) == [first]
    assert list(Note.objects.after(first)) == [second]
    assert list(Note.objects.before(first)) == []
    assert list(Note.objects.after(second)) == []


# --- day counts ----------------------------------------------------------------------------


def test_day_counts_in_local_time_oldest_first(make_note):
    """day_counts groups by day in Asia/Shanghai, oldest day first."""
    make_note(published_at=shanghai(2024, 11, 2, 9))
    make_note(published_at=shanghai(2024, 11, 2, 23, 30))
    make_note(published_at=shanghai(2024, 12, 1, 0, 30))  # still 30 November in UTC
    make_note(published_at=shanghai(2023, 1, 15))
    assert list(Note.objects.day_counts()) == [
        (date(2023, 1, 15), 1),
        (date(2024, 11, 2), 2),
        (date(2024, 12, 1), 1),
    ]


def test_day_counts_of_published_skip_drafts_and_future(make_note):
    """Only published, past notes are counted when chained after published()."""
    make_note(published_at=shanghai(2024, 11, 2))
    make_note(published_at=shanghai(2024, 11, 3), status=Note.Status.DRAFT)
    make_note(published_at=shanghai(2024, 10, 3), status=Note.Status.DRAFT)
    make_note(days_ago=-40)
    assert list(Note.objects.published().day_counts()) == [(date(2024, 11, 2), 1)]


# --- papers with published notes -----------------------------------------------------------


def test_with_published_notes_excludes_papers_with_only_drafts_or_future(make_note):
    """Papers whose notes are all drafts or future, or that have none, are left out."""
    shown = Paper.objects.create(arxiv_id="2308.02223", title="Shown")
    hidden = Paper.objects.create(arxiv_id="2308.02224", title="Hidden")
    Paper.objects.create(arxiv_id="2308.02225", title="No notes")
    make_note(paper=shown)
    make_note(paper=shown)
    make_note(paper=shown, status=Note.Status.DRAFT)
    make_note(paper=hidden, status=Note.Status.DRAFT)
    make_note(paper=hidden, days_ago=-1)
    papers = Paper.objects.with_published_notes()
    assert [(p.title, p.note_count) for p in papers] == [("Shown", 2)]


# --- strings and URLs ----------------------------------------------------------------------


def test_str_of_topic_paper_note(topic, paper, make_note):
    """__str__ is the topic name, "title (arXiv:id)" for a paper, and the note title."""
    assert str(topic) == "深度学习"
    assert str(paper) == (
        "ESRL: Efficient Sampling-based Reinforcement Learning for Sequence Generation"
        " (arXiv:2308.02223)"
    )
    assert str(make_note(title="注意力笔记")) == "注意力笔记"


def test_absolute_urls(topic, paper, make_note):
    """Topic, paper and note URLs, non-ASCII slugs percent-encoded."""
    note = make_note(slug="注意力公式")
    assert topic.get_absolute_url() == f"/topics/{quote('深度学习')}/"
    assert paper.get_absolute_url() == "/papers/2308.02223/"
    assert note.get_absolute_url() == f"/notes/{quote('注意力公式')}/"


def test_old_style_paper_url_keeps_its_slash(db):
    """An old-style id (with a slash) gives a nested paper URL that resolves back."""
    paper = Paper.objects.create(arxiv_id="hep-th/9901001", title="T")
    assert paper.get_absolute_url() == "/papers/hep-th/9901001/"
    assert resolve(paper.get_absolute_url()).kwargs == {"arxiv_id": "hep-th/9901001"}


URL_CASES = {
    "index": ({}, "/"),
    "note": ({"slug": "注意力公式"}, f"/notes/{quote('注意力公式')}/"),
    "topics": ({}, "/topics/"),
    "topic": ({"slug": "深度学习"}, f"/topics/{quote('深度学习')}/"),
    "tags": ({}, "/tags/"),
    "tag": ({"slug": "注意力"}, f"/tags/{quote('注意力')}/"),
    "papers": ({}, "/papers/"),
    "paper": ({"arxiv_id": "math.GT/0309136"}, "/papers/math.GT/0309136/"),
    "archive": ({}, "/archive/"),
    "archive-year": ({"year": 2024}, "/2024/"),
    "archive-month": ({"year": 2024, "month": "01"}, "/2024/01/"),
    "archive-day": ({"year": 2024, "month": "11", "day": "05"}, "/2024/11/05/"),
    "search": ({}, "/search/"),
    "feed-rss": ({}, "/feed/rss/"),
    "feed-atom": ({}, "/feed/atom/"),
    "topic-feed-rss": ({"slug": "深度学习"}, f"/topics/{quote('深度学习')}/feed/rss/"),
    "topic-feed-atom": ({"slug": "深度学习"}, f"/topics/{quote('深度学习')}/feed/atom/"),
    "tag-feed-rss": ({"slug": "注意力"}, f"/tags/{quote('注意力')}/feed/rss/"),
    "tag-feed-atom": ({"slug": "注意力"}, f"/tags/{quote('注意力')}/feed/atom/"),
    "paper-bibtex": ({"arxiv_id": "hep-th/9901001"}, "/papers/hep-th/9901001.bib"),
}


def test_url_cases_cover_every_url_name():
    """The round-trip cases below name every URL in papers/urls.py."""
    assert {pattern.name for pattern in paper_urls.urlpatterns} == set(URL_CASES)


@pytest.mark.parametrize("name", URL_CASES)
def test_reverse_resolve_round_trip(name):
    """Every papers URL reverses to the expected path and resolves back to its view and kwargs."""
    kwargs, path = URL_CASES[name]
    url = reverse(f"papers:{name}", kwargs=kwargs)
    assert url == path
    match = resolve(unquote(url))
    assert match.view_name == f"papers:{name}"
    assert match.kwargs == kwargs


def test_archive_urls_pad_months_and_days_to_two_digits():
    """Integers for month and day reverse to two-digit path segments."""
    assert reverse("papers:archive-day", args=[2024, 1, 5]) == "/2024/01/05/"
