"""What PaperMod / NexT readers expect on a note: a copy button and the language on code
blocks, the reading time, related notes (issue 17, features)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from papers.models import Note

CODE = "import torch\n\ndef attention(q, k, v):\n    return torch.softmax(q @ k.T, dim=-1) @ v"
BODY = f"""## 注意力

缩放点积注意力(scaled dot-product attention)先算相似度,再归一化:$\\sqrt{{d_k}}$ 防止
点积过大。

```python
{CODE}
```

没有标明语言的代码块:

```
pip install torch
```
"""


@pytest.fixture
def code_note(transactional_db, paper, make_note):
    note = make_note(
        title="注意力的代码",
        slug="attention-code",
        paper=paper,
        tags=["Transformer", "注意力"],
        body=BODY + "\n正文" * 400,
    )
    make_note(title="同一论文的另一篇", paper=paper, days_ago=5)
    make_note(title="共享两个标签", tags=["Transformer", "注意力"], days_ago=3)
    make_note(title="共享一个标签", tags=["注意力"], days_ago=2)
    make_note(title="草稿不出现", paper=paper, tags=["注意力"], status=Note.Status.DRAFT)
    make_note(title="未来不出现", paper=paper, published_at=timezone.now() + timedelta(days=2))
    return note


@pytest.fixture
def clipboard_page(browser):
    """A page whose scripts may write and read the clipboard, as a reader's click allows."""
    context = browser.new_context(locale="zh-CN", permissions=["clipboard-read", "clipboard-write"])
    yield context.new_page()
    context.close()


def open_note(page, live_server, note):
    page.goto(live_server.url + note.get_absolute_url())
    page.wait_for_selector(".note__body .code-copy")


def test_copy_button_copies_the_code_from_the_keyboard_and_announces_it(
    clipboard_page, live_server, code_note
):
    """The first block's labelled 复制 button, pressed with Enter, puts exactly its code on the
    clipboard, says 已复制, and the status region announces it."""
    from playwright.sync_api import expect

    page = clipboard_page
    open_note(page, live_server, code_note)
    button = page.get_by_role("button", name="复制 python 代码")
    button.focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-copy-status]")).to_have_text("已复制")
    assert page.locator("[data-copy-status]").get_attribute("role") == "status"
    assert page.evaluate("navigator.clipboard.readText()") == CODE
    expect(button).to_have_text("已复制")
    expect(button).to_have_text("复制", timeout=5000)  # back after two seconds


def test_citation_buttons_still_copy_their_text(clipboard_page, live_server, code_note):
    """The same module's 复制 BibTeX button copies the note's BibTeX and announces it."""
    from playwright.sync_api import expect

    page = clipboard_page
    open_note(page, live_server, code_note)
    page.locator(".note__cite > summary").click()
    page.get_by_role("button", name="复制 BibTeX").click()
    expect(page.locator("[data-copy-status]")).to_have_text("已复制")
    bibtex = page.locator("#cite-bibtex").text_content()
    assert bibtex.startswith("@")
    assert page.evaluate("navigator.clipboard.readText()") == bibtex


def test_code_blocks_show_their_language_and_each_has_a_button(page, live_server, code_note):
    """The python block shows its language above the code; the unnamed one shows none; each
    has a button named for what it copies."""
    open_note(page, live_server, code_note)
    blocks = page.locator(".note__body .highlight")
    labels = blocks.evaluate_all(
        "blocks => blocks.map(b => getComputedStyle(b, '::before').content)"
    )
    assert labels == ['"python"', '""']
    names = blocks.locator(".code-copy").evaluate_all(
        "buttons => buttons.map(b => b.getAttribute('aria-label'))"
    )
    assert names == ["复制 python 代码", "复制代码"]


def test_copying_a_selection_leaves_the_button_out(page, live_server, code_note):
    """Selecting the whole block selects its code but not the button's word."""
    open_note(page, live_server, code_note)
    selected = page.evaluate(
        """() => {
            const block = document.querySelector('.note__body .highlight');
            getSelection().selectAllChildren(block);
            return getSelection().toString();
        }"""
    )
    assert selected.strip() == CODE
    assert "复制" not in selected


def test_reading_time_and_related_notes_are_shown(page, live_server, code_note):
    """The meta says 阅读约 N 分钟; 相关笔记 lists same paper first, then shared tags, and
    neither the draft nor the future note."""
    open_note(page, live_server, code_note)
    reading = page.locator(".note__meta .meta__reading")
    assert reading.is_visible()
    assert reading.inner_text() == f"阅读约 {code_note.reading_minutes} 分钟"
    assert code_note.reading_minutes == 3
    related = page.locator(".note__related")
    assert related.is_visible()
    titles = related.locator("a").all_inner_texts()
    assert titles == ["同一论文的另一篇", "共享两个标签", "共享一个标签"]


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, width", [("phone", 390), ("desktop", 1280)])
def test_screenshots(page, live_server, code_note, artifacts, scheme, name, width):
    """The note with its code bar, meta and related notes, at both widths, light and dark, for a
    person to look at; the page does not scroll sideways."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    open_note(page, live_server, code_note)
    page.locator(".note__header").screenshot(path=artifacts / f"features-meta-{name}-{scheme}.png")
    page.locator(".note__body .highlight").first.screenshot(
        path=artifacts / f"features-code-{name}-{scheme}.png"
    )
    page.locator(".note__related").screenshot(
        path=artifacts / f"features-related-{name}-{scheme}.png"
    )
    page.screenshot(path=artifacts / f"features-note-{name}-{scheme}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width


@pytest.fixture
def archive_notes(transactional_db, make_note):
    titles = ["PPO 的裁剪目标", "Attention Is All You Need 精读", "KV cache 与 PagedAttention"]
    for index, days_ago in enumerate([3, 20, 40, 75, 400]):
        make_note(title=f"{titles[index % 3]} {index}", days_ago=days_ago)


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("name, width", [("phone", 390), ("desktop", 1280)])
def test_archive_screenshots(page, live_server, archive_notes, artifacts, scheme, name, width):
    """/archive/ lists dated titles under month headings at both widths, light and dark, without
    scrolling sideways (saved for a person to look at)."""
    page.emulate_media(color_scheme=scheme)
    page.set_viewport_size({"width": width, "height": 900})
    page.goto(live_server.url + "/archive/")
    assert page.locator(".title-list__item").count() == 5
    assert page.locator(".title-list__date").first.is_visible()
    page.screenshot(path=artifacts / f"features-archive-{name}-{scheme}.png", full_page=True)
    assert page.evaluate("document.documentElement.scrollWidth") <= width
