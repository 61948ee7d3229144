import pytest

from papers.rendering import plain_text

BODY = r"""## 注意力

行内公式 $a_i * b_i$ 与 $$\mathbf{W}_{q}$$ 写在一段里。

\[ \sum_i x_i \]

$$
\mathrm{Attention}(Q, K, V) = \mathrm{softmax}\left(\frac{QK^\top}{\sqrt{d_k}}\right)V
$$

## 代码

```python
import torch

def attention(q, k, v):
    return torch.softmax(q @ k.transpose(-2, -1), dim=-1) @ v
```

| 方法 | 显存 |
|:--|--:|
| MHA | 高 |

## 笔记

缩放因子是 $ \sqrt{d_k} $,要点:
- 先算 ==相似度== %%自己的备注%%
  - 再归一化
- [x] 读完论文
- [ ] 复现实验

> [!note] 记号
> Q、K、V 来自同一个序列。

> [!tip]- 为什么要缩放
> 点积的方差随 $d_k$ 增大。

\begin{align}
a &= b \\
c &= d
\end{align}
"""


@pytest.fixture
def math_note(transactional_db, topic, paper, make_note):
    return make_note(
        title="注意力里的公式与代码",
        slug="注意力公式",
        topic=topic,
        paper=paper,
        summary="个人总结:$O(n^2)$ 的显存。",
        body=BODY,
        tags=["Transformer", "注意力"],
    )


def open_note(page, live_server, note):
    page.goto(live_server.url + note.get_absolute_url())
    page.wait_for_selector(".note__body .katex")


def test_math_is_typeset_and_code_highlighted(page, live_server, math_note, csp_violations):
    """KaTeX typesets inline and display math, no raw delimiters stay visible, code is coloured;
    the Content-Security-Policy lets KaTeX's fonts and style attributes through."""
    open_note(page, live_server, math_note)
    page.evaluate("document.fonts.ready")
    body = page.locator(".note__body")
    assert body.locator(".katex").count() == 7
    assert body.locator(".katex-display").count() == 4
    visible = body.inner_text()
    for delimiter in ("$$", "\\[", "\\(", "$a_i"):
        assert delimiter not in visible
    keyword = body.locator(".highlight .kn").first
    assert keyword.inner_text() == "import"
    assert keyword.evaluate("e => getComputedStyle(e).color") != "rgb(31, 35, 40)"
    assert page.locator(".note__summary .katex").count() == 1
    space = body.locator(".katex .mspace").first  # KaTeX spaces it with a style attribute
    assert space.get_attribute("style") == "margin-right: 0.2222em;"
    assert space.evaluate("e => parseFloat(getComputedStyle(e).marginRight)") > 0
    fonts = page.evaluate(
        "[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)"
    )
    assert any(family.startswith("KaTeX") for family in fonts)
    assert csp_violations() == []


def test_lists_task_lists_and_callouts_show_as_written(page, live_server, math_note, artifacts):
    """The list after a paragraph line and its 2-space nested list are lists, task items are
    disabled checkboxes, and the folded callout opens at its title (saved as a screenshot)."""
    open_note(page, live_server, math_note)
    body = page.locator(".note__body")
    assert body.locator("ul > li > ul > li").inner_text() == "再归一化"
    boxes = body.locator("li.task-list-item input[type=checkbox]")
    assert boxes.count() == 2
    assert [boxes.nth(i).is_checked() for i in range(2)] == [True, False]
    assert all(boxes.nth(i).is_disabled() for i in range(2))
    assert body.locator("mark").inner_text() == "相似度"
    assert "自己的备注" not in body.inner_text()
    callout = body.locator("details.callout-tip")
    assert not callout.locator("p").is_visible()
    callout.locator("summary").click()
    assert callout.locator("p").is_visible()
    body.screenshot(path=artifacts / "note-body-callout-open.png")


def test_policy_refuses_inline_script(page, live_server, math_note, csp_violations):
    """An inline script added to the page does not run, and the refusal is seen."""
    open_note(page, live_server, math_note)
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.__ran = true";
            document.body.append(script);
        }"""
    )
    assert page.evaluate("window.__ran") is None
    assert any(line.startswith("script-src-elem") for line in csp_violations())


def test_cjk_slug_url_opens_the_note(page, live_server, math_note):
    """The unicode slug URL reaches the note in a real browser."""
    response = page.goto(live_server.url + "/notes/注意力公式/")
    assert response.status == 200
    assert page.locator("h1.note__title").inner_text() == "注意力里的公式与代码"


def test_browser_plain_text_matches_server(page, live_server, math_note):
    """static/js/plain-text.js computes the server's plain_text from the typeset page."""
    open_note(page, live_server, math_note)
    browser_text = page.evaluate(
        """async () => {
            const { plainText } = await import("/static/js/plain-text.js");
            return plainText(document.querySelector("[data-note-body]"));
        }"""
    )
    assert browser_text == plain_text(math_note.body_html)


@pytest.mark.parametrize("name, width, height", [("phone", 390, 844), ("desktop", 1280, 900)])
def test_note_page_screenshots(page, live_server, math_note, artifacts, name, width, height):
    """Saves the note page and `/` at phone and desktop widths for a person to look at."""
    page.set_viewport_size({"width": width, "height": height})
    open_note(page, live_server, math_note)
    page.screenshot(path=artifacts / f"note-{name}.png", full_page=True)
    page.goto(live_server.url + "/")
    page.screenshot(path=artifacts / f"home-{name}.png", full_page=True)
    assert (artifacts / f"note-{name}.png").stat().st_size > 10_000
