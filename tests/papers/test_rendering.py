"""papers.rendering: Markdown with math and code to sanitized HTML, plain text and excerpts."""

import re

import pytest

from papers.dialect import block_anchor, heading_id
from papers.rendering import plain_text, render_markdown


def html_of(source):
    return render_markdown(source).html


# --- blocks as CommonMark reads them (marked, goldmark, Obsidian) ---------------------------


def test_list_right_after_a_paragraph_line_is_a_list():
    """`可编程内存：` followed by `- ` lines without a blank line is a paragraph and a list."""
    out = html_of("可编程内存：\n- 寄存器\n- 共享内存")
    assert out == "<p>可编程内存：</p>\n<ul>\n<li>寄存器</li>\n<li>共享内存</li>\n</ul>"


def test_two_spaces_nest_a_list():
    """Items indented by two spaces under an item are a list inside it."""
    out = html_of("- 模型\n  - 编码器\n  - 解码器\n- 数据")
    assert out == (
        "<ul>\n<li>模型\n<ul>\n<li>编码器</li>\n<li>解码器</li>\n</ul>\n</li>\n<li>数据</li>\n</ul>"
    )


def test_ordered_list_keeps_its_first_number():
    """A list written from 3 starts at 3."""
    assert (
        html_of("3. 第三步\n4. 第四步") == '<ol start="3">\n<li>第三步</li>\n<li>第四步</li>\n</ol>'
    )


@pytest.mark.parametrize("indent", ["  ", "   "], ids=["two-spaces", "three-spaces"])
def test_indented_fence_ends_at_its_closing_fence(indent):
    """A fence indented 2-3 spaces is code up to its closing fence; the next section is not."""
    source = f"{indent}```python\n{indent}x = 1\n\n{indent}y = 2\n{indent}```\n\n## 下一节\n\n正文"
    out = html_of(source)
    code, _, rest = out.partition("</pre></div>")
    assert 'x</span> <span class="o">=</span> <span class="mi">1</span>\n\n' in code
    assert "下一节" not in code
    assert rest.startswith('\n<h2 id="下一节">下一节')
    assert rest.endswith("<p>正文</p>")


def test_code_fence_of_an_unknown_language_is_plain_code():
    """A language Pygments does not know is shown as plain code in the same .highlight box."""
    out = html_of("```weird-lang\nx < 1\n```")
    assert out == (
        '<div class="highlight" data-language="weird-lang"><pre tabindex="0"><span></span>'
        "<code>x &lt; 1\n</code></pre></div>"
    )


def test_indented_code_block_is_plain_code():
    """Four spaces of indentation make plain code, in the same .highlight box as fences."""
    assert html_of("    pip install x") == (
        '<div class="highlight"><pre tabindex="0"><span></span><code>pip install x\n</code></pre>'
        "</div>"
    )


# --- math ---------------------------------------------------------------------------------


def test_inline_dollar_math_with_subscripts_stays_math():
    """`$a_i * b_i$` becomes one inline math span with its TeX untouched."""
    out = html_of("$a_i * b_i$")
    assert out == r'<p><span class="arithmatex">\(a_i * b_i\)</span></p>'


def test_asterisks_in_two_formulas_do_not_become_emphasis():
    """Asterisks in two formulas of one paragraph are not paired into <em>."""
    out = html_of("$a_i*b_i$ and $c_i*d_i$")
    assert "<em>" not in out
    assert r'<span class="arithmatex">\(a_i*b_i\)</span>' in out
    assert r'<span class="arithmatex">\(c_i*d_i\)</span>' in out


def test_double_dollar_inside_paragraph_is_inline_display_math():
    """`$$\\mathbf{W}_{q}$$` inside a sentence becomes a display-math span in the paragraph."""
    out = html_of(r"The weight $$\mathbf{W}_{q}$$ is shared.")
    assert out == (
        r'<p>The weight <span class="arithmatex">\[\mathbf{W}_{q}\]</span> is shared.</p>'
    )


def test_double_dollar_on_its_own_line_is_a_display_block():
    """`$$\\mathbf{W}_{q}$$` alone in a block becomes a display-math div, not a paragraph."""
    assert html_of(r"$$\mathbf{W}_{q}$$") == r'<div class="arithmatex">\[\mathbf{W}_{q}\]</div>'


