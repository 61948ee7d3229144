"""papers.importing: Obsidian vaults as Obsidian shows them, links between notes (wikilinks and
relative links to `.md` files) and notes embedded in others, as readers get them."""

from io import StringIO
from urllib.parse import unquote

import pytest
from django.core.management import call_command

from papers.importing import import_notes
from papers.models import Note
from tests.papers.flavours import tiny_png
from tests.papers.test_import_media import elements, stored
from tests.papers.test_importing import vault, write

pytestmark = pytest.mark.django_db


def links(slug):
    """(href, text) of each link readers get in the note's body, heading permalinks aside;
    hrefs decoded as browsers match them against ids."""
    found = elements(Note.objects.get(slug=slug).body_html).links
    return [(unquote(href), text) for href, text in found if text != "#"]


def warnings(report):
    return [str(warning) for warning in report.warnings]


# --- which note a wikilink names ------------------------------------------------------------


def test_bare_name_title_and_alias_link_the_note(tmp_path):
    """[[file name]], [[Title]], and each alias (a list or one name) link to the note."""
    folder = vault(tmp_path)
    write(
        folder,
        "concepts/ViT.md",
        "---\ntitle: Vision Transformer\naliases: [视觉 Transformer]\n---\n",
    )
    write(folder, "concepts/CLIP.md", "---\naliases: 对比预训练\n---\n")
    write(
        folder, "a.md", "[[ViT]] [[vision transformer]] [[视觉 Transformer|ViT]] [[对比预训练]]\n"
    )
    import_notes([folder])
    assert links("a") == [
        ("/notes/vit/", "ViT"),
        ("/notes/vit/", "vision transformer"),
        ("/notes/vit/", "ViT"),
        ("/notes/clip/", "对比预训练"),
    ]


def test_path_qualified_links_name_the_file_at_that_path(tmp_path):
    """[[folder/Name|label]], with or without `.md`, from the vault root or as the end of a
    path, names that file even where another folder holds one of the same name."""
    folder = vault(tmp_path)
    write(folder, "papers/L-infinity Norm Ball.md", "论文里的\n")
    write(folder, "notes/concepts/L-infinity Norm Ball.md", "概念\n")
    write(
        folder,
        "a.md",
        "[[notes/concepts/L-infinity Norm Ball|球]] [[concepts/L-infinity Norm Ball.md]] "
        "[[papers/L-infinity Norm Ball]]\n",
    )
    report = import_notes([folder])
    concept = Note.objects.get(source_path="notes/concepts/L-infinity Norm Ball.md").slug
    paper = Note.objects.get(source_path="papers/L-infinity Norm Ball.md").slug
    assert links("a") == [
        (f"/notes/{concept}/", "球"),
        (f"/notes/{concept}/", "concepts/L-infinity Norm Ball.md"),
        (f"/notes/{paper}/", "papers/L-infinity Norm Ball"),
    ]
    assert warnings(report) == []


def test_ambiguous_bare_name_prefers_the_linking_folder_then_the_shallowest(tmp_path):
    """Of two files named alike, [[Name]] is the one beside the linking note; from elsewhere,
    the shallowest, with a warning naming it."""
    folder = vault(tmp_path)
    write(folder, "x/deep/DARTS.md", "深\n")
    write(folder, "y/DARTS.md", "浅\n")
    write(folder, "x/deep/beside.md", "[[DARTS]]\n")
    path = write(folder, "z/far.md", "\n[[DARTS]]\n")
    report = import_notes([folder])
    deep = Note.objects.get(source_path="x/deep/DARTS.md").slug
    shallow = Note.objects.get(source_path="y/DARTS.md").slug
    assert links("beside") == [(f"/notes/{deep}/", "DARTS")]
    assert links("far") == [(f"/notes/{shallow}/", "DARTS")]
    assert warnings(report) == [f"{path}:2: ambiguous link: DARTS (2 files); linked to y/DARTS"]


