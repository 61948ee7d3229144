"""axe-core on every page kind (tests/site_pages.py), desktop and phone, light and dark.

Each run also saves full-page screenshots, test-artifacts/a11y/<kind>-<width>-<scheme>.png,
to look at.
"""

import pprint

import pytest

from tests.browser.test_annotation_keyboard import AXE
from tests.site_pages import PAGES, READER, build_site

SERIOUS = {"serious", "critical"}


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
