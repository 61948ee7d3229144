"""papers.exporting: Markdown files with YAML front matter, and the export → import round trip."""

from datetime import date

import pytest
import yaml
from taggit.models import Tag

from papers.exporting import export_notes
from papers.importing import import_notes
from papers.models import Note, Paper
from tests.papers.helpers import shanghai
from topics.models import Topic

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(topic, paper):
    """A published note with everything set, a draft, and a note with neither topic nor paper."""
    paper.published_on = date(2023, 8, 4)
    paper.save()
    full = Note.objects.create(
        title="ESRL: 采样",
        slug="esrl",
        topic=topic,
        paper=paper,
        summary="总结第一行\n第二行 $x$",
        body="# 一\n\n开头\n\n<!-- more -->\n\n```python\nprint(1)\n```\n\n$$\\sum_i x_i$$",
        status=Note.Status.PUBLISHED,
        published_at=shanghai(2024, 11, 25, 10, 0, 0, 123456),
    )
    full.tags.add("RL", "强化学习")
    draft = Note.objects.create(
        title="草稿", slug="草稿", status=Note.Status.DRAFT, published_at=shanghai(2024, 1, 2, 3, 4)
    )
    draft.tags.add("RL")
    Note.objects.create(title="2024", slug="plain", body="正文", status=Note.Status.PUBLISHED)
    return full, draft


def front_matter(path):
    return yaml.safe_load(path.read_text(encoding="utf-8").split("---\n")[1])


def test_front_matter_fields(tmp_path, notes):
    """A note's file carries title, slug, zoned date, updated, category, tags, paper, summary."""
    export_notes(tmp_path)
    fields = front_matter(tmp_path / "esrl.md")
    assert fields["title"] == "ESRL: 采样"
    assert fields["slug"] == "esrl"
    assert fields["date"] == shanghai(2024, 11, 25, 10, 0, 0, 123456)
    assert fields["updated"] == fields["lastmod"] == notes[0].updated_at
    assert fields["categories"] == ["深度学习"]
    assert fields["tags"] == ["RL", "强化学习"]
    assert fields["paper"]["arxiv"] == "2308.02223"
    assert fields["paper"]["published"] == date(2023, 8, 4)
    assert fields["summary"] == "总结第一行\n第二行 $x$"
    assert "draft" not in fields


def test_file_layout_hexo_and_hugo_read(tmp_path, notes):
    """Dates are ISO 8601 with offset, multi-line text a `|` block, the body after the fence."""
    export_notes(tmp_path)
    text = (tmp_path / "esrl.md").read_text(encoding="utf-8")
    assert "\ndate: 2024-11-25T10:00:00.123456+08:00\n" in text
    assert "\nsummary: |-\n  总结第一行\n  第二行 $x$\n" in text
    assert text.endswith(
        "---\n\n# 一\n\n开头\n\n<!-- more -->\n\n```python\nprint(1)\n```\n\n$$\\sum_i x_i$$\n"
    )


def test_draft_is_marked_for_both_tools(tmp_path, notes):
    """A draft is `draft: true` (Hugo) and `published: false` (Hexo)."""
    export_notes(tmp_path)
    fields = front_matter(tmp_path / "草稿.md")
    assert (fields["draft"], fields["published"]) == (True, False)


def test_export_returns_count(tmp_path, notes):
    """export_notes returns how many files it wrote."""
    assert export_notes(tmp_path / "new") == 3
    assert sorted(p.name for p in (tmp_path / "new").iterdir()) == [
        "esrl.md",
        "plain.md",
        "草稿.md",
    ]


def snapshot():
    """What a round trip must keep: every note's fields, topic, tags and paper with metadata."""
    return [
        {
            "note": [
                getattr(note, name)
                for name in (
                    "title",
                    "slug",
                    "summary",
                    "body",
                    "status",
                    "published_at",
                    "updated_at",
                    "summary_html",
                    "body_html",
                    "toc_html",
                    "excerpt",
                )
            ],
            "topic": note.topic and (note.topic.name, note.topic.slug),
            "tags": sorted(note.tags.values_list("name", "slug")),
            "paper": note.paper
            and [
                getattr(note.paper, name)
                for name in (
                    "arxiv_id",
                    "title",
                    "authors",
                    "abstract",
                    "abstract_html",
                    "published_on",
                )
            ],
        }
        for note in Note.objects.order_by("slug")
    ]


def test_export_then_import_round_trips(tmp_path, notes):
    """Exporting, emptying the database and importing gives back the same notes."""
    before = snapshot()
    export_notes(tmp_path)
    for model in (Note, Paper, Topic, Tag):
        model.objects.all().delete()
    report = import_notes([tmp_path])
    assert snapshot() == before
    assert report.summary() == "created 3, updated 0, unchanged 0, skipped 0, errors 0, warnings 0"


def test_import_of_own_export_is_unchanged(tmp_path, notes):
    """Importing an export into the database it came from changes nothing."""
    export_notes(tmp_path)
    assert import_notes([tmp_path]).unchanged == 3
