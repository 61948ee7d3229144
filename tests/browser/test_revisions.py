"""A note's history in the admin, in a real browser: compare two revisions, restore one, and a
reader's annotation follows the restored words."""

import re

from annotations.models import Annotation
from tests.browser import test_annotations
from tests.browser.conftest import log_in
from tests.browser.test_annotations import (
    PASSAGE,
    annotate_in_code,
    edit_body_in_admin,
    highlighted,
    wait_loaded,
)

# The note with math, code and emoji that the annotation tests use, and their admin's page.
annotated_note = test_annotations.annotated_note
admin_page = test_annotations.admin_page

REWORDED = PASSAGE.replace("少数", "几个")


def screenshots(page, artifacts, name):
    """The page at phone and desktop width, in the light and the dark theme."""
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=artifacts / f"{name}-{scheme}-{width}.png", full_page=True)
    page.emulate_media(color_scheme="light")
    page.set_viewport_size({"width": 1280, "height": 900})


def test_restoring_an_old_revision_brings_the_annotation_back_to_its_words(
    page, admin_page, live_server, annotated_note, reader, artifacts, csp_violations
):
    """The author rewords an annotated passage, compares the two revisions, restores the first:
    the reader's highlight is on the original words again."""
    annotation = annotate_in_code(annotated_note, reader, PASSAGE, "局部加全局")
    edit_body_in_admin(
        admin_page, live_server, annotated_note, lambda b: b.replace(PASSAGE, REWORDED)
    )
    annotation.refresh_from_db()
    assert (annotation.exact, annotation.text_changed) == (REWORDED, True)

    admin_page.goto(f"{live_server.url}/admin/papers/note/{annotated_note.pk}/change/")
    admin_page.click("text=历史版本")
    admin_page.wait_for_url(re.compile(r"/revisions/$"))
    assert admin_page.locator("tr.revisions__row").count() == 2
    screenshots(admin_page, artifacts, "admin-revisions")
    admin_page.click("input[value=比较所选版本]")
    # A click waits for a navigation to start at most, not for the page to load: reading the
    # diff without this once read the list it left (CI on da00763, `del` texts []).
    admin_page.wait_for_url(re.compile(r"/revisions/compare/\?"))
    diff = admin_page.locator("#diff-body + .revision-diff__text")
    # The admin's form strips the body's last new line: a change, but not one to read.
    assert [text for text in diff.locator("del").all_inner_texts() if text.strip()] == ["少数"]
    assert diff.locator("ins").all_inner_texts() == ["几个"]
    screenshots(admin_page, artifacts, "admin-revision-compare")

    first = annotated_note.revisions.order_by("id").first()
    admin_page.click(f"text=恢复到旧版本 #{first.pk}")
    admin_page.wait_for_url(re.compile(rf"/revisions/{first.pk}/restore/$"))
    screenshots(admin_page, artifacts, "admin-revision-restore")
    admin_page.click(f"input[value='恢复到版本 #{first.pk}']")
    admin_page.wait_for_url(re.compile(r"/revisions/$"))
    assert f"已恢复到版本 #{first.pk}" in admin_page.locator(".messagelist").inner_text()
    assert admin_page.locator("tr.revisions__row").count() == 3

    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    assert highlighted(page, annotation) == PASSAGE
    assert Annotation.objects.get().exact == PASSAGE
    assert csp_violations() == []
