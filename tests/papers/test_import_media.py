"""papers.importing: images and files in every form Hexo, Hugo, Jekyll and Obsidian write them,
copied into media storage, and what readers see when one is missing."""

from html.parser import HTMLParser
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from papers.importing import import_notes
from papers.models import Note
from tests.papers.flavours import tiny_png
from tests.papers.helpers import html
from tests.papers.test_importing import write

pytestmark = pytest.mark.django_db


class _Elements(HTMLParser):
    """Every `<img>`'s attributes, every link and every missing-image placeholder's text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.images, self.links, self.missing = [], [], []
        self._placeholder = None
        self._link = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "img":
            self.images.append(attributes)
        elif tag == "a":
            self._link = [attributes.get("href"), ""]
        elif tag == "span" and attributes.get("class") == "missing-image":
            self._placeholder = ""

    def handle_data(self, data):
        if self._placeholder is not None:
            self._placeholder += data
        if self._link is not None:
            self._link[1] += data

    def handle_endtag(self, tag):
        if tag == "span" and self._placeholder is not None:
            self.missing.append(self._placeholder)
            self._placeholder = None
        elif tag == "a" and self._link is not None:
            self.links.append(tuple(self._link))
            self._link = None


def elements(body_html):
    parser = _Elements()
    parser.feed(body_html)
    return parser


def images(slug):
    """The attributes of each `<img>` readers get in the note's body."""
    return elements(Note.objects.get(slug=slug).body_html).images


def stored(settings, name):
    return (Path(settings.MEDIA_ROOT) / name).read_bytes()


# --- Markdown and HTML ---------------------------------------------------------------------


def test_markdown_image_paths_encoded_spaced_and_with_parentheses(tmp_path, settings, run_import):
    """`![alt](path "title")` with %20, a bare space or parentheses: the file beside the note."""
    notes = tmp_path / "notes"
    write(notes, "CLIP/image 1.png", tiny_png(1))
    write(notes, "fig (2).png", tiny_png(2))
    write(
        notes,
        "a.md",
        '![图一](CLIP/image%201.png "标题") ![](CLIP/image 1.png) ![二](fig (2).png)\n',
    )
    run_import(notes)
    assert images("a") == [
        {"alt": "图一", "src": "/media/notes/a/image_1.png", "title": "标题"},
        {"alt": "", "src": "/media/notes/a/image_1.png"},
        {"alt": "二", "src": "/media/notes/a/fig_2.png"},
    ]
    assert stored(settings, "notes/a/image_1.png") == tiny_png(1)
    assert stored(settings, "notes/a/fig_2.png") == tiny_png(2)


def test_html_img_src_rewritten_and_the_tag_otherwise_kept(tmp_path, settings, run_import):
    """`<img src=…>` in double, single or no quotes: only `src` changes; width and alt stay."""
    posts = tmp_path / "blog/_posts"
    write(posts, "CLIP/image-1.png", tiny_png(1))
    write(tmp_path / "blog/images", "x.png", tiny_png(2))
    write(posts, "y.png", tiny_png(3))
    write(
        posts,
        "a.md",
        '<img src="CLIP/image-1.png" width="300" alt="图 1">\n\n'
        "<img alt='x' src='../images/x.png' />\n\n"
        "<img src=y.png height=50>\n",
    )
    run_import(posts)
    assert Note.objects.get().body == (
        '<img src="/media/notes/a/image-1.png" width="300" alt="图 1">\n\n'
        "<img alt='x' src='/media/notes/a/x.png' />\n\n"
        "<img src=/media/notes/a/y.png height=50>"
    )
    assert images("a") == [
        {"src": "/media/notes/a/image-1.png", "width": "300", "alt": "图 1"},
        {"alt": "x", "src": "/media/notes/a/x.png"},
        {"src": "/media/notes/a/y.png", "height": "50"},
    ]
    assert stored(settings, "notes/a/x.png") == tiny_png(2)


