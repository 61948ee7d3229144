"""papers.exporting: Markdown files with YAML front matter, the media files beside them, and
the export → import round trip."""

import os
import shutil
from datetime import date
from io import StringIO
from pathlib import Path
from urllib.parse import unquote

import pytest
import yaml
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from taggit.models import Tag

from papers.exporting import export_notes
from papers.importing import import_notes
from papers.models import Note, OldAddress, Paper
from tests.papers.flavours import tiny_png
from tests.papers.helpers import shanghai
from tests.papers.test_import_media import elements
from tests.papers.test_importing import write
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
    assert export_notes(tmp_path / "new").notes == 3
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


# --- media files ---------------------------------------------------------------------------


def test_media_files_are_copied_beside_the_note_and_relinked(tmp_path, make_note):
    """Each media file a note links (Markdown, HTML, summary) is copied into `<slug>/` beside
    `<slug>.md`, and the links point there; two files of one name are numbered."""
    default_storage.save("notes/a/图.png", ContentFile(tiny_png(1)))
    default_storage.save("notes/a/a.pdf", ContentFile(b"%PDF"))
    default_storage.save("notes/b/图.png", ContentFile(tiny_png(2)))
    make_note(
        slug="a",
        summary="![s](/media/notes/a/%E5%9B%BE.png)",
        body=(
            '![图](/media/notes/a/%E5%9B%BE.png "t") <img src="/media/notes/b/%E5%9B%BE.png" '
            'width="20"> [pdf](/media/notes/a/a.pdf) [site](https://example.com/media/x.png)'
        ),
    )
    exported = export_notes(tmp_path / "out")
    text = (tmp_path / "out/a.md").read_text(encoding="utf-8")
    assert text.endswith(
        '![图](a/图.png "t") <img src="a/图-2.png" width="20"> [pdf](a/a.pdf) '
        "[site](https://example.com/media/x.png)\n"
    )
    assert front_matter(tmp_path / "out/a.md")["summary"] == "![s](a/图.png)"
    assert (tmp_path / "out/a/图.png").read_bytes() == tiny_png(1)
    assert (tmp_path / "out/a/图-2.png").read_bytes() == tiny_png(2)
    assert (tmp_path / "out/a/a.pdf").read_bytes() == b"%PDF"
    assert (exported.notes, exported.media_files, exported.missing) == (1, 3, [])


def test_missing_media_file_is_reported_and_its_link_left(tmp_path, make_note):
    """A link to a file no longer in media storage, to a folder of it or out of it stays, is
    reported, and makes no folder."""
    default_storage.save("notes/b/x.png", ContentFile(tiny_png()))
    body = "![](/media/notes/a/gone.png) [b](/media/notes/b) ![](/media/../secret.png)"
    make_note(slug="a", body=body)
    exported = export_notes(tmp_path / "out")
    assert (tmp_path / "out/a.md").read_text().endswith(body + "\n")
    assert exported.missing == [
        f"{tmp_path / 'out/a.md'}: media file not found: notes/a/gone.png",
        f"{tmp_path / 'out/a.md'}: media file not found: notes/b",
        f"{tmp_path / 'out/a.md'}: media file not found: ../secret.png",
    ]
    assert os.listdir(tmp_path / "out") == ["a.md"]


def test_export_command_counts_media_and_warns_of_missing_files(tmp_path, make_note):
    """export_notes prints the notes and media files written, and each missing file."""
    default_storage.save("notes/a/x.png", ContentFile(tiny_png()))
    make_note(slug="a", body="![](/media/notes/a/x.png) ![](/media/notes/a/gone.png)")
    out, err = StringIO(), StringIO()
    call_command("export_notes", str(tmp_path / "out"), stdout=out, stderr=err)
    assert out.getvalue().splitlines() == [
        f"notes exported to {tmp_path / 'out'}: 1",
        "media files copied beside them: 1",
    ]
    assert err.getvalue() == (
        f"{tmp_path / 'out/a.md'}: media file not found: notes/a/gone.png (warning)\n"
    )


