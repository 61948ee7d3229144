"""Search: /search/?q= over published notes, Chinese and English, ranked, with safe snippets."""

import re
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from taggit.models import Tag

from papers import search
from papers.models import Note, Paper, SearchDocument
from tests.papers.helpers import html
from topics.models import Topic

DRAFT = Note.Status.DRAFT
SENTENCE = "这篇论文用对比学习(contrastive learning)预训练图像编码器,效果接近有监督的方法。"


def results(client, query, **params):
    """The titles of the hits on a search page, in page order (marks stripped)."""
    response = client.get("/search/", {"q": query, **params})
    assert response.status_code == 200
    titles = re.findall(
        r'<h2 class="note-card__title"><a href="[^"]*">(.*?)</a></h2>', html(response)
    )
    return [re.sub(r"</?mark>", "", title) for title in titles]


def snippets(response):
    return re.findall(
        r'<p class="note-card__excerpt note-card__excerpt--snippet">(.*?)</p>', html(response)
    )


@pytest.fixture
def simclr(make_note):
    return make_note(title="SimCLR 笔记", body=SENTENCE)


# --- what is found --------------------------------------------------------------------------


def test_chinese_substring_inside_a_sentence(client, simclr, make_note):
    """`对比学习` finds the note whose body has it mid-sentence, with no word segmentation."""
    make_note(title="别的笔记", body="强化学习的奖励设计。")
    assert results(client, "对比学习") == ["SimCLR 笔记"]


def test_chinese_miss(client, simclr):
    """A Chinese word the note does not contain finds nothing, and the page says so."""
    response = client.get("/search/", {"q": "强化学习"})
    assert results(client, "强化学习") == []
    assert "没有找到包含它的笔记" in html(response)


@pytest.mark.parametrize("query", ["对", "编码"])
def test_one_and_two_cjk_characters(client, simclr, make_note, query):
    """Queries of one or two CJK characters (too short for trigrams) still find notes."""
    make_note(title="无关", body="强化学习的奖励设计。")
    assert results(client, query) == ["SimCLR 笔记"]


def test_two_cjk_characters_miss(client, simclr):
    """A two-character query the note does not contain finds nothing."""
    assert results(client, "蒸馏") == []


@pytest.fixture
def short_notes(make_note, topic):
    make_note(title="知识", body="蒸馏:教师模型的软标签。")
    make_note(title="量化", summary="INT8 量化与剪枝", tags=["蒸馏"])
    make_note(title="对齐", body='RLHF 对齐;准确率 5%,model_size,路径 C:\\x,"引号"')
    make_note(title="分开的字", body="量 化 蒸 馏", topic=topic)
    make_note(title="Straße", body="İstanbul ÖL")


SHORT_QUERIES = ["蒸馏", "量化", "剪枝", "对齐", "蒸", "馏", "量", "化", "枝", "齐", "学", "的",
                 "识蒸", "馏教", "rl", "RL", "Rl", "int", "c", "C", "x", "5%", "%", "_", '"', "\\",
                 ",", ";", "ß", "ss", "İ", "i", "öl", "Ö", "深度", "度", "无", "无关"]  # fmt: skip


def test_short_queries_find_what_a_scan_finds(client, short_notes):
    """One- and two-character queries find exactly the notes whose text contains them."""
    texts = {d.note.title: d.document for d in SearchDocument.objects.select_related("note")}
    for query in SHORT_QUERIES:
        folded = search.fold(search.normalize_query(query))
        expected = {title for title, text in texts.items() if folded in text}
        assert set(results(client, query)) == expected, query


@pytest.mark.parametrize(
    "query, found",
    [
        ("蒸馏", ["量化", "知识"]),
        ("量化", ["量化"]),
        ("剪枝", ["量化"]),
        ("对齐", ["对齐"]),
        ("蒸", ["量化", "分开的字", "知识"]),
        ("齐", ["对齐"]),
        ("c", ["对齐"]),
        ("5%", ["对齐"]),
        ("ß", ["Straße"]),
    ],
)
def test_short_queries(client, short_notes, query, found):
    """Common two-character Chinese terms, single characters and symbols find their notes."""
    assert results(client, query) == found


def test_two_characters_do_not_span_title_and_body(client, short_notes):
    """`识蒸`, the title's last character and the body's first, matches nothing."""
    assert results(client, "识蒸") == []