def test_multiline_double_dollar_block_is_a_display_block():
    """A `$$` fence over several lines becomes one display-math div."""
    out = html_of("$$\n\\mathbf{W}_{q}\n$$")
    assert out == '<div class="arithmatex">\\[\n\\mathbf{W}_{q}\n\\]</div>'


def test_bracket_display_math_block():
    """`\\[ \\sum_i x_i \\]` alone becomes a display-math div."""
    assert html_of(r"\[ \sum_i x_i \]") == r'<div class="arithmatex">\[ \sum_i x_i \]</div>'


def test_bracket_display_math_inside_paragraph():
    """`\\[ ... \\]` in a sentence becomes a display-math span, the backslashes kept."""
    out = html_of(r"Sum \[ \sum_i x_i \] here")
    assert out == r'<p>Sum <span class="arithmatex">\[ \sum_i x_i \]</span> here</p>'


def test_paren_inline_math():
    """`\\(x\\)` becomes an inline math span."""
    assert html_of(r"Inline \(x\) here") == (
        r'<p>Inline <span class="arithmatex">\(x\)</span> here</p>'
    )


def test_inline_dollar_math_with_spaces_inside():
    """`$ L = -\\log p $`, spaces inside the dollars, is math as MathJax read it."""
    out = html_of(r"损失 $ L = -\log p $ 越小越好")
    assert out == r'<p>损失 <span class="arithmatex">\( L = -\log p \)</span> 越小越好</p>'


def test_display_math_inside_a_list_item():
    """A `$$` block indented under a list item is a display-math div inside that item."""
    out = html_of("- 公式：\n\n  $$\n  a+b\n  $$\n- 下一项")
    assert out == (
        '<ul>\n<li>\n<p>公式：</p>\n<div class="arithmatex">\\[\n  a+b\n  \\]</div>\n</li>\n'
        "<li>\n<p>下一项</p>\n</li>\n</ul>"
    )


def test_display_math_inside_a_table_cell():
    """`$$...$$` in a table cell is display math in the cell."""
    out = html_of("| 名称 | 公式 |\n|---|---|\n| 损失 | $$L = -\\log p$$ |")
    assert r'<td><span class="arithmatex">\[L = -\log p\]</span></td>' in out


def test_display_math_block_right_after_a_paragraph_line():
    """`公式如下：` on the line above `$$` stays a paragraph; the formula is a display block."""
    out = html_of("公式如下：\n$$\nx = y\n$$\n其中 $x$ 是输入")
    assert out == (
        '<p>公式如下：</p>\n<div class="arithmatex">\\[\nx = y\n\\]</div>\n'
        '<p>其中 <span class="arithmatex">\\(x\\)</span> 是输入</p>'
    )


def test_blank_line_inside_display_math_keeps_one_formula():
    """A blank line inside `$$` does not split the formula (MathJax saw it whole)."""
    out = html_of("$$\na \\\\\n\nb\n$$")
    assert out == '<div class="arithmatex">\\[\na \\\\\n\nb\n\\]</div>'


def test_unclosed_double_dollar_is_text():
    """A `$$` line that never closes swallows nothing: the text after it stays text."""
    out = html_of("$$\na\n\n## 标题")
    assert out.startswith('<p>$$\na</p>\n<h2 id="标题">标题<a class="headerlink"')


def test_display_math_in_a_quote_whose_lines_lost_their_marker():
    """`> $$` with the formula's next lines written without `>` is one formula in the quote."""
    out = html_of("> 公式：\n>\n> $$\nx = y\n$$\n\n后文")
    assert out == (
        '<blockquote>\n<p>公式：</p>\n<div class="arithmatex">\\[\nx = y\n\\]</div>\n'
        "</blockquote>\n<p>后文</p>"
    )


def test_bare_amsmath_environment_is_display_math():
    """`\\begin{align}...\\end{align}` without delimiters is a display formula, TeX kept."""
    out = html_of("\\begin{align}\na &= b + c \\\\\nd &= e\n\\end{align}")
    assert out == (
        '<div class="arithmatex">\\[\\begin{align}\na &amp;= b + c \\\\\nd &amp;= e\n'
        "\\end{align}\\]</div>"
    )
    assert render_markdown("\\begin{equation}\nE = mc^2\n\\end{equation}").text == (
        "\\begin{equation}\nE = mc^2\n\\end{equation}"
    )


