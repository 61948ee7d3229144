"""Data migrations of papers, run on the current models."""

from importlib import import_module

import pytest
from django.apps import apps

from papers.models import Note, NoteRevision

pytestmark = pytest.mark.django_db

source_path = import_module("papers.migrations.0006_note_source_path")


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