def test_two_characters_do_not_span_a_space(client, short_notes):
    """`量 化` in a body is not found by `量化`."""
    assert results(client, "量化") == ["量化"]


def test_single_character_between_spaces_is_found(client, make_note):
    """A character with whitespace on both sides (no two-character neighbour) is found."""
    make_note(title="维生素", body="维生素 C 的作用")
    make_note(title="别的", body="无关")
    assert results(client, "c") == ["维生素"]


@pytest.mark.parametrize("query", ["contrastive learning", "CONTRASTIVE", "Contrastive Learning"])
def test_english_is_case_insensitive(client, simclr, query):
    """English matches whatever the case of query and text."""
    assert results(client, query) == ["SimCLR 笔记"]


@pytest.mark.parametrize("query", ["Rl", "sImclr"])
def test_short_and_long_english_case_insensitive_in_title(client, make_note, query):
    """Case folds for queries short (no trigram) and long, here matching a title."""
    make_note(title="SimCLR and RL", body="正文")
    assert results(client, query) == ["SimCLR and RL"]


def test_english_miss(client, simclr):
    """An English word the note does not contain finds nothing."""
    assert results(client, "diffusion") == []


@pytest.mark.parametrize(
    "query",
    [
        "2308.02223",
        "arXiv:2308.02223",
        "2308.02223v2",
        "https://arxiv.org/abs/2308.02223",
        "arxiv.org/pdf/2308.02223v1",
    ],
)
def test_arxiv_id_finds_its_papers_notes(client, paper, make_note, query):
    """An arXiv id, with prefix, version or as an abs / PDF URL, finds the paper's notes only."""
    make_note(title="ESRL 笔记", paper=paper)
    make_note(title="另一篇", paper=Paper.objects.create(arxiv_id="2308.02224", title="Other"))
    make_note(title="没有论文")
    assert results(client, query) == ["ESRL 笔记"]


def test_author_name(client, paper, make_note):
    """A paper author's name finds the notes on that paper."""
    make_note(title="ESRL 笔记", paper=paper)
    make_note(title="没有论文")
    assert results(client, "hang zhou") == ["ESRL 笔记"]


def test_paper_title(client, paper, make_note):
    """Words of the paper's title find its notes."""
    make_note(title="ESRL 笔记", paper=paper)
    assert results(client, "Sampling-based Reinforcement") == ["ESRL 笔记"]


def test_tag(client, make_note):
    """A tag's name finds the notes carrying it."""
    make_note(title="有标签", tags=["Transformer"])
    make_note(title="没标签")
    assert results(client, "transformer") == ["有标签"]


def test_topic_name(client, topic, make_note):
    """The topic's name finds its notes."""
    make_note(title="主题内", topic=topic)
    make_note(title="主题外")
    assert results(client, "深度学习") == ["主题内"]


def test_summary(client, make_note):
    """Text of the personal summary is searched."""
    make_note(title="有总结", summary="**重点**:温度系数很关键。")
    assert results(client, "温度系数") == ["有总结"]


def test_math_source_and_code_are_searched(client, make_note):
    """The TeX source of formulas and the text of code blocks are part of a note's text."""
    make_note(title="公式", body="损失 $\\mathcal{L}_{NCE}$\n\n```python\ninfo_nce_loss(z)\n```")
    assert results(client, "mathcal{L}_{NCE}") == ["公式"]
    assert results(client, "info_nce_loss") == ["公式"]


def test_markup_is_not_searched(client, make_note):
    """HTML markup of the rendered note is not text: a tag name does not match."""
    make_note(title="强调", body="一个 **加粗** 的词")
    assert results(client, "strong") == []


def test_matches_do_not_span_two_fields(client, make_note):
    """A query made of a title's end and the body's start matches nothing."""
    make_note(title="标题结尾", body="正文开头")
    assert results(client, "结尾正文") == []
    assert results(client, "结尾 正文") == []


# --- what is never found --------------------------------------------------------------------


def test_drafts_and_future_notes_are_never_found(client, make_note):
    """Only published notes dated now or earlier are found."""
    make_note(title="公开", body=SENTENCE)
    make_note(title="草稿", body=SENTENCE, status=DRAFT)
    make_note(title="未来", body=SENTENCE, days_ago=-1)
    assert results(client, "对比学习") == ["公开"]
    assert results(client, "对比") == ["公开"]
    assert results(client, "对") == ["公开"]


