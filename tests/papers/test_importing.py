"""papers.importing: each front matter format and field lands where it belongs."""

import os
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from papers.importing import ImportFailed, import_notes
from papers.models import Note, Paper
from tests.papers.helpers import shanghai
from topics.models import Topic

pytestmark = pytest.mark.django_db


def write(folder, name, text, encoding="utf-8"):
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return path


def tag_names(note):
    return set(note.tags.names())


def import_one(tmp_path, text, name="note.md", **options):
    write(tmp_path / "notes", name, text)
    import_notes([tmp_path / "notes"], **options)
    return Note.objects.get()


def problems_of(paths):
    with pytest.raises(ImportFailed) as failed:
        import_notes(paths)
    return [str(problem) for problem in failed.value.problems]


HEXO = """---
title: ESRL 论文笔记
date: 2024-11-25 10:00:00
updated: 2024-11-26 09:30:00
categories:
- [DL论文, 强化学习]
- [深度学习]
tags:
- RL
- LLM
permalink: notes/esrl-paper/
excerpt: 采样更省
arxiv: https://arxiv.org/abs/2308.02223v2
---
开头 $x^2$

<!-- more -->

后文
"""

HUGO_YAML = """---
title: "Hugo YAML"
date: 2024-11-25T10:00:00+08:00
lastmod: "2024-11-27T08:00:00Z"
draft: true
slug: hugo-yaml
categories: 深度学习
tags: "transformer, attention"
description: 描述
paper: 2308.02223
---
正文
"""

HUGO_TOML = """+++
title = "Hugo TOML"
date = 2024-11-25T10:00:00+08:00
lastmod = 2024-11-28
draft = false
slug = "hugo-toml"
categories = ["工具使用"]
tags = ["hugo", "toml"]
summary = "总结"
arxiv = 2401.10020
+++
正文
"""

JEKYLL = """---
layout: post
title: "Jekyll post"
category: 深度学习
tags: [a, b]
published: false
---
正文
"""


# --- Hexo ----------------------------------------------------------------------------------


def test_hexo_fields(tmp_path):
    """Hexo: title, naive date and updated in TIME_ZONE, permalink slug, excerpt as summary."""
    note = import_one(tmp_path, HEXO)
    assert (note.title, note.slug, note.summary) == ("ESRL 论文笔记", "esrl-paper", "采样更省")
    assert note.published_at == shanghai(2024, 11, 25, 10, 0)
    assert note.updated_at == shanghai(2024, 11, 26, 9, 30)
    assert note.status == Note.Status.PUBLISHED


def test_hexo_first_category_path_becomes_nested_topics(tmp_path):
    """Hexo's lists of category paths: the note goes in the first path's last topic, created
    inside the one before it."""
    note = import_one(tmp_path, HEXO)
    assert (note.topic.name, note.topic.parent.name) == ("强化学习", "DL论文")
    assert note.topic.parent.slug == "dl论文"
    assert sorted(Topic.objects.values_list("name", flat=True)) == ["DL论文", "强化学习"]


def test_hexo_tags_and_arxiv_url_paper(tmp_path):
    """A tag list becomes tags; an arXiv URL creates the paper, titled by its id, its version
    kept apart."""
    note = import_one(tmp_path, HEXO)
    assert tag_names(note) == {"RL", "LLM"}
    paper = note.paper
    assert (paper.arxiv_id, paper.version, paper.title) == ("2308.02223", 2, "2308.02223")


def test_hexo_more_marker_ends_the_excerpt(tmp_path):
    """`<!-- more -->` stays in the body and ends the card's excerpt."""
    note = import_one(tmp_path, HEXO)
    assert "<!-- more -->" in note.body
    assert note.excerpt == "采样更省 开头 x^2..."


# --- Hugo ----------------------------------------------------------------------------------


