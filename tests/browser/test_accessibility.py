"""axe-core on every page kind (tests/site_pages.py), desktop and phone, light and dark.

Each run also saves full-page screenshots, test-artifacts/a11y/<kind>-<width>-<scheme>.png,
to look at.
"""

import pprint

import pytest
from django.urls import reverse

from annotations.models import Comment
from tests.browser import test_phone_width
from tests.browser.conftest import log_in_to_admin
from tests.browser.test_annotation_keyboard import AXE
from tests.browser.test_reading_features import axe_violations
from tests.site_pages import PAGES, READER, build_site

SERIOUS = {"serious", "critical"}

# The note with long formulas, a comment, and a public annotation with a reply, all holding them.
wide_note = test_phone_width.wide_note
revised_note = test_phone_width.revised_note
public_thread = test_phone_width.public_thread


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_every_page_kind_has_no_serious_axe_violations(
    browser, live_server, transactional_db, django_user_model, client, artifacts, width, scheme
):
    """No serious or critical axe-core violation on any page kind, guest or signed in."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (`make test` does)")
    build_site(django_user_model)
    client.force_login(django_user_model.objects.get(username=READER))
    session = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    (artifacts / "a11y").mkdir(exist_ok=True)
    # The Content-Security-Policy would refuse axe-core's script.
    context = browser.new_context(locale="zh-CN", bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    found = {}
    try:
        for site_page in PAGES:
            context.clear_cookies()
            if site_page.signed_in:
                context.add_cookies([{**session, "url": live_server.url}])
            response = page.goto(live_server.url + site_page.url)
            assert response.status == site_page.status, site_page.kind
            if page.locator("[data-note-body]").count():
                page.locator("[data-annotations][data-loaded]").wait_for(state="attached")
            page.evaluate("document.fonts.ready")
            page.screenshot(
                path=artifacts / "a11y" / f"{site_page.kind}-{width}-{scheme}.png", full_page=True
            )
            page.add_script_tag(path=AXE)
            if violations := serious_violations(page):
                found[site_page.kind] = violations
    finally:
        context.close()
    assert not found, pprint.pformat(found, width=100)


def serious_violations(page):
    results = page.evaluate("axe.run(document)")
    return [
        (v["id"], v["impact"], v["help"], [node["target"] for node in v["nodes"]][:5])
        for v in results["violations"]
        if v["impact"] in SERIOUS
    ]


def our_admin_parts(note, annotation, reply):
    """{admin URL: selectors of what this project adds there}; the rest of those pages is
    Django's own admin, whose violations are upstream's."""
    comment = Comment.objects.get()
    history = {url: ["#content-main"] for url in test_phone_width.note_history_urls(note).values()}
    note_form = [".note-editor", ".field-published_at"]  # the date and time inputs named
    return {
        reverse("admin:papers_note_change", args=[note.pk]): [*note_form, ".breadcrumbs"],
        reverse("admin:papers_note_add"): note_form,
        **history,
        reverse("admin:papers_paper_add"): [".arxiv-fill", ".arxiv-fill__status"],
        reverse("admin:annotations_comment_change", args=[comment.pk]): [".admin-preview"],
        reverse("admin:annotations_annotation_change", args=[annotation.pk]): [".admin-preview"],
        reverse("admin:annotations_reply_change", args=[reply.pk]): [".admin-preview"],
        reverse("admin:topics_topic_changelist"): ["#result_list"],
    }


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_our_admin_parts_have_no_axe_violations(
    browser, live_server, admin_user, revised_note, public_thread, width, scheme
):
    """axe-core finds nothing, of any impact, in what we add to the admin: the note editor and
    its named date and time inputs, the arXiv button, a note's history pages, readers' typeset
    text, the topic list's editable positions and the breadcrumbs (our stylesheet underlines
    their links)."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True, color_scheme=scheme)
    page = context.new_page()
    page.set_viewport_size({"width": width, "height": 900})
    log_in_to_admin(page, live_server, admin_user)
    found = {}
    try:
        for url, selectors in our_admin_parts(revised_note, *public_thread).items():
            page.goto(live_server.url + url)
            page.locator(selectors[0]).first.wait_for()
            page.evaluate("document.fonts.ready")
            if violations := axe_violations(page, *selectors):
                found[url] = violations
    finally:
        context.close()
    assert not found, pprint.pformat(found, width=100)