def test_staff_do_not_find_drafts_either(admin_client, make_note):
    """Search lists what readers see, also for staff (drafts have their own admin)."""
    make_note(title="草稿", body=SENTENCE, status=DRAFT)
    assert results(admin_client, "对比学习") == []


def test_future_note_is_found_once_its_time_comes(client, make_note, monkeypatch):
    """A note dated in the future is indexed already and found once that time has passed."""
    make_note(title="定时", body=SENTENCE, days_ago=-1)
    assert results(client, "对比学习") == []
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert results(client, "对比学习") == ["定时"]


# --- ranking --------------------------------------------------------------------------------


def test_ranking_title_and_paper_then_labels_then_summary_then_body(client, make_note, topic):
    """Title or paper hits come first, then tag/topic, then summary, then body; newest first."""
    make_note(title="正文命中", body="讲蒸馏", days_ago=1)
    make_note(title="总结命中", summary="讲蒸馏", days_ago=2)
    make_note(title="标签命中", tags=["蒸馏"], days_ago=3)
    paper = Paper.objects.create(arxiv_id="1503.02531", title="Knowledge 蒸馏", authors="G H")
    make_note(title="论文命中", paper=paper, days_ago=4)
    make_note(title="蒸馏:标题命中", days_ago=5)
    make_note(title="蒸馏:标题也命中", days_ago=6)
    assert results(client, "蒸馏") == [
        "论文命中",
        "蒸馏:标题命中",
        "蒸馏:标题也命中",
        "标签命中",
        "总结命中",
        "正文命中",
    ]


def test_ranking_ties_are_newest_first(client, make_note):
    """Among body hits, the newest note comes first."""
    for days in (3, 1, 2):
        make_note(title=f"第{days}天", body=SENTENCE, days_ago=days)
    assert results(client, "对比学习") == ["第1天", "第2天", "第3天"]


# --- snippets and escaping ------------------------------------------------------------------


def test_snippet_shows_context_around_the_match(client, make_note):
    """The snippet is text around the match, cut with "…", the match in <mark>."""
    body = "前言。" * 100 + SENTENCE + "结尾。" * 100
    make_note(title="长文", body=body)
    [snippet] = snippets(client.get("/search/", {"q": "对比学习"}))
    assert "<mark>对比学习</mark>" in snippet
    assert snippet.startswith("…") and snippet.endswith("…")
    assert "(contrastive learning)预训练图像编码器" in snippet
    assert len(re.sub(r"</?mark>", "", snippet)) <= search.SNIPPET_LENGTH + 2


def test_every_match_in_the_snippet_is_marked_keeping_its_case(client, make_note):
    """All occurrences in the window are marked, each in the text's own case."""
    make_note(title="T", body="SimCLR beats simclr-v0 and SIMCLR.")
    [snippet] = snippets(client.get("/search/", {"q": "simclr"}))
    assert snippet == "<mark>SimCLR</mark> beats <mark>simclr</mark>-v0 and <mark>SIMCLR</mark>."


def test_title_match_is_marked(client, make_note):
    """The match in a hit's title is marked too."""
    make_note(title="对比学习入门")
    response = client.get("/search/", {"q": "对比学习"})
    assert "<mark>对比学习</mark>入门</a></h2>" in html(response)


def test_author_hit_shows_the_paper_line(client, paper, make_note):
    """A note found by its paper's author shows the paper line with the author marked."""
    make_note(title="ESRL 笔记", paper=paper, body="正文")
    [snippet] = snippets(client.get("/search/", {"q": "Hang Zhou"}))
    assert "<mark>Hang Zhou</mark>" in snippet
    assert "arXiv:2308.02223" in snippet


def test_snippet_escapes_html_in_the_note_text(client, make_note):
    """Markup shown as text in a note (inline code) is escaped in the snippet."""
    make_note(title="XSS", body="用 `<script>alert(1)</script>` 做对比学习的演示")
    response = client.get("/search/", {"q": "对比学习"})
    [snippet] = snippets(response)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in snippet
    assert "<script>alert" not in html(response)


def test_query_is_escaped_in_marks_and_messages(client, make_note):
    """A query with markup is matched as text and escaped wherever the page shows it."""
    make_note(title="XSS", body="用 `<script>alert(1)</script>` 演示")
    response = client.get("/search/", {"q": "<script>alert(1)</script>"})
    page = html(response)
    assert "<mark>&lt;script&gt;alert(1)&lt;/script&gt;</mark>" in page
    assert "<script>alert" not in page
    assert 'value="&lt;script&gt;alert(1)&lt;/script&gt;"' in page