def test_hugo_yaml_fields(tmp_path, topic, paper):
    """Hugo YAML: draft, zoned dates, slug, a category string, comma tags, description."""
    note = import_one(tmp_path, HUGO_YAML)
    assert (note.slug, note.status, note.summary) == ("hugo-yaml", Note.Status.DRAFT, "描述")
    assert note.published_at == shanghai(2024, 11, 25, 10, 0)
    assert note.updated_at == datetime(2024, 11, 27, 8, 0, tzinfo=UTC)
    assert tag_names(note) == {"transformer", "attention"}


def test_hugo_yaml_links_existing_topic_and_paper(tmp_path, topic, paper):
    """An existing topic and paper are linked, not created again."""
    note = import_one(tmp_path, HUGO_YAML)
    assert (note.topic, note.paper) == (topic, paper)
    assert (Topic.objects.count(), Paper.objects.count()) == (1, 1)


def test_hugo_toml_fields(tmp_path):
    """Hugo TOML: dates, draft = false, slug, categories, tags, summary."""
    note = import_one(tmp_path, HUGO_TOML)
    assert (note.title, note.slug, note.summary) == ("Hugo TOML", "hugo-toml", "总结")
    assert note.published_at == shanghai(2024, 11, 25, 10, 0)
    assert note.updated_at == shanghai(2024, 11, 28, 0, 0)
    assert note.status == Note.Status.PUBLISHED
    assert note.topic.name == "工具使用"
    assert tag_names(note) == {"hugo", "toml"}


def test_unquoted_arxiv_id_keeps_trailing_zero(tmp_path):
    """`arxiv = 2401.10020` is a float to TOML and YAML; the id keeps its last zero."""
    assert import_one(tmp_path, HUGO_TOML).paper.arxiv_id == "2401.10020"


def test_page_bundle_index_named_by_folder(tmp_path):
    """Hugo's page bundle `esrl/index.md` gets the slug `esrl`."""
    assert import_one(tmp_path, "---\ntitle: T\n---\n", name="esrl/index.md").slug == "esrl"


def test_hugo_section_index_is_not_a_note(tmp_path):
    """Hugo's `_index.md` section pages are skipped."""
    write(tmp_path / "notes", "_index.md", "---\ntitle: Section\n---\n")
    write(tmp_path / "notes", "a.md", "---\ntitle: A\n---\n")
    import_notes([tmp_path / "notes"])
    assert list(Note.objects.values_list("slug", flat=True)) == ["a"]


# --- Jekyll --------------------------------------------------------------------------------


def test_jekyll_file_name_gives_date_and_slug(tmp_path):
    """Without a date, `2024-11-19-esrl.md` dates the note 2024-11-19 and names it `esrl`."""
    note = import_one(tmp_path, JEKYLL, name="_posts/2024-11-19-esrl.md")
    assert note.slug == "esrl"
    assert note.published_at == shanghai(2024, 11, 19, 0, 0)


def test_jekyll_published_false_is_a_draft(tmp_path):
    """`published: false` makes a draft; `category:` a topic; a flow list tags."""
    note = import_one(tmp_path, JEKYLL, name="_posts/2024-11-19-esrl.md")
    assert note.status == Note.Status.DRAFT
    assert note.topic.name == "深度学习"
    assert tag_names(note) == {"a", "b"}


def test_drafts_folder_holds_drafts(tmp_path):
    """Hexo's and Jekyll's `_drafts/` folder holds unpublished notes."""
    note = import_one(tmp_path, "---\ntitle: T\n---\n", name="_drafts/t.md")
    assert note.status == Note.Status.DRAFT


