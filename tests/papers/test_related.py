"""Related notes under a note: same paper first, then most shared tags; never hidden notes."""

from datetime import timedelta

import pytest
from django.utils import timezone

from papers.models import Note, Paper
from tests.papers.helpers import html

pytestmark = pytest.mark.django_db


def related_titles(note):
    return [related.title for related in Note.objects.related_to(note)]


@pytest.fixture
def other_paper(db):
    return Paper.objects.create(arxiv_id="1706.03762", title="Attention Is All You Need")


def test_same_paper_first_then_most_shared_tags_then_newest(make_note, paper, other_paper):
    """A note of the same paper outranks notes sharing more tags; ties go to the newest."""
    note = make_note(paper=paper, tags=["rl", "rlhf", "ppo"])
    make_note(title="两个标签", tags=["rl", "ppo"], days_ago=5)
    make_note(title="同一论文", paper=paper, days_ago=9)
    make_note(title="一个标签·新", tags=["rlhf"], days_ago=2)
    make_note(title="一个标签·旧", tags=["rl", "other"], days_ago=3)
    make_note(title="无关", paper=other_paper, tags=["other"])
    assert related_titles(note) == ["同一论文", "两个标签", "一个标签·新", "一个标签·旧"]


def test_at_most_five(make_note):
    """Only the five best of many related notes are listed."""
    note = make_note(tags=["rl"])
    for days_ago in range(2, 10):
        make_note(title=f"{days_ago} 天前", tags=["rl"], days_ago=days_ago)
    assert related_titles(note) == [f"{days_ago} 天前" for days_ago in range(2, 7)]


def test_drafts_and_future_notes_never_listed(make_note, paper):
    """A draft or a note dated in the future is not related, whatever it shares."""
    note = make_note(paper=paper, tags=["rl"])
    make_note(title="草稿", paper=paper, tags=["rl"], status=Note.Status.DRAFT)
    make_note(title="未来", paper=paper, tags=["rl"], published_at=timezone.now() + timedelta(1))
    make_note(title="已发布", tags=["rl"])
    assert related_titles(note) == ["已发布"]


def test_a_note_with_neither_paper_nor_tags_has_none(make_note):
    """Nothing is related to a note without paper or tags, notes without a paper included."""
    note = make_note()
    make_note()
    assert related_titles(note) == []


def test_a_note_without_paper_is_not_related_to_other_notes_without_one(make_note):
    """Having no paper is not a shared paper."""
    note = make_note(tags=["rl"])
    make_note(title="无论文无标签")
    make_note(title="同标签", tags=["rl"])
    assert related_titles(note) == ["同标签"]


def test_note_page_lists_related_titles_with_dates(client, make_note, paper):
    """Under the note: a 相关笔记 section of date and title links."""
    note = make_note(paper=paper)
    related = make_note(title="同一论文的笔记", paper=paper, days_ago=3)
    page = html(client.get(note.get_absolute_url()))
    assert '<h2 id="related-heading" class="note__related-heading">相关笔记</h2>' in page
    date = timezone.localtime(related.published_at).date().isoformat()
    assert (
        f'<li class="title-list__item"><time class="title-list__date" datetime="{date}">{date}'
        f'</time> <a href="{related.get_absolute_url()}">同一论文的笔记</a></li>'
    ) in page


def test_note_page_without_related_notes_has_no_section(client, make_note):
    """No empty 相关笔记 heading."""
    note = make_note(tags=["孤立"])
    assert "相关笔记" not in html(client.get(note.get_absolute_url()))


def test_only_the_latest_written_notes_sharing_a_tag_are_ranked(make_note, monkeypatch):
    """Of the notes sharing a tag, only the RELATED_CANDIDATES written last are ranked, so a
    common tag costs the same at 100,000 notes: an older note sharing more tags is not seen."""
    monkeypatch.setattr("papers.models.RELATED_CANDIDATES", 2)
    note = make_note(tags=["rl", "ppo"])
    make_note(title="旧·两个标签", tags=["rl", "ppo"], days_ago=9)
    make_note(title="新一", tags=["rl"], days_ago=3)
    make_note(title="新二", tags=["ppo"], days_ago=2)
    assert related_titles(note) == ["新二", "新一"]
    monkeypatch.setattr("papers.models.RELATED_CANDIDATES", 3)
    assert related_titles(note) == ["旧·两个标签", "新二", "新一"]