def test_snippet_function_escapes_text_and_query():
    """snippet() escapes text and query, marking only the match."""
    out = search.snippet('a<b & "c" a<b', "a<b")
    assert out == "<mark>a&lt;b</mark> &amp; &quot;c&quot; <mark>a&lt;b</mark>"


def test_snippet_without_a_match_is_the_start_of_the_text():
    """With no match in the text (a title-only hit), the snippet is its beginning."""
    assert search.snippet("x" * 400, "y") == "x" * search.SNIPPET_LENGTH + "…"


# --- odd queries ----------------------------------------------------------------------------


@pytest.fixture
def odd_notes(make_note):
    make_note(title="百分号", body="准确率提升了 5%,参数量 model_size 不变。")
    make_note(title="引号", body="他说 \"quoted\" 和 'single',路径 C:\\data\\x。")
    make_note(title="普通", body=SENTENCE)


@pytest.mark.parametrize(
    "query, found",
    [
        ("%", ["百分号"]),
        ("_", ["百分号"]),
        ("5%", ["百分号"]),
        ("model_size", ["百分号"]),
        ("l_s", ["百分号"]),
        ("%%%", []),
        ('"', ["引号"]),
        ('"quoted"', ["引号"]),
        ("'", ["引号"]),
        ("'single'", ["引号"]),
        ("\\", ["引号"]),
        ("\\data\\", ["引号"]),
        ('"""', []),
        ("对比 OR 学习", []),
        ("NEAR(对比 学习)", []),
        ("document:对比", []),
        ("对比*", []),
        ("^对比", []),
        ("-", []),
        ("(", ["普通"]),
        ("(contrastive", ["普通"]),
    ],
)
def test_odd_queries_are_literal_text(client, odd_notes, query, found):
    """LIKE wildcards, quotes, backslashes and FTS5 syntax are searched as plain text."""
    assert results(client, query) == found


@pytest.mark.parametrize(
    "query, message",
    [
        ("对比\x00学习", "控制字符"),
        ("\x00", "控制字符"),
        ("a\x07b", "控制字符"),
        ("学" * 1001, "太长"),
        ("   ", "请输入要搜索的词"),
        ("\t\n", "请输入要搜索的词"),
        ("", "请输入要搜索的词"),
    ],
)
def test_refused_queries_get_a_message(client, odd_notes, query, message):
    """NUL and control characters, over-long and blank queries: 200, a message, no hits."""
    response = client.get("/search/", {"q": query})
    assert response.status_code == 200
    assert message in html(response)
    assert 'class="note-card"' not in html(response)


def test_query_at_the_length_limit_is_searched(client, make_note):
    """A query of exactly MAX_QUERY_LENGTH characters runs."""
    make_note(title="长", body="学" * 200)
    assert results(client, "学" * search.MAX_QUERY_LENGTH) == ["长"]


def test_no_query_shows_help_without_a_message(client, db):
    """/search/ without q shows what can be searched, no error."""
    response = client.get("/search/")
    assert response.status_code == 200
    assert "可以搜索笔记的标题" in html(response)
    assert 'role="alert"' not in html(response)


def test_normalize_query_collapses_whitespace():
    """Runs of whitespace become one space; ends are trimmed."""
    assert search.normalize_query("  对比 \t 学习\n ") == "对比 学习"


@pytest.mark.parametrize("raw", [None, "", "  ", "a\x00", "x" * 101])
def test_normalize_query_raises_invalid_query(raw):
    """Blank, NUL-containing and over-long queries raise InvalidQuery."""
    with pytest.raises(search.InvalidQuery):
        search.normalize_query(raw)


# --- pagination and queries -----------------------------------------------------------------


def test_results_are_paginated_by_twelve(client, make_note):
    """Thirteen hits: twelve on page 1, one on page 2, links keep the query."""
    for day in range(1, 14):
        make_note(title=f"N{day:02d}", body=SENTENCE, days_ago=day)
    assert results(client, "对比学习") == [f"N{d:02d}" for d in range(1, 13)]
    assert results(client, "对比学习", page=2) == ["N13"]
    page = html(client.get("/search/", {"q": "对比学习"}))
    assert 'href="?q=%E5%AF%B9%E6%AF%94%E5%AD%A6%E4%B9%A0&amp;page=2"' in page
    assert "找到 13 篇笔记" in page