def test_bracket_display_math_over_several_lines():
    """`\\[` and `\\]` on lines of their own enclose a display block."""
    out = html_of("\\[\n\\sum_i x_i\n\\]")
    assert out == '<div class="arithmatex">\\[\n\\sum_i x_i\n\\]</div>'


def test_lone_dollar_before_a_number_stays_a_dollar_sign():
    """`价格 $5` that never closes is a price."""
    assert html_of("价格 $5，很便宜。") == "<p>价格 $5，很便宜。</p>"


def test_price_then_formula_keeps_both():
    """`$5 and $x$`: the price stays text and the formula after it is math."""
    out = html_of("花费 $5 and $x$")
    assert out == r'<p>花费 $5 and <span class="arithmatex">\(x\)</span></p>'


def test_math_between_digits_is_math():
    """`3$\\times$3` (a kernel size) is typeset, as MathJax did."""
    assert html_of(r"3$\times$3 卷积") == (
        r'<p>3<span class="arithmatex">\(\times\)</span>3 卷积</p>'
    )


def test_escaped_dollar_is_a_dollar_sign():
    """`\\$x$` is a dollar sign and text."""
    assert html_of(r"\$x$ 元") == "<p>$x$ 元</p>"


def test_dollar_prices_stay_text():
    """`$5 and $10` is prose about money, not a formula."""
    assert html_of("It costs $5 and $10 today.") == "<p>It costs $5 and $10 today.</p>"


def test_math_in_code_span_is_code_not_math():
    """Dollars and `\\(` inside a code span stay literal code."""
    out = html_of(r"Code `$x$` and `\(y\)`")
    assert out == r"<p>Code <code>$x$</code> and <code>\(y\)</code></p>"


def test_math_in_fenced_code_is_code_not_math():
    """Dollars inside a fenced code block stay literal code."""
    out = html_of("```\n$$a$$ and $b$\n```")
    assert "arithmatex" not in out
    assert "<code>$$a$$ and $b$\n</code>" in out


def test_html_inside_math_is_escaped():
    """Markup written inside a formula is escaped TeX text, never an element."""
    out = html_of("$<img src=x onerror=alert(1)>$ and $$<script>x</script>$$")
    assert "<img" not in out
    assert "<script" not in out
    assert r"\(&lt;img src=x onerror=alert(1)&gt;\)" in out


def test_domain_like_tex_inside_math_is_not_linkified():
    """TeX that looks like a domain (`\\text{www.example.com}`) stays plain math text."""
    out = html_of(r"$\text{www.example.com}$")
    assert out == r'<p><span class="arithmatex">\(\text{www.example.com}\)</span></p>'


# --- code, tables, footnotes, headings ------------------------------------------------------


def test_fenced_python_code_is_highlighted_by_pygments():
    """A ```python fence gets Pygments token classes inside div.highlight."""
    out = html_of("```python\ndef f(x):\n    return x\n```")
    assert out.startswith('<div class="highlight" data-language="python"><pre tabindex="0">')
    assert '<span class="k">def</span>' in out
    assert '<span class="k">return</span>' in out
    assert '<span class="nf">f</span>' in out


def test_code_fence_keeps_its_language_as_written_for_the_page_to_show():
    """The fence's first word, case and all, is the block's data-language; what follows it
    (line numbers, titles) is not; a fence without one has none."""
    assert html_of("```PyTorch {1,3}\nx\n```").startswith(
        '<div class="highlight" data-language="PyTorch"><pre tabindex="0">'
    )
    assert html_of("```\nx\n```").startswith('<div class="highlight"><pre tabindex="0">')


def test_code_fence_language_cannot_break_out_of_its_attribute():
    """A language word with quotes and brackets stays an escaped attribute value."""
    out = html_of('```"><script>alert(1)</script>\nx\n```')
    assert out.startswith(
        '<div class="highlight" data-language="&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">'
    )
    assert "<script" not in out


def test_table_alignment_is_an_attribute_not_a_style():
    """Column alignment renders as align="left"/"right", with no style attribute."""
    out = html_of("| a | b |\n|:--|--:|\n| 1 | 2 |")
    assert '<th align="left">a</th>' in out
    assert '<th align="right">b</th>' in out
    assert '<td align="left">1</td>' in out
    assert '<td align="right">2</td>' in out
    assert "style=" not in out