def test_remote_images_are_left_alone(tmp_path, run_import):
    """http(s), protocol-relative and data: images stay as written and nothing is warned."""
    body = (
        '![a](https://example.com/a.png) <img src="//cdn.example.com/b.png"> '
        "{% img http://example.com/c.png %}\n"
    )
    write(tmp_path / "notes", "a.md", body)
    report = run_import(tmp_path / "notes")
    assert [image["src"] for image in images("a")] == [
        "https://example.com/a.png",
        "//cdn.example.com/b.png",
        "http://example.com/c.png",
    ]
    assert report.warnings == []


def test_image_markup_in_code_and_comments_is_left_alone(tmp_path, run_import):
    """Images, tags and shortcodes inside code spans, fenced code and an HTML comment stay as
    they are, and nothing is warned about."""
    body = (
        '`![](x.png)` `<img src="x.png">` `{% asset_img x.png %}` `{{< figure src="x.png" >}}`'
        '\n\n```html\n<img src="x.png">\n{% note %}\n```\n\n'
        "<!-- ![](x.png) {% note %} --> text"
    )
    write(tmp_path / "notes", "a.md", body + "\n")
    report = run_import(tmp_path / "notes")
    assert Note.objects.get().body == body
    assert report.warnings == []


def test_one_file_used_twice_is_stored_once_and_namesakes_are_numbered(
    tmp_path, settings, run_import
):
    """The same file twice is one copy; a/fig.png and b/fig.png become fig.png and fig-2.png."""
    notes = tmp_path / "notes"
    write(notes, "a/fig.png", tiny_png(1))
    write(notes, "b/fig.png", tiny_png(2))
    write(notes, "n.md", "![](a/fig.png) ![](./a/fig.png) ![](b/fig.png)\n")
    run_import(notes)
    assert [image["src"] for image in images("n")] == [
        "/media/notes/n/fig.png",
        "/media/notes/n/fig.png",
        "/media/notes/n/fig-2.png",
    ]
    assert sorted(p.name for p in (Path(settings.MEDIA_ROOT) / "notes/n").iterdir()) == [
        "fig-2.png",
        "fig.png",
    ]
    assert stored(settings, "notes/n/fig-2.png") == tiny_png(2)


# --- Obsidian ------------------------------------------------------------------------------


def vault(tmp_path):
    folder = tmp_path / "vault"
    (folder / ".obsidian").mkdir(parents=True)
    return folder


def test_obsidian_embeds_by_name_folder_and_size(tmp_path, settings, run_import):
    """`![[x.png]]`, `![[x.png|200]]`, `![[x.png|200x100]]`, `![[folder/y.png]]`, an alias, and
    the size after a Markdown image's alt text (`![alt|300](x.png)`)."""
    folder = vault(tmp_path)
    write(folder, "attachments/x.png", tiny_png(1))
    write(folder, "figs/sub/y.png", tiny_png(2))
    write(
        folder,
        "notes/a.md",
        "![[x.png]] ![[x.png|200]] ![[x.png|200x100]] ![[sub/y.png]] ![[figs/sub/y.png|图二]]\n\n"
        '![图三|300](../attachments/x.png "t") ![200](x.png)\n',
    )
    run_import(folder)
    assert images("a") == [
        {"alt": "x", "src": "/media/notes/a/x.png"},
        {"alt": "x", "src": "/media/notes/a/x.png", "width": "200"},
        {"alt": "x", "src": "/media/notes/a/x.png", "width": "200", "height": "100"},
        {"alt": "y", "src": "/media/notes/a/y.png"},
        {"alt": "图二", "src": "/media/notes/a/y.png"},
        {"alt": "图三", "src": "/media/notes/a/x.png", "title": "t", "width": "300"},
        {"alt": "200", "src": "/media/notes/a/x.png"},
    ]
    assert stored(settings, "notes/a/y.png") == tiny_png(2)


def test_links_to_local_files_are_copied(tmp_path, settings, run_import):
    """`[slides](files/a.pdf)`, `![[a.pdf]]`, `![[a.pdf|讲义]]` and `[[a.pdf]]` link to the copy."""
    folder = vault(tmp_path)
    write(folder, "files/a.pdf", b"%PDF-1.4 slides")
    write(folder, "n.md", "[slides](files/a.pdf) ![[a.pdf]] ![[a.pdf|讲义]] [[a.pdf]]\n")
    run_import(folder)
    assert elements(Note.objects.get().body_html).links == [
        ("/media/notes/n/a.pdf", "slides"),
        ("/media/notes/n/a.pdf", "a.pdf"),
        ("/media/notes/n/a.pdf", "讲义"),
        ("/media/notes/n/a.pdf", "a.pdf"),
    ]
    assert stored(settings, "notes/n/a.pdf") == b"%PDF-1.4 slides"


