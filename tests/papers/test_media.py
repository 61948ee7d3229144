"""The media files notes link to: on a note's change page, and `manage.py unused_media`."""

import os
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from papers import media
from papers.models import Note
from tests.papers.flavours import tiny_png
from tests.papers.helpers import html

LONG_AGO = 1_700_000_000  # a fixed time stamp (2023), long before any test runs


def test_referenced_names_in_every_form_notes_write():
    """Markdown images and links, raw HTML, URL-encoded names, a query; not other sites'."""
    text = (
        '![图](/media/notes/a/fig.png "标题") [slides](/media/notes/a/talk.pdf)\n'
        '<img src="/media/uploads/ab12.webp" width="200">\n'
        "![空格](/media/notes/a/my%20fig.png?v=2) ![再次](/media/notes/a/fig.png)\n"
        "![外站](https://example.com/media/notes/a/other.png)"
    )
    assert media.referenced_names(text) == [
        "notes/a/fig.png",
        "notes/a/talk.pdf",
        "uploads/ab12.webp",
        "notes/a/my fig.png",
    ]


def store(root, name, data=b"x", mtime=LONG_AGO):
    path = Path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    if mtime is not None:  # else modified now
        os.utime(path, (mtime, mtime))
    return path


def test_change_page_shows_the_notes_images_and_files(admin_client, make_note, settings):
    store(settings.MEDIA_ROOT, "notes/n/fig.png", tiny_png())
    store(settings.MEDIA_ROOT, "notes/n/talk.pdf")
    note = make_note(
        summary="![总结图](/media/notes/n/fig.png)",
        body="[slides](/media/notes/n/talk.pdf) ![丢了](/media/notes/n/gone.png)",
    )
    page = html(admin_client.get(f"/admin/papers/note/{note.pk}/change/"))
    assert (
        '<li><a href="/media/notes/n/fig.png"><img class="note-media__thumb" '
        'src="/media/notes/n/fig.png" alt="" loading="lazy">notes/n/fig.png</a></li>'
    ) in page
    assert '<li><a href="/media/notes/n/talk.pdf">notes/n/talk.pdf</a></li>' in page
    assert 'notes/n/gone.png <span class="note-media__missing">(文件不存在)</span>' in page


def test_change_page_of_a_note_without_media_says_so(admin_client, make_note):
    note = make_note(body="没有图片。")
    assert "没有引用媒体文件。" in html(admin_client.get(f"/admin/papers/note/{note.pk}/change/"))


@pytest.fixture
def stored(settings, make_note, tmp_path):
    """Files linked from a published body, a draft's summary and raw HTML, and three no note
    links to; a file outside MEDIA_ROOT, linked to from inside it."""
    root = Path(settings.MEDIA_ROOT)
    make_note(body="![](/media/notes/a/fig.png)")
    make_note(status=Note.Status.DRAFT, summary="![](/media/uploads/ab12.png)")
    make_note(body='<img src="/media/notes/b/chart.svg">')
    for name in ["notes/a/fig.png", "uploads/ab12.png", "notes/b/chart.svg"]:
        store(root, name)
    for name in ["notes/a/old.png", "notes/gone/only.png", "uploads/cd34.png"]:
        store(root, name)
    outside = store(tmp_path, "outside/secret.png")
    (root / "uploads/link.png").symlink_to(outside)
    return root, outside


def unused_media(*args):
    out, err = StringIO(), StringIO()
    call_command("unused_media", *args, stdout=out, stderr=err)
    return out.getvalue().splitlines(), err.getvalue().strip()


UNUSED = ["notes/a/old.png", "notes/gone/only.png", "uploads/cd34.png"]


def test_unused_media_lists_files_no_note_links_to(stored):
    """Drafts and summaries count; nothing is deleted without --delete; links are not listed."""
    root, _ = stored
    listed, said = unused_media()
    assert listed == UNUSED
    assert said == "3 个文件没有笔记引用;加 --delete 删除它们。"
    assert all((root / name).exists() for name in UNUSED)


def test_unused_media_delete_removes_only_those(stored):
    root, outside = stored
    listed, said = unused_media("--delete")
    assert listed == UNUSED
    assert said == "已删除 3 个没有笔记引用的文件。"
    left = sorted(path.relative_to(root).as_posix() for path in root.rglob("*"))
    assert left == [
        "notes",
        "notes/a",
        "notes/a/fig.png",
        "notes/b",
        "notes/b/chart.svg",
        "uploads",
        "uploads/ab12.png",
        "uploads/link.png",
    ]  # notes/gone/, emptied, went too
    assert outside.exists()
    assert unused_media() == ([], "0 个文件没有笔记引用;加 --delete 删除它们。")


def test_unused_media_keeps_files_just_uploaded(settings, db):
    """An image uploaded into the editor is linked only once its note is saved."""
    store(settings.MEDIA_ROOT, "uploads/old.png")
    store(settings.MEDIA_ROOT, "uploads/new.png", mtime=None)
    assert unused_media("--delete")[0] == ["uploads/old.png"]
    assert Path(settings.MEDIA_ROOT, "uploads/new.png").exists()
    assert unused_media("--min-age-hours", "0")[0] == ["uploads/new.png"]


def test_delete_media_refuses_names_outside_the_root(settings, tmp_path):
    root = Path(settings.MEDIA_ROOT)
    store(root, "kept.png")
    outside = store(tmp_path, "outside.png")
    assert media.delete_media(root, ["../outside.png", "missing.png"]) == 0
    assert outside.exists() and (root / "kept.png").exists()