@pytest.mark.parametrize("page", ["abc", "3", "0"])
def test_bad_page_is_404(client, simclr, page):
    """A page that is not a number, or past the end, is a 404, as on /."""
    assert client.get("/search/", {"q": "对比学习", "page": page}).status_code == 404


@pytest.mark.parametrize("query", ["对比学习", "对比", "对"])
@pytest.mark.parametrize("count", [1, 30])
def test_fixed_number_of_queries(
    client, make_note, topic, paper, count, query, django_assert_num_queries
):
    """Ranked ids, the page's notes, the matching annotations (their own section): three
    queries for 1 or 30 hits (with topic and paper)."""
    for number in range(count):
        make_note(body=SENTENCE, topic=topic, paper=paper, tags=["对比"], days_ago=number + 1)
    with django_assert_num_queries(3):
        response = client.get("/search/", {"q": query})
    assert len(snippets(response)) == min(count, 12)


@pytest.mark.parametrize("query", ["扩散模型", "蒸馏", "蒸"])
def test_no_hits_is_one_query(client, simclr, query, django_assert_num_queries):
    """Without hits there is no page of notes to fetch (the annotations are looked for)."""
    with django_assert_num_queries(2):
        client.get("/search/", {"q": query})


def test_refused_query_runs_no_query(client, db, django_assert_num_queries):
    """A refused query never reaches the database (once the page cache's version is known)."""
    client.get("/")
    with django_assert_num_queries(0):
        client.get("/search/", {"q": "\x00"})


# --- the search box -------------------------------------------------------------------------


def test_every_page_has_the_search_box(client, simclr):
    """The header carries a labelled GET form to /search/ with a q field."""
    page = html(client.get("/"))
    assert '<form class="site-search" role="search" action="/search/" method="get">' in page
    assert '<label class="visually-hidden" for="site-search-q">搜索笔记</label>' in page
    assert 'name="q" value=""' in page


def test_search_page_keeps_the_query_in_the_box(client, simclr):
    """On the results page the box shows the query."""
    assert 'name="q" value="对比学习"' in html(client.get("/search/", {"q": "对比学习"}))


def test_search_page_is_not_indexed(client, simclr):
    """Result pages ask search engines not to index them."""
    assert '<meta name="robots" content="noindex, follow">' in html(client.get("/search/?q=x"))


# --- the index keeps in step ----------------------------------------------------------------


def test_edited_title_is_found_and_old_title_not(client, make_note):
    """After a title edit the new title is found and the old one is not."""
    note = make_note(title="旧标题甲", body="正文")
    note.title = "新标题乙"
    note.save()
    assert results(client, "新标题乙") == ["新标题乙"]
    assert results(client, "旧标题甲") == []


def test_edited_body_is_found(client, make_note):
    """After a body edit the new text is found and the old text is not."""
    note = make_note(title="T", body="旧的正文内容")
    note.body = "新的正文内容"
    note.save()
    assert results(client, "新的正文") == ["T"]
    assert results(client, "旧的正文") == []


def test_edited_body_is_found_by_short_queries(client, make_note):
    """After a body edit its new two- and one-character terms are found, the old ones not."""
    note = make_note(title="T", body="讲蒸馏")
    note.body = "讲量化"
    note.save()
    assert results(client, "量化") == ["T"]
    assert results(client, "量") == ["T"]
    assert results(client, "蒸馏") == []
    assert results(client, "蒸") == []


def test_deleted_note_is_not_found(client, simclr):
    """Deleting a note deletes its search row; it is no longer found."""
    simclr.delete()
    assert results(client, "对比学习") == []
    assert results(client, "对比") == []
    assert results(client, "对") == []
    assert not SearchDocument.objects.exists()


def test_tag_changes_are_found(client, make_note):
    """Adding, replacing and clearing tags after save is reflected in search."""
    note = make_note(title="T", body="正文")
    note.tags.add("Transformer")
    assert results(client, "transformer") == ["T"]
    note.tags.set(["扩散模型"])
    assert results(client, "transformer") == []
    assert results(client, "扩散模型") == ["T"]
    note.tags.clear()
    assert results(client, "扩散模型") == []


