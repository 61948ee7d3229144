"""A signed-in reader on a page the cache answered: their name, form and token are theirs, and
commenting and annotating work (the CSRF token filled in is valid for their cookie)."""

import pytest

from annotations.models import Annotation, Comment
from tests.browser.conftest import log_in
from tests.browser.test_annotations import (  # noqa: F401 (annotated_note: a fixture)
    PASSAGE,
    annotate,
    annotated_note,
    wait_loaded,
)
from tests.browser.test_comments import post_in_place


@pytest.fixture
def note(annotated_note, settings):  # noqa: F811
    settings.COMMENTS_MIN_SECONDS = 0  # the browser posts as soon as it can
    return annotated_note


def cached_for_everyone(page, url):
    """Ask for `url` without a session until the cache answers it."""
    context = page.context.browser.new_context()
    anonymous = context.new_page()
    anonymous.goto(url)
    assert anonymous.goto(url).headers["x-page-cache"] == "hit"
    context.close()


def test_signed_in_reader_comments_and_annotates_on_a_cached_page(
    page, live_server, note, reader, artifacts, csp_violations
):
    url = live_server.url + note.get_absolute_url()
    log_in(page, live_server, "/")
    cached_for_everyone(page, url)
    response = page.goto(url)
    assert response.headers["x-page-cache"] == "hit"
    wait_loaded(page)
    assert page.locator(".site-account__name").inner_text() == "小读者"
    assert page.locator(".comment-form__who strong").inner_text() == "小读者"
    assert page.locator("#id_name").count() == 0  # the guest's fields are not there
    for width, scheme in [(1280, "light"), (390, "dark")]:
        page.set_viewport_size({"width": width, "height": 900})
        page.emulate_media(color_scheme=scheme)
        page.screenshot(path=artifacts / f"cached-signed-in-{width}-{scheme}.png")

    post_in_place(page.locator("#comment-form"), "缓存页上的评论")
    comment = page.locator(".comments__list > .comment").first
    comment.locator(".comment__body").wait_for()
    assert comment.locator(".comment__action", has_text="编辑").count() == 1
    assert Comment.objects.get().body == "缓存页上的评论"

    annotate(page, PASSAGE, PASSAGE, "缓存页上的批注")
    assert Annotation.objects.get().body == "缓存页上的批注"

    page.goto(url)  # the comment made the page stale: rendered for the reader, then kept
    assert page.locator(".comment__action", has_text="编辑").count() == 1
    page.screenshot(path=artifacts / "cached-signed-in-own-comment-390-dark.png", full_page=True)
    assert csp_violations() == []
