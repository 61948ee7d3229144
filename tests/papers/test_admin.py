"""The admin for notes, papers and topics, driven by a logged-in superuser."""

import re

import pytest
from django.contrib.contenttypes.models import ContentType

from papers.models import Note, Paper
from tests.papers.helpers import admin_form, html, shanghai
from topics.models import Topic

DRAFT = Note.Status.DRAFT
PUBLISHED = Note.Status.PUBLISHED
NOTE_ROW = re.compile(r'<th class="field-title"><a href="[^"]*">([^<]*)</a></th>')


def note_rows(response):
    return NOTE_ROW.findall(html(response))


# --- note changelist ----------------------------------------------------------------------


@pytest.fixture
def three_notes(make_note, topic, paper):
    return {
        "paper": make_note(title="ESRL 笔记", topic=topic, paper=paper, body="采样"),
        "draft": make_note(title="草稿", status=DRAFT, body="独一无二的词"),
        "future": make_note(title="未来", days_ago=-3),
    }


def test_note_changelist_lists_every_note_with_filters(admin_client, three_notes):
    """The note changelist lists drafts and future notes too, with the filter sidebar."""
    response = admin_client.get("/admin/papers/note/")
    assert response.status_code == 200
    assert sorted(note_rows(response)) == sorted(["ESRL 笔记", "草稿", "未来"])
    page = html(response)
    assert 'id="changelist-filter"' in page
    assert 'href="?publication=draft"' in page
    assert 'href="?paper__isempty=1"' in page


def test_note_changelist_status_filter(admin_client, three_notes):
    """Filtering by status=draft leaves only the draft."""
    assert note_rows(admin_client.get("/admin/papers/note/?status__exact=draft")) == ["草稿"]


def test_note_changelist_paper_empty_filter(admin_client, three_notes):
    """Filtering on notes with a paper leaves the one note that has a paper."""
    assert note_rows(admin_client.get("/admin/papers/note/?paper__isempty=0")) == ["ESRL 笔记"]


def test_note_changelist_search_in_body(admin_client, three_notes):
    """Searching a word of a note's body finds that note only."""
    assert note_rows(admin_client.get("/admin/papers/note/?q=独一无二")) == ["草稿"]


def test_note_changelist_search_by_arxiv_id(admin_client, three_notes):
    """Searching an arXiv id finds the notes on that paper."""
    assert note_rows(admin_client.get("/admin/papers/note/?q=2308.02223")) == ["ESRL 笔记"]


# --- note add / change --------------------------------------------------------------------


def test_note_add_form_prepopulates_slug_from_title(admin_client, db):
    """The add form configures the slug to be filled from the title, Unicode allowed."""
    page = html(admin_client.get("/admin/papers/note/add/"))
    match = re.search(r'data-prepopulated-fields="([^"]*)"', page)
    config = match.group(1).replace("&quot;", '"')
    assert '"id": "#id_slug"' in config
    assert '"dependency_ids": ["#id_title"]' in config
    assert '"allowUnicode": true' in config


def test_note_add_form_preview_says_save_first(admin_client, db):
    """Before the first save the preview says it appears after saving."""
    assert "保存后显示。" in html(admin_client.get("/admin/papers/note/add/"))


