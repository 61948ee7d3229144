"""Annotating with the keyboard, for screen readers, and where the editor and quotes appear."""

from pathlib import Path

import pytest

from annotations import replies
from annotations.models import Annotation
from tests.browser.conftest import READER_PASSWORD, log_in
from tests.browser.test_annotations import BODY, PASSAGE, SELECT, annotate_in_code, wait_loaded
from tests.services import clear_local_cache

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
MATH_PASSAGE = "自注意力的代价是 O(n^2 d),序列越长越贵"
# Where the bottom of PASSAGE is in the window, in CSS pixels.
PASSAGE_BOTTOM = f"""(() => {{
    const walker = document.createTreeWalker(document.querySelector("[data-note-body]"), 4);
    let node = walker.nextNode();
    while (!node.data.includes("{PASSAGE}")) node = walker.nextNode();
    const range = document.createRange();
    range.setStart(node, node.data.indexOf("{PASSAGE}"));
    range.setEnd(node, node.data.indexOf("{PASSAGE}") + {len(PASSAGE)});
    return range.getBoundingClientRect().bottom;
}})()"""


@pytest.fixture
def annotated_note(transactional_db, make_note):
    clear_local_cache()  # rate-limit counters of earlier tests
    return make_note(title="稀疏注意力", slug="sparse-attention", body=BODY)


def focused(page):
    """What has the keyboard's focus: its tag, role and accessible name."""
    return page.evaluate(
        """() => { const e = document.activeElement;
        return [e.tagName.toLowerCase(), e.getAttribute("role"), e.getAttribute("aria-label")]; }"""
    )


def save_public_with_the_keyboard(page):
    """In the open editor: write the note, tick 公开 and save, all with keys; the POST's answer."""
    page.keyboard.type("键盘写的批注")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")  # 公开
    page.keyboard.press("Tab")
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.keyboard.press("Enter")
    return response.value


def selected(page):
    return page.evaluate("getSelection().toString()")


def tab_to_note_body(page):
    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.matches('[data-note-body]')"):
            return
    raise AssertionError("Tab never reaches the note body")


def select_first_word_with_shift_arrows(page):
    """From the caret at the note body's start: down to the first paragraph, then Shift+arrows
    over its first four characters, 自注意力."""
    page.keyboard.press("ArrowDown")  # from the heading to the first paragraph
    for _ in range(4):
        page.keyboard.press("Shift+ArrowRight")


def status(page):
    page.wait_for_function("() => document.querySelector('[data-annotation-status]').textContent")
    return page.locator("[data-annotation-status]").text_content()


def test_reader_annotates_with_the_keyboard_only(
    page, live_server, annotated_note, reader, artifacts
):
    """Tab to the body, arrows and Shift+arrows select, Tab to 批注, Enter, write, make it
    public, save: the new highlight has the focus, Enter opens it, Escape comes back to it."""
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    tab_to_note_body(page)
    page.locator(".keyboard-caret").wait_for()
    page.screenshot(path=artifacts / "annotations-keyboard-caret.png")
    select_first_word_with_shift_arrows(page)
    assert selected(page) == "自注意力"
    assert status(page) == "已选中文字,按 Tab 或 Alt+A 批注。"

    page.keyboard.press("Tab")
    assert focused(page) == ["button", None, None]
    assert page.locator("[data-annotate]").inner_text() == "批注"
    assert selected(page) == "自注意力"  # kept while 批注 has the focus
    page.screenshot(path=artifacts / "annotations-keyboard-button.png")
    page.keyboard.press("Enter")
    assert focused(page)[0] == "textarea"
    assert save_public_with_the_keyboard(page).status == 201
    annotation = Annotation.objects.get()
    assert (annotation.exact, annotation.body, annotation.visibility) == (
        "自注意力",
        "键盘写的批注",
        "public",
    )
    page.wait_for_function("() => document.activeElement.matches('mark.annotation-highlight')")
    assert focused(page) == ["mark", "button", "公开批注:自注意力"]
    assert status(page) == "批注已保存。"

    page.keyboard.press("Enter")
    popover = page.locator(".annotation-popover")
    popover.wait_for()
    assert focused(page) == ["div", "dialog", "批注"]
    assert popover.locator(".annotation__body").inner_text() == "键盘写的批注"
    page.keyboard.press("Escape")
    popover.wait_for(state="hidden")
    assert focused(page) == ["mark", "button", "公开批注:自注意力"]


