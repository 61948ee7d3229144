"""Passage annotations in a real browser: select, annotate, reload, edit the note, orphan."""

import pytest

from annotations.models import Annotation
from papers.models import Note
from papers.rendering import plain_text
from tests.annotations.helpers import annotate_in_code
from tests.browser.conftest import log_in, log_in_to_admin
from tests.services import clear_local_cache

BODY = r"""## 背景 😀

自注意力的代价是 $O(n^2 d)$,**序列越长越贵**。用 `torch.softmax` 实现,见 [PyTorch 文档](https://pytorch.org/docs)。

| 方法 | 显存 |
|:--|--:|
| MHA 🚀 | 高 |

```python
scores = q @ k.T  # 𝔼 注释
```

$$
\mathrm{softmax}(QK^\top)
$$

🎉 稀疏注意力只看局部窗口和少数全局位置,复杂度降到线性。

结论:长文档也能处理。
"""
PASSAGE = "稀疏注意力只看局部窗口和少数全局位置"

# Select from the first occurrence of `from` to the end of `to` in the note body's text nodes;
# a `from` of null starts inside the first typeset math element instead.
SELECT = """([from, to]) => {
    const body = document.querySelector("[data-note-body]");
    const find = (needle) => {
        const walker = document.createTreeWalker(body, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
            if (node.parentElement.closest(".katex")) continue;
            const index = node.data.indexOf(needle);
            if (index >= 0) return [node, index];
        }
        throw new Error(`not found: ${needle}`);
    };
    const range = document.createRange();
    if (from === null) {
        const math = body.querySelector(".arithmatex .katex-html");
        const walker = document.createTreeWalker(math, NodeFilter.SHOW_TEXT);
        range.setStart(walker.nextNode(), 0);
    } else {
        const [node, index] = find(from);
        range.setStart(node, index);
    }
    const [node, index] = find(to);
    range.setEnd(node, index + to.length);
    const selection = getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
}"""
OFFSETS = """async () => {
    const { rangeOffsets, slice, textRuns } = await import("/static/js/plain-text.js");
    const body = document.querySelector("[data-note-body]");
    const runs = textRuns(body);
    const offsets = rangeOffsets(body, getSelection().getRangeAt(0), runs);
    return { ...offsets, exact: slice(runs, offsets.start, offsets.end) };
}"""


@pytest.fixture
def annotated_note(transactional_db, make_note, settings):
    clear_local_cache()  # rate-limit counters of earlier tests
    return make_note(title="稀疏注意力", slug="sparse-attention", body=BODY)


def wait_loaded(page):
    page.locator(".note__body .katex").first.wait_for()
    page.locator("[data-annotations][data-loaded]").wait_for(state="attached")


def highlighted(page, annotation=None):
    """The highlighted text, all of it or `annotation`'s."""
    marks = "mark.annotation-highlight"
    if annotation is not None:
        marks += f'[data-annotation-ids~="{annotation.pk}"]'
    return "".join(page.locator(marks).all_inner_texts())


def annotate(page, start, end, text, public=False, screenshot=None):
    page.evaluate(SELECT, [start, end])
    page.locator("[data-annotate]").click()
    editor = page.locator("[data-annotation-editor]")
    editor.locator("textarea[name=body]").fill(text)
    if public:
        editor.locator("input[name=public]").check()
    if screenshot:
        page.screenshot(path=screenshot)
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        editor.locator("button[type=submit]").click()
    assert response.value.status == 201, response.value.text()
    editor.wait_for(state="hidden")


@pytest.fixture
def admin_page(browser, live_server, admin_user):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    log_in_to_admin(page, live_server, admin_user)
    yield page
    context.close()


def edit_body_in_admin(admin_page, live_server, note, change):
    admin_page.goto(f"{live_server.url}/admin/papers/note/{note.pk}/change/")
    body = admin_page.input_value("#id_body")  # the form's field, under the Markdown editor
    admin_page.locator(".note-editor .cm-content").click()
    admin_page.keyboard.press("Control+a")
    admin_page.keyboard.insert_text(change(body))
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success")


