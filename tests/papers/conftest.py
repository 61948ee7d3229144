import pytest
from django.utils import timezone

from papers.importing import import_notes
from tests.papers.helpers import shanghai

# "Now" for tests that need notes in the past, the future and drafts on one calendar day.
FROZEN_NOW = shanghai(2024, 11, 25, 12, 0)


@pytest.fixture
def frozen_now(monkeypatch):
    """Pin django.utils.timezone.now (what published() and the date views compare against)."""
    monkeypatch.setattr(timezone, "now", lambda: FROZEN_NOW)
    return FROZEN_NOW


@pytest.fixture
def staff_client(client, django_user_model):
    user = django_user_model.objects.create_user("editor", password="x", is_staff=True)
    client.force_login(user)
    return client


@pytest.fixture
def reader_client(client, django_user_model):
    user = django_user_model.objects.create_user("reader", password="x")
    client.force_login(user)
    return client


@pytest.fixture
def run_import(django_capture_on_commit_callbacks):
    """Import as the command does: the files are copied once the run commits."""

    def run(*paths, **options):
        with django_capture_on_commit_callbacks(execute=True):
            return import_notes(list(paths), **options)

    return run