def tab_until(page, name, backwards=False, limit=40):
    """Press Tab (Shift+Tab) until the focused element's accessible name or text is `name`."""
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
        label = page.evaluate(
            """() => { const e = document.activeElement;
            return e.getAttribute("aria-label") || e.textContent.trim(); }"""
        )
        if label == name:
            return
    raise AssertionError(f"Tab never reaches {name!r}")


def test_annotate_reply_share_and_open_the_link_with_the_keyboard_only(
    page, browser, live_server, annotated_note, reader, artifacts
):
    """Acceptance 1, keys only: Shift+arrows select, Tab at once reaches 批注 (the selection
    read then, not after the debounce), write and save a public annotation, open it, reply,
    share its link; in another, anonymous browser the link opens the note at the highlight with
    the annotation and its reply open."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    tab_to_note_body(page)
    select_first_word_with_shift_arrows(page)
    page.keyboard.press("Tab")  # no wait: the 120 ms debounce has not run yet
    assert focused(page) == ["button", None, None]
    assert selected(page) == "自注意力"
    page.keyboard.press("Enter")
    assert save_public_with_the_keyboard(page).status == 201
    annotation = Annotation.objects.get()
    assert (annotation.exact, annotation.visibility) == ("自注意力", "public")
    page.wait_for_function("() => document.activeElement.matches('mark.annotation-highlight')")

    page.keyboard.press("Enter")  # the highlight opens its popover, which takes the focus
    popover = page.locator(".annotation-popover")
    popover.wait_for()
    tab_until(page, "回复内容")
    page.keyboard.type("键盘写的回复")
    page.keyboard.press("Tab")
    with page.expect_response(lambda r: r.request.method == "POST") as replied:
        page.keyboard.press("Enter")
    assert replied.value.status == 201
    popover.locator(".annotation-reply").wait_for()
    assert annotation.replies.get().body == "键盘写的回复"
    tab_until(page, "复制这条批注的链接", backwards=True)
    page.keyboard.press("Enter")
    popover.get_by_text("链接已复制").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{live_server.url}/notes/sparse-attention/#annotation-{annotation.pk}"
    # The side card shows the reply made in the popover, without a reload.
    card = page.locator(f"#annotation-{annotation.pk}")
    assert card.locator(".annotation-reply .annotation__body").inner_text() == "键盘写的回复"

    anonymous = browser.new_context(locale="zh-CN")
    try:
        opened = anonymous.new_page()
        opened.goto(link)
        wait_loaded(opened)
        shown = opened.locator(".annotation-popover")
        shown.wait_for()
        assert shown.locator(".annotation__body").first.inner_text() == "键盘写的批注"
        assert shown.locator(".annotation-reply .annotation__body").inner_text() == "键盘写的回复"
        assert opened.evaluate("document.activeElement.matches('.annotation-popover')")
        mark = opened.locator(f"mark[data-annotation-ids='{annotation.pk}']").first
        box, height = mark.bounding_box(), opened.viewport_size["height"]
        assert box["y"] >= 0 and box["y"] + box["height"] <= height  # at the highlight
        opened.screenshot(path=artifacts / "annotations-keyboard-permalink.png")
    finally:
        anonymous.close()


def test_caret_moved_past_the_window_scrolls_the_page(page, live_server, annotated_note):
    """Arrow down through the note in a short window: the page scrolls, the caret drawn with it."""
    page.set_viewport_size({"width": 390, "height": 400})
    page.goto(live_server.url + annotated_note.get_absolute_url())
    wait_loaded(page)
    tab_to_note_body(page)
    for _ in range(12):
        page.keyboard.press("ArrowDown")
    caret = page.locator(".keyboard-caret")
    box = caret.bounding_box()
    assert page.evaluate("() => scrollY") > 0
    assert box["y"] >= 0 and box["y"] + box["height"] <= 400
    assert caret.is_visible()


def test_alt_a_opens_the_editor_and_escape_gives_the_selection_back(
    page, live_server, annotated_note, reader
):
    """Alt+A annotates the selection; Escape closes the editor and selects the passage again."""
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    page.evaluate(SELECT, [PASSAGE, PASSAGE])
    page.locator("[data-annotate]").wait_for()
    page.keyboard.press("Alt+a")
    editor = page.locator("[data-annotation-editor]")
    editor.wait_for()
    assert editor.locator("[data-editor-quote]").inner_text() == PASSAGE
    assert focused(page)[0] == "textarea"
    page.keyboard.press("Escape")
    editor.wait_for(state="hidden")
    assert selected(page) == PASSAGE
    assert page.evaluate("document.activeElement.matches('[data-note-body]')")


def test_alt_a_right_after_shift_arrows_annotates_the_selection(
    page, live_server, annotated_note, reader
):
    """Alt+A pressed before the selection's debounce has run still takes the selection."""
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    tab_to_note_body(page)
    select_first_word_with_shift_arrows(page)
    page.keyboard.press("Alt+a")
    editor = page.locator("[data-annotation-editor]")
    editor.wait_for()
    assert editor.locator("[data-editor-quote]").inner_text() == "自注意力"
    assert focused(page)[0] == "textarea"


