"""The header search box in a real browser, and dark-mode / print screenshots to look at."""

import pytest

from papers.models import Note

NOTE_BODY = r"""## 方法

SimCLR 用**对比学习**(contrastive learning)预训练编码器,损失是 InfoNCE:

$$
\mathcal{L} = -\log \frac{\exp(s(z_i, z_j)/\tau)}{\sum_{k \ne i} \exp(s(z_i, z_k)/\tau)}
$$

```python
import torch.nn.functional as F

def info_nce(z, tau=0.1):
    return F.cross_entropy(z @ z.T / tau, torch.arange(len(z)))
```

| 方法 | 批大小 |
|:--|--:|
| SimCLR | 4096 |
"""


@pytest.fixture
def notes(transactional_db, topic, paper, make_note):
    for number in range(3):
        make_note(
            title=f"对比学习笔记 {number + 1}",
            slug=f"contrastive-{number + 1}",
            topic=topic,
            paper=paper,
            summary="个人总结:温度系数 $\\tau$ 很关键,**对比学习**需要大批量。",
            body=NOTE_BODY,
            tags=["SimCLR", "对比学习"],
            days_ago=number + 1,
        )
    make_note(title="无关的笔记", body="强化学习的奖励设计。")


@pytest.fixture
def dark_page(browser):
    context = browser.new_context(
        locale="zh-CN", color_scheme="dark", viewport={"width": 1280, "height": 900}
    )
    page = context.new_page()
    yield page
    context.close()


def test_search_box_finds_and_marks(page, live_server, notes):
    """Typing a query in the header box and pressing Enter lists hits with the match marked."""
    page.goto(live_server.url + "/")
    page.get_by_label("搜索笔记").fill("对比学习")
    page.keyboard.press("Enter")
    page.wait_for_url("**/search/?q=*")
    assert page.locator(".note-card").count() == 3
    assert page.locator(".note-card mark").first.inner_text() == "对比学习"
    assert page.get_by_label("搜索笔记").input_value() == "对比学习"


def test_search_button_submits_too(page, live_server, notes):
    """The 搜索 button submits the form; an English query matches case-insensitively."""
    page.goto(live_server.url + "/topics/")
    page.get_by_label("搜索笔记").fill("SIMCLR")
    page.get_by_role("button", name="搜索").click()
    page.wait_for_url("**/search/?q=SIMCLR")
    assert page.locator(".note-card").count() == 3
    assert page.locator(".note-card__title mark").count() == 0
    assert page.locator(".note-card mark").first.inner_text() == "SimCLR"


def test_dark_mode_follows_the_system(dark_page, live_server, notes, artifacts):
    """With a dark colour scheme the page and cards are dark; saves screenshots to look at."""
    dark_page.goto(live_server.url + "/search/?q=对比学习")
    background = dark_page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == "rgb(13, 17, 23)"
    dark_page.screenshot(path=artifacts / "search-dark-desktop.png", full_page=True)
    dark_page.goto(live_server.url + "/notes/contrastive-1/")
    dark_page.wait_for_selector(".note__body .katex")
    code = dark_page.locator(".note__body .highlight pre")
    assert code.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(13, 17, 23)"
    dark_page.get_by_text("引用这篇笔记").click()
    assert dark_page.locator("#cite-bibtex").is_visible()
    dark_page.screenshot(path=artifacts / "note-dark-desktop.png", full_page=True)


def test_search_light_screenshot(page, live_server, notes, artifacts):
    """Saves the light search results page at 1280 px for a person to look at."""
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/search/?q=对比学习")
    page.screenshot(path=artifacts / "search-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=artifacts / "search-phone.png", full_page=True)


def test_annotation_hits_typeset_their_math(
    page, live_server, notes, reader, csp_violations, artifacts
):
    """An annotation found by its text shows its quote's formula and its own typeset by KaTeX,
    which the annotation section loads (no note hit has math here); saves 1280 / 390 px shots."""
    from annotations import passages

    note = Note.objects.get(slug="contrastive-1")
    text = passages.note_text(note)
    start, end = text.index("InfoNCE"), text.index("z_k)/\\tau)}") + len("z_k)/\\tau)}")
    selector, errors = passages.clean_selector(
        text, {"exact": text[start:end], "start": start, "end": end}
    )
    assert not errors, errors
    body = "山茶花:温度 $\\tau$ 越小,分布越尖锐"
    passages.create_annotation(note, reader, selector, body, "public")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(live_server.url + "/search/?q=山茶花")
    hit = page.locator(".search__annotations .annotation")
    hit.locator(".annotation__quote .katex").first.wait_for()
    assert hit.locator(".annotation__quote .katex").count() == 1
    assert hit.locator(".annotation__body .katex").count() == 1
    assert "\\mathcal" not in hit.inner_text()
    page.screenshot(path=artifacts / "search-annotation-math-desktop.png", full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=artifacts / "search-annotation-math-phone.png", full_page=True)
    assert csp_violations() == []


def test_print_hides_navigation_and_opens_folds(page, live_server, notes, artifacts):
    """Print media hides header navigation, search, footer and buttons, and shows folded text."""
    page.set_viewport_size({"width": 800, "height": 1100})
    page.goto(live_server.url + "/notes/contrastive-1/")
    page.wait_for_selector(".note__body .katex")
    page.emulate_media(media="print")
    for selector in [".site-nav", ".site-search", ".site-footer", ".note__siblings", "button"]:
        assert not page.locator(selector).first.is_visible(), selector
    assert page.locator(".paper-card__bibtex").is_visible()
    code = page.locator(".note__body .highlight pre")
    assert code.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"
    page.screenshot(path=artifacts / "note-print.png", full_page=True)