@pytest.mark.parametrize(
    ("written", "expected"),
    [
        ("2024-11-25", shanghai(2024, 11, 25, 0, 0)),
        ("2024-11-25 10:00:00", shanghai(2024, 11, 25, 10, 0)),
        ("'2024-11-25 10:00:00'", shanghai(2024, 11, 25, 10, 0)),
        ('"2024-11-25 10:00"', shanghai(2024, 11, 25, 10, 0)),
        ("2024-11-25T10:00:00+08:00", shanghai(2024, 11, 25, 10, 0)),
        ("'2024-11-25T02:00:00Z'", shanghai(2024, 11, 25, 10, 0)),
        ("2024-11-25 10:00:00 +0800", shanghai(2024, 11, 25, 10, 0)),
        ("2024/11/25 10:00", shanghai(2024, 11, 25, 10, 0)),
    ],
)
def test_date_formats(tmp_path, written, expected):
    """Dates as the tools write them, quoted or not, with or without zone (naive: TIME_ZONE)."""
    assert import_one(tmp_path, f"---\ntitle: T\ndate: {written}\n---\n").published_at == expected


# --- Obsidian ------------------------------------------------------------------------------


def vault(tmp_path):
    folder = tmp_path / "notes"
    (folder / ".obsidian").mkdir(parents=True)
    return folder


def test_obsidian_title_from_heading_without_front_matter(tmp_path):
    """No front matter: the first `#` heading is the title, the file name the slug."""
    note = import_one(tmp_path, "Intro\n\n# 注意力机制\n\ntext\n", name="attention.md")
    assert (note.title, note.slug) == ("注意力机制", "attention")


def test_title_from_file_name(tmp_path):
    """No title and no heading: the file name is the title."""
    note = import_one(tmp_path, "just text\n", name="Attention Is All You Need.md")
    assert (note.title, note.slug) == ("Attention Is All You Need", "attention-is-all-you-need")


def test_date_from_mtime_is_reported(tmp_path):
    """No date anywhere: the file's modification time dates the note, and the report says so."""
    path = write(tmp_path / "notes", "a.md", "text\n")
    os.utime(path, (1_700_000_000, 1_700_000_000))
    report = import_notes([tmp_path / "notes"])
    expected = datetime.fromtimestamp(1_700_000_000, tz=UTC)
    assert Note.objects.get().published_at == expected
    assert report.dated_by_mtime == [(str(path), expected)]


def test_obsidian_inline_tags(tmp_path):
    """In a vault, `#tags` in prose are tags; in code they are not; a tags-only line goes."""
    folder = vault(tmp_path)
    write(folder, "a.md", "#paper #rl/ppo\n\nText #inline and `#code`.\n\n```\n#nottag\n```\n")
    import_notes([folder])
    note = Note.objects.get()
    assert tag_names(note) == {"paper", "rl/ppo", "inline"}
    assert note.body == "Text #inline and `#code`.\n\n```\n#nottag\n```"


def test_obsidian_tag_opening_a_line_is_not_a_heading(tmp_path):
    """A line starting with `#tag` and more text stays a paragraph."""
    note = import_one(tmp_path, "#rl is the topic\n", name="a.md")
    assert tag_names(note) == {"rl"}
    assert note.body_html == "<p>#rl is the topic</p>"


def test_inline_tags_ignored_outside_obsidian(tmp_path):
    """A Hexo body (front matter, no vault) keeps `#word` as text, not as a tag."""
    note = import_one(tmp_path, "---\ntitle: T\n---\nsee #word\n")
    assert tag_names(note) == set()


def test_obsidian_tag_after_punctuation(tmp_path):
    """`#tag` right after `。`, `，`, `(` or `.` is a tag, as Obsidian reads it."""
    folder = vault(tmp_path)
    write(folder, "a.md", "见上文。#强化学习，#RL (#ppo) 结束.#末尾\n")
    import_notes([folder])
    assert tag_names(Note.objects.get()) == {"强化学习", "RL", "ppo", "末尾"}


@pytest.mark.parametrize(
    "text",
    [
        "see page#section and https://example.com/#frag or /docs/#/route",
        "&#x41; and &#65;",
        "C# 与 F#/C#",
        "## Heading\n\n##heading",
        "[link](#anchor) [[#标题]] {#custom-id}",
        '<a href="#x">a</a> a=#b \\#escaped',
        "`。#code` and\n\n```\n。#fenced\n```",
    ],
)
def test_hash_that_is_no_tag(tmp_path, text):
    """URL fragments, HTML entities, `C#`, heading markers, links and code give no tag."""
    folder = vault(tmp_path)
    write(folder, "a.md", text + "\n")
    import_notes([folder])
    assert tag_names(Note.objects.get()) == set()


