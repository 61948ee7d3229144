"""No page is wider than a 390 px phone: long formulas and code scroll in their own boxes, with
a fade at the edge that hides more; listings and search results show typeset math."""

from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_urls import admin_urlname
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from annotations import moderation
from annotations.models import Comment, Reply
from tests.annotations.helpers import annotate_in_code
from tests.browser.conftest import log_in

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
# 300 characters of TeX with no place KaTeX may break a line (all inside one \left( \right)).
TERMS = "".join(f"x_{{{i}}}y" for i in range(42))  # 284 characters
LONG_INLINE = r"\left(" + TERMS + "z" * 3 + r"\right)"
PENALTIES = " + ".join(rf"\lambda_{{{i}}}\,\|W_{{{i}}}\|_2^2" for i in range(24))
LONG_DISPLAY = r"\mathcal{L} = " + PENALTIES
BODY = f"""开头一段:策略梯度的基线 $b(s_t)$。

行内一个很长的公式 ${LONG_INLINE}$ 写在句子中间,后面还有文字。

$$
{LONG_DISPLAY}
$$

```python
advantage = rewards - values.detach()  # {"很长的注释 " * 20}
```
"""
# A comment (and an annotation) holding both long formulas, typeset as in the note's body.
LONG_MATH_TEXT = f"行内 ${LONG_INLINE}$ 之后还有字。\n\n$$\n{LONG_DISPLAY}\n$$\n"


@pytest.fixture
def wide_note(transactional_db, topic, paper, make_note, reader):
    """The long-formula note, with a public comment and the reader's annotation holding both."""
    assert len(LONG_INLINE) == 300
    note = make_note(
        title="Actor-Critic 的长公式",
        slug="actor-critic",
        topic=topic,
        paper=paper,
        summary="个人总结",
        body=BODY,
        tags=["强化学习"],
    )
    comment = moderation.post_comment(note=note, body=LONG_MATH_TEXT, name="路人甲")
    moderation.moderate(Comment.objects.filter(pk=comment.pk), Comment.State.PUBLIC)
    annotate_in_code(note, reader, "开头一段", LONG_MATH_TEXT, "private")
    return note


def page_urls(note):
    published = timezone.localtime(note.published_at)
    return {
        "home": "/",
        "note": note.get_absolute_url(),
        "topics": reverse("papers:topics"),
        "topic": note.topic.get_absolute_url(),
        "tag": reverse("papers:tag", kwargs={"slug": "强化学习"}),
        "papers": reverse("papers:papers"),
        "paper": note.paper.get_absolute_url(),
        "archive": reverse("papers:archive"),
        "year": f"/{published:%Y}/",
        "month": f"/{published:%Y/%m}/",
        "day": f"/{published:%Y/%m/%d}/",
        "search": reverse("papers:search") + "?q=基线",
        "login": reverse("accounts:login"),
        "signup": reverse("accounts:signup"),
        "password-reset": reverse("accounts:password-reset"),
        "404": "/no-such-page/",
    }


SIGNED_IN_URLS = {"profile": reverse("accounts:profile"), "mine": reverse("annotations:mine")}


def widths(page, live_server, urls, viewport):
    """{page kind: document scroll width} with typesetting done."""
    page.set_viewport_size(viewport)
    measured = {}
    for kind, url in urls.items():
        response = page.goto(live_server.url + url)
        assert response.status == (404 if kind == "404" else 200), kind
        page.evaluate("document.fonts.ready")
        measured[kind] = page.evaluate("document.documentElement.scrollWidth")
    return measured


def test_no_page_is_wider_than_a_phone(page, live_server, wide_note, artifacts):
    """At 390 px every page kind is at most 390 px wide, the long-formula note included."""
    measured = widths(page, live_server, page_urls(wide_note), PHONE)
    print("scrollWidth at 390 px:", measured)
    assert {kind: width for kind, width in measured.items() if width > PHONE["width"]} == {}


