"""papers.rendering: Markdown with math and code to sanitized HTML, plain text and excerpts."""

import re

import pytest

from papers.rendering import EXCERPT_LENGTH, make_excerpt, plain_text, render_markdown


def html_of(source):
    return render_markdown(source).html


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
    assert out.startswith('<div class="highlight"><pre>')
    assert '<span class="k">def</span>' in out
    assert '<span class="k">return</span>' in out
    assert '<span class="nf">f</span>' in out


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
    assert html_of("<img src=x onerror=alert(1)>") == '<p><img src="x"></p>'


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


# --- excerpt -------------------------------------------------------------------------------


def test_excerpt_collapses_whitespace_and_joins_texts():
    """Runs of spaces/newlines/tabs become one space; summary and body join with a space."""
    assert make_excerpt("  总结\n\n第一行 ", "\t正文   第二行\n") == "总结 第一行 正文 第二行"


def test_excerpt_longer_than_limit_is_cut_with_ellipsis():
    """Text over 350 characters is cut to exactly 350 and gets "..."."""
    text = "abcdefghij" * 40
    excerpt = make_excerpt(text)
    assert EXCERPT_LENGTH == 350
    assert excerpt == text[:350] + "..."
    assert len(excerpt) == 353


def test_excerpt_of_exactly_limit_is_unchanged():
    """Text of exactly 350 characters is kept whole, without "..."."""
    text = "x" * 350
    assert make_excerpt(text) == text


def test_excerpt_counts_after_collapsing_whitespace():
    """Whitespace collapsed away does not count towards the 350."""
    text = "x\n\n\n" * 175  # 700 characters raw, 349 collapsed
    assert make_excerpt(text) == " ".join(["x"] * 175)


def test_excerpt_counts_cjk_characters_as_one():
    """351 Chinese characters are cut to 350 of them."""
    assert make_excerpt("中" * 351) == "中" * 350 + "..."
    assert make_excerpt("中" * 350) == "中" * 350


def test_excerpt_counts_emoji_as_one():
    """An emoji outside the BMP counts as one character, never split in half."""
    assert make_excerpt("😀" * 351) == "😀" * 350 + "..."
    assert make_excerpt("😀" * 350) == "😀" * 350


def test_excerpt_of_nothing_is_empty():
    """No text gives an empty excerpt, not "..."."""
    assert make_excerpt("", "  ") == ""