def test_annotation_survives_reload_and_admin_edits_then_is_orphaned(
    page, admin_page, live_server, annotated_note, reader, artifacts
):
    """Acceptance 2: annotate, reload, insert a paragraph above in the admin, delete the passage."""
    url = annotated_note.get_absolute_url()
    log_in(page, live_server, url)
    wait_loaded(page)

    annotate(page, PASSAGE, PASSAGE, "局部 + 全局,**线性**复杂度。")
    assert highlighted(page) == PASSAGE  # drawn at once
    annotation = Annotation.objects.get()
    text = plain_text(annotated_note.body_html)
    assert (annotation.exact, annotation.start) == (PASSAGE, text.index(PASSAGE))

    page.reload()
    wait_loaded(page)
    assert highlighted(page) == PASSAGE
    item = page.locator(".annotations__list > .annotation")
    assert item.locator(".annotation__body strong").inner_text() == "线性"

    page.locator("mark.annotation-highlight").first.click()
    popover = page.locator(".annotation-popover")
    popover.wait_for()
    assert popover.locator(".annotation__quote").inner_text() == PASSAGE
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        page.locator("mark.annotation-highlight").first.scroll_into_view_if_needed()
        page.locator("mark.annotation-highlight").first.click()
        page.screenshot(path=artifacts / f"annotations-{width}.png")

    edit_body_in_admin(
        admin_page,
        live_server,
        annotated_note,
        lambda body: body.replace("🎉 稀疏", "插入的新段落:$x^2$ 与 🙂 在上面。\n\n🎉 稀疏"),
    )
    page.reload()
    wait_loaded(page)
    assert highlighted(page) == PASSAGE
    moved = Annotation.objects.get()
    assert moved.start > annotation.start
    assert moved.state == Annotation.State.ANCHORED

    edit_body_in_admin(
        admin_page,
        live_server,
        annotated_note,
        lambda body: body.replace("🎉 稀疏注意力只看局部窗口和少数全局位置,复杂度降到线性。", ""),
    )
    page.reload()
    wait_loaded(page)
    assert page.locator("mark.annotation-highlight").count() == 0
    orphan = page.locator(".annotations__list > .annotation--orphan")
    assert orphan.locator(".annotation__orphan").inner_text() == "原文已删除"
    assert orphan.locator(".annotation__quote").inner_text() == PASSAGE
    assert Annotation.objects.get().state == Annotation.State.ORPHANED
    page.set_viewport_size({"width": 1280, "height": 900})
    page.locator("#annotations").scroll_into_view_if_needed()
    page.screenshot(path=artifacts / "annotations-orphan-1280.png")


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # After an emoji, math, bold, code, a link, a table (with an emoji) and a code block.
        (PASSAGE, PASSAGE, PASSAGE),
        # Across bold, code and a link.
        ("序列越长越贵", "PyTorch 文档", "序列越长越贵。用 torch.softmax 实现,见 PyTorch 文档"),
        # Into the table and out of the code block (CJK, emoji, 𝔼).
        ("MHA", "注释", None),
        # Starting inside typeset math: snaps to the math element's start.
        (None, "越贵", None),
    ],
    ids=["after-emoji", "bold-code-link", "table-code", "inside-math"],
)
def test_browser_and_server_agree_on_offsets(
    page, live_server, annotated_note, start, end, expected
):
    """The browser's code-point offsets of a selection are the server's, KaTeX output included."""
    page.goto(live_server.url + annotated_note.get_absolute_url())
    wait_loaded(page)
    text = plain_text(Note.objects.get().body_html)
    browser_text = page.evaluate(
        """async () => (await import("/static/js/plain-text.js")).plainText(
            document.querySelector("[data-note-body]"))"""
    )
    assert browser_text == text
    page.evaluate(SELECT, [start, end])
    offsets = page.evaluate(OFFSETS)
    server_start = text.index("O(n^2 d)") if start is None else text.index(start)
    server_end = text.index(end) + len(end)
    assert (offsets["start"], offsets["end"]) == (server_start, server_end)
    assert offsets["exact"] == text[server_start:server_end]
    if expected:
        assert offsets["exact"] == expected


