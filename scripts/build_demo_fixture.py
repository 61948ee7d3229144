"""Build fixtures/demo.json, the demo data set, from fixtures/demo_source.yaml.

Run from anywhere, then load the result with `manage.py loaddata demo`:

    .venv/bin/python scripts/build_demo_fixture.py

The objects are created through the models in a throwaway in-memory SQLite database, so the
fixture stores whatever HTML, table of contents and excerpt the current renderer produces.
Rerun this after editing the YAML or changing papers/rendering.py
(tests/papers/test_demo_fixture.py fails until you do).
"""

import os
import sys
from datetime import datetime
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "fixtures" / "demo_source.yaml"
OUTPUT = ROOT / "fixtures" / "demo.json"
# What an author writes; derived tables (a search index, say) are rebuilt from these on load.
FIXTURE_MODELS = ["topics.topic", "papers.paper", "papers.note", "taggit.tag", "taggit.taggeditem"]


def setup_django():
    """Point Django at an empty in-memory database and set it up."""
    os.environ["DATABASE_URL"] = "sqlite://:memory:"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "notesite.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def aware(value):
    """A timezone-aware datetime from an ISO 8601 string with its UTC offset."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset; write it like 2024-11-25T10:00:00+08:00")
    return moment


def create_objects(data):
    """Create topics, papers and notes through the models, so that `save()` renders them."""
    from papers.models import Note, Paper
    from topics.models import Topic

    topics = {fields["slug"]: Topic.objects.create(**fields) for fields in data["topics"]}
    papers = {fields["arxiv_id"]: Paper.objects.create(**fields) for fields in data["papers"]}
    for fields in data["notes"]:
        fields = dict(fields)
        tags = fields.pop("tags", [])
        topic, paper = fields.pop("topic", None), fields.pop("paper", None)
        published_at = aware(fields.pop("published_at"))
        note = Note.objects.create(
            topic=topics[topic] if topic else None,
            paper=papers[paper] if paper else None,
            published_at=published_at,
            status=fields.pop("status", Note.Status.PUBLISHED),
            **fields,
        )
        note.tags.set(tags)
        # Stable timestamps, so rebuilding an unchanged source yields an unchanged fixture.
        Note.objects.filter(pk=note.pk).update(created_at=published_at, updated_at=published_at)


def main():
    setup_django()
    from django.core.management import call_command
    from django.db import transaction

    data = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    call_command("migrate", verbosity=0)
    with transaction.atomic():
        create_objects(data)
    call_command(
        "dumpdata",
        *FIXTURE_MODELS,
        natural_foreign=True,
        indent=1,
        output=OUTPUT,
    )
    print(f"Wrote {OUTPUT.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