def test_no_signed_in_page_is_wider_than_a_phone(page, live_server, wide_note, artifacts):
    """Signed in, at 390 px: the profile, 我的批注 (an annotation with both long formulas) and
    the note with its long-formula comment and annotation are at most 390 px wide."""
    log_in(page, live_server, wide_note.get_absolute_url())
    urls = {**SIGNED_IN_URLS, "note": wide_note.get_absolute_url()}
    measured = widths(page, live_server, urls, PHONE)
    print("scrollWidth at 390 px, signed in:", measured)
    for kind, url in urls.items():
        page.goto(live_server.url + url)
        page.evaluate("document.fonts.ready")
        page.screenshot(path=artifacts / f"phone-signed-in-{kind}.png", full_page=True)
    assert {kind: width for kind, width in measured.items() if width > PHONE["width"]} == {}


@pytest.fixture
def revised_note(wide_note):
    """`wide_note` saved once more: two revisions, for its history pages."""
    wide_note.body += "\n\n改过一次。"
    wide_note.save()
    return wide_note


def note_history_urls(note):
    """{page: URL} of `note`'s history: the list, its first and latest revisions compared, and
    restoring the first."""
    first, latest = note.revisions.order_by("id")
    revisions = reverse("admin:papers_note_revisions", args=[note.pk])
    compare = reverse("admin:papers_note_compare", args=[note.pk])
    return {
        "revisions": revisions,
        "compare": f"{compare}?old={first.pk}&new={latest.pk}",
        "restore": reverse("admin:papers_note_restore", args=[note.pk, first.pk]),
    }


def admin_urls(note, author):
    """The admin's pages `author` opens: every model's list, add form and newest row's form, and
    `note`'s history pages."""
    request = RequestFactory().get("/admin/")
    request.user = author
    urls = {"index": reverse("admin:index")}
    for model, model_admin in admin.site._registry.items():
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        urls[model._meta.label] = reverse(f"{name}_changelist")
        if model_admin.has_add_permission(request):
            urls[f"new {model._meta.label}"] = reverse(f"{name}_add")
        if newest := model._default_manager.order_by("pk").last():
            urls[f"{model._meta.label} #{newest.pk}"] = reverse(f"{name}_change", args=[newest.pk])
    return urls | note_history_urls(note)


@pytest.fixture
def public_thread(wide_note, reader):
    """A public annotation on `wide_note` and a reply, both holding the long formulas."""
    annotation = annotate_in_code(wide_note, reader, "行内一个很长的公式", LONG_MATH_TEXT, "public")
    return annotation, Reply.objects.create(annotation=annotation, user=reader, body=LONG_MATH_TEXT)


def test_no_admin_page_is_wider_than_a_phone(
    admin_page, admin_user, live_server, revised_note, public_thread, artifacts
):
    """An author on a phone: every list and form of the admin (a comment, an annotation and a
    reply with the long formulas among them), and a note's history pages, are at most 390 px
    wide (wide tables and formulas scroll in their own box)."""
    urls = admin_urls(revised_note, admin_user)
    measured = widths(admin_page, live_server, urls, PHONE)
    print("scrollWidth at 390 px, admin:", measured)
    admin_page.goto(live_server.url + urls["revisions"])
    admin_page.screenshot(path=artifacts / "phone-admin-revisions.png", full_page=True)
    assert {kind: width for kind, width in measured.items() if width > PHONE["width"]} == {}


def test_readers_math_is_typeset_in_the_admin(admin_page, live_server, public_thread, artifacts):
    """A comment's, an annotation's and a reply's change pages show their text typeset, the
    formula too wide for a phone scrolling in its own box."""
    admin_page.set_viewport_size(PHONE)
    annotation, reply = public_thread
    for row in (Comment.objects.get(), annotation, reply):
        admin_page.goto(
            live_server.url + reverse(admin_urlname(row._meta, "change"), args=[row.pk])
        )
        preview = admin_page.locator(".admin-preview")
        preview.locator(".katex-display").wait_for()
        long_inline = preview.locator(".arithmatex--long")
        assert long_inline.evaluate("e => e.scrollWidth > e.clientWidth"), row
        assert long_inline.evaluate("e => getComputedStyle(e).overflowX") == "auto", row
        name = row._meta.model_name
        admin_page.screenshot(path=artifacts / f"phone-admin-{name}.png", full_page=True)