def test_only_images_and_attachments_are_copied(tmp_path, settings, run_import):
    """A note cannot copy a key, a dotfile or what a symlink named like an image points at into
    public media; links to the old blog's pages and to such files stay as written."""
    notes = tmp_path / "notes"
    write(notes, "id_rsa", b"secret")
    (notes / "fig.png").symlink_to(notes / "id_rsa")
    path = write(
        notes,
        "a.md",
        "![](id_rsa) ![](fig.png)\n\n[key](id_rsa) [env](.env) [post](../2019/01/01/post/) "
        "[page](about.html)\n",
    )
    report = run_import(notes)
    assert Note.objects.get().body == (
        '<span class="missing-image">id_rsa</span> <span class="missing-image">fig.png</span>\n\n'
        "[key](id_rsa) [env](.env) [post](../2019/01/01/post/) [page](about.html)"
    )
    assert [str(w) for w in report.warnings] == [
        f"{path}:1: image not found: id_rsa",
        f"{path}:1: image not found: fig.png",
    ]
    assert not (Path(settings.MEDIA_ROOT) / "notes").exists()


# --- Hexo, Hugo, Jekyll: asset folders and site-root paths ---------------------------------


def test_image_after_a_comment_holding_a_fence_is_copied(tmp_path, settings, run_import):
    """A comment over several lines may hold a fence whose closing line goes on (` ``` -->`):
    CommonMark reads no code there, so the image below is prose and is copied."""
    write(tmp_path / "blog", "x.png", tiny_png(3))
    write(
        tmp_path / "blog",
        "a.md",
        "---\ntitle: A\n---\n<!--\n旧命令\n\n```\nconda update\n``` -->\n\n![图](x.png)\n",
    )
    run_import(tmp_path / "blog")
    assert images("a") == [{"alt": "图", "src": "/media/notes/a/x.png"}]
    assert stored(settings, "notes/a/x.png") == tiny_png(3)


def test_sized_embed_alone_on_its_line_leaves_the_next_line_markdown(tmp_path, run_import):
    """`![[x.png|512x180]]` becomes an `<img>` line, which opens an HTML block; the caption
    quote under it (as Obsidian shows it) stays a quote with its math, not raw text."""
    folder = vault(tmp_path)
    write(folder, "x.png", tiny_png(1))
    write(
        folder, "a.md", '![[x.png|512x180]]\n> 图 2：输入 $Y$\n\n{{< figure src="x.png" >}}\n后文\n'
    )
    run_import(folder)
    body = Note.objects.get(slug="a").body_html
    assert '<blockquote>\n<p>图 2：输入 <span class="arithmatex">\\(Y\\)</span></p>' in body
    assert "</figure>\n<p>后文</p>" in body


def test_hexo_post_asset_folder(tmp_path, settings, run_import):
    """`source/_posts/foo.md` finds `source/_posts/foo/x.png` as `x.png`, `![](x.png)` and
    `{% asset_img x.png title %}`, with size, title and alt."""
    blog = tmp_path / "blog"
    write(blog, "_config.yml", "post_asset_folder: true\n")
    posts = blog / "source/_posts"
    write(posts, "foo/x.png", tiny_png(1))
    write(posts, "foo/big.png", tiny_png(2))
    write(
        posts,
        "foo.md",
        "![](x.png)\n\n{% asset_img x.png 模型结构 %}\n\n"
        '{% asset_img big.png 300 200 "大图" "图的说明" %}\n',
    )
    run_import(posts)
    assert images("foo") == [
        {"alt": "", "src": "/media/notes/foo/x.png"},
        {"src": "/media/notes/foo/x.png", "title": "模型结构"},
        {
            "src": "/media/notes/foo/big.png",
            "alt": "图的说明",
            "title": "大图",
            "width": "300",
            "height": "200",
        },
    ]
    assert stored(settings, "notes/foo/big.png") == tiny_png(2)