def test_private_and_public_highlights_differ_without_colour(
    page, live_server, annotated_note, reader
):
    """A public highlight is underlined solid, a private one dashed, and each says which."""
    annotate_in_code(annotated_note, reader, "结论", "公开的", "public")
    annotate_in_code(annotated_note, reader, PASSAGE, "私密的", "private")
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    marks = page.locator("mark.annotation-highlight[tabindex='0']")
    described = [
        (
            mark.get_attribute("aria-label"),
            mark.evaluate("m => getComputedStyle(m).borderBottomStyle"),
        )
        for mark in marks.all()
    ]
    assert described == [
        (f"仅自己可见的批注:{PASSAGE}", "dashed"),
        ("公开批注:结论", "solid"),
    ]


def test_editor_opens_at_the_passage_after_the_page_scrolled(
    page, live_server, annotated_note, reader
):
    """Select, scroll 300 px, press 批注: the editor is just below the passage, not 300 px off."""
    page.set_viewport_size({"width": 1280, "height": 900})
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    page.evaluate(SELECT, [PASSAGE, PASSAGE])
    page.evaluate(f"() => scrollBy(0, {PASSAGE_BOTTOM} - 700)")  # the passage 700 px down
    page.locator("[data-annotate]").wait_for()
    page.mouse.wheel(0, 300)
    page.wait_for_function(f"() => {PASSAGE_BOTTOM} < 450")
    page.locator("[data-annotate]").click()
    gap = page.evaluate(
        f"""() => document.querySelector("[data-annotation-editor]").getBoundingClientRect().top
            - {PASSAGE_BOTTOM}"""
    )
    assert gap == pytest.approx(6, abs=1)


def test_reader_sent_to_log_in_comes_back_with_the_passage_selected(
    page, live_server, annotated_note, reader
):
    """登录后批注 → log in → the note, the passage selected again and 批注 in focus."""
    url = annotated_note.get_absolute_url()
    page.goto(live_server.url + url)
    wait_loaded(page)
    page.evaluate(SELECT, [PASSAGE, PASSAGE])
    page.locator("[data-annotate]").click()
    page.wait_for_url("**/accounts/login/**")
    page.fill("#id_username", "reader")
    page.fill("#id_password", READER_PASSWORD)
    page.click(".form button[type=submit]")
    page.wait_for_url(live_server.url + url)
    wait_loaded(page)
    page.wait_for_function("() => document.activeElement.matches('[data-annotate]')")
    assert selected(page) == PASSAGE
    assert page.locator("[data-annotate]").inner_text() == "批注"
    assert status(page) == "已选中登录前选择的文字,按 Enter 批注。"
    page.keyboard.press("Enter")
    editor = page.locator("[data-annotation-editor]")
    assert editor.locator("[data-editor-quote]").inner_text() == PASSAGE
    assert page.locator("mark.annotation-highlight").count() == 0
    in_view = page.evaluate(
        "() => { const r = getSelection().getRangeAt(0).getBoundingClientRect();"
        " return r.top >= 0 && r.bottom <= innerHeight; }"
    )
    assert in_view