def test_overlapping_annotations_across_math_code_and_links(
    page, live_server, annotated_note, reader, artifacts, csp_violations
):
    """Two overlapping passages across math, bold, code and a link: both highlighted, the math
    element whole; the overlap lists both annotations; the side list is in document order; the
    Content-Security-Policy refuses nothing."""
    url = annotated_note.get_absolute_url()
    log_in(page, live_server, url)
    wait_loaded(page)
    annotate(page, "torch.softmax", "PyTorch 文档", "第二条", public=True)
    annotate(page, None, "torch.softmax", "第一条", screenshot=artifacts / "annotations-editor.png")
    assert Annotation.objects.count() == 2
    text = plain_text(annotated_note.body_html)
    first = Annotation.objects.get(body="第一条")
    assert first.start == text.index("O(n^2 d)")
    assert first.exact == text[first.start : text.index("torch.softmax") + len("torch.softmax")]

    page.reload()
    wait_loaded(page)
    math_mark = page.locator("mark.annotation-highlight:has(> .arithmatex)")
    assert math_mark.count() == 1
    overlap = page.locator("mark.annotation-highlight--overlap")
    assert "".join(overlap.all_inner_texts()) == "torch.softmax"
    ids = overlap.first.get_attribute("data-annotation-ids").split()
    assert sorted(ids) == sorted(str(pk) for pk in Annotation.objects.values_list("pk", flat=True))
    overlap.first.click()
    assert page.locator(".annotation-popover .annotation").count() == 2
    for width in (390, 1280):
        page.set_viewport_size({"width": width, "height": 900})
        overlap.first.click()
        page.screenshot(path=artifacts / f"annotations-overlap-{width}.png")
    bodies = page.locator(".annotations__list .annotation__body").all_inner_texts()
    assert bodies == ["第一条", "第二条"]
    assert csp_violations() == []


def test_author_edits_and_deletes_an_annotation_in_place(page, live_server, annotated_note, reader):
    """编辑 makes it public with a new body; 删除 removes its highlight and its list entry."""
    log_in(page, live_server, annotated_note.get_absolute_url())
    wait_loaded(page)
    annotate(page, PASSAGE, PASSAGE, "初稿")
    item = page.locator(".annotations__list > .annotation")
    item.locator("[data-edit]").click()
    item.locator("textarea[name=body]").fill("改过的 *批注*")
    item.locator("input[name=public]").check()
    item.locator("[data-save-edit]").click()
    page.locator(".annotations__list .annotation__body em").wait_for()
    assert item.locator(".annotation__badge").count() == 0  # no longer private
    annotation = Annotation.objects.get()
    assert (annotation.body, annotation.visibility) == ("改过的 *批注*", "public")

    item.locator("[data-delete]").click()
    dialog = page.get_by_role("dialog", name="删除这条批注?")
    dialog.wait_for()
    assert page.evaluate("document.activeElement.textContent") == "取消"  # Enter deletes nothing
    page.keyboard.press("Escape")  # cancels: the annotation stays, 删除 has the focus again
    dialog.wait_for(state="hidden")
    assert page.evaluate("document.activeElement.matches('[data-delete]')")
    assert Annotation.objects.exists()
    item.locator("[data-delete]").click()
    dialog.get_by_role("button", name="删除").click()
    page.locator("[data-annotation-empty]").wait_for()
    assert page.locator("mark.annotation-highlight").count() == 0
    assert not Annotation.objects.exists()


def test_anonymous_reader_sees_public_highlights_and_is_asked_to_log_in(
    page, live_server, annotated_note, reader
):
    """Public annotations are highlighted for everyone; selecting offers 登录后批注."""
    annotate_in_code(annotated_note, reader, PASSAGE, "公开的", "public")
    annotate_in_code(annotated_note, reader, PASSAGE, "私密的", "private")
    page.goto(f"{live_server.url}{annotated_note.get_absolute_url()}")
    wait_loaded(page)
    assert highlighted(page) == PASSAGE
    assert page.locator(".annotations__list .annotation__body").all_inner_texts() == ["公开的"]
    page.evaluate(SELECT, ["结论", "处理"])
    button = page.locator("[data-annotate]")
    button.wait_for()
    assert button.inner_text() == "登录后批注"
    button.click()
    page.wait_for_url("**/accounts/login/**")


# A note annotated three times, then edited by its author: text inserted at the top moves the
# first passage, the second is reworded, the third deleted.
MOVED = "全局注意力让每个位置看见整个序列"
CHANGED = (
    "Longformer 把注意力限制在滑动窗口(sliding window)里,再给少数 token 加上全局注意力"
    "(global attention),这样显存和计算都随序列长度线性增长"
)
REWORDED = (
    "Longformer 把注意力限制在局部窗口(sliding window)里,再给少数预先选定的 token 加上全局注意力"
    "(global attention),这样显存和计算都随序列长度线性增长"
)
DELETED = "BigBird 在此之外再加随机注意力"
EDITED_BODY = f"""## 长文档

{MOVED},代价是 $O(n^2)$。

{CHANGED},能一次读完上万 token 的文档。

{DELETED},并证明这种稀疏模式仍是图灵完备的。

结论见下一节。
"""