def test_unresolved_wikilink_is_its_text_and_a_warning(tmp_path):
    """A link to a note that is not imported shows its label as text; the run says where."""
    folder = vault(tmp_path)
    path = write(folder, "a.md", "---\ntitle: A\n---\n见 [[Missing|缺失的笔记]]。\n")
    report = import_notes([folder])
    note = Note.objects.get()
    assert (links("a"), "缺失的笔记" in note.body_html, "[[" in note.body_html) == ([], True, False)
    assert warnings(report) == [f"{path}:4: unresolved link: Missing"]


def test_report_lists_unresolved_links(tmp_path):
    """`import_notes --report` names each unresolved link with its file and line."""
    folder = vault(tmp_path)
    path = write(folder, "a.md", "[[Missing]]\n")
    out = StringIO()
    call_command("import_notes", str(folder), "--report", stdout=out, stderr=out)
    assert f"{path}\n  line 1: unresolved link: Missing" in out.getvalue()


# --- headings and blocks --------------------------------------------------------------------


def test_heading_links_point_at_the_id_the_heading_gets(tmp_path):
    """[[Note#Heading]] is the first heading of that text; [[Note#Part#Heading]] the one under
    Part (a repeat, numbered -1); punctuation Obsidian drops from links still matches."""
    folder = vault(tmp_path)
    write(folder, "t.md", "# T\n\n## 方法\n\n## Part 2\n\n### 方法\n\n## A: **b** c\n")
    write(folder, "a.md", "[[t#方法]] [[t#Part 2#方法]] [[t#A b c]]\n")
    import_notes([folder])
    assert links("a") == [
        ("/notes/t/#方法", "t"),
        ("/notes/t/#方法-1", "t"),
        ("/notes/t/#a-b-c", "t"),
    ]
    target = Note.objects.get(slug="t").body_html
    assert all(f'id="{id_}"' in target for id_ in ("方法", "方法-1", "a-b-c"))


def test_same_page_heading_and_block_links(tmp_path):
    """[[#Heading]] and [[#^block]] link within the page itself."""
    folder = vault(tmp_path)
    write(folder, "a.md", "[[#Setup]] [[#^key|关键]]\n\n## Setup\n\n一段 ^key\n")
    import_notes([folder])
    assert links("a") == [("#setup", "Setup"), ("#^key", "关键")]


def test_missing_heading_links_the_note_with_a_warning(tmp_path):
    """A heading the note does not have: the link keeps its GitHub id, and the run says so."""
    folder = vault(tmp_path)
    write(folder, "t.md", "text\n")
    path = write(folder, "a.md", "[[t#Gone]]\n")
    report = import_notes([folder])
    assert links("a") == [("/notes/t/#gone", "t")]
    assert warnings(report) == [f"{path}:1: heading not found: t#Gone"]


# --- same file name in two folders ----------------------------------------------------------


def test_same_file_name_in_two_folders_gives_two_notes(tmp_path):
    """a/x.md and b/x.md both land: the first found keeps `x`, the other takes its folder's
    name; a second run finds the same notes unchanged."""
    folder = vault(tmp_path)
    write(folder, "a/x.md", "A\n")
    write(folder, "b/x.md", "B\n")
    import_notes([folder])
    assert dict(Note.objects.values_list("source_path", "slug")) == {"a/x.md": "x", "b/x.md": "b-x"}
    assert import_notes([folder]).unchanged == 2


def test_same_named_files_keep_their_slugs_when_another_comes(tmp_path):
    """A later run with a third x.md sorted before the others: the notes already imported keep
    their slugs (Note.source_path), the new file takes its folder's name."""
    folder = vault(tmp_path)
    write(folder, "b/x.md", "B\n")
    write(folder, "c/x.md", "C\n")
    import_notes([folder])
    write(folder, "a/x.md", "A\n")
    report = import_notes([folder])
    assert (report.created, report.unchanged) == (1, 2)
    assert dict(Note.objects.values_list("source_path", "slug")) == {
        "a/x.md": "a-x",
        "b/x.md": "x",
        "c/x.md": "c-x",
    }