def test_footnotes_link_both_ways():
    """A footnote gets a numbered reference, a list item with its id and a back-link."""
    out = html_of("Text[^1].\n\n[^1]: Note here.")
    assert '<sup id="fnref:1"><a class="footnote-ref" href="#fn:1">1</a></sup>' in out
    assert '<li id="fn:1">' in out
    assert '<a class="footnote-backref" href="#fnref:1"' in out


def test_strikethrough():
    """`~~text~~` is struck through."""
    assert html_of("这是 ~~错误~~ 正确") == "<p>这是 <s>错误</s> 正确</p>"


def test_task_list_items_are_disabled_checkboxes():
    """`- [ ]` and `- [x]` are checkboxes readers cannot tick, the second ticked, each named
    by its state."""
    out = html_of("- [ ] 待办\n- [x] 完成")
    assert out == (
        '<ul class="contains-task-list">\n'
        '<li class="task-list-item"><input class="task-list-item-checkbox" disabled '
        'type="checkbox" aria-label="未完成"> 待办</li>\n'
        '<li class="task-list-item"><input class="task-list-item-checkbox" disabled '
        'type="checkbox" checked aria-label="已完成"> 完成</li>\n</ul>'
    )


def test_duplicate_headings_are_numbered_as_on_github():
    """A repeated heading gets `-1`, `-2`, so an author's `#导言-1` link works."""
    out = html_of("## 导言\n\n一\n\n## 导言\n\n二\n\n## 导言")
    assert re.findall(r'<h2 id="([^"]+)">', out) == ["导言", "导言-1", "导言-2"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hello World", "hello-world"),
        ("C++ 与 Python：对比（上）", "c-与-python对比上"),
        ("Hello  World!", "hello--world"),
        ("multi_head-attention v2.0", "multi_head-attention-v20"),
        ("  导言 ", "导言"),
    ],
)
def test_heading_id_is_githubs(text, expected):
    """Lower case, each space a `-`, punctuation (full-width too) dropped, Chinese kept."""
    assert heading_id(text) == expected


def test_heading_of_punctuation_only_still_has_an_id():
    """A heading whose id would be empty gets `section`, so the TOC can link to it."""
    assert html_of("## ？").startswith('<h2 id="section">')


def test_toc_nests_by_level():
    """A heading goes under the nearest one of a smaller level before it."""
    toc = render_markdown("# A\n\n### C\n\n## B\n\n# D").toc_html
    assert toc == (
        '<div class="toc"><ul><li><a href="#a">A</a><ul><li><a href="#c">C</a></li>'
        '<li><a href="#b">B</a></li></ul></li><li><a href="#d">D</a></li></ul></div>'
    )


def test_cjk_headings_get_unicode_ids_and_permalinks():
    """Chinese headings keep their characters in ids, permalinks and the TOC."""
    rendered = render_markdown("# 中文标题\n\ntext\n\n## 第二节\n\nmore")
    assert '<h1 id="中文标题">中文标题<a class="headerlink" href="#中文标题"' in rendered.html
    assert '<h2 id="第二节">' in rendered.html
    assert '<a href="#中文标题">中文标题</a>' in rendered.toc_html
    assert '<a href="#第二节">第二节</a>' in rendered.toc_html


def test_no_toc_for_a_single_heading():
    """One heading gives no table of contents."""
    assert render_markdown("# Only one\n\ntext").toc_html == ""


def test_no_toc_without_headings():
    """A body with no headings gives no table of contents."""
    assert render_markdown("just text").toc_html == ""


def test_toc_for_two_headings():
    """Two headings (nested counts too) give a TOC listing both."""
    toc = render_markdown("# One\n\n## Two").toc_html
    assert toc.startswith('<div class="toc">')
    assert '<a href="#one">One</a>' in toc
    assert '<a href="#two">Two</a>' in toc


def test_headings_below_h4_do_not_make_a_toc():
    """Headings deeper than h4 are outside the TOC and do not count towards its two."""
    assert render_markdown("##### a\n\n##### b").toc_html == ""
    assert render_markdown("# a\n\n##### b").toc_html == ""