def test_note_change_post_renders_and_saves(admin_client, make_note, topic, paper):
    """Saving the change form stores the new Markdown rendered, tags and local publish time."""
    note = make_note(title="旧标题", body="旧正文")
    body = "## 一\n\n**新正文** $x$\n\n## 二"
    url = f"/admin/papers/note/{note.pk}/change/"
    data = admin_form(
        admin_client,
        url,
        title="新标题",
        body=body,
        topic=topic.pk,
        paper=paper.pk,
        tags="注意力, RL",
        published_at_0="2024-11-25",
        published_at_1="08:00",
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302
    note.refresh_from_db()
    assert note.title == "新标题"
    assert note.body == body
    assert '<p><strong>新正文</strong> <span class="arithmatex">\\(x\\)</span></p>' in (
        note.body_html
    )
    assert '<a href="#二">二</a>' in note.toc_html
    assert note.excerpt == "一 新正文 x 二"
    assert sorted(note.tags.names()) == ["RL", "注意力"]
    assert (note.topic, note.paper) == (topic, paper)
    assert note.published_at == shanghai(2024, 11, 25, 8)


def test_note_change_page_shows_rendered_preview(admin_client, make_note):
    """The change page shows the stored summary, TOC and body HTML as the preview."""
    note = make_note(summary="**总结**", body="## 一\n\n正文 $x$\n\n## 二")
    page = html(admin_client.get(f"/admin/papers/note/{note.pk}/change/"))
    preview = (
        f'<div class="admin-preview note-content">{note.summary_html}{note.toc_html}'
        f"{note.body_html}</div>"
    )
    assert preview in page


def test_note_change_page_links_view_on_site(admin_client, make_note):
    """The change page links "view on site", which redirects to the note's page."""
    note = make_note(slug="注意力公式")
    content_type = ContentType.objects.get_for_model(Note)
    shortcut = f"/admin/r/{content_type.pk}/{note.pk}/"
    page = html(admin_client.get(f"/admin/papers/note/{note.pk}/change/"))
    assert f'<a href="{shortcut}" class="viewsitelink">' in page
    response = admin_client.get(shortcut)
    assert response.status_code == 302
    assert response["Location"].endswith(note.get_absolute_url())


# --- actions ------------------------------------------------------------------------------


def test_publish_action(admin_client, make_note):
    """The publish action publishes the selected drafts only and says how many."""
    chosen = [make_note(status=DRAFT), make_note(status=DRAFT)]
    untouched = make_note(status=DRAFT)
    data = {"action": "publish", "_selected_action": [note.pk for note in chosen]}
    response = admin_client.post("/admin/papers/note/", data, follow=True)
    assert response.status_code == 200
    assert "2 篇笔记已设为“已发布”。" in html(response)
    statuses = dict(Note.objects.values_list("pk", "status"))
    assert [statuses[note.pk] for note in chosen] == [PUBLISHED, PUBLISHED]
    assert statuses[untouched.pk] == DRAFT


def test_unpublish_action(admin_client, make_note):
    """The unpublish action turns the selected notes back into drafts."""
    chosen = make_note()
    untouched = make_note()
    data = {"action": "unpublish", "_selected_action": [chosen.pk]}
    response = admin_client.post("/admin/papers/note/", data, follow=True)
    assert "1 篇笔记已设为“草稿”。" in html(response)
    chosen.refresh_from_db()
    untouched.refresh_from_db()
    assert (chosen.status, untouched.status) == (DRAFT, PUBLISHED)


def test_publish_action_counts_only_changed_notes(admin_client, make_note):
    """Publishing a mix of published and draft notes counts only the drafts changed."""
    notes = [make_note(), make_note(status=DRAFT)]
    data = {"action": "publish", "_selected_action": [note.pk for note in notes]}
    response = admin_client.post("/admin/papers/note/", data, follow=True)
    assert "1 篇笔记已设为“已发布”。" in html(response)


# --- papers -------------------------------------------------------------------------------


def test_paper_change_page_lists_its_notes_inline(admin_client, paper, make_note):
    """A paper's change page lists its notes, drafts included, each linked to its change page."""
    notes = [
        make_note(title="公开的", paper=paper),
        make_note(title="草稿的", paper=paper, status=DRAFT),
    ]
    make_note(title="别的论文")
    page = html(admin_client.get(f"/admin/papers/paper/{paper.pk}/change/"))
    for note in notes:
        assert note.title in page
        assert f'<a href="/admin/papers/note/{note.pk}/change/" class="inlinechangelink">' in page
    assert "别的论文" not in page


def test_paper_autocomplete_for_note_form(admin_client, paper):
    """The note form's paper autocomplete finds the paper by a word of its title."""
    Paper.objects.create(arxiv_id="2401.00001", title="Other paper")
    response = admin_client.get(
        "/admin/autocomplete/",
        {"app_label": "papers", "model_name": "note", "field_name": "paper", "term": "ESRL"},
    )
    assert response.status_code == 200
    assert response.json() == {
        "results": [{"id": str(paper.pk), "text": str(paper)}],
        "pagination": {"more": False},
    }


def test_paper_changelist_search_by_arxiv_id(admin_client, paper):
    """Searching the paper changelist by arXiv id finds that paper only."""
    Paper.objects.create(arxiv_id="2401.00001", title="Other paper")
    page = html(admin_client.get("/admin/papers/paper/?q=2308.02223"))
    assert re.findall(r'<th class="field-arxiv_id"><a href="[^"]*">([^<]*)</a>', page) == [
        "2308.02223"
    ]
    assert "Other paper" not in page


@pytest.mark.parametrize(
    "query", ["2308.02223v2", "arXiv:2308.02223v5", "https://arxiv.org/pdf/2308.02223v1.pdf"]
)
def test_paper_changelist_search_by_any_version_or_url(admin_client, paper, query):
    """A versioned id, `arXiv:` id or PDF URL in the paper search finds the one paper."""
    Paper.objects.create(arxiv_id="2401.00001", title="Other paper")
    page = html(admin_client.get("/admin/papers/paper/", {"q": query}))
    assert re.findall(r'<th class="field-arxiv_id"><a href="[^"]*">([^<]*)</a>', page) == [
        "2308.02223"
    ]


def test_paper_add_with_pasted_url_stores_bare_id(admin_client, db):
    """Adding a paper with a pasted abs URL stores the bare arXiv id and its version."""
    data = {"arxiv_id": "https://arxiv.org/abs/2308.02223v2", "title": "T", "notes-TOTAL_FORMS": 0}
    data |= {"notes-INITIAL_FORMS": 0, "notes-MIN_NUM_FORMS": 0, "notes-MAX_NUM_FORMS": 0}
    response = admin_client.post("/admin/papers/paper/add/", data)
    assert response.status_code == 302
    assert list(Paper.objects.values_list("arxiv_id", "version")) == [("2308.02223", 2)]


def test_paper_add_with_bad_id_shows_form_error(admin_client, db):
    """Adding a paper with a bad id redisplays the form with the error, saving nothing."""
    data = {"arxiv_id": "2313.00001", "title": "T", "notes-TOTAL_FORMS": 0}
    data |= {"notes-INITIAL_FORMS": 0, "notes-MIN_NUM_FORMS": 0, "notes-MAX_NUM_FORMS": 0}
    response = admin_client.post("/admin/papers/paper/add/", data)
    assert response.status_code == 200
    assert "不是 arXiv 编号" in html(response)
    assert not Paper.objects.exists()


# --- topics -------------------------------------------------------------------------------


def test_topic_changelist_ordered_by_position(admin_client, db):
    """The topic changelist lists topics by position, whatever the creation order."""
    Topic.objects.create(name="A 最后", slug="a", position=2)
    Topic.objects.create(name="Z 最先", slug="z", position=0)
    Topic.objects.create(name="M 中间", slug="m", position=1)
    page = html(admin_client.get("/admin/topics/topic/"))
    names = re.findall(r'<th class="field-name"><a href="[^"]*">([^<]*)</a></th>', page)
    assert names == ["Z 最先", "M 中间", "A 最后"]


def test_note_change_page_shows_source_file_read_only(admin_client, make_note):
    """The file an import took the note from is shown, and cannot be edited there."""
    note = make_note(source_path="_posts/2024-11-25-esrl.md")
    url = f"/admin/papers/note/{note.pk}/change/"
    page = html(admin_client.get(url))
    assert '<div class="readonly">_posts/2024-11-25-esrl.md</div>' in page
    assert 'name="source_path"' not in page
    admin_client.post(url, admin_form(admin_client, url, source_path="other.md"))
    note.refresh_from_db()
    assert note.source_path == "_posts/2024-11-25-esrl.md"
