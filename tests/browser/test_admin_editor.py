"""The note editor of the admin (static/js/note-editor.js): live preview, images, drafts."""

import base64

import pytest

from papers.models import Note
from tests.browser.conftest import log_in_to_admin
from tests.papers.flavours import tiny_png

PNG_BASE64 = base64.b64encode(tiny_png(120)).decode()
# A paste as a browser makes it when an image is on the clipboard: a File in a DataTransfer.
PASTE_PNG = """(base64) => {
    const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
    const data = new DataTransfer();
    data.items.add(new File([bytes], "粘贴.png", { type: "image/png" }));
    const paste = new ClipboardEvent("paste", { clipboardData: data, bubbles: true });
    const editor = document.querySelector(".note-editor__source").shadowRoot;
    editor.querySelector(".cm-content").dispatchEvent(paste);
}"""


@pytest.fixture
def note(make_note):
    return make_note(title="编辑器", slug="editor", body="第一段\n\n第二段")


def open_editor(page, live_server, note=None):
    address = f"/admin/papers/note/{note.pk}/change/" if note else "/admin/papers/note/add/"
    page.goto(live_server.url + address)
    page.locator(".note-editor .cm-content").wait_for()
    return page.locator(".note-editor__preview")


def type_at_end(page, text):
    page.locator(".note-editor .cm-content").click()
    page.keyboard.press("Control+End")
    page.keyboard.type(text)


def wait_for_draft(page, note, text=""):
    """Until the editor's draft of `note` in localStorage holds `text`."""
    page.wait_for_function(
        "([key, text]) => localStorage.getItem(key)?.includes(text)",
        arg=[f"note-draft:{note.pk}", text],
    )


def test_typed_math_is_typeset_in_the_live_preview(admin_page, live_server, csp_violations):
    """What is typed shows in the preview, math typeset by KaTeX, with no CSP refusal."""
    preview = open_editor(admin_page, live_server)
    type_at_end(admin_page, "## 能量\n\n质能 $E = mc^2$,代码:\n\n```python\nx = 1\n```\n")
    preview.locator(".katex").wait_for()
    assert preview.locator("h2").inner_text().startswith("能量")
    assert preview.locator(".highlight .n").inner_text() == "x"
    assert "$E" not in preview.inner_text()
    assert admin_page.input_value("#id_body").startswith("## 能量")
    assert csp_violations() == []


def test_tex_error_is_listed_with_its_source_line(admin_page, live_server, artifacts):
    open_editor(admin_page, live_server)
    type_at_end(admin_page, "第一行\n\n好的 $a^2$\n坏的 $\\frac{1}{$\n")
    errors = admin_page.locator(".note-editor__errors li")
    errors.wait_for()
    assert errors.count() == 1
    assert errors.inner_text().startswith("第 4 行:")
    admin_page.locator(".note-editor").screenshot(path=artifacts / "admin-editor-tex-error.png")


def test_preview_scrolls_with_the_editor(admin_page, live_server, make_note):
    """Scrolling the source to a paragraph brings that paragraph to the preview's top."""
    long_note = make_note(body="\n\n".join(f"段落 {number}" for number in range(1, 201)))
    preview = open_editor(admin_page, live_server, long_note)
    preview.locator('[data-line="399"]').wait_for(state="attached")
    scroller = admin_page.locator(".note-editor__source .cm-scroller")
    scroller.scroll_into_view_if_needed()
    top_line = scroller.evaluate(  # the first paragraph line at least partly in sight
        """async (scroller) => {
            scroller.scrollTop = scroller.scrollHeight / 2;
            for (const _ of [1, 2]) await new Promise(requestAnimationFrame); // lines drawn
            const top = scroller.getBoundingClientRect().top;
            const lines = [...scroller.querySelectorAll(".cm-line")];
            const seen = (line) => line.textContent && line.getBoundingClientRect().bottom > top;
            return lines.find(seen).textContent;
        }"""
    )
    assert top_line.startswith("段落 ")
    shown = preview.locator("p").get_by_text(top_line, exact=True)
    admin_page.wait_for_function(
        "([preview, paragraph]) => Math.abs(paragraph.getBoundingClientRect().top"
        " - preview.getBoundingClientRect().top) < 40",
        arg=[preview.element_handle(), shown.element_handle()],
    )


def test_pasted_image_is_uploaded_and_shown_in_preview_and_on_the_site(
    admin_page, live_server, note
):
    """A pasted PNG is stored, its Markdown inserted, and after Ctrl+S readers see it."""
    note.status = Note.Status.PUBLISHED
    note.save()
    preview = open_editor(admin_page, live_server, note)
    admin_page.locator(".note-editor .cm-content").click()
    admin_page.keyboard.press("Control+End")
    admin_page.evaluate(PASTE_PNG, PNG_BASE64)
    image = preview.locator("img[alt=粘贴]")
    image.wait_for()
    assert image.evaluate("(img) => img.decode().then(() => img.naturalWidth)") == 1
    admin_page.keyboard.press("Control+s")
    admin_page.wait_for_selector(".messagelist .success")
    note.refresh_from_db()
    assert "![粘贴](/media/uploads/" in note.body
    admin_page.goto(live_server.url + note.get_absolute_url())
    shown = admin_page.locator(".note__body img[alt=粘贴]")
    assert shown.evaluate("(img) => img.decode().then(() => img.naturalWidth)") == 1


