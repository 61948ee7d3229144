"""annotations.comments.render_comment: the light Markdown a comment may use, and nothing more."""

from html.parser import HTMLParser

import pytest

from annotations.comments import render_comment


class Elements(HTMLParser):
    """Every start tag with its attributes, to assert on what a browser would build."""

    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def elements(html):
    return Elements(html).tags


def test_emphasis_code_and_links():
    """Emphasis, strong, code spans and links render; links are marked nofollow ugc."""
    html = render_comment("*斜体* **加粗** `x = 1` [论文](https://arxiv.org/abs/1706.03762)")
    assert html == (
        "<p><em>斜体</em> <strong>加粗</strong> <code>x = 1</code> "
        '<a href="https://arxiv.org/abs/1706.03762" rel="nofollow ugc noopener">论文</a></p>'
    )


def test_bare_url_becomes_a_link():
    """A pasted URL is a link without Markdown syntax."""
    assert render_comment("见 https://example.com/a_b") == (
        '<p>见 <a href="https://example.com/a_b" rel="nofollow ugc noopener">'
        "https://example.com/a_b</a></p>"
    )


def test_bare_url_ends_before_chinese():
    """A pasted URL followed by Chinese punctuation links the URL only."""
    assert render_comment("见 https://example.com/a，谢谢") == (
        '<p>见 <a href="https://example.com/a" rel="nofollow ugc noopener">'
        "https://example.com/a</a>，谢谢</p>"
    )


def test_inline_math_is_kept_for_katex():
    """$...$ and $$...$$ become the renderer's inline math markup, untouched by Markdown."""
    assert render_comment("设 $a_i * b_i$ 与 $$\\sum x$$") == (
        '<p>设 <span class="arithmatex">\\(a_i * b_i\\)</span> 与 '
        '<span class="arithmatex">\\[\\sum x\\]</span></p>'
    )


def test_display_math_stays_inline_in_a_comment():
    """`$$` on lines of its own, `\\(...\\)` and `\\[...\\]` are inline math: comments have
    no math blocks."""
    assert render_comment("$$\n\\sum x\n$$") == (
        '<p><span class="arithmatex">\\[\n\\sum x\n\\]</span></p>'
    )
    assert render_comment("\\(a\\) 和 \\[b\\]") == (
        '<p><span class="arithmatex">\\(a\\)</span> 和 <span class="arithmatex">\\[b\\]</span></p>'
    )


def test_price_in_a_comment_stays_text():
    """`$5 and $10` is money in a comment too."""
    assert render_comment("花了 $5 and $10") == "<p>花了 $5 and $10</p>"


def test_list_right_after_a_line():
    """A list may follow a line without a blank line, as in a note."""
    assert (
        render_comment("步骤：\n- 一\n- 二")
        == "<p>步骤：</p>\n<ul>\n<li>一</li>\n<li>二</li>\n</ul>"
    )


def test_newline_is_a_line_break():
    """A comment is plain text: a single newline starts a new line."""
    assert render_comment("第一行\n第二行") == "<p>第一行<br>\n第二行</p>"


def test_code_block_is_escaped():
    """Fenced code keeps its characters and gets no highlighting classes."""
    assert render_comment("```python\nif a < b:\n```") == ("<pre><code>if a &lt; b:\n</code></pre>")


@pytest.mark.parametrize(
    ("source", "absent"),
    [
        ("# 标题", "h1"),
        ("标题\n===", "h1"),
        ("---", "hr"),
        ("| a | b |\n|---|---|\n| 1 | 2 |", "table"),
        ("![图](https://example.com/x.png)", "img"),
    ],
    ids=["atx-heading", "setext-heading", "rule", "table", "image"],
)
def test_block_features_notes_have_are_off(source, absent):
    """Headings, rules, tables and images are not part of a comment."""
    assert absent not in [tag for tag, _ in elements(render_comment(source))]


def test_image_becomes_a_link_to_it():
    """Image syntax links to the image instead of embedding it."""
    assert render_comment("![架构图](https://example.com/x.png)") == (
        '<p><a href="https://example.com/x.png" rel="nofollow ugc noopener">架构图</a></p>'
    )


def test_script_tag_stays_visible_text():
    """Typed HTML is shown as text, so <script> is inert."""
    html = render_comment("<script>alert(1)</script>")
    assert html == "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"
    assert elements(html) == [("p", {})]


def test_javascript_link_loses_its_href():
    """A javascript: link keeps its text and no URL."""
    html = render_comment("[点我](javascript:alert(1)) [x](JaVaScRiPt:alert(1))")
    assert "javascript" not in html.lower()
    assert [attrs.get("href") for tag, attrs in elements(html) if tag == "a"] == [None, None]


def test_event_handler_attributes_never_reach_an_element():
    """onerror / onclick written as HTML stay text; no element carries them."""
    html = render_comment('<img src=x onerror=alert(1)> <a href="#" onclick="x()">a</a>')
    assert all(not name.startswith("on") for _, attrs in elements(html) for name in attrs)
    assert [tag for tag, _ in elements(html)] == ["p"]


def test_data_url_is_dropped():
    """Only http, https and mailto links keep their URL."""
    html = render_comment("[a](data:text/html,<b>x</b>) [m](mailto:a@example.com)")
    assert [attrs.get("href") for tag, attrs in elements(html) if tag == "a"] == [
        None,
        "mailto:a@example.com",
    ]