def test_rendered_text_stays_in_the_admins_column_on_a_desktop(
    admin_page, live_server, wide_note, public_thread
):
    """At 1280 px the rendered preview of the long-formula note, comment, annotation and reply
    ends inside its fieldset (it ran 57 px past it, the formulas with it)."""
    admin_page.set_viewport_size(DESKTOP)
    for row in (wide_note, Comment.objects.get(), *public_thread):
        admin_page.goto(
            live_server.url + reverse(admin_urlname(row._meta, "change"), args=[row.pk])
        )
        preview = admin_page.locator(".admin-preview")
        preview.locator(".katex-display").wait_for()
        fieldset = admin_page.locator("fieldset", has=preview)
        right = "e => e.getBoundingClientRect().right"
        assert preview.evaluate(right) <= fieldset.evaluate(right), row


def test_long_math_and_code_scroll_in_their_own_box_with_a_fade(page, live_server, wide_note):
    """The long inline formula, the display formula and the code block each scroll inside
    themselves, faded at the edge that hides more; scrolled to the end, the fade moves."""
    page.set_viewport_size(PHONE)
    page.goto(live_server.url + wide_note.get_absolute_url())
    page.wait_for_selector(".note__body .katex")
    boxes = {
        "inline": page.locator(".note__body .arithmatex--long").first,
        "display": page.locator(".note__body .katex-display").first,
        "code": page.locator(".note__body pre").first,
    }
    for name, box in boxes.items():
        state = box.evaluate(
            """e => ({overflows: e.scrollWidth > e.clientWidth,
                      mask: getComputedStyle(e).maskImage,
                      classes: e.className,
                      focusable: e.tabIndex === 0})"""
        )
        assert state["overflows"], name
        assert state["focusable"], name  # so the keyboard scrolls it too
        assert "scroll-hint--end" in state["classes"], name
        assert "gradient" in state["mask"], name
    display = boxes["display"]
    display.evaluate("e => { e.scrollLeft = e.scrollWidth; }")
    faded = "e => e.matches('.scroll-hint--start:not(.scroll-hint--end)')"
    page.wait_for_function(faded, arg=display.element_handle())


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_listing_and_search_show_typeset_math(page, live_server, wide_note, artifacts, scheme):
    """Cards on a listing and search snippets hold KaTeX output, not TeX; screenshots."""
    page.emulate_media(color_scheme=scheme)
    for viewport in (PHONE, DESKTOP):
        page.set_viewport_size(viewport)
        for kind, url in (("home", "/"), ("search", reverse("papers:search") + "?q=基线")):
            page.goto(live_server.url + url)
            card = page.locator(".note-card__excerpt").first
            card.locator(".katex").first.wait_for()
            assert "\\left(" not in card.inner_text()
            page.screenshot(
                path=artifacts / f"math-{kind}-{viewport['width']}-{scheme}.png", full_page=True
            )
        page.goto(live_server.url + wide_note.get_absolute_url())
        page.wait_for_selector(".note__body .katex")
        page.screenshot(
            path=artifacts / f"math-note-{viewport['width']}-{scheme}.png", full_page=True
        )


def test_scrolling_boxes_can_be_scrolled_from_the_keyboard(browser, live_server, wide_note):
    """axe-core's scrollable-region-focusable passes on the note and a listing at 390 px: every
    box that scrolls takes the focus."""
    context = browser.new_context(locale="zh-CN", bypass_csp=True)  # CSP would refuse axe
    page = context.new_page()
    page.set_viewport_size(PHONE)
    for url in (wide_note.get_absolute_url(), "/"):
        page.goto(live_server.url + url)
        page.locator(".arithmatex--long").first.wait_for(state="attached")
        page.add_script_tag(path=AXE)
        results = page.evaluate("axe.run(document, {runOnly: ['scrollable-region-focusable']})")
        assert results["passes"], url  # the rule looked at scrolling boxes
        assert [node["target"] for v in results["violations"] for node in v["nodes"]] == [], url
    context.close()
