"""Hexo's `<!-- more -->`: the author marks where the card's excerpt ends."""

from papers import math_text
from papers.rendering import render_markdown


def excerpt(summary, body):
    return math_text.excerpts(render_markdown(summary).html, body, render_markdown(body).html)[0]


def test_lead_before_marker_is_the_whole_excerpt_with_ellipsis():
    """Text before the marker, longer than 350 characters, is kept whole and ends with "..."."""
    lead = "长" * 400
    assert excerpt("", f"{lead}\n\n<!-- more -->\n\n后文不出现") == lead + "..."


def test_summary_leads_the_marked_excerpt():
    """The summary comes first, then the lead, whitespace collapsed, markup and math as text."""
    body = "开头 **粗体** $x^2$\n\n<!--more-->\n\n后文"
    assert excerpt("总结", body) == "总结 开头 粗体 x^2..."


def test_without_marker_the_excerpt_is_cut_at_350():
    """No marker: the plain text is cut at 350 characters."""
    assert excerpt("", "字" * 351) == "字" * 350 + "..."


def test_marker_never_reaches_the_page():
    """The marker is an HTML comment: the rendered body does not carry it."""
    assert "more" not in render_markdown("前\n\n<!-- more -->\n\n后").html