def blog_with_images(folder):
    """Notes using images and files in each tool's way: a Hexo post with its asset folder and a
    site-root image, an Obsidian note with a sized embed and a PDF, a Hugo figure."""
    hexo = folder / "hexo"
    write(hexo, "_config.yml", "post_asset_folder: true\n")
    write(hexo, "source/images/logo.png", tiny_png(1))
    write(hexo, "source/_posts/clip/image-1.png", tiny_png(2))
    write(
        hexo / "source/_posts",
        "clip.md",
        "---\ntitle: CLIP\n---\n{% asset_img image-1.png 结构 %}\n\n"
        '<img src="clip/image-1.png" width="300">\n\n![logo](/images/logo.png)\n\n'
        "![丢失](gone.png)\n",
    )
    vault = folder / "vault"
    write(vault, ".obsidian/app.json", "{}")
    write(vault, "attachments/图 1.png", tiny_png(3))
    write(vault, "attachments/slides.pdf", b"%PDF-1.4")
    write(vault, "vit.md", "# ViT\n\n![[图 1.png|200]]\n\n![[slides.pdf|讲义]]\n")
    hugo = folder / "hugo"
    write(hugo, "hugo.toml", "")
    write(hugo, "static/images/cn/rl.png", tiny_png(4))
    write(
        hugo / "content/cn",
        "rl.md",
        '---\ntitle: RL\n---\n{{< figure src="/images/cn/rl.png" title="强化学习" >}}\n',
    )
    return [hexo / "source/_posts", vault, hugo / "content"]


def test_export_then_import_into_an_empty_site_has_every_image(
    tmp_path, settings, django_capture_on_commit_callbacks
):
    """Import images in every form, export, empty the database and media storage, import the
    export: every note is as it was and every `<img>` points to a file in media storage."""
    with django_capture_on_commit_callbacks(execute=True):
        import_notes(blog_with_images(tmp_path / "blogs"))
    before = snapshot()
    export_notes(tmp_path / "out")
    for model in (Note, Paper, Topic, Tag):
        model.objects.all().delete()
    shutil.rmtree(settings.MEDIA_ROOT)
    with django_capture_on_commit_callbacks(execute=True):
        report = import_notes([tmp_path / "out"])
    assert snapshot() == before
    assert report.warnings == []
    sources = [
        image["src"]
        for note in Note.objects.order_by("slug")
        for image in elements(note.body_html).images
    ]
    assert len(sources) == 5
    for source in sources:
        assert source.startswith(settings.MEDIA_URL)
        assert default_storage.exists(unquote(source.removeprefix(settings.MEDIA_URL))), source
    assert (Path(settings.MEDIA_ROOT) / "notes/vit/slides.pdf").read_bytes() == b"%PDF-1.4"


# --- old addresses and nested topics -------------------------------------------------------


def migration_snapshot():
    """What a migrated site must keep: old addresses and the topic tree."""
    return {
        "addresses": sorted(OldAddress.objects.values_list("path", "note__slug")),
        "topics": sorted(Topic.objects.values_list("name", "parent__name"), key=str),
        "notes": sorted(Note.objects.values_list("slug", "topic__name")),
    }


def test_export_then_import_keeps_old_addresses_and_topic_paths(client, tmp_path):
    """A Hexo blog imported, exported and imported into an empty site has the same redirects
    (answering 301) and the same nested topics."""
    write(tmp_path / "blog", "_config.yml", "permalink: posts/:abbrlink/\n")
    post = "---\ntitle: {0}\ndate: 2023-05-01\nabbrlink: {0}\ncategories: {1}\n---\nx\n"
    write(tmp_path / "blog/source/_posts", "a.md", post.format("a1", "[深度学习, NLP]"))
    write(tmp_path / "blog/source/_posts", "b.md", post.format("b2", "[深度学习]"))
    import_notes([tmp_path / "blog/source/_posts"])
    before = migration_snapshot()
    export_notes(tmp_path / "out")
    for model in (Note, Topic):
        model.objects.all().delete()
    import_notes([tmp_path / "out"])
    assert migration_snapshot() == before
    assert before["addresses"] == [("/posts/a1", "a"), ("/posts/b2", "b")]
    assert before["topics"] == [("NLP", "深度学习"), ("深度学习", None)]
    assert client.get("/posts/a1/")["Location"] == "/notes/a/"


def test_exported_front_matter_has_aliases_and_category_path(tmp_path, make_note):
    """A nested topic is written as a path `[[A, B]]`, a top one as `[A]`; old addresses
    as Hugo's `aliases`."""
    top = Topic.objects.create(name="深度学习", slug="dl")
    nlp = Topic.objects.create(name="NLP", slug="nlp", parent=top)
    note = make_note(slug="a", topic=nlp)
    OldAddress.objects.create(path="/2023/05/01/a/", note=note)
    make_note(slug="b", topic=top)
    export_notes(tmp_path)
    assert front_matter(tmp_path / "a.md")["categories"] == [["深度学习", "NLP"]]
    assert front_matter(tmp_path / "a.md")["aliases"] == ["/2023/05/01/a"]
    assert front_matter(tmp_path / "b.md")["categories"] == ["深度学习"]