def test_quotes_typeset_math_and_copying_math_gives_its_tex(
    page, live_server, annotated_note, reader
):
    """A quote with math shows KaTeX, not TeX; a copied selection with math has its TeX."""
    annotate_in_code(annotated_note, reader, MATH_PASSAGE, "带公式", "public")
    page.goto(live_server.url + annotated_note.get_absolute_url())
    wait_loaded(page)
    quote = page.locator(".annotations__list .annotation__quote")
    assert quote.locator(".katex").count() == 1
    assert quote.locator(".katex annotation").text_content() == "O(n^2 d)"
    assert "O(n^2 d)" not in quote.locator(".katex-html").inner_text()
    page.evaluate(SELECT, [None, "越贵"])
    copied = page.evaluate(
        """() => { const data = new DataTransfer();
        document.dispatchEvent(new ClipboardEvent("copy", { clipboardData: data, bubbles: true }));
        return data.getData("text/plain"); }"""
    )
    assert copied == "$O(n^2 d)$,序列越长越贵"


def test_quote_typesets_only_the_passage_math_not_the_same_letters_in_words(
    page, live_server, transactional_db, make_note, reader
):
    """The TeX "x" of the passage's math is typeset once; the x of "max" stays a letter."""
    note = make_note(slug="max-x", body="取 max 值的变量是 $x$,不是 y。")
    annotate_in_code(note, reader, "取 max 值的变量是 x", "", "public")
    page.goto(live_server.url + note.get_absolute_url())
    wait_loaded(page)
    quote = page.locator(".annotations__list .annotation__quote")
    assert quote.locator(".katex").count() == 1
    assert quote.evaluate("q => q.firstChild.data") == "取 max 值的变量是 "


@pytest.fixture
def axe_page(browser):
    """A page that may load axe-core, which the Content-Security-Policy would refuse."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm ci` (`make test` does)")
    context = browser.new_context(locale="zh-CN", bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_note_page_with_annotations_open_has_no_axe_violations(
    axe_page, live_server, annotated_note, reader, django_user_model, artifacts, width, scheme
):
    """axe-core (every impact) finds nothing on a note page with public and private highlights
    and the side list, for a signed-in reader on a desktop and on a phone: with a popover open,
    with another reader's reply thread open in it, with the report dialog open over it, and with
    the editor open."""
    page = axe_page
    other = django_user_model.objects.create_user("other", "other@example.com", "pw-Other-1")
    annotate_in_code(annotated_note, reader, "结论", "公开的 *批注*", "public")
    annotate_in_code(annotated_note, reader, MATH_PASSAGE, "私密的", "private")
    thread = annotate_in_code(annotated_note, other, "长文档", "别人的批注", "public")
    replies.create_reply(thread, other, "自己的补充:$x^2$")
    page.set_viewport_size({"width": width, "height": 900})
    page.emulate_media(color_scheme=scheme)
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    page.add_script_tag(path=AXE)
    shot = f"annotations-axe-{scheme}-{width}"

    def open_popover(mark):
        mark.scroll_into_view_if_needed()
        mark.click()
        popover = page.locator(".annotation-popover")
        popover.wait_for()
        return popover

    open_popover(page.locator("mark.annotation-highlight[tabindex='0']").first)
    page.screenshot(path=artifacts / f"{shot}-popover.png")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")

    popover = open_popover(page.locator(f"mark[data-annotation-ids='{thread.pk}']").first)
    popover.locator(".annotation-reply").wait_for()
    page.screenshot(path=artifacts / f"{shot}-thread.png")
    assert axe_violations(page) == []

    popover.get_by_role("button", name="举报").first.click()
    page.get_by_role("dialog", name="举报这条内容").wait_for()
    page.screenshot(path=artifacts / f"{shot}-report.png")
    assert axe_violations(page) == []
    page.keyboard.press("Escape")  # the dialog
    page.keyboard.press("Escape")  # the popover

    page.evaluate(SELECT, [PASSAGE, PASSAGE])
    page.locator("[data-annotate]").click()
    page.locator("[data-annotation-editor]").wait_for()
    page.screenshot(path=artifacts / f"{shot}-editor.png")
    assert axe_violations(page) == []


def axe_violations(page):
    results = page.evaluate("axe.run(document)")
    return [
        (v["id"], v["help"], [node["target"] for node in v["nodes"]]) for v in results["violations"]
    ]
