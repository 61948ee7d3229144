"""Data migrations of papers, run on the current models."""

from importlib import import_module

import pytest
from django.apps import apps

from papers.models import Note, NoteRevision, Paper, SearchDocument

pytestmark = pytest.mark.django_db

source_path = import_module("papers.migrations.0006_note_source_path")
paper_version = import_module("papers.migrations.0008_paper_version")


def test_imported_notes_remember_the_file_of_their_latest_import(make_note):
    """Notes imported before source paths were kept get their file's name (Hugo's index.md
    with its folder); notes never imported stay without one."""
    imported, bundle, written = make_note(), make_note(), make_note()
    for note, detail in [
        (imported, "blog/_posts/old.md"),
        (imported, "blog/_posts/2024-11-25-esrl.md"),
        (bundle, "content/posts/esrl/index.md"),
    ]:
        NoteRevision.objects.create(note=note, title=note.title, source="import", detail=detail)
    NoteRevision.objects.create(note=written, title=written.title, source="admin", detail="x.md")
    source_path.remember_imported_files(apps, None)
    assert dict(Note.objects.values_list("pk", "source_path")) == {
        imported.pk: "2024-11-25-esrl.md",
        bundle.pk: "esrl/index.md",
        written.pk: "",
    }


def test_versions_of_a_paper_become_one_paper(make_note):
    """Papers stored as 1706.03762 and 1706.03762v7 (and v2) merge into the oldest row, with
    the highest version, the fields it lacked, and every note; search finds the notes by the
    paper's one id."""
    # bulk_create skips Paper.save(), which would take the suffix off: rows as stored before.
    oldest, newest, middle, other = Paper.objects.bulk_create(
        [
            Paper(arxiv_id="1706.03762", title="1706.03762"),
            Paper(arxiv_id="1706.03762v7", title="Attention Is All You Need", authors="A. V."),
            Paper(arxiv_id="1706.03762v2", title="Attention (v2)", abstract="Old abstract"),
            Paper(arxiv_id="2308.02223", title="ESRL"),
        ]
    )
    notes = [make_note(paper=paper) for paper in (oldest, newest, middle, other)]
    paper_version.merge_versions(apps, None)
    merged = Paper.objects.get(pk=oldest.pk)
    assert list(Paper.objects.order_by("pk")) == [merged, other]
    assert (merged.arxiv_id, merged.version) == ("1706.03762", 7)
    assert (merged.title, merged.authors) == ("Attention Is All You Need", "A. V.")
    assert merged.abstract == "Old abstract"
    assert [note.paper_id for note in Note.objects.order_by("pk")] == [merged.pk] * 3 + [other.pk]
    heading = SearchDocument.objects.get(note=notes[1]).heading
    assert heading.split("\n") == [notes[1].title, merged.title, "A. V.", "arXiv:1706.03762"]


def test_papers_without_versions_are_left_alone(paper, make_note):
    """A paper stored with a bare id and no twin keeps its row and its version."""
    make_note(paper=paper)
    paper_version.merge_versions(apps, None)
    assert list(Paper.objects.values_list("pk", "arxiv_id", "version")) == [
        (paper.pk, "2308.02223", None)
    ]