def test_tag_changes_are_found_by_short_queries(client, make_note):
    """A two-character tag is found once added and not once replaced or cleared."""
    note = make_note(title="T", body="正文")
    note.tags.add("蒸馏")
    assert results(client, "蒸馏") == ["T"]
    note.tags.set(["剪枝"])
    assert results(client, "蒸馏") == []
    assert results(client, "剪枝") == ["T"]
    note.tags.clear()
    assert results(client, "剪枝") == []
    assert results(client, "剪") == []


def test_tag_rename_is_found(client, make_note):
    """Renaming a tag re-indexes the notes that carry it."""
    make_note(title="T", tags=["Transformr"])
    tag = Tag.objects.get(name="Transformr")
    tag.name = "Transformer"
    tag.save()
    assert results(client, "transformer") == ["T"]


def test_tag_deletion_is_reflected(client, make_note):
    """Deleting a tag removes it from its notes' search rows."""
    make_note(title="T", tags=["临时标签"])
    Tag.objects.get(name="临时标签").delete()
    assert results(client, "临时标签") == []


def test_topic_rename_and_delete(client, topic, make_note):
    """Renaming a topic re-indexes its notes; deleting it drops the name from them."""
    make_note(title="T", topic=topic)
    topic.name = "表示学习"
    topic.save()
    assert results(client, "表示学习") == ["T"]
    assert results(client, "深度学习") == []
    topic.delete()
    assert results(client, "表示学习") == []


def test_paper_edit_and_delete(client, paper, make_note):
    """Editing a paper's title re-indexes its notes; deleting the paper drops it from them."""
    make_note(title="T", paper=paper)
    paper.title = "A Renamed Paper"
    paper.save()
    assert results(client, "renamed paper") == ["T"]
    paper.delete()
    assert results(client, "renamed paper") == []
    assert results(client, "2308.02223") == []


def test_save_with_unrelated_update_fields_skips_indexing(make_note, django_assert_num_queries):
    """A save of counters only (update_fields) does not rewrite the search row."""
    note = make_note(title="T")
    with django_assert_num_queries(1):
        note.view_count = 5
        note.save(update_fields=["view_count"])


def test_rebuild_index_covers_bulk_created_notes(client, db):
    """Notes written with bulk_create are found after rebuild_index()."""
    now = timezone.now()
    Note.objects.bulk_create(
        [
            Note(
                title=f"批量{n}",
                slug=f"bulk-{n}",
                body_html=f"<p>{SENTENCE}</p>",
                status=Note.Status.PUBLISHED,
                published_at=now - timedelta(hours=n + 1),
            )
            for n in range(3)
        ]
    )
    assert results(client, "对比学习") == []
    assert results(client, "对比") == []
    search.rebuild_index()
    assert results(client, "对比学习") == ["批量0", "批量1", "批量2"]
    assert results(client, "对比") == ["批量0", "批量1", "批量2"]


def test_index_agrees_with_the_notes(client, make_note, topic, paper):
    """For many queries the hits equal a plain Python substring test over the notes' text."""
    make_note(title="SimCLR 笔记", body=SENTENCE, topic=topic, tags=["对比", "CV"])
    make_note(title="ESRL", paper=paper, summary="采样 **强化学习**", body="PPO vs ESRL")
    make_note(title="Straße und Öl", body="ÖL und STRASSE")
    make_note(title="混合", body="MoE 混合专家 100% model_size")
    texts = {d.note.title: d.document for d in SearchDocument.objects.select_related("note")}
    queries = ["对比", "对比学习", "学习", "learning", "ESRL", "ppo", "cv", "强化", "%", "_",
               "e_s", "öl", "STRASSE", "straße", "深度", "arXiv:2308.02223", "o", "100% m",
               "z"]  # fmt: skip
    for query in queries:
        folded = search.fold(search.normalize_query(query))
        expected = {title for title, text in texts.items() if folded in text}
        assert set(results(client, query)) == expected, query


def test_short_grams():
    """grams: distinct 1- and 2-character substrings, no whitespace, sorted, between new lines."""
    assert search.short_grams("ab a\n蒸馏") == "\na\nab\nb\n蒸\n蒸馏\n馏\n"
    assert search.short_grams(" \n") == ""


