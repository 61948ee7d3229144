"""Acceptance 5: with JavaScript, comments and replies appear in place, without a reload."""

import pytest

from annotations.models import Comment
from tests.browser.conftest import log_in
from tests.services import clear_local_cache


@pytest.fixture
def discussed_note(make_note, settings):
    # The posted-too-fast rule has its own tests; here the browser posts as soon as it can.
    settings.COMMENTS_MIN_SECONDS = 0
    clear_local_cache()  # rate-limit counters of earlier tests
    return make_note(
        title="注意力机制的复杂度",
        slug="attention-cost",
        body="自注意力的代价是 $O(n^2 d)$。\n\n## 小结\n\n序列越长越贵。",
    )


def post_in_place(form, text):
    form.locator("textarea[name=body]").fill(text)
    form.locator("button[type=submit]").click()


def test_comment_and_reply_appear_without_reload(
    page, live_server, discussed_note, reader, artifacts, csp_violations
):
    """Log in, post a comment and a reply: both appear typeset, the page never navigates, and
    the Content-Security-Policy refuses nothing."""
    log_in(page, live_server, discussed_note.get_absolute_url())
    page.locator(".note__body .katex").first.wait_for()
    page.evaluate("window.__marker = 'still here'")

    post_in_place(page.locator("#comment-form"), "复杂度是 $n^2$ 吗?")
    comment = page.locator(".comments__list > .comment").first
    comment.locator(".katex").wait_for()
    stored = Comment.objects.get()
    assert comment.get_attribute("id") == f"comment-{stored.pk}"
    assert comment.locator(".comment__author").inner_text() == "小读者"
    assert page.locator("[data-comment-count]").inner_text() == "1"

    comment.locator("[data-reply]").click()
    reply_form = comment.locator("#comment-form")  # the form moved under the comment
    assert reply_form.locator("[data-form-title]").inner_text() == "回复 小读者"
    post_in_place(reply_form, "是的,**平方**。")
    reply = comment.locator(".comment__replies > .comment")
    reply.wait_for()
    assert reply.locator(".comment__body strong").inner_text() == "平方"
    assert page.locator("[data-comment-count]").inner_text() == "2"
    assert page.locator("[data-form-home] #comment-form").count() == 1  # and went home

    assert page.evaluate("window.__marker") == "still here"
    assert csp_violations() == []
    assert list(Comment.objects.values_list("body", "parent_id", "state")) == [
        ("复杂度是 $n^2$ 吗?", None, "public"),
        ("是的,**平方**。", stored.pk, "public"),
    ]

    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("#comments").scroll_into_view_if_needed()
        page.screenshot(path=artifacts / f"comments-{width}.png", full_page=True)


def test_anonymous_comment_is_held_in_place(page, live_server, discussed_note, artifacts):
    """An anonymous comment posted with JavaScript shows as waiting, with the notice."""
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + discussed_note.get_absolute_url())
    page.evaluate("window.__marker = 'still here'")
    form = page.locator("#comment-form")
    form.locator("input[name=name]").fill("路人甲")
    post_in_place(form, "路过留言")
    page.locator(".comment__pending").wait_for()
    assert form.locator("[data-comment-notice]").inner_text() == (
        "评论已提交,审核通过后对其他读者显示。"
    )
    assert page.locator("[data-comment-count]").inner_text() == "0"
    assert page.evaluate("window.__marker") == "still here"
    assert Comment.objects.get().state == Comment.State.PENDING
    page.screenshot(path=artifacts / "comments-anonymous-390.png", full_page=True)


def test_refusal_is_shown_above_the_form(page, live_server, discussed_note, settings):
    """Over the rate limit, the server's message appears in the form; nothing is stored."""
    settings.COMMENTS_RATE_LIMITS = [(0, 60)]
    page.goto(live_server.url + discussed_note.get_absolute_url())
    form = page.locator("#comment-form")
    form.locator("input[name=name]").fill("路人甲")
    post_in_place(form, "太快了")
    error = form.locator("[data-comment-error]")
    error.wait_for()
    assert error.inner_text().startswith("评论太频繁了,请稍后再试")
    assert Comment.objects.count() == 0
