"""Search rankings kept per query and brought up to date with the notes a write changed
(papers.caching.rankings): always what ranking anew gives, at the cost of the changed notes."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from papers import search, writes
from papers.caching import rankings, versions
from papers.models import Note
from topics.models import Topic

QUERY = "对比学习"
RANK = search.rank  # not the spy: ranking anew to compare is not what search ran


@pytest.fixture
def ranked_notes(monkeypatch):
    """The `note_ids` of every ranking query search runs (None: all matches)."""
    calls = []

    def spy(query, note_ids=None):
        calls.append(None if note_ids is None else set(note_ids))
        return RANK(query, note_ids)

    monkeypatch.setattr(search, "rank", spy)
    return calls


@pytest.fixture
def notes(make_note):
    return [
        make_note(title="SimCLR", body="用对比学习预训练。", days_ago=3),
        make_note(title="MoCo", body="动量编码器做对比学习。", days_ago=2),
        make_note(title="BYOL", body="没有负样本。", days_ago=1),
    ]


def found(query=QUERY):
    return list(search.search_notes(query).ids)


def ranked_anew(query=QUERY):
    return rankings.ranked(0, RANK(query), timezone.now().timestamp()).ids


def test_a_write_that_is_not_to_a_note_ranks_nothing_again(notes, ranked_notes):
    """A comment or an annotation draws a new content version, but no note changed."""
    first = found()
    versions.new()
    assert found() == first
    assert ranked_notes == [None]


def test_a_note_write_ranks_that_note_alone(notes, ranked_notes):
    simclr, moco, byol = notes
    assert found() == [moco.pk, simclr.pk]
    byol.title = "BYOL 不用对比学习"  # a title match ranks first
    byol.save()
    assert found() == [byol.pk, moco.pk, simclr.pk] == ranked_anew()
    assert ranked_notes == [None, {byol.pk}]


WRITES = {
    "unmatched": lambda notes: setattr_save(notes[0], body="改写了。"),
    "unpublished": lambda notes: setattr_save(notes[1], status=Note.Status.DRAFT),
    "deleted": lambda notes: notes[0].delete(),
    "tagged": lambda notes: notes[2].tags.add("对比学习"),
    "dated later": lambda notes: setattr_save(notes[0], published_at=timezone.now()),
    "scheduled": lambda notes: setattr_save(
        notes[1], published_at=timezone.now() + timedelta(hours=1)
    ),
    "topic renamed": lambda notes: rename_topic(notes),
}


def setattr_save(note, **fields):
    for name, value in fields.items():
        setattr(note, name, value)
    note.save()


def rename_topic(notes):
    topic = Topic.objects.create(name="自监督", slug="ssl")
    Note.objects.filter(pk=notes[2].pk).update(topic=topic)
    with writes.batch() as batch:
        batch.relabel([notes[2].pk])
    topic.name = "对比学习方法"
    topic.save()


@pytest.mark.parametrize("write", WRITES)
def test_every_kind_of_note_write_gives_what_ranking_anew_gives(notes, ranked_notes, write):
    found()
    WRITES[write](notes)
    assert found() == ranked_anew()
    assert ranked_notes[0] is None and all(ids is not None for ids in ranked_notes[1:])


def test_writes_in_a_row_are_merged_in_one_query(notes, make_note, ranked_notes):
    found()
    setattr_save(notes[2], body="也是对比学习。")
    new = make_note(title="新的对比学习笔记", days_ago=0)
    deleted = notes[0].pk
    notes[0].delete()
    assert found() == [new.pk, notes[2].pk, notes[1].pk] == ranked_anew()
    assert ranked_notes == [None, {notes[2].pk, new.pk, deleted}]


def test_a_scheduled_note_is_found_when_its_time_comes_without_a_query(
    notes, make_note, ranked_notes, monkeypatch
):
    later = make_note(title="定时的对比学习", days_ago=-1)  # published tomorrow
    assert later.pk not in found()
    tomorrow = timezone.now() + timedelta(days=1, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    assert found()[0] == later.pk
    assert ranked_notes == [None]


def test_a_lost_record_ranks_anew(notes, ranked_notes):
    found()
    setattr_save(notes[2], body="也是对比学习。")
    cache.delete(f"search-changes:{cache.get(rankings.GENERATION)}")
    assert found() == ranked_anew()
    assert ranked_notes == [None, None]


def test_a_lost_counter_ranks_anew(notes, ranked_notes):
    found()
    rankings.forget()  # Redis recovered from an outage
    found()
    assert ranked_notes == [None, None]


def test_rebuilding_the_index_ranks_anew(notes, ranked_notes):
    found()
    search.rebuild_index()
    found()
    assert ranked_notes == [None, None]


def test_too_many_writes_behind_ranks_anew(notes, ranked_notes):
    found()
    for _ in range(rankings.MAX_STEPS + 1):
        rankings.advance(frozenset({notes[0].pk}))
    found()
    assert ranked_notes == [None, None]


def test_a_query_that_finds_nothing_keeps_nothing(notes):
    keys = len(cache._cache)
    assert found("找不到的词") == []
    assert len(cache._cache) == keys


def test_the_count_advances_after_commit_before_the_version(
    notes, version_drawn_after_commit, django_capture_on_commit_callbacks
):
    """A page drawn under the new content version must rank with the write."""
    found()
    generation, version = cache.get(rankings.GENERATION), versions.current()
    with django_capture_on_commit_callbacks() as callbacks:
        setattr_save(notes[2], body="也是对比学习。")
    assert cache.get(rankings.GENERATION) == generation
    assert versions.current() == version
    callbacks[0]()
    assert cache.get(rankings.GENERATION) == generation + 1
    assert versions.current() == version
    for callback in callbacks[1:]:
        callback()
    assert versions.current() != version
    assert found() == ranked_anew()