def test_grams_stay_in_step_with_the_document(make_note, topic):
    """After creates, edits, tag and topic changes every row's grams are its document's."""
    notes = [make_note(body=SENTENCE, topic=topic, tags=["a"]) for _ in range(3)]
    notes[0].body = "改过的正文"
    notes[0].save()
    notes[1].tags.set(["蒸馏"])
    topic.name = "改名"
    topic.save()
    for row in SearchDocument.objects.all():
        assert row.grams == search.short_grams(row.document)
        assert "蒸馏" not in row.grams or row.note == notes[1]


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 tables exist on SQLite only")
@pytest.mark.parametrize(
    "query, table",
    [
        ("对比学习", search.FTS_TABLE),
        ("对比", search.GRAMS_FTS_TABLE),
        ("对", search.GRAMS_FTS_TABLE),
    ],
)
def test_sqlite_search_uses_an_fts_table(make_note, query, table):
    """Long queries are answered by the FTS5 table over `document`, short ones by `grams`'."""
    make_note(title="T", body=SENTENCE)
    matching = search._matching_note_ids(search.fold(query))
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + matching.sql, matching.params)
        plan = "\n".join(row[-1] for row in cursor.fetchall())
    assert re.fullmatch(f"SCAN {table} VIRTUAL TABLE INDEX [^\n]*", plan), plan


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the FTS5 tables exist on SQLite only")
@pytest.mark.parametrize("table", [search.FTS_TABLE, search.GRAMS_FTS_TABLE])
def test_fts_table_passes_integrity_check_after_edits(make_note, topic, table):
    """After creates, edits, tag changes and deletes the FTS5 index matches its rows."""
    notes = [make_note(body=SENTENCE, topic=topic, tags=["a"]) for _ in range(3)]
    notes[0].body = "改过的正文"
    notes[0].save()
    notes[1].tags.set(["b"])
    notes[2].delete()
    topic.name = "改名"
    topic.save()
    with connection.cursor() as cursor:  # raises "database disk image is malformed" if not
        cursor.execute(f"INSERT INTO {table}({table}, rank) VALUES ('integrity-check', 1)")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm exists on PostgreSQL")
def test_postgresql_search_uses_the_trigram_index(make_note):
    """The match subquery is answered by the pg_trgm index on `document`."""
    make_note(title="T", body=SENTENCE)
    matching = search._matching_note_ids(search.fold("对比学习"))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is cheaper to scan
        cursor.execute("EXPLAIN " + matching.sql, matching.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "papers_searchdocument_document_trgm" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL GIN index")
@pytest.mark.parametrize("query", ["对比", "对"])
def test_postgresql_short_queries_use_the_grams_index(make_note, query):
    """The match subquery of a one- or two-character query is answered by the grams index."""
    make_note(title="T", body=SENTENCE)
    matching = search._matching_note_ids(search.fold(query))
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a tiny table is cheaper to scan
        cursor.execute("EXPLAIN " + matching.sql, matching.params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "papers_searchdocument_grams" in plan


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL GIN index")
def test_postgresql_grams_index_collects_no_statistics(db):
    """Without statistics the planner always picks the grams index over splitting every row."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT attstattarget FROM pg_attribute"
            " WHERE attrelid = 'papers_searchdocument_grams'::regclass AND attnum = 1"
        )
        assert cursor.fetchone() == (0,)


def test_topic_rename_reindexes_in_a_fixed_number_of_queries(
    topic, make_note, django_assert_max_num_queries
):
    """Re-indexing after a topic rename reads the notes in bulk, not one by one."""
    for _ in range(5):
        make_note(topic=topic, tags=["x"])
    topic.name = "新名字"
    with django_assert_max_num_queries(6):
        topic.save()  # update, note ids, notes, tags, upsert
    assert Topic.objects.get().name == "新名字"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL GIN index")
def test_postgresql_grams_index_keeps_a_small_pending_list(db):
    """Searches read through the index's pending list: it is capped at 256 kB, not 4 MB."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT reloptions FROM pg_class WHERE oid = 'papers_searchdocument_grams'::regclass"
        )
        assert cursor.fetchone() == (["gin_pending_list_limit=256"],)


def test_ranking_is_kept_until_notes_change(client, make_note, settings, django_assert_num_queries):
    """A query's ranking, result cards and public annotations are kept: the page asked again
    runs no query; a new match joins at once."""
    settings.PAGE_CACHE_SECONDS = 0  # every request renders the page
    make_note(title="第一篇", body=SENTENCE)
    assert results(client, "对比学习") == ["第一篇"]
    with django_assert_num_queries(0):
        client.get("/search/", {"q": "对比学习"})
    make_note(title="第二篇", body=SENTENCE, days_ago=0.5)
    assert results(client, "对比学习") == ["第二篇", "第一篇"]