def test_same_named_files_with_front_matter_slugs_keep_the_first_claim(tmp_path):
    """A slug a file gives itself is not renamed: the second file claiming it is refused."""
    folder = vault(tmp_path)
    write(folder, "a/x.md", "---\nslug: same\n---\nA\n")
    second = write(folder, "b/x.md", "---\nslug: same\n---\nB\n")
    report = import_notes([folder], skip_invalid=True)
    assert [str(problem) for problem in report.problems] == [
        f"{second}:2: slug 'same' is also claimed by {folder / 'a/x.md'}"
    ]


# --- relative links to .md files ------------------------------------------------------------


def test_relative_markdown_links_point_to_the_notes(tmp_path):
    """`[text](../other/note.md)`, `note.md#小节` and `my%20note.md` (Hexo, no vault) link to
    the imported notes; a link to an .md not imported is its text and a warning."""
    posts = tmp_path / "source/_posts"
    write(posts, "other/note.md", "---\ntitle: Note\n---\n## 小节\n")
    write(posts, "my note.md", "---\ntitle: Mine\n---\n")
    path = write(
        posts,
        "hexo/a.md",
        "---\ntitle: A\n---\n[见此](../other/note.md) [x](../other/note.md#小节) "
        "[y](../my%20note.md) [z](gone.md)\n",
    )
    report = import_notes([posts])
    assert links("a") == [
        ("/notes/note/", "见此"),
        ("/notes/note/#小节", "x"),
        ("/notes/my-note/", "y"),
    ]
    assert warnings(report) == [f"{path}:4: unresolved link: gone.md"]


def test_vault_markdown_link_from_the_root(tmp_path):
    """Obsidian writes Markdown links from the vault root too: `[t](concepts/T.md)`."""
    folder = vault(tmp_path)
    write(folder, "concepts/T.md", "t\n")
    write(folder, "deep/a.md", "[t](concepts/T.md)\n")
    import_notes([folder])
    assert links("a") == [("/notes/t/", "t")]


# --- embedded notes -------------------------------------------------------------------------


def test_embedded_note_shows_its_body_and_where_it_comes_from(tmp_path):
    """![[Note]] alone on a line shows the note's body in a div.embed, then a link to it."""
    folder = vault(tmp_path)
    write(folder, "定义.md", "---\ntitle: 注意力的定义\n---\n**Q**、K、V 三者\n")
    write(folder, "a.md", "前文\n\n![[定义]]\n\n后文\n")
    import_notes([folder])
    html = Note.objects.get(slug="a").body_html
    assert (
        '<div class="embed">\n<p><strong>Q</strong>、K、V 三者</p>\n'
        '<p>来自 <a href="/notes/%E5%AE%9A%E4%B9%89/">注意力的定义</a></p>\n</div>'
    ) in html
    assert html.index("前文") < html.index("三者") < html.index("后文")


def test_embedded_section_and_block(tmp_path):
    """![[Note#Heading]] shows that heading to the next of its level or higher;
    ![[Note#^id]] the paragraph ending with ^id."""
    folder = vault(tmp_path)
    write(
        folder,
        "t.md",
        "## 一\n\n甲\n\n### 一点一\n\n乙\n\n## 二\n\n丙\n\n第一行\n第二行 ^blk\n",
    )
    write(folder, "a.md", "![[t#一]]\n\n![[t#^blk]]\n")
    import_notes([folder])
    html = Note.objects.get(slug="a").body_html
    assert "甲" in html and "乙" in html and "丙" not in html
    assert "第一行\n第二行" in html
    assert [href for href, _ in links("a")] == ["/notes/t/#一", "/notes/t/#^blk"]


