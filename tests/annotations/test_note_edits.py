"""Annotations follow a note's edits, whichever writer makes them (the one write path).

A note is imported and annotated; then the same three edits reach it through a re-import of
the changed file and through the admin's change form: text inserted before the passage (the
annotation moves and keeps its words), the passage reworded (it moves onto the new words, keeps
the quote the reader chose and is marked changed), the passage deleted (an orphan that keeps
its quote). No annotation is ever on other words, and the author is told.
"""

import re
from io import StringIO

import pytest
from django.core.management import call_command

from annotations import passages
from annotations.models import Annotation
from papers.models import Note
from tests.papers.helpers import admin_form, html
from tests.papers.test_importing import write

PASSAGE = "稀疏注意力把复杂度降到线性"
REWORDED = "稀疏注意力把复杂度降到近似线性"
NEIGHBOUR = "全局注意力看见整个序列"
BODY = f"## 背景\n\n{NEIGHBOUR},代价是平方级。\n\n{PASSAGE},代价是只看局部窗口。\n\n结论见下一节。"
EDITS = {
    "inserted before": BODY.replace("## 背景", "## 背景\n\n新加的一段说明,放在最前面。"),
    "reworded": BODY.replace(PASSAGE, REWORDED),
    "deleted": BODY.replace(f"{PASSAGE},代价是只看局部窗口。\n\n", ""),
}
# (state, the words it is on, marked changed) after each edit
EXPECTED = {
    "inserted before": (Annotation.State.ANCHORED, PASSAGE, False),
    "reworded": (Annotation.State.ANCHORED, REWORDED, True),
    "deleted": (Annotation.State.ORPHANED, PASSAGE, False),
}


def note_file(folder, body):
    text = f"---\ntitle: 稀疏注意力\nslug: sparse\ndate: 2024-11-25 10:00:00\n---\n{body}\n"
    return write(folder, "sparse.md", text)


def import_folder(folder):
    out = StringIO()
    call_command("import_notes", str(folder), stdout=out)
    return out.getvalue()


def reimport(client, folder, note, body):
    note_file(folder, body)
    return import_folder(folder)


def save_in_admin(client, folder, note, body):
    url = f"/admin/papers/note/{note.pk}/change/"
    response = client.post(url, admin_form(client, url, body=body), follow=True)
    assert response.status_code == 200
    return html(response)


@pytest.fixture
def imported(tmp_path, db):
    note_file(tmp_path, BODY)
    import_folder(tmp_path)
    return Note.objects.get(slug="sparse")


@pytest.mark.parametrize("edit", EDITS)
@pytest.mark.parametrize("writer", [reimport, save_in_admin], ids=["re-import", "admin"])
def test_annotations_follow_the_edit(
    edit, writer, imported, tmp_path, admin_client, reader, annotate
):
    """Each edit leaves the passage where the reader put it, or an orphan; never elsewhere."""
    annotation = annotate(imported, reader, PASSAGE, body="值得一读")
    neighbour = annotate(imported, reader, NEIGHBOUR)
    writer(admin_client, tmp_path, imported, EDITS[edit])
    text = passages.note_text(Note.objects.get(pk=imported.pk))
    for each in (annotation, neighbour):
        each.refresh_from_db()
        if each.state == Annotation.State.ANCHORED:
            assert text[each.start : each.end] == each.exact  # on its own words, never others
    state, words, changed = EXPECTED[edit]
    assert (annotation.state, annotation.exact, annotation.text_changed) == (state, words, changed)
    assert annotation.quote == PASSAGE
    assert (neighbour.state, neighbour.exact, neighbour.quote) == ("anchored", NEIGHBOUR, NEIGHBOUR)


@pytest.mark.parametrize("edit", ["reworded", "deleted"])
@pytest.mark.parametrize("writer", [reimport, save_in_admin], ids=["re-import", "admin"])
def test_the_author_is_told_with_a_link(
    edit, writer, imported, tmp_path, admin_client, reader, annotate
):
    """The admin message and the import summary count the annotations and link to them."""
    annotation = annotate(imported, reader, PASSAGE)
    annotate(imported, reader, NEIGHBOUR)
    said = writer(admin_client, tmp_path, imported, EDITS[edit])
    what = "原文已修改,已移到修改后的文字上" if edit == "reworded" else "找不到原文"
    link = f"/admin/annotations/annotation/?id__in={annotation.pk}"
    assert re.search(rf"1 条批注\S*{what}", said), said
    assert link in said.replace("&amp;", "&")
    listed = html(admin_client.get(link))
    assert PASSAGE in listed
    assert NEIGHBOUR not in listed


def test_an_edit_elsewhere_tells_the_author_nothing(
    imported, tmp_path, admin_client, reader, annotate
):
    """Text inserted before the passage moves it on the same words: nothing to report."""
    annotate(imported, reader, PASSAGE)
    said = save_in_admin(admin_client, tmp_path, imported, EDITS["inserted before"])
    assert "条批注" not in said
    assert "annotations:" not in reimport(admin_client, tmp_path, imported, BODY)


@pytest.mark.parametrize("edit", ["reworded", "deleted"])
def test_restoring_the_annotated_revision_brings_the_passage_back(
    edit, imported, tmp_path, admin_client, reader, annotate
):
    """Restored in the admin, the revision the reader annotated puts the annotation back on its
    words (a reworded one loses its "changed" mark, an orphan is found again); the admin says
    how many came back."""
    annotation = annotate(imported, reader, PASSAGE)
    save_in_admin(admin_client, tmp_path, imported, EDITS[edit])
    annotated = imported.revisions.order_by("id").first()
    url = f"/admin/papers/note/{imported.pk}/revisions/{annotated.pk}/restore/"
    said = html(admin_client.post(url, follow=True))
    annotation.refresh_from_db()
    text = passages.note_text(Note.objects.get(pk=imported.pk))
    if edit == "reworded":
        assert (annotation.state, annotation.exact, annotation.text_changed) == (
            Annotation.State.ANCHORED,
            PASSAGE,
            False,
        )
        assert text[annotation.start : annotation.end] == PASSAGE
        assert "条批注" not in said  # back on the words the reader chose: nothing to report
    else:  # the orphan is found again by its words and context
        assert (annotation.state, annotation.exact) == (Annotation.State.ANCHORED, PASSAGE)
        assert text[annotation.start : annotation.end] == PASSAGE
        assert "1 条“原文已删除”的批注找回了原文" in said
    assert f"已恢复到版本 #{annotated.pk}" in said


def test_restoring_an_earlier_revision_tells_the_author(
    imported, tmp_path, admin_client, reader, annotate
):
    """An annotation made after the edit moves onto the restored words, and the admin says so."""
    save_in_admin(admin_client, tmp_path, imported, EDITS["reworded"])
    annotation = annotate(Note.objects.get(pk=imported.pk), reader, REWORDED)
    earlier = imported.revisions.order_by("id").first()
    url = f"/admin/papers/note/{imported.pk}/revisions/{earlier.pk}/restore/"
    said = html(admin_client.post(url, follow=True))
    annotation.refresh_from_db()
    assert (annotation.exact, annotation.quote) == (PASSAGE, REWORDED)
    assert re.search(r"1 条批注\S*原文已修改,已移到修改后的文字上", said), said
    assert f"/admin/annotations/annotation/?id__in={annotation.pk}" in said.replace("&amp;", "&")