def test_first_heading_repeating_the_title_is_dropped(tmp_path):
    """A first `# heading` equal to the title (case and outer space aside) is not in the body."""
    note = import_one(
        tmp_path,
        "---\ntitle: Attention Is All You Need\n---\n\n#  attention is ALL you need \n\n正文\n",
    )
    assert (note.body, note.title) == ("正文", "Attention Is All You Need")


def test_vault_heading_that_gave_the_title_is_dropped(tmp_path):
    """An Obsidian note titled by its first heading does not show the heading twice."""
    note = import_one(tmp_path, "# 注意力机制\n\n正文\n", name="attention.md")
    assert (note.title, note.body) == ("注意力机制", "正文")


def test_other_first_heading_stays(tmp_path):
    """A first heading that differs from the title, or a later one equal to it, stays."""
    note = import_one(tmp_path, "---\ntitle: T\n---\n# Intro\n\ntext\n\n# T\n")
    assert note.body == "# Intro\n\ntext\n\n# T"


def test_lines_after_a_dropped_heading_keep_their_numbers(tmp_path):
    """Warnings below a dropped heading are reported at their line in the file."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: T\n---\n# T\n\n![](gone.png)\n")
    report = import_notes([tmp_path / "notes"])
    assert list(map(str, report.warnings)) == [f"{path}:6: image not found: gone.png"]


def test_obsidian_front_matter_tags_with_hash(tmp_path):
    """Obsidian properties `tags: ["#a", b]` drop the `#`."""
    assert tag_names(import_one(tmp_path, '---\ntags: ["#a", b]\n---\n')) == {"a", "b"}


def test_wikilinks_link_imported_notes(tmp_path):
    """[[Title]] and [[Title|text]] link to the imported note; [[Missing]] is plain text."""
    folder = vault(tmp_path)
    write(folder, "target.md", "---\ntitle: Target Note\nslug: target\n---\n")
    write(folder, "a.md", "See [[Target Note]], [[target|this]] and [[Missing]].\n")
    import_notes([folder])
    body = Note.objects.get(slug="a").body
    assert body == "See [Target Note](/notes/target/), [this](/notes/target/) and Missing."


def test_wikilink_to_heading(tmp_path):
    """[[Title#Heading]] links to the heading's anchor on the note's page."""
    folder = vault(tmp_path)
    write(folder, "target.md", "# Target\n")
    write(folder, "a.md", "[[target#Some Part]]\n")
    import_notes([folder])
    assert Note.objects.get(slug="a").body == "[target](/notes/target/#some-part)"


def test_wikilink_to_repeated_heading_and_block(tmp_path):
    """[[Title#C++ 导言]] links to the GitHub id c-导言, [[Title#^abc]] to the block anchor."""
    folder = vault(tmp_path)
    write(folder, "target.md", "# Target\n\n一段 ^abc\n")
    write(folder, "a.md", "[[target#C++ 导言]] [[target#^abc]]\n")
    import_notes([folder])
    body = Note.objects.get(slug="a").body
    assert body == "[target](/notes/target/#c-导言) [target](/notes/target/#^abc)"
    assert 'id="^abc"' in Note.objects.get(slug="target").body_html


def test_wikilinks_in_code_stay(tmp_path):
    """`[[x]]` inside code is code."""
    note = import_one(tmp_path, "`[[a]]`\n\n```\n[[a]]\n```\n", name="a.md")
    assert note.body == "`[[a]]`\n\n```\n[[a]]\n```"


def test_embedded_image_copied_to_media(tmp_path, settings, django_capture_on_commit_callbacks):
    """`![[fig.png]]` found in the vault is copied to notes/<slug>/ and the link rewritten."""
    folder = vault(tmp_path)
    write(folder, "attachments/fig.png", b"PNG-1")
    write(folder, "sub/a.md", "![[fig.png]]\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_notes([folder])
    assert Note.objects.get().body == "![fig](/media/notes/a/fig.png)"
    assert (Path(settings.MEDIA_ROOT) / "notes/a/fig.png").read_bytes() == b"PNG-1"


def test_relative_image_link_copied(tmp_path, settings, django_capture_on_commit_callbacks):
    """`![alt](img/x y.png "t")` beside the note is copied; alt and title stay."""
    write(tmp_path / "notes", "img/x y.png", b"PNG-2")
    write(tmp_path / "notes", "a.md", '---\ntitle: T\n---\n![图](<img/x y.png> "t")\n')
    with django_capture_on_commit_callbacks(execute=True):
        import_notes([tmp_path / "notes"])
    assert Note.objects.get().body == '![图](/media/notes/a/x_y.png "t")'
    assert (Path(settings.MEDIA_ROOT) / "notes/a/x_y.png").read_bytes() == b"PNG-2"


def test_absolute_image_urls_untouched(tmp_path):
    """Images on other sites or already in media are left as written."""
    body = "![a](https://example.com/a.png) ![b](/media/b.png)"
    assert import_one(tmp_path, body + "\n", name="a.md").body == body


def test_reimport_reuses_stored_image(tmp_path, settings, django_capture_on_commit_callbacks):
    """A second import with a changed note keeps one stored copy, with no name_abc123 twin."""
    write(tmp_path / "notes", "fig.png", b"PNG")
    path = write(tmp_path / "notes", "a.md", "![](fig.png)\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_notes([tmp_path / "notes"])
    path.write_text("changed ![](fig.png)\n")
    with django_capture_on_commit_callbacks(execute=True):
        import_notes([tmp_path / "notes"])
    assert os.listdir(Path(settings.MEDIA_ROOT) / "notes/a") == ["fig.png"]


# --- paper, topic, summary -----------------------------------------------------------------


def test_paper_mapping_creates_paper_with_metadata(tmp_path):
    """`paper:` as a mapping creates the paper with title, authors, date and abstract."""
    note = import_one(
        tmp_path,
        "---\ntitle: T\npaper:\n  arxiv: '2308.02223'\n  title: ESRL\n"
        "  authors: [A One, B Two]\n  published: 2023-08-04\n  abstract: We study $x$.\n---\n",
    )
    paper = note.paper
    assert (paper.title, paper.authors, paper.published_on) == (
        "ESRL",
        "A One, B Two",
        date(2023, 8, 4),
    )
    assert paper.abstract_html == '<p>We study <span class="arithmatex">\\(x\\)</span>.</p>'


def test_toml_paper_table_without_id_takes_the_top_level_id(tmp_path):
    """A `[paper]` table without an id beside `arxiv = "..."`: that id, the table's title."""
    note = import_one(
        tmp_path,
        '+++\ntitle = "T"\narxiv = "2308.02223"\n\n[paper]\ntitle = "ESRL"\n'
        'authors = ["A One", "B Two"]\n+++\n',
    )
    assert (note.paper.arxiv_id, note.paper.title, note.paper.authors) == (
        "2308.02223",
        "ESRL",
        "A One, B Two",
    )


def test_paper_table_without_any_id_is_a_problem(tmp_path):
    """A `[paper]` table and no id anywhere: a problem at the table's line."""
    path = write(tmp_path / "notes", "a.md", '+++\ntitle = "T"\n[paper]\ntitle = "E"\n+++\n')
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:3: paper: no arXiv id (give it as arxiv: ...)"
    ]


def test_paper_title_field_names_new_paper(tmp_path):
    """`paper_title` names a paper created from a bare id."""
    note = import_one(tmp_path, "---\narxiv: arXiv:2308.02223\npaper_title: ESRL\n---\n")
    assert (note.paper.arxiv_id, note.paper.title) == ("2308.02223", "ESRL")


def test_versions_of_a_paper_in_files_are_one_paper(tmp_path):
    """Files naming 1706.03762v2, v7 and the bare id make one paper, of the highest version."""
    for name, arxiv_id in [
        ("a.md", "1706.03762v2"),
        ("b.md", "1706.03762v7"),
        ("c.md", "1706.03762"),
    ]:
        write(tmp_path / "notes", name, f"---\ntitle: {name}\narxiv: {arxiv_id}\n---\n")
    import_notes([tmp_path / "notes"])
    paper = Paper.objects.get()
    assert (paper.arxiv_id, paper.version) == ("1706.03762", 7)
    assert paper.notes.count() == 3


def test_version_of_a_stored_paper_links_to_it(tmp_path, paper):
    """A file naming another version of a stored paper is a note on that paper."""
    note = import_one(tmp_path, "---\narxiv: https://arxiv.org/pdf/2308.02223v3.pdf\n---\n")
    assert note.paper == paper
    assert Paper.objects.count() == 1


def test_default_topic_for_notes_without_category(tmp_path):
    """`default_topic` (--topic) is created and used when a file has no category."""
    note = import_one(tmp_path, "---\ntitle: T\n---\n", default_topic="工具使用")
    assert note.topic.name == "工具使用"


def test_category_matches_topic_ignoring_case(tmp_path):
    """A category naming an existing topic in other case is that topic."""
    existing = Topic.objects.create(name="NLP", slug="nlp")
    assert import_one(tmp_path, "---\ncategories: nlp\n---\n").topic == existing


def test_tags_match_existing_ignoring_case(tmp_path, make_note):
    """Tags are case-insensitive, as TAGGIT_CASE_INSENSITIVE says: `rl` is the tag `RL`."""
    make_note(tags=["RL"])
    write(tmp_path / "notes", "x.md", "---\ntitle: T\ntags: rl\n---\n")
    import_notes([tmp_path / "notes"])
    assert tag_names(Note.objects.get(slug="x")) == {"RL"}


def test_new_tag_whose_slug_is_taken_gets_a_numbered_slug(tmp_path, make_note):
    """`C` is not `C++`, though both slugify to `c`: the new tag gets `c_1`, as in taggit."""
    make_note(tags=["C++"])
    write(tmp_path / "notes", "x.md", "---\ntitle: T\ntags: [C]\n---\n")
    import_notes([tmp_path / "notes"])
    tags = Note.objects.get(slug="x").tags.values_list("name", "slug")
    assert list(tags) == [("C", "c_1")]


def test_html_is_sanitized(tmp_path):
    """HTML in an imported body goes through the sanitizer: no script survives."""
    note = import_one(
        tmp_path, '---\ntitle: T\n---\n<script>alert(1)</script>\n<a onclick="x">a</a>\n'
    )
    assert "<script" not in note.body_html
    assert "onclick" not in note.body_html


# --- encodings -----------------------------------------------------------------------------


def test_bom_and_crlf(tmp_path):
    """A UTF-8 BOM and CRLF line ends are read as plain UTF-8 text."""
    text = "\ufeff---\r\ntitle: 标题\r\ndate: 2024-11-25\r\n---\r\n正文\r\n第二行\r\n"
    note = import_one(tmp_path, text)
    assert (note.title, note.body) == ("标题", "正文\n第二行")


def test_gb18030_file(tmp_path):
    """A GB18030 (GBK) file is decoded as such."""
    note = import_one(tmp_path, "---\ntitle: 中文标题\n---\n正文\n".encode("gb18030"))
    assert (note.title, note.body) == ("中文标题", "正文")


def test_stray_control_characters_are_dropped_with_a_warning(tmp_path):
    """Valid UTF-8 with a stray control character: imported without it, a warning per line."""
    path = write(
        tmp_path / "notes",
        "a.md",
        "---\ntitle: 注意\x08力\ndate: 2024-11-25\n---\n正文\n\n第二段从终端粘贴\x1b[0m而来\x07\n",
    )
    report = import_notes([tmp_path / "notes"])
    note = Note.objects.get()
    assert (note.title, note.body) == ("注意力", "正文\n\n第二段从终端粘贴[0m而来")
    assert [str(warning) for warning in report.warnings] == [
        f"{path}:2: control character U+0008 dropped",
        f"{path}:7: control characters U+001B, U+0007 dropped",
    ]


@pytest.mark.parametrize(
    "data",
    [
        b"\xff\xfe\x00t\x00i",
        b"---\ntitle: \x80\xff\n---\n",
        "---\ntitle: UTF-16 without a BOM\n---\ntext\n".encode("utf-16-le"),
    ],
)
def test_undecodable_file(tmp_path, data):
    """Bytes that are neither UTF-8 nor GB18030 text stop the run with a clear message."""
    path = write(tmp_path / "notes", "a.md", data)
    assert problems_of([tmp_path / "notes"]) == [f"{path}:1: cannot decode as UTF-8 or GB18030"]


def test_empty_file_is_skipped_with_a_warning(tmp_path):
    """A 0-byte file, or one of white space only, is no note: skipped, with a warning."""
    empty = write(tmp_path / "notes", "empty.md", b"")
    blank = write(tmp_path / "notes", "blank.md", " \n\t\r\n\n")
    write(tmp_path / "notes", "note.md", "---\ntitle: T\n---\n")
    report = import_notes([tmp_path / "notes"])
    assert list(Note.objects.values_list("slug", flat=True)) == ["note"]
    assert [str(warning) for warning in report.warnings] == [
        f"{blank}:1: empty file; skipped",
        f"{empty}:1: empty file; skipped",
    ]
    assert report.summary() == "created 1, updated 0, unchanged 0, skipped 2, errors 0, warnings 2"


# --- errors with lines ---------------------------------------------------------------------


def test_invalid_yaml_line(tmp_path):
    """Invalid YAML is reported at its line in the file."""
    path = write(tmp_path / "notes", "a.md", "---\ndate: 2024-11-25\ntitle: a: b\n---\n")
    [problem] = problems_of([tmp_path / "notes"])
    assert problem.startswith(f"{path}:3: invalid YAML: mapping values are not allowed")


def test_invalid_yaml_line_with_crlf(tmp_path):
    """CRLF line ends do not shift the reported line."""
    path = write(tmp_path / "notes", "a.md", "---\r\ndate: 2024-11-25\r\ntitle: a: b\r\n---\r\n")
    assert problems_of([tmp_path / "notes"])[0].startswith(f"{path}:3: invalid YAML")


def test_unclosed_quote_is_reported_where_it_opens(tmp_path):
    """An unclosed quote makes YAML fail where the front matter ends; the quote's line is named."""
    path = write(
        tmp_path / "notes", "a.md", '---\ntitle: T\nsummary: "open\ntags: [a]\ndate: 2024\n---\n'
    )
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:3: invalid YAML: while scanning a quoted scalar, found unexpected end of stream"
    ]


def test_unclosed_bracket_is_reported_where_it_opens(tmp_path):
    """An unclosed `[` is reported at its line, not at the line where YAML gave up."""
    path = write(
        tmp_path / "notes", "a.md", "---\ntitle: T\ntags: [a, b\ndate: 2024-11-25\nx: y\n---\n"
    )
    [problem] = problems_of([tmp_path / "notes"])
    assert problem.startswith(f"{path}:3: invalid YAML: while parsing a flow sequence, ")


BILLION_LAUGHS = "".join(
    [
        "---\ntitle: T\n",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n',
        *(
            f"{name}: &{name} [{', '.join([f'*{previous}'] * 9)}]\n"
            for previous, name in zip("abcdefgh", "bcdefghi", strict=True)
        ),
        "lolz: *i\n---\n",
    ]
)


def test_yaml_bomb_is_refused_at_once(tmp_path):
    """A 1 KB "billion laughs" file (aliases of aliases, 9^9 values) is refused in no time."""
    path = write(tmp_path / "notes", "a.md", BILLION_LAUGHS)
    started = time.monotonic()
    problems = problems_of([tmp_path / "notes"])
    assert time.monotonic() - started < 1
    assert problems == [
        f"{path}:3: YAML aliases repeat values more than 1000 times; write the values out"
    ]


def test_yaml_alias_inside_its_own_anchor_is_refused(tmp_path):
    """`&a [*a]` is an endless list: refused, where it would recurse without end."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: T\ncategories: &a [*a]\n---\n")
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:3: YAML aliases repeat values more than 1000 times; write the values out"
    ]


def test_a_few_yaml_aliases_are_fine(tmp_path):
    """An alias used once or twice, as people do, loads as written."""
    note = import_one(tmp_path, "---\ntitle: &t 标题\nsummary: *t\ntags: &x [a]\n---\n")
    assert (note.title, note.summary, tag_names(note)) == ("标题", "标题", {"a"})


def test_invalid_toml_line(tmp_path):
    """Invalid TOML is reported at its line in the file."""
    path = write(tmp_path / "notes", "a.md", "+++\ndate = 2024-11-25\ntitle = open\n+++\n")
    assert problems_of([tmp_path / "notes"]) == [f"{path}:3: invalid TOML: Invalid value"]


def test_toml_error_at_end_points_at_last_line(tmp_path):
    """tomllib's "at end of document" is the front matter's last line."""
    path = write(tmp_path / "notes", "a.md", '+++\ndate = 2024-11-25\ntitle = "open\n+++\n')
    assert problems_of([tmp_path / "notes"]) == [f"{path}:3: invalid TOML: Unterminated string"]


def test_bad_date_line(tmp_path):
    """A date that does not parse is reported at the line of its key."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: T\ntags: [a]\ndate: next tuesday\n---\n")
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:4: date: cannot read 'next tuesday' as a date"
    ]