def test_hexo_asset_img_looks_in_the_asset_folder_only(tmp_path, settings, run_import):
    """`{% asset_img x.png %}` is the asset folder's x.png, not a namesake beside the post."""
    posts = tmp_path / "blog/source/_posts"
    write(tmp_path / "blog", "_config.yml", "")
    write(posts, "x.png", tiny_png(1))
    write(posts, "foo/x.png", tiny_png(2))
    write(posts, "foo.md", "{% asset_img x.png %}\n")
    run_import(posts)
    assert images("foo") == [{"src": "/media/notes/foo/x.png"}]
    assert stored(settings, "notes/foo/x.png") == tiny_png(2)


def test_hexo_img_and_asset_link_tags(tmp_path, settings, run_import):
    """`{% img [class] /images/x.png [size] "title" "alt" %}` and `{% asset_link a.pdf 讲义 %}`."""
    blog = tmp_path / "blog"
    write(blog, "_config.yml", "")
    write(blog, "source/images/x.png", tiny_png(1))
    write(blog, "source/_posts/foo/a.pdf", b"%PDF")
    write(
        blog / "source/_posts",
        "foo.md",
        "{% img left /images/x.png 120 '标题' '说明' %}\n\n{% asset_link a.pdf 讲义 %}\n",
    )
    run_import(blog / "source/_posts")
    parsed = elements(Note.objects.get().body_html)
    assert parsed.images == [
        {"src": "/media/notes/foo/x.png", "alt": "说明", "title": "标题", "width": "120"}
    ]
    assert parsed.links == [("/media/notes/foo/a.pdf", "讲义")]


@pytest.mark.parametrize(
    ("config", "served", "note"),
    [
        ("_config.yml", "source", "source/_posts/a.md"),  # Hexo
        ("_config.yml", "", "_posts/2024-01-02-a.md"),  # Jekyll: no source/, the root
        ("hugo.toml", "static", "content/cn/a.md"),
        ("config.toml", "static", "content/posts/a/index.md"),  # an older Hugo, a page bundle
        ("config.yaml", "static", "content/a.md"),
        (".obsidian/app.json", "", "notes/a.md"),  # a vault
    ],
)
def test_site_root_paths_resolve_against_the_blogs_root(
    tmp_path, settings, run_import, config, served, note
):
    """`/images/x.png` is looked up where the blog serves `/` from, found by walking up from
    the note to the folder with the tool's configuration."""
    blog = tmp_path / "blog"
    write(blog, config, "")
    write(blog / served, "images/cn/x.png", tiny_png(7))
    path = write(blog, note, '![](/images/cn/x.png) <img src="/images/cn/x.png">\n')
    run_import(path.parent)
    assert [image["src"] for image in images("a")] == ["/media/notes/a/x.png"] * 2
    assert stored(settings, "notes/a/x.png") == tiny_png(7)


def test_hugo_figure_shortcodes(tmp_path, settings, run_import):
    """`{{< figure >}}` alone on its line becomes a figure with its caption; `{{% figure %}}`
    too; inside a table cell, the image alone."""
    blog = tmp_path / "blog"
    write(blog, "hugo.toml", "")
    write(blog, "static/images/x.png", tiny_png(1))
    write(blog, "content/posts/a/y.png", tiny_png(2))
    write(
        blog / "content/posts/a",
        "index.md",
        '{{< figure src="/images/x.png" title="模型" caption="图片来源：论文" alt="结构图" >}}\n\n'
        '{{% figure src="y.png" width="300" %}}\n\n'
        '| 参数 | 图 |\n| --- | --- |\n| 温度 | {{< figure src="y.png" title="t" >}} |\n',
    )
    run_import(blog / "content")
    body_html = Note.objects.get().body_html
    assert (
        '<figure><img src="/media/notes/a/x.png" alt="结构图">'
        "<figcaption>模型<br>图片来源：论文</figcaption></figure>"
    ) in body_html
    assert '<figure><img src="/media/notes/a/y.png" width="300"></figure>' in body_html
    assert '<td><img src="/media/notes/a/y.png"></td>' in body_html


