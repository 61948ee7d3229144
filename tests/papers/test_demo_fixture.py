"""The demo data set (fixtures/demo.json): it loads, and its stored HTML is current."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from papers.models import Note, Paper
from papers.rendering import render_markdown
from topics.models import Topic

REBUILD = "fixtures/demo.json is stale: run `.venv/bin/python scripts/build_demo_fixture.py`"
RENDERED_NOTE_FIELDS = ("body_html", "summary_html", "toc_html", "excerpt", "reading_minutes")


@pytest.fixture
def demo(db):
    call_command("loaddata", "demo", verbosity=0)


def test_loads_more_than_twelve_published_notes(demo):
    """Readers see more than a page (12 cards) of notes."""
    assert Note.objects.published().count() > 12


def test_loads_the_three_topics(demo):
    """The source blog's three topics are there."""
    names = set(Topic.objects.values_list("name", flat=True))
    assert names == {"深度学习", "工具使用", "DL论文"}


def test_loads_the_seed_papers(demo):
    """The ESRL and Claude 3.5 Computer Use papers are there."""
    ids = set(Paper.objects.values_list("arxiv_id", flat=True))
    assert {"2308.02223", "2411.10323"} <= ids


def test_stored_note_rendering_matches_the_renderer(demo):
    """Re-rendering each note reproduces its stored HTML, table of contents and excerpt."""
    stale = []
    for note in Note.objects.all():
        stored = {field: getattr(note, field) for field in RENDERED_NOTE_FIELDS}
        note.render()
        stale += [
            f"{note.slug}.{field}"
            for field in RENDERED_NOTE_FIELDS
            if getattr(note, field) != stored[field]
        ]
    assert not stale, f"{REBUILD} (differs: {', '.join(stale)})"


def test_stored_paper_abstracts_match_the_renderer(demo):
    """Re-rendering each paper abstract reproduces its stored HTML."""
    stale = [
        paper.arxiv_id
        for paper in Paper.objects.all()
        if render_markdown(paper.abstract).html != paper.abstract_html
    ]
    assert not stale, f"{REBUILD} (differs: {', '.join(stale)})"


def test_draft_is_loaded_but_hidden(demo):
    """The demo draft is in the database but not published."""
    drafts = Note.objects.filter(status=Note.Status.DRAFT)
    assert drafts.exists()
    assert not Note.objects.published().filter(pk__in=drafts).exists()


def test_future_note_is_loaded_but_hidden(demo):
    """The published note dated in the future is in the database but not published yet."""
    future = Note.objects.filter(status=Note.Status.PUBLISHED, published_at__gt=timezone.now())
    assert future.exists()
    assert not Note.objects.published().filter(pk__in=future).exists()