@pytest.fixture
def edited(transactional_db, make_note, reader):
    """The annotations of a note its author then edited, by what the edit did to them."""
    note = make_note(title="长文档的注意力", slug="long-attention", body=EDITED_BODY)
    annotations = {
        "moved": annotate_in_code(note, reader, MOVED, "这是基线。", "public"),
        "changed": annotate_in_code(note, reader, CHANGED, "窗口大小在论文里是 **512**。"),
        "orphaned": annotate_in_code(note, reader, DELETED, "随机注意力有什么用?"),
    }
    note.body = (
        EDITED_BODY.replace("## 长文档\n", "## 长文档\n\n先说代价:注意力随长度平方增长。\n")
        .replace(CHANGED, REWORDED)
        .replace(f"{DELETED},并证明这种稀疏模式仍是图灵完备的。\n\n", "")
    )
    note.save()
    for annotation in annotations.values():
        annotation.refresh_from_db()
    return annotations


def open_note_with(page, live_server, annotation):
    log_in(page, live_server, annotation.note.get_absolute_url())
    wait_loaded(page)


def card_parts(card):
    """The badges and quotes of an annotation's card, in the order a reader sees them."""
    parts = [".annotation__changed", ".annotation__orphan", ".annotation__quote-label"]
    return card.locator(", ".join([*parts, ".annotation__quote"])).all_inner_texts()


def test_reworded_passage_is_highlighted_on_its_new_words_and_quotes_both(
    page, live_server, edited, artifacts, csp_violations
):
    """原文已修改: the highlight covers the new words; the card quotes the reader's words, then
    the words there now, in the side list and in the popover."""
    changed = edited["changed"]
    assert (changed.quote, changed.exact, changed.text_changed) == (CHANGED, REWORDED, True)
    open_note_with(page, live_server, changed)
    assert highlighted(page, changed) == REWORDED
    expected = ["原文已修改", "批注时的原文:", CHANGED, "现在的原文:", REWORDED]
    card = page.locator(f"#annotation-{changed.pk}")
    assert card_parts(card) == expected
    assert card.locator("del").all_inner_texts() == ["滑动"]
    assert card.locator("ins").all_inner_texts() == ["局部", "预先选定的"]

    mark = page.locator(f'mark.annotation-highlight[data-annotation-ids~="{changed.pk}"]').first
    mark.click()
    assert card_parts(page.locator(".annotation-popover .annotation")) == expected
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.keyboard.press("Escape")
            page.screenshot(path=artifacts / f"edited-{scheme}-{width}-list.png", full_page=True)
            mark.scroll_into_view_if_needed()
            mark.click()
            page.screenshot(path=artifacts / f"edited-{scheme}-{width}-popover.png")
    assert csp_violations() == []


def test_passage_moved_by_an_insertion_keeps_one_quote_and_no_badge(
    page, live_server, edited, csp_violations
):
    """Text inserted above moves the highlight with its words; the card is as it was."""
    moved = edited["moved"]
    assert (moved.exact, moved.text_changed) == (MOVED, False)
    open_note_with(page, live_server, moved)
    assert highlighted(page, moved) == MOVED
    assert card_parts(page.locator(f"#annotation-{moved.pk}")) == [MOVED]
    assert csp_violations() == []


def test_orphan_is_listed_last_with_its_quote_and_no_highlight(
    page, live_server, edited, csp_violations
):
    """原文已删除: the reader's quote stays in the list, nothing in the body is highlighted."""
    orphan = edited["orphaned"]
    assert orphan.state == Annotation.State.ORPHANED
    open_note_with(page, live_server, orphan)
    assert highlighted(page, orphan) == ""
    last = page.locator(".annotations__list > .annotation").last
    assert last.get_attribute("id") == f"annotation-{orphan.pk}"
    assert card_parts(last) == ["原文已删除", DELETED]
    assert csp_violations() == []