def test_impossible_unquoted_date_is_reported_at_its_line(tmp_path):
    """An unquoted YAML date that is no date (month 13) is a problem at its line, not a crash."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: T\ndate: 2024-13-45\n---\n")
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:3: date: cannot read '2024-13-45' as a date"
    ]


def test_every_problem_in_a_file_is_reported(tmp_path):
    """A bad date and a bad arXiv id in one file are both reported."""
    path = write(
        tmp_path / "notes", "a.md", "---\ndate: soon\nupdated: 2024-11-25\narxiv: nope\n---\n"
    )
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:2: date: cannot read 'soon' as a date",
        f"{path}:4: arxiv: not an arXiv id or URL: 'nope'",
    ]


def test_unclosed_front_matter(tmp_path):
    """Front matter without its closing line is an error at line 1."""
    path = write(tmp_path / "notes", "a.md", "---\ntitle: T\n\ntext\n")
    assert problems_of([tmp_path / "notes"]) == [
        f"{path}:1: front matter opened with --- is never closed"
    ]


def test_second_file_claiming_a_slug_is_refused_at_its_line(tmp_path):
    """Two different files claiming one slug: the second is refused, naming the first."""
    first = write(tmp_path / "notes", "a.md", "---\ntitle: A\nslug: same\n---\n")
    second = write(tmp_path / "notes", "b/same.md", "---\ntitle: B\n---\n")
    assert problems_of([tmp_path / "notes"]) == [
        f"{second}:1: slug 'same' is also claimed by {first}"
    ]


def test_missing_path(tmp_path):
    """A path that does not exist is a problem too."""
    assert problems_of([tmp_path / "nope"]) == [f"{tmp_path / 'nope'}: no such file or folder"]