def test_picked_image_is_inserted_at_the_cursor(admin_page, live_server, note):
    preview = open_editor(admin_page, live_server, note)
    admin_page.locator(".note-editor__file").set_input_files(
        files=[{"name": "图一.png", "mimeType": "image/png", "buffer": tiny_png(3)}]
    )
    preview.locator("img[alt=图一]").wait_for()
    assert admin_page.locator(".note-editor__status").inner_text() == "已插入 图一.png"


def test_dropped_image_is_inserted_where_it_is_dropped(admin_page, live_server, note):
    """Dropped on the first line, the image's Markdown goes there, not at the end."""
    preview = open_editor(admin_page, live_server, note)
    first_line = admin_page.locator(".note-editor .cm-line").first
    box = first_line.bounding_box()
    admin_page.evaluate(
        """([base64, x, y]) => {
            const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
            const data = new DataTransfer();
            data.items.add(new File([bytes], "拖入.png", { type: "image/png" }));
            const content = document.querySelector(".note-editor__source").shadowRoot
                .querySelector(".cm-content");
            const init = { dataTransfer: data, clientX: x, clientY: y, bubbles: true };
            content.dispatchEvent(new DragEvent("drop", init));
        }""",
        [PNG_BASE64, box["x"] + 1, box["y"] + box["height"] / 2],
    )
    preview.locator("img[alt=拖入]").wait_for()
    assert admin_page.input_value("#id_body").startswith("![拖入](/media/uploads/")
    assert admin_page.input_value("#id_body").endswith("第二段")


def test_picked_non_image_is_refused_with_the_reason(admin_page, live_server, note):
    open_editor(admin_page, live_server, note)
    admin_page.locator(".note-editor__file").set_input_files(
        files=[{"name": "假的.png", "mimeType": "image/png", "buffer": b"not a picture"}]
    )
    status = admin_page.locator(".note-editor__status--error")
    status.wait_for()
    assert status.inner_text() == "假的.png:这不是图片(PNG、JPEG、GIF 或 WebP)。"
    assert admin_page.input_value("#id_body") == "第一段\n\n第二段"


def test_reload_mid_edit_asks_first_then_offers_the_edit_back(
    admin_page, live_server, note, artifacts
):
    """Leaving with unsaved edits asks; the draft is kept and offered back with 恢复."""
    dialogs = []
    admin_page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.accept()))
    open_editor(admin_page, live_server, note)
    type_at_end(admin_page, "\n\n没保存的一段")
    wait_for_draft(admin_page, note, "没保存的一段")
    admin_page.reload()
    assert dialogs == ["beforeunload"]
    banner = admin_page.locator(".note-editor__banner")
    assert "未保存的草稿" in banner.inner_text()
    assert "没保存的一段" not in admin_page.locator(".note-editor .cm-content").inner_text()
    admin_page.locator(".note-editor").screenshot(path=artifacts / "admin-editor-draft.png")
    banner.get_by_role("button", name="恢复").click()
    assert "没保存的一段" in admin_page.locator(".note-editor .cm-content").inner_text()
    assert admin_page.input_value("#id_body").endswith("没保存的一段")
    admin_page.locator(".note-editor__preview p", has_text="没保存的一段").wait_for()


def test_discarded_draft_is_not_offered_again(admin_page, live_server, note):
    admin_page.on("dialog", lambda dialog: dialog.accept())
    open_editor(admin_page, live_server, note)
    type_at_end(admin_page, "不要了")
    wait_for_draft(admin_page, note)
    admin_page.reload()
    admin_page.locator(".note-editor__banner").get_by_role("button", name="丢弃").click()
    admin_page.reload()
    admin_page.locator(".note-editor .cm-content").wait_for()
    assert admin_page.locator(".note-editor__banner").count() == 0


def test_ctrl_s_saves_and_forgets_the_draft(admin_page, live_server, note):
    open_editor(admin_page, live_server, note)
    type_at_end(admin_page, "\n\n新的一段 $x$")
    wait_for_draft(admin_page, note)
    admin_page.keyboard.press("Control+s")
    admin_page.wait_for_selector(".messagelist .success")
    note.refresh_from_db()
    # A form sends a textarea's line breaks as CRLF, with or without the editor.
    assert note.body.splitlines() == ["第一段", "", "第二段", "", "新的一段 $x$"]
    assert admin_page.evaluate(f"localStorage.getItem('note-draft:{note.pk}')") is None
    assert admin_page.locator(".note-editor__banner").count() == 0