def test_shortcode_parameters_may_hold_code(tmp_path, run_import):
    """A figure whose title has backticks is still a figure."""
    write(tmp_path / "notes", "y.png", tiny_png(1))
    write(tmp_path / "notes", "a.md", '{{< figure src="y.png" title="`year 2007`" >}}\n')
    report = run_import(tmp_path / "notes")
    assert images("a") == [{"src": "/media/notes/a/y.png"}]
    assert report.warnings == []


# --- what is missing or unknown ------------------------------------------------------------


def test_missing_image_imports_with_a_placeholder_and_a_warning(tmp_path, client, run_import):
    """A missing image no longer rejects the note: readers see its alt text or file name in a
    placeholder, and the run warns `path:line: image not found: …`."""
    folder = vault(tmp_path)
    path = write(
        folder,
        "a.md",
        "---\ntitle: T\n---\n\n![图一](gone.png)\n"
        '<img src="CLIP/gone 2.png" alt="" width="30">\n![[gone3.png|100]]\n'
        "{% asset_img gone4.png 第四 %}\n",
    )
    report = run_import(folder)
    assert [str(warning) for warning in report.warnings] == [
        f"{path}:5: image not found: gone.png",
        f"{path}:6: image not found: CLIP/gone 2.png",
        f"{path}:7: image not found: gone3.png",
        f"{path}:8: image not found: gone4.png",
    ]
    page = elements(html(client.get(Note.objects.get().get_absolute_url())))
    assert page.missing == ["图一", "gone 2.png", "gone3.png", "第四"]
    assert report.summary().endswith("errors 0, warnings 4")


def test_missing_file_link_becomes_its_text_and_a_warning(tmp_path, run_import):
    """`[slides](gone.pdf)` that is not there: the text stays, unlinked, and the run warns."""
    path = write(tmp_path / "notes", "a.md", "see [slides](gone.pdf)\n")
    report = run_import(tmp_path / "notes")
    assert Note.objects.get().body == "see slides"
    assert [str(warning) for warning in report.warnings] == [f"{path}:1: file not found: gone.pdf"]


def test_paths_no_file_system_accepts_are_missing_images(tmp_path, run_import):
    """A name too long for the file system, or with a NUL byte (which no database column
    takes), is a missing image, not a crash."""
    long_name = "长" * 300 + ".png"
    path = write(tmp_path / "notes", "a.md", f"![](a%00.png) ![]({long_name})\n")
    report = run_import(tmp_path / "notes")
    assert [str(w) for w in report.warnings] == [
        f"{path}:1: image not found: a%00.png",
        f"{path}:1: image not found: {long_name}",
    ]
    assert elements(Note.objects.get().body_html).missing == ["a.png", long_name]


def test_site_root_path_without_a_blog_root_is_missing(tmp_path, run_import):
    """`/images/x.png` in notes outside any blog or vault cannot be found: a warning, while
    the site's own `/media/` URLs stay as written."""
    path = write(tmp_path / "notes", "a.md", "![x](/images/x.png) ![b](/media/b.png)\n")
    report = run_import(tmp_path / "notes")
    assert Note.objects.get().body == '<span class="missing-image">x</span> ![b](/media/b.png)'
    assert [str(w) for w in report.warnings] == [f"{path}:1: image not found: /images/x.png"]


def test_unknown_tags_and_shortcodes_are_warned_about_outside_code(tmp_path, run_import):
    """Any other `{% … %}`, `{{< … >}}` or `{{% … %}}` in prose is warned about once, at its
    opening; closing ones and those in code are not."""
    path = write(
        tmp_path / "notes",
        "a.md",
        "{% echarts 400 %}\n{}\n{% endecharts %}\n\n"
        '{{< youtube id="abc" >}} and `{% raw %}`\n\n'
        '{{% details title="更多" %}}\n提示\n{{% /details %}}\n\n'
        "```\n{% for x in y %}\n```\n",
    )
    report = run_import(tmp_path / "notes")
    assert [str(warning) for warning in report.warnings] == [
        f"{path}:1: unknown syntax: {{% echarts 400 %}}",
        f'{path}:5: unknown syntax: {{{{< youtube id="abc" >}}}}',
        f'{path}:7: unknown syntax: {{{{% details title="更多" %}}}}',
    ]
    assert Note.objects.count() == 1


