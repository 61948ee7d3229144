"""我的批注 (a reader's own annotations, filtered and exported) and annotations in site search."""

import json
from datetime import datetime

import pytest
import yaml
from django.test import Client

from annotations import annotation_moderation, mine
from annotations.models import Annotation, Reply, joined_tags

BODY = "对比学习拉近正样本。\n\n第二段讲负样本与温度系数。\n\n第三段:动量编码器。"
SECRET = "私密批注独有词汇紫罗兰"


@pytest.fixture
def notes(make_note):
    return [
        make_note(title="对比学习", slug="contrastive", body=BODY),
        make_note(title="动量编码", slug="moco", body=BODY),
    ]


@pytest.fixture
def mine_set(notes, reader, annotate):
    """The reader's three annotations over two notes, tagged."""
    first = annotate(notes[0], reader, "拉近正样本", body="正样本*定义*", visibility="public")
    second = annotate(notes[0], reader, "温度系数", body="温度很关键\n第二行")
    third = annotate(notes[1], reader, "动量编码器", body="队列", visibility="public")
    for annotation, tags in [(first, ["方法", "RL"]), (second, ["超参"]), (third, ["方法"])]:
        annotation.tags = joined_tags(tags)
        annotation.save()
    return [first, second, third]


def page_ids(response):
    return [annotation.pk for annotation in response.context["annotations"]]


def test_the_page_needs_an_account(client, db):
    response = client.get("/annotations/mine/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/annotations/mine/"


def test_the_page_lists_only_the_readers_own_newest_first(
    reader_client, mine_set, notes, other, annotate
):
    annotate(notes[0], other, "第二段", body=SECRET, visibility="public")
    response = reader_client.get("/annotations/mine/")
    assert page_ids(response) == [a.pk for a in reversed(mine_set)]
    html = response.content.decode()
    assert SECRET not in html
    assert f'href="/notes/contrastive/#annotation-{mine_set[0].pk}"' in html
    assert "<em>定义</em>" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"tag": "方法"}, [2, 0]),
        ({"tag": "#超参"}, [1]),
        ({"tag": "方"}, []),
        ({"visibility": "private"}, [1]),
        ({"q": "温度"}, [1]),
        ({"q": "队列"}, [2]),
        ({"tag": "方法", "visibility": "public", "q": "正样本"}, [0]),
    ],
)
def test_filters(reader_client, mine_set, query, expected):
    response = reader_client.get("/annotations/mine/", query)
    assert page_ids(response) == [mine_set[i].pk for i in expected]


def test_note_filter_offers_the_readers_notes(reader_client, mine_set, notes):
    response = reader_client.get("/annotations/mine/", {"note": notes[1].pk})
    assert page_ids(response) == [mine_set[2].pk]
    assert "<option value=" in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [{"note": "999"}, {"visibility": "x"}, {"q": "a\x00b"}, {"tag": "\x00"}, {"q": "x" * 101}],
)
def test_an_invalid_filter_shows_everything_with_a_message(reader_client, mine_set, query):
    response = reader_client.get("/annotations/mine/", query)
    assert response.status_code == 200
    assert len(page_ids(response)) == 3
    assert "筛选条件无效" in response.content.decode()
    assert reader_client.get("/annotations/mine/export.md", query).status_code == 200


def test_the_page_is_paginated(reader_client, notes, reader, annotate):
    for _ in range(21):
        annotate(notes[0], reader, "拉近正样本")
    assert len(page_ids(reader_client.get("/annotations/mine/"))) == 20
    assert len(page_ids(reader_client.get("/annotations/mine/", {"page": 2}))) == 1


def test_markdown_export_is_obsidian_ready(reader_client, mine_set, other):
    Reply.objects.create(annotation=mine_set[0], user=other, body="我也这么想")
    response = reader_client.get("/annotations/mine/export.md")
    assert response["Content-Type"] == "text/markdown; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="notesite-annotations-')
    text = response.content.decode()
    assert front_matter(text)["title"] == "小读者 的批注"
    assert "## [对比学习](http://testserver/notes/contrastive/)" in text
    assert "> 拉近正样本\n\n正样本*定义*\n" in text
    assert "温度很关键\n第二行" in text
    assert "- 另一位 回复:我也这么想" in text
    assert (
        f"#方法 #RL · [原文](http://testserver/notes/contrastive/#annotation-{mine_set[0].pk})"
        in (text)
    )
    # Grouped by note: one heading per note, the first note's two passages under its own.
    assert text.count("\n## [") == 2
    heading = text.index("## [对比学习]")
    assert heading < text.index("> 拉近正样本") < text.index("> 温度系数")
    assert not heading < text.index("## [动量编码]") < text.index("> 温度系数")


