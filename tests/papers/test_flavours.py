"""Each flavour's small blog (tests/papers/flavours.py) imported whole: what readers get on the
note pages looks as the old site showed it."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings

from papers.importing import import_notes
from papers.models import Note
from papers.rendering import plain_text
from tests.papers.flavours import build_blogs
from tests.papers.helpers import html
from tests.papers.test_import_media import elements

pytestmark = pytest.mark.django_db

# What the old sites never showed as text: TeX delimiters, wikilinks, inline footnotes,
# highlights, Obsidian comments and callouts, Hexo tags, Hugo shortcodes.
RAW_SYNTAX = ["$", "[[", "^[", "==", "%%", "[!", "{%", "{{<", "\\("]


@pytest.fixture
def blogs(tmp_path, django_capture_on_commit_callbacks):
    """{flavour: the import's report}, every flavour imported, media copied."""
    reports = {}
    for flavour, folder in build_blogs(tmp_path).items():
        with django_capture_on_commit_callbacks(execute=True):
            reports[flavour] = import_notes([folder])
    return reports


def page(client, slug):
    response = client.get(Note.objects.get(slug=slug).get_absolute_url())
    assert response.status_code == 200
    return html(response)


def body_of(slug):
    return Note.objects.get(slug=slug).body_html


def test_every_flavour_imports_without_warnings(blogs):
    assert {flavour: report.warnings for flavour, report in blogs.items()} == {
        flavour: [] for flavour in blogs
    }


def test_every_image_is_in_media_storage(blogs):
    sources = [
        image["src"] for note in Note.objects.all() for image in elements(note.body_html).images
    ]
    assert len(sources) == 9
    for source in sources:
        assert source.startswith(settings.MEDIA_URL)
        assert (
            Path(settings.MEDIA_ROOT) / unquote(source.removeprefix(settings.MEDIA_URL))
        ).is_file()
    assert not any(elements(note.body_html).missing for note in Note.objects.all())


def test_no_raw_syntax_in_what_readers_read(blogs):
    for note in Note.objects.all():
        text = plain_text(note.body_html)
        # Math elements' text is their TeX without delimiters; only prices may show a `$`.
        text = text.replace("价格 $5", "")
        assert [marker for marker in RAW_SYNTAX if marker in text] == [], note.slug


def test_hexo_lists_math_and_fences_as_marked_and_mathjax_showed_them(blogs):
    body = body_of("clip")
    assert (
        "<p>可编程内存：</p>\n<ul>\n<li>寄存器</li>\n<li>共享内存\n<ul>\n<li>每个 block 一份"
        in body
    )
    assert r'<span class="arithmatex">\( \mathcal{L} = -\log p \)</span>' in body
    assert "价格 $5 不是公式" in body
    assert re.search(r'<li>相似度<div class="arithmatex">\\\[\s+s_\{ij\}', body)
    # The indented fence closes, so the heading after it is a heading.
    assert '<code><span class="n">logits</span>' in body
    assert '<h2 id="导言-1">' in body
    assert '<td><span class="arithmatex">\\(76.2\\%\\)</span></td>' in body
    assert '<a href="#%E5%AF%BC%E8%A8%80-1">第二个导言</a>' in body


def test_hexo_images_from_asset_folder_tag_and_site_root(blogs):
    images = elements(body_of("clip")).images
    assert [(image["src"], image.get("alt"), image.get("width")) for image in images] == [
        ("/media/notes/clip/image-1.png", "架构图", "300"),
        ("/media/notes/clip/image-2.png", None, None),
        ("/media/notes/clip/arch.png", "整体结构", None),
    ]
    assert images[1]["title"] == "训练流程"


def test_title_heading_is_not_repeated_and_no_update_date_is_made_up(client, blogs):
    text = page(client, "clip")
    assert text.count("CLIP 论文笔记</h1>") == 1
    assert "更新于" not in text


def test_hugo_figure_site_root_image_and_raw_img(blogs):
    body = body_of("multi-head-attention")
    assert '<figure><img src="/media/notes/multi-head-attention/cover.png">' in body
    assert "<figcaption>多头注意力</figcaption>" in body
    assert '<img src="/media/notes/multi-head-attention/heads.png" alt="各头的权重">' in body
    assert '<img src="/media/notes/multi-head-attention/cover.png" alt="封面">' in body
    assert '<p>其中 <span class="arithmatex">\\(d_k\\)</span> 是键的维度。</p>' in body


def test_hugo_toml_environment_task_list_and_paper(client, blogs):
    body = body_of("layer-norm")
    assert '<div class="arithmatex">\\[\\begin{equation}' in body
    assert 'checkbox" checked aria-label="已完成"> read the paper' in body
    assert "/media/notes/layer-norm/graph.png" in body
    assert Note.objects.get(slug="layer-norm").paper.arxiv_id == "1607.06450"
    assert "arxiv.org/abs/1607.06450" in page(client, "layer-norm")


def test_jekyll_two_space_nesting_site_root_image_and_autolink(blogs):
    body = body_of("maml")
    assert "<li>内循环\n<ul>\n<li>每个任务几步梯度下降" in body
    assert '<img src="/media/notes/maml/maml.png" alt="流程">' in body
    assert "<s>旧结论</s>" in body
    assert '<a href="https://arxiv.org/abs/1703.03400" rel="nofollow noopener">' in body


def test_obsidian_callout_highlight_footnote_comment_tasks_and_embed(blogs):
    note = Note.objects.get(slug="transformer")
    body = note.body_html
    assert '<details class="callout callout-note">\n<summary class="callout-title">展开细节' in body
    assert "<mark>重点</mark>" in body
    assert '<li id="fn:inline-1">\n<p>见 ResNet' in body
    assert "草稿" not in body
    assert 'checkbox" checked aria-label="已完成"> 读完' in body
    assert '<img src="/media/notes/transformer/fig.png" alt="fig" width="200">' in body
    assert set(note.tags.names()) == {"nlp", "论文"}


def test_obsidian_trash_is_not_imported(blogs):
    assert not Note.objects.filter(title="已删除").exists()


def test_obsidian_links_by_path_heading_alias_and_block(blogs):
    transformer, attention = body_of("transformer"), body_of("attention")
    assert '<a href="/notes/attention/">注意力</a>' in transformer
    assert '<a href="/notes/attention/#%E7%BC%A9%E6%94%BE%E7%82%B9%E7%A7%AF">' in transformer
    assert '<h2 id="缩放点积">' in attention
    assert '<a href="/notes/transformer/">Attention Is All You Need</a>' in attention
    assert '<p id="^def">' in attention


def test_relative_markdown_link_points_to_the_imported_note(blogs):
    assert '<a href="/notes/clip/#%E5%AF%BC%E8%A8%80">CLIP 的导言</a>' in body_of("vit")


def test_obsidian_template_folder_is_not_imported(blogs):
    assert not Note.objects.filter(source_path__startswith="Templates").exists()
    assert Note.objects.count() == 7


def test_old_addresses_answer_301_to_their_notes(client, blogs):
    """Hexo's `posts/:abbrlink/`, Jekyll's `pretty` and a Hugo alias, as the old sites had
    them, redirect to the imported notes."""
    moved = {
        "/posts/3f2a1b/": "clip",
        "/dl论文/2020/09/10/maml/": "maml",
        "/2022/03/attention.html": "multi-head-attention",
    }
    assert {address: client.get(address)["Location"] for address in moved} == {
        address: Note.objects.get(slug=slug).get_absolute_url() for address, slug in moved.items()
    }
    assert {client.get(address).status_code for address in moved} == {301}


def test_post_without_the_abbrlink_its_pattern_needs_has_no_old_address(client, blogs):
    """vit.md has no abbrlink: no address at all (the blog's pattern is `posts/:abbrlink/`)."""
    assert client.get("/posts/").status_code == 404
    assert client.get("/2023/06/02/vit/").status_code == 404


def test_hexo_category_list_becomes_nested_topics(client, blogs):
    """Hexo's `categories: [深度学习, 多模态]` puts the note in 多模态, inside 深度学习."""
    note = Note.objects.get(slug="clip")
    assert (note.topic.name, note.topic.parent.name) == ("多模态", "深度学习")
    top_page = html(client.get(note.topic.parent.get_absolute_url()))
    assert note.title in top_page