def test_math_in_heading_is_math_in_toc():
    """A heading's formula shows in the TOC as math, never as raw TeX delimiters."""
    toc = render_markdown("# 标题 $x^2$\n\n## 二").toc_html
    assert '<a href="#标题-x2">' in toc
    outside_math = re.sub(r'<span class="arithmatex">.*?</span>', "", toc)
    assert "\\(" not in outside_math


# --- Obsidian ------------------------------------------------------------------------------


def test_callout_with_a_title():
    """`> [!note] 注意` is a callout of type note titled 注意, the marker not shown."""
    out = html_of("> [!note] 注意\n> 内容")
    assert out == (
        '<div class="callout callout-note">\n<div class="callout-title">注意</div>\n'
        "<p>内容</p>\n</div>"
    )


def test_callout_without_a_title_is_titled_by_its_type():
    """`> [!WARNING]` alone (GitHub's alerts too) is titled Warning."""
    out = html_of("> [!WARNING]\n> 小心")
    assert out == (
        '<div class="callout callout-warning">\n<div class="callout-title">Warning</div>\n'
        "<p>小心</p>\n</div>"
    )


def test_foldable_callouts_are_details():
    """`-` after the type folds the callout, `+` shows it open; the title is the summary."""
    folded = html_of("> [!tip]- 折叠\n> 内容")
    assert folded == (
        '<details class="callout callout-tip">\n<summary class="callout-title">折叠</summary>\n'
        "<p>内容</p>\n</details>"
    )
    assert html_of("> [!faq]+ 问题\n> 内容").startswith(
        '<details class="callout callout-faq" open>'
    )


def test_callout_title_may_hold_math_and_its_body_blocks():
    """The title is Markdown (math included) and the body keeps its lists."""
    out = html_of("> [!example] 例 $x$\n>\n> - a\n> - b")
    assert '<div class="callout-title">例 <span class="arithmatex">\\(x\\)</span></div>' in out
    assert "<ul>\n<li>a</li>\n<li>b</li>\n</ul>" in out


def test_plain_quote_stays_a_quote():
    """A blockquote without `[!type]` is a blockquote."""
    assert html_of("> 引用 [!note]") == "<blockquote>\n<p>引用 [!note]</p>\n</blockquote>"


def test_highlight_is_mark():
    """`==重点==` is highlighted; a lone `==` in prose is text."""
    assert html_of("这是 ==重点== 内容") == "<p>这是 <mark>重点</mark> 内容</p>"
    assert html_of("若 a == b 则") == "<p>若 a == b 则</p>"


def test_comments_are_removed():
    """`%%...%%` inside a line and over several lines (blank ones too) is not in the page."""
    out = html_of("可见 %%隐藏%% 可见\n\n%%\n多行\n\n隐藏\n%%\n\n之后")
    assert out == "<p>可见  可见</p>\n<p>之后</p>"


def test_unclosed_comment_marker_is_text():
    """A `%%` that never closes hides nothing."""
    assert html_of("一段 %%未闭合\n\n下一段") == "<p>一段 %%未闭合</p>\n<p>下一段</p>"


def test_comment_markers_in_code_stay_code():
    """`%%` in a code span or block is code."""
    assert html_of("`%%x%%`") == "<p><code>%%x%%</code></p>"


def test_inline_footnote():
    """`^[text]` is a numbered footnote like `[^1]`."""
    out = html_of("正文^[行内脚注]。")
    assert out.startswith(
        '<p>正文<sup id="fnref:inline-1"><a class="footnote-ref" href="#fn:inline-1">1</a></sup>'
    )
    assert '<li id="fn:inline-1">\n<p>行内脚注&#160;<a class="footnote-backref"' in out


def test_footnotes_are_named_by_their_labels():
    """`[^bt]` keeps the ids fn:bt / fnref:bt it had; a second reference is fnref2:bt; an
    inline footnote beside `[^2]` takes no id of it."""
    out = html_of("a[^bt] b[^bt] c^[行内] d[^2]\n\n[^bt]: BT.\n[^2]: 二")
    assert re.findall(r'<sup id="([^"]+)"><a class="footnote-ref" href="#fn:([^"]+)">', out) == [
        ("fnref:bt", "bt"),
        ("fnref2:bt", "bt"),
        ("fnref:inline-2", "inline-2"),
        ("fnref:2", "2"),
    ]
    assert re.findall(r'<li id="(fn:[^"]+)">', out) == ["fn:bt", "fn:inline-2", "fn:2"]