def test_saving_a_new_note_forgets_its_draft(admin_page, live_server, topic):
    """保存 lands on the list of notes, where the draft of the new note is forgotten."""
    open_editor(admin_page, live_server)
    admin_page.locator("#id_title").press_sequentially("新笔记")
    type_at_end(admin_page, "新的正文")
    admin_page.wait_for_function("() => localStorage.getItem('note-draft:new') !== null")
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success")
    assert admin_page.url.endswith("/admin/papers/note/")
    assert admin_page.evaluate("localStorage.getItem('note-draft:new')") is None
    assert Note.objects.get(title="新笔记").body == "新的正文"


def test_without_javascript_the_textarea_saves(browser, live_server, admin_user, note):
    """With scripts off the body is the plain textarea, saved as before."""
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    log_in_to_admin(page, live_server, admin_user)
    page.goto(live_server.url + f"/admin/papers/note/{note.pk}/change/")
    page.fill("#id_body", "不用脚本 $y$")
    page.click("input[name=_continue]")
    page.wait_for_selector(".messagelist .success")
    context.close()
    note.refresh_from_db()
    assert note.body == "不用脚本 $y$"


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_editor_screenshots(admin_page, live_server, note, artifacts, scheme, width):
    """The editor and its preview, light and dark, desktop and phone, for a person to look at."""
    admin_page.emulate_media(color_scheme=scheme)
    admin_page.set_viewport_size({"width": width, "height": 900})
    preview = open_editor(admin_page, live_server, note)
    admin_page.locator(".note-editor .cm-content").click()
    admin_page.keyboard.press("Control+End")
    admin_page.keyboard.insert_text(
        "\n\n## 注意力\n\n$$\n\\mathrm{Attention}(Q,K,V) = \\mathrm{softmax}(QK^T/\\sqrt{d})V\n"
        "$$\n\n"
        "```python\ndef f(x):\n    return x + 1  # 注释\n```\n"
    )
    preview.locator(".katex-display").wait_for()
    admin_page.locator(".note-editor").scroll_into_view_if_needed()
    admin_page.screenshot(path=artifacts / f"admin-editor-{scheme}-{width}.png")
    assert preview.locator(".highlight .k").first.inner_text() == "def"


# The colour of each element and of the first opaque background behind it, as [r, g, b] 0-255;
# a canvas turns any CSS colour (color-mix and color() included) into sRGB bytes.
COLOURS = """(elements) => {
    const context = document.createElement("canvas").getContext("2d", { willReadFrequently: true });
    const bytes = (css) => {
        context.clearRect(0, 0, 1, 1);
        context.fillStyle = css;
        context.fillRect(0, 0, 1, 1);
        return Array.from(context.getImageData(0, 0, 1, 1).data);
    };
    const background = (element) => {
        for (let node = element; node; node = node.parentElement ?? node.getRootNode().host) {
            const colour = bytes(getComputedStyle(node).backgroundColor);
            if (colour[3] === 255) return colour.slice(0, 3);
        }
        return [255, 255, 255];
    };
    return elements.map((element) => [
        bytes(getComputedStyle(element).color).slice(0, 3), background(element),
    ]);
}"""


def contrast(foreground, background):
    """WCAG 2 contrast ratio of two sRGB colours."""

    def luminance(colour):
        linear = [
            c / 255 / 12.92 if c <= 10 else ((c / 255 + 0.055) / 1.055) ** 2.4 for c in colour
        ]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    lighter, darker = sorted([luminance(foreground), luminance(background)], reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def test_code_and_tex_colours_are_readable_in_dark_mode(admin_page, live_server, note):
    """Highlighted code in the preview and the editor's own token colours reach 4.5:1."""
    admin_page.emulate_media(color_scheme="dark")
    preview = open_editor(admin_page, live_server, note)
    admin_page.locator(".note-editor .cm-content").click()
    admin_page.keyboard.insert_text(
        "\n\n## 标题 $\\alpha$\n\n```python\ndef f(x):\n    return 'a' + 1  # 注释\n```\n"
    )
    preview.locator(".highlight .c1").wait_for()
    selectors = [".highlight .k", ".highlight .nf", ".highlight .s1", ".highlight .mi"]
    selectors += [".highlight .c1", ".highlight .o"]
    elements = [preview.locator(selector).first.element_handle() for selector in selectors]
    editor = admin_page.locator(".note-editor__source")
    elements += [editor.locator(".cm-tex-math").first.element_handle()]
    elements += [editor.locator(".cm-tex-command").first.element_handle()]
    elements += [editor.locator(".cm-gutterElement").nth(1).element_handle()]
    ratios = {
        name: round(contrast(*colours), 1)
        for name, colours in zip(
            [*selectors, "tex", "tex command", "line number"],
            admin_page.evaluate(COLOURS, elements),
            strict=True,
        )
    }
    assert {name: ratio for name, ratio in ratios.items() if ratio < 4.5} == {}, ratios
