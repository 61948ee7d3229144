"""The page's one column, the note's table of contents beside it, and the comment form's inputs."""

import pytest

from tests.site_pages import READER, build_site


@pytest.fixture
def site(transactional_db, django_user_model):
    return build_site(django_user_model)


def box(page, selector):
    return page.locator(selector).first.bounding_box()


def test_header_listing_and_note_share_one_column(page, live_server, site):
    """At 1280 px the header, a listing and a note start and end at the same x; the note's
    table of contents sits in the left margin, outside the column."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/")
    header = box(page, ".site-header__brand")
    listing = box(page, ".listing__heading")
    assert header["x"] == listing["x"]
    page.goto(live_server.url + site.get_absolute_url())
    title, body, toc = box(page, ".note__title"), box(page, ".note__body"), box(page, ".note__toc")
    assert title["x"] == body["x"] == header["x"]
    assert body["width"] == listing["width"]
    assert toc["x"] + toc["width"] < body["x"]
    assert toc["y"] == body["y"]


def test_table_of_contents_comes_first_on_a_phone(page, live_server, site):
    """At 390 px the table of contents is above the body, in the column."""
    page.set_viewport_size({"width": 390, "height": 900})
    page.goto(live_server.url + site.get_absolute_url())
    body, toc = box(page, ".note__body"), box(page, ".note__toc")
    assert toc["x"] == body["x"]
    assert toc["y"] + toc["height"] <= body["y"]


def test_headings_keep_their_case_and_spacing(page, live_server, site):
    """A tag heading shows the tag as written ("# KV cache"), without letter-spacing."""
    page.goto(live_server.url + "/tags/kv-cache/")
    heading = page.locator(".listing__heading")
    assert heading.inner_text() == "# KV cache"
    assert heading.evaluate("e => getComputedStyle(e).letterSpacing") == "normal"


def test_tag_chips_stand_apart_from_the_body(page, live_server, site):
    """At least 1rem between the tag chips and the paper card below them."""
    page.goto(live_server.url + site.get_absolute_url())
    tags, paper = box(page, ".note__tags"), box(page, ".paper-card")
    assert paper["y"] - (tags["y"] + tags["height"]) >= 16


@pytest.mark.parametrize("width", [1280, 390])
def test_comment_form_inputs_line_up(page, live_server, site, width):
    """Name and e-mail inputs side by side on a desktop at the same height; stacked on a phone
    at the same x."""
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + site.get_absolute_url())
    # Measured together, once the annotations (loaded after the page) no longer move the form.
    page.locator("[data-annotations][data-loaded]").wait_for(state="attached")
    name, email = page.evaluate(
        """() => ["#id_name", "#id_email"].map((selector) => {
            const input = document.querySelector(selector).getBoundingClientRect();
            return { x: input.x, y: input.y, width: input.width, height: input.height };
        })"""
    )
    if width == 1280:
        assert (name["y"], name["height"]) == (email["y"], email["height"])
    else:
        assert (name["x"], name["width"]) == (email["x"], email["width"])


def test_header_keeps_one_row_when_signed_in(browser, live_server, site, client, django_user_model):
    """At 1280 px the signed-in header (three account links) is as tall as a guest's: the search
    box shrinks instead of wrapping to a second row."""
    context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(live_server.url + "/")
    guest = box(page, ".site-header")["height"]
    client.force_login(django_user_model.objects.get(username=READER))
    cookie = {"name": "sessionid", "value": client.cookies["sessionid"].value}
    context.add_cookies([{**cookie, "url": live_server.url}])
    page.goto(live_server.url + "/")
    assert page.locator(".site-account__logout").count() == 1
    assert box(page, ".site-header")["height"] == guest
    context.close()