def front_matter(text):
    """The YAML between the opening `---` lines of a Markdown file, parsed."""
    assert text.startswith("---\n")
    return yaml.safe_load(text[4 : text.index("\n---\n", 4)])


def test_markdown_front_matter_survives_quotes_and_colons(
    reader_client, reader, make_note, annotate
):
    """A title or name with `"`, `:`, `#` or `'` stays text in YAML an Obsidian vault reads."""
    reader.profile.display_name = '小"读者": #1'
    reader.profile.save()
    title = "BYOL: 'bootstrap' \"自举\" # 无负样本"
    note = make_note(title=title, slug="byol", body=BODY)
    annotate(note, reader, "拉近正样本", body="note: yes")
    fields = front_matter(reader_client.get("/annotations/mine/export.md").content.decode())
    assert fields["title"] == '小"读者": #1 的批注'
    assert fields["notes"] == [title]
    assert fields["source"] == "notesite"
    assert datetime.fromisoformat(fields["exported"]).tzinfo is not None


def test_markdown_quotes_every_line_of_a_passage():
    assert mine.quoted("一\n二\n\n三") == "> 一\n> 二\n>\n> 三"
    assert mine.obsidian_tag("deep learning/RL") == "#deep-learning/RL"


def test_json_ld_export_parses_as_a_web_annotation_collection(reader_client, mine_set):
    response = reader_client.get("/annotations/mine/export.jsonld", {"tag": "方法"})
    assert response["Content-Type"].startswith("application/ld+json")
    collection = json.loads(response.content)
    assert collection["@context"] == "http://www.w3.org/ns/anno.jsonld"
    assert collection["type"] == "AnnotationCollection"
    assert collection["total"] == 2
    items = collection["first"]["items"]
    for item in items:
        assert {"id", "type", "motivation", "created", "creator", "target", "body"} <= set(item)
        assert item["type"] == "Annotation"
    found = {item["target"]["source"]: item["target"]["selector"][0]["exact"] for item in items}
    assert found == {
        "http://testserver/notes/contrastive/": "拉近正样本",
        "http://testserver/notes/moco/": "动量编码器",
    }


def test_the_export_links_say_what_a_reader_gets(reader_client, mine_set):
    """Both links keep the page's filters and name what the file is for."""
    html = reader_client.get("/annotations/mine/", {"tag": "方法"}).content.decode()
    assert (
        'href="/annotations/mine/export.md?tag=%E6%96%B9%E6%B3%95" download>下载为 Markdown' in html
    )
    assert "JSON-LD(W3C 批注标准格式,可导入其他批注工具)</a>" in html


def test_exports_need_an_account(client, db):
    for url in ["/annotations/mine/export.md", "/annotations/mine/export.jsonld"]:
        assert client.get(url).status_code == 302


# --- search ------------------------------------------------------------------------------------


def search(client, query):
    return client.get("/search/", {"q": query}).content.decode()


def test_search_finds_public_annotations_in_their_own_section(client, notes, other, annotate):
    annotate(notes[0], other, "温度系数", body="公开词汇山茶花", visibility="public")
    html = search(client, "山茶花")
    assert "批注(1)" in html
    assert "公开词汇<mark>山茶花</mark>" in html
    assert 'href="/notes/contrastive/#annotation-' in html


def test_search_never_finds_another_readers_private_annotation(
    client, reader_client, notes, other, annotate
):
    secret = annotate(notes[0], other, "温度系数", body=SECRET, visibility="private")
    for viewer in (Client(), reader_client):
        for query in (SECRET, "温度系数"):
            html = search(viewer, query)
            assert "批注(" not in html
            assert f"annotation-{secret.pk}" not in html
    owner = Client()
    owner.force_login(other)
    assert "批注(1)" in search(owner, SECRET)  # their own, for them alone


def test_search_finds_by_the_quote(client, notes, other, annotate):
    annotate(notes[0], other, "动量编码器", body="", visibility="public")
    assert "批注(1)" in search(client, "动量编码器")


def test_hidden_annotations_leave_search_for_others(client, notes, other, annotate):
    public = annotate(notes[0], other, "温度系数", body="山茶花", visibility="public")
    annotation_moderation.hide_annotations(Annotation.objects.filter(pk=public.pk))
    assert "批注(" not in search(client, "山茶花")
    owner = Client()
    owner.force_login(other)
    html = search(owner, "山茶花")
    assert "批注(1)" in html
    assert "这条批注已被管理员隐藏,只有你自己看得到。" in html  # marked for its author


def test_a_visible_hit_is_not_marked_hidden(client, notes, other, annotate):
    annotate(notes[0], other, "温度系数", body="山茶花", visibility="public")
    html = search(client, "山茶花")
    assert "批注(1)" in html
    assert "已被管理员隐藏" not in html