def test_long_reworded_quotes_are_cut_around_their_changes(
    page, live_server, transactional_db, make_note, reader, artifacts, csp_violations
):
    """A card shows 140 characters of a quote; when the start did not change, it shows the
    words just before the first change, so that the marked words are in sight."""
    chosen = (
        "Longformer 是为长文档设计的 Transformer,它把注意力限制在滑动窗口(sliding window)里,"
        "再给少数 token 加上全局注意力(global attention),这样显存和计算都随序列长度线性增长,"
        "能一次读完上万 token 的文档,在 WikiHop 和 TriviaQA 上都超过了 RoBERTa"
    )
    now = chosen.replace("滑动", "局部").replace("上万", "数万")
    note = make_note(slug="longformer", body=f"{chosen}。\n\n复杂度是 $O(n)$。")
    annotation = annotate_in_code(note, reader, chosen)
    note.body = note.body.replace(chosen, now)
    note.save()
    open_note_with(page, live_server, annotation)
    assert highlighted(page, annotation) == now
    card = page.locator(f"#annotation-{annotation.pk}")
    shown = card.locator(".annotation__quote").all_inner_texts()
    for quote, full in zip(shown, (chosen, now), strict=True):
        assert quote.startswith("…") and quote.endswith("…")
        assert quote.strip("…") in full
        assert len(quote) <= 140 + 2
    assert card.locator("del").all_inner_texts() == ["滑动", "上"]
    assert card.locator("ins").all_inner_texts() == ["局部", "数"]
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            card.screenshot(path=artifacts / f"edited-long-{scheme}-{width}.png")
    assert csp_violations() == []


def test_open_popover_follows_its_highlight_when_the_window_narrows(
    page, live_server, annotated_note, reader, artifacts
):
    """A popover opened at 1280 px is, after a resize to 390 px, still 6 px from its highlight
    (below it, or above when the highlight is near the window's bottom) and within the window;
    scrolled after, it stays there."""
    annotation = annotate_in_code(annotated_note, reader, "结论", "公开的", "public")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + annotated_note.get_absolute_url())
    wait_loaded(page)
    mark = page.locator(f"mark[data-annotation-ids='{annotation.pk}']").first
    mark.scroll_into_view_if_needed()
    mark.click()
    popover = page.locator(".annotation-popover")
    popover.wait_for()
    wide = popover.bounding_box()
    assert wide["x"] + wide["width"] > 390  # beside the highlight, far to the right of 390

    page.set_viewport_size({"width": 390, "height": 844})
    for scroll in (0, 40):
        page.mouse.wheel(0, scroll)
        page.wait_for_function(
            """() => {
                const box = document.querySelector(".annotation-popover").getBoundingClientRect();
                const mark = document.querySelector("mark.annotation-highlight")
                    .getBoundingClientRect();
                return Math.abs(box.top - mark.bottom - 6) < 1
                    || Math.abs(mark.top - box.bottom - 6) < 1;
            }""",
            timeout=5000,
        )
        box = popover.bounding_box()
        assert box["x"] >= 8 and box["x"] + box["width"] <= 390 - 8
    page.screenshot(path=artifacts / "annotations-popover-resized-390.png")


def test_popover_of_a_highlight_at_the_window_bottom_opens_above_it(
    page, live_server, annotated_note, reader, artifacts
):
    """A highlight on the last line of the window opens its popover 6 px above it, wholly in the
    window; one near the top opens it below, as before."""
    annotation = annotate_in_code(annotated_note, reader, "结论", "公开的", "public")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(live_server.url + annotated_note.get_absolute_url())
    wait_loaded(page)
    mark = page.locator(f"mark[data-annotation-ids='{annotation.pk}']").first
    popover = page.locator(".annotation-popover")
    mark_box = "document.querySelector('mark.annotation-highlight').getBoundingClientRect()"

    page.evaluate(f"() => scrollBy(0, {mark_box}.bottom - 844 + 4)")  # its bottom at 840
    mark.click()
    popover.wait_for()
    box, mark_top = popover.bounding_box(), page.evaluate(f"() => {mark_box}.top")
    assert box["y"] >= 0 and abs(box["y"] + box["height"] + 6 - mark_top) < 1
    page.screenshot(path=artifacts / "annotations-popover-above-390.png")
    page.keyboard.press("Escape")

    page.evaluate(f"() => scrollBy(0, {mark_box}.top - 100)")  # its top at 100
    mark.click()
    popover.wait_for()
    mark_bottom = page.evaluate(f"() => {mark_box}.bottom")
    assert abs(popover.bounding_box()["y"] - mark_bottom - 6) < 1
