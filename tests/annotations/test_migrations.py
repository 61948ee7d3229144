"""Upgrading keeps every note's text as its first revision and every annotation's quote."""

import pytest

from annotations.models import Annotation
from papers.models import Note
from tests.accounts.test_migrations import migrate

BEFORE_REVISIONS = [
    ("papers", "0004_listing_indexes"),
    ("annotations", "0003_move_profile_to_accounts"),
]


@pytest.mark.django_db(transaction=True)
def test_notes_and_annotations_made_before_revisions_existed():
    """Each note gets one revision of what it holds; each annotation quotes the words it is on,
    on that revision."""
    try:
        old = migrate(BEFORE_REVISIONS)
        user = old.get_model("auth", "User").objects.create(username="reader")
        note = old.get_model("papers", "Note").objects.create(
            title="旧笔记",
            slug="old",
            summary="总结",
            body="稀疏注意力",
            body_html="<p>稀疏注意力</p>",
        )
        old.get_model("annotations", "Annotation").objects.create(
            note=note, user=user, exact="注意力", start=2, end=5
        )
    finally:
        migrate(None)

    note = Note.objects.get(slug="old")
    (revision,) = note.revisions.all()
    assert (revision.title, revision.summary, revision.body) == ("旧笔记", "总结", "稀疏注意力")
    annotation = Annotation.objects.get()
    assert (annotation.quote, annotation.exact, annotation.revision) == (
        "注意力",
        "注意力",
        revision,
    )
    assert not annotation.text_changed