def test_block_id_anchors_a_paragraph():
    """A paragraph ending with ` ^abc-1` gets the id `^abc-1`; the marker is not shown."""
    assert block_anchor("abc-1") == "^abc-1"
    assert html_of("一段话 ^abc-1") == '<p id="^abc-1">一段话</p>'


def test_block_id_anchors_a_list_item():
    """In a list, the id goes on the item."""
    out = html_of("- 项目 ^item-1\n- 二")
    assert out == '<ul>\n<li id="^item-1">项目</li>\n<li>二</li>\n</ul>'


def test_caret_before_more_text_is_not_a_block_id():
    """A ` ^2` that does not end the paragraph is text, and `^` in math is TeX."""
    assert html_of("写作 x ^2 或 $x^2$") == (
        r'<p>写作 x ^2 或 <span class="arithmatex">\(x^2\)</span></p>'
    )


# --- sanitizer (acceptance item 4) ----------------------------------------------------------

XSS_PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "md-javascript-link": "[x](javascript:alert(1))",
    "md-javascript-mixed-case": "[x](JaVaScRiPt:alert(1))",
    "md-javascript-entity": "[x](javascript&#58;alert(1))",
    "html-javascript-link": '<a href=" javascript:alert(1)">y</a>',
    "iframe": "<iframe src='https://evil.example'></iframe>",
    "style-attr": '<p style="color:red">s</p>',
    "style-attr-span": '<span style="position:fixed" onmouseover="alert(1)">z</span>',
    "data-url-image": "![a](data:image/png;base64,AAAA)",
    "data-url-link": "[d](data:text/html;base64,PHNjcmlwdD4=)",
    "onclick": '<a href="#" onclick="alert(1)">c</a>',
    "svg-onload": "<svg onload=alert(1)><circle/></svg>",
    "object-embed": "<object data='x'></object><embed src='y'>",
    "heading-img": "# <img src=x onerror=alert(1)> A\n\n## B <script>x</script>",
    "input-handler": '<input type="text" onfocus="alert(1)" autofocus>',
    "details-handler": '<details open ontoggle="alert(1)"><summary>s</summary></details>',
    "callout-title-script": "> [!note] <script>alert(1)</script>\n> x",
}
FORBIDDEN = ["<script", "onerror", "javascript:", "<iframe", "style=", "data:", "<svg", "<object"]
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


@pytest.mark.parametrize("source", XSS_PAYLOADS.values(), ids=XSS_PAYLOADS.keys())
def test_sanitizer_leaves_nothing_executable(source):
    """Acceptance item 4: hostile Markdown/HTML renders to nothing executable (body and TOC)."""
    rendered = render_markdown(source)
    for out in (rendered.html, rendered.toc_html):
        lowered = out.lower()
        for needle in FORBIDDEN:
            assert needle not in lowered, (needle, out)
        assert not EVENT_HANDLER.search(out), out


def test_sanitizer_keeps_the_harmless_part_of_hostile_markup():
    """Stripping the dangerous parts keeps the link text and the safe image source."""
    assert html_of("[x](javascript:alert(1))") == "<p><a>x</a></p>"
    assert html_of("<img src=x onerror=alert(1)>") == '<img src="x">'


def test_raw_input_becomes_a_disabled_checkbox():
    """Raw <input> HTML keeps only what a task list's box has: a disabled checkbox."""
    assert html_of('<input type="text" value="v" autofocus checked>') == (
        '<input checked type="checkbox" disabled aria-label="已完成">'
    )


def test_scrolling_code_takes_the_focus_and_no_other_tabindex_is_kept():
    """A code block's <pre> is focusable (it scrolls sideways); an author's own tabindex on a
    <pre> or anywhere else is dropped."""
    assert '<pre tabindex="0">' in html_of("```\nx\n```")
    assert html_of('<pre tabindex="5">x</pre><p tabindex="0">y</p>') == "<pre>x</pre><p>y</p>"


def test_code_showing_html_is_escaped():
    """A code fence showing <script> shows it as escaped text."""
    out = html_of("```html\n<script>alert(1)</script>\n```")
    assert "<script" not in out
    assert "&lt;" in out


# --- links ---------------------------------------------------------------------------------