def test_hexo_note_blocks_are_callouts(tmp_path, run_import):
    """NexT's `{% note danger %}` ... `{% endnote %}` box is a callout of that kind (any other
    class a plain note), its Markdown and math rendered; one never closed stays a warning."""
    path = write(
        tmp_path / "notes",
        "a.md",
        "---\ntitle: A\n---\n{% note danger %}\n注意 $x$：\n- 一\n{% endnote %}\n后文\n\n"
        "{% note blue 'fas fa-bullhorn' %}\n提示\n{% endnote %}\n\n{% note info %}\n没关上\n",
    )
    report = run_import(tmp_path / "notes")
    body = Note.objects.get(slug="a").body_html
    assert '<div class="callout callout-danger">' in body
    assert '<p>注意 <span class="arithmatex">\\(x\\)</span>：</p>\n<ul>\n<li>一</li>' in body
    assert "</div>\n<p>后文</p>" in body
    assert '<div class="callout callout-note">' in body
    assert [str(warning) for warning in report.warnings] == [
        f"{path}:14: unknown syntax: {{% note info %}}"
    ]


def test_hugo_admonitions_are_callouts(tmp_path, run_import):
    """`{{% admonition type="tip" title="..." %}}` and DoIt's `{{< admonition warning "..." >}}`
    are callouts of their kind with their title; an unknown kind is a plain note."""
    write(
        tmp_path / "content",
        "a.md",
        '---\ntitle: A\n---\n{{% admonition type="tip" title="省 Token" %}}\n少用 **长** 上下文\n'
        '{{% /admonition %}}\n\n{{< admonition warning "小心" >}}\n别删\n{{< /admonition >}}\n\n'
        '{{% admonition type="odd" %}}\n怪\n{{% /admonition %}}\n',
    )
    report = run_import(tmp_path / "content")
    body = Note.objects.get(slug="a").body_html
    assert '<div class="callout callout-tip">\n<div class="callout-title">省 Token</div>' in body
    assert "<p>少用 <strong>长</strong> 上下文</p>" in body
    assert '<div class="callout callout-warning">\n<div class="callout-title">小心</div>' in body
    assert '<div class="callout callout-note">' in body
    assert report.warnings == []


def test_dry_run_reports_warnings_and_copies_nothing(tmp_path, settings, run_import):
    """A dry run says what would look different, and leaves media storage alone."""
    write(tmp_path / "notes", "x.png", tiny_png())
    write(tmp_path / "notes", "a.md", "![](x.png) ![](gone.png)\n")
    report = run_import(tmp_path / "notes", dry_run=True)
    assert [w.message for w in report.warnings] == ["image not found: gone.png"]
    assert not (Path(settings.MEDIA_ROOT) / "notes").exists()


def test_command_prints_warnings_with_path_and_line(tmp_path):
    """import_notes prints each warning as `path:line: message (warning)` and imports."""
    path = write(tmp_path / "notes", "a.md", "text\n\n![图](gone.png)\n")
    out, err = StringIO(), StringIO()
    call_command("import_notes", str(tmp_path / "notes"), stdout=out, stderr=err)
    assert err.getvalue() == f"{path}:3: image not found: gone.png (warning)\n"
    assert out.getvalue().endswith("errors 0, warnings 1\n")
    assert Note.objects.count() == 1


def test_queries_do_not_grow_with_images(tmp_path):
    """Finding and naming images reads no rows: 20 notes with images take the queries of 2."""

    def queries(folder, count):
        for number in range(count):
            write(folder, f"n{number}/fig.png", tiny_png(number))
            write(folder, f"n{number}.md", f"![](n{number}/fig.png) ![](gone.png)\n")
        with CaptureQueriesContext(connection) as captured:
            import_notes([folder])
        Note.objects.all().delete()
        return len(captured)

    assert queries(tmp_path / "twenty", 20) == queries(tmp_path / "two", 2)