def test_images_of_an_embedded_note_are_found_from_its_file(tmp_path, settings, run_import):
    """An embedded note's `![](img/x.png)` is the file beside that note, stored with the note
    that shows it."""
    folder = vault(tmp_path)
    write(folder, "sub/img/fig.png", tiny_png(3))
    write(folder, "sub/part.md", "![图](img/fig.png)\n")
    write(folder, "a.md", "![[part]]\n")
    run_import(folder)
    assert elements(Note.objects.get(slug="a").body_html).images[0]["src"] == (
        "/media/notes/a/fig.png"
    )
    assert stored(settings, "notes/a/fig.png") == tiny_png(3)


def test_embed_loop_becomes_a_link_and_a_warning(tmp_path):
    """A note embedding a note that embeds it back: the inner embed is a link, with a warning."""
    folder = vault(tmp_path)
    write(folder, "a.md", "甲\n\n![[b]]\n")
    path = write(folder, "b.md", "乙\n\n![[a]]\n")
    report = import_notes([folder])
    html = Note.objects.get(slug="a").body_html
    assert html.count('class="embed"') == 1
    assert ("/notes/a/", "a") in links("a")
    assert f"{path}:3: embed loop or deeper than 3: a; linked" in warnings(report)


# --- folders that hold no notes -------------------------------------------------------------


@pytest.mark.parametrize(
    ("settings_json", "templates"), [(None, "Templates"), ('{"folder": "meta/Tpl"}', "meta/Tpl")]
)
def test_template_obsidian_and_trash_folders_are_skipped(tmp_path, settings_json, templates):
    """The vault's template folder (named in .obsidian/templates.json, else Templates/),
    .obsidian/ and .trash/ hold no notes."""
    folder = vault(tmp_path)
    if settings_json:
        write(folder, ".obsidian/templates.json", settings_json)
    write(folder, f"{templates}/论文模板.md", "# {{title}}\n")
    write(folder, ".trash/old.md", "old\n")
    write(folder, ".obsidian/x.md", "x\n")
    write(folder, "note.md", "n\n")
    import_notes([folder])
    assert list(Note.objects.values_list("source_path", flat=True)) == ["note.md"]


def test_double_brackets_outside_obsidian_are_text(tmp_path, run_import):
    """In a Hexo or Jekyll post `[[ -f x ]]` is Bash and `#x` no tag: both stay as written."""
    write(tmp_path / "blog", "a.md", "---\ntitle: A\n---\n用 [[ ... ]] 而不是 [ ... ]。#注意\n")
    report = run_import(tmp_path / "blog")
    note = Note.objects.get(slug="a")
    assert "<p>用 [[ ... ]] 而不是 [ ... ]。#注意</p>" in note.body_html
    assert (report.warnings, list(note.tags.names())) == ([], [])


def test_hugo_relref_and_ref_point_to_the_notes(tmp_path, run_import):
    """`{{< relref "x.md#小节" >}}` and `{{< ref "x" >}}` in a link are the note's URL; one to a
    page not imported keeps its text, links nowhere and warns."""
    write(tmp_path / "content", "x.md", "---\ntitle: X\n---\n## 小节\n")
    path = write(
        tmp_path / "content",
        "a.md",
        '---\ntitle: A\n---\n见 [X]({{<relref "x.md#小节" >}})、[再见]({{< ref "x" >}})'
        '与 [Y]({{< relref "y.md" >}})。\n',
    )
    report = run_import(tmp_path / "content")
    body = Note.objects.get(slug="a").body_html
    assert '见 <a href="/notes/x/#%E5%B0%8F%E8%8A%82">X</a>、<a href="/notes/x/">再见</a>' in body
    assert '与 <a href="#">Y</a>。' in body
    assert [str(warning) for warning in report.warnings] == [f"{path}:4: unresolved link: y.md"]