def test_external_links_get_nofollow_noopener():
    """An https link leaving the site gets rel="nofollow noopener"."""
    out = html_of("[ext](https://example.com)")
    assert out == '<p><a href="https://example.com" rel="nofollow noopener">ext</a></p>'


def test_relative_and_fragment_links_get_no_rel():
    """Links inside the site (path or #fragment) carry no rel attribute."""
    out = html_of("[rel](/notes/a/) and [anchor](#x)")
    assert out == '<p><a href="/notes/a/">rel</a> and <a href="#x">anchor</a></p>'


def test_author_supplied_rel_on_relative_link_is_dropped():
    """A rel written by the author on an internal link is removed (no rel=opener tricks)."""
    assert html_of('<a href="/x" rel="opener">x</a>') == '<p><a href="/x">x</a></p>'


def test_bare_url_becomes_external_link():
    """A bare https URL in prose becomes a nofollow noopener link."""
    out = html_of("see https://example.com/x bare")
    assert '<a href="https://example.com/x" rel="nofollow noopener">https://example.com/x</a>' in (
        out
    )


def test_bare_url_ends_before_chinese_punctuation():
    """`见 https://a.com/x，代码见下。`: the link is the URL, the Chinese after it is text."""
    assert html_of("见 https://a.com/x，代码见下。") == (
        '<p>见 <a href="https://a.com/x" rel="nofollow noopener">https://a.com/x</a>，代码见下。</p>'
    )
    assert html_of("主页 www.example.com/路径") == (
        '<p>主页 <a href="http://www.example.com/" rel="nofollow noopener">www.example.com/</a>'
        "路径</p>"
    )


def test_urls_in_code_are_not_linkified():
    """A URL inside a code span or a code block stays code, not a link."""
    out = html_of("`https://example.com/x`\n\n```\nhttps://example.com/y\n```")
    assert "<a " not in out
    assert "<code>https://example.com/x</code>" in out
    assert "https://example.com/y" in out


# --- plain text ----------------------------------------------------------------------------


def test_plain_text_of_inline_math_is_tex_without_delimiters():
    """Inline math counts as its TeX source, without \\( \\)."""
    assert render_markdown(r"a $x^2$ b \(y\) c").text == "a x^2 b y c"


def test_plain_text_of_display_math_is_tex_without_delimiters():
    """Display math (block and inline) counts as its TeX source, without \\[ \\]."""
    assert render_markdown(r"$$\mathbf{W}_{q}$$").text == r"\mathbf{W}_{q}"
    assert render_markdown(r"w $$\mathbf{W}$$ v").text == r"w \mathbf{W} v"


def test_plain_text_excludes_heading_permalink():
    """The '#' permalink after a heading is not text."""
    assert render_markdown("# 中文标题\n\ntext").text == "中文标题\ntext"


def test_plain_text_excludes_footnote_backref():
    """The footnote back-link arrow is not text; the reference number and note are."""
    text = render_markdown("Text[^1].\n\n[^1]: Note here.").text
    assert "↩" not in text
    assert text.startswith("Text1.")
    assert "Note here." in text


def test_plain_text_of_task_list_has_no_box():
    """A checkbox is no text: the item counts from the space after it."""
    assert render_markdown("- [x] 完成").text == "\n 完成\n"


def test_plain_text_of_callout_counts_its_title_and_not_comments():
    """A callout's title is text (the default one too); an Obsidian comment is nothing."""
    assert render_markdown("> [!note]\n> 内容 %%注释%%").text == "\nNote\n内容 \n"


def test_plain_text_keeps_code_text():
    """Highlighted code counts as the code as written."""
    text = render_markdown("```python\ndef f(x):\n    return x\n```").text
    assert text == "def f(x):\n    return x\n"


def test_plain_text_skips_whole_subtree_of_marker_with_void_elements():
    """Everything inside a marker is skipped, void elements inside it included."""
    source = '<p>a<a class="headerlink" href="#"><img src="x"><span>#</span></a>b</p>'
    assert plain_text(source) == "ab"


def test_plain_text_of_math_with_nested_elements():
    """A math element with nested markup counts as its whole TeX, delimiters removed."""
    assert plain_text(r'<span class="arithmatex">\(a<b>c</b>\)</span>d') == "acd"


def test_plain_text_decodes_entities():
    """Character references count as the characters they stand for."""
    assert plain_text("<p>a &lt; b &amp; c</p>") == "a < b & c"
