from pathlib import Path

import pytest

from papers import arxiv_api
from papers.models import Note, Paper

ARXIV_ENTRY = (Path(__file__).parents[1] / "papers" / "data" / "arxiv_entry.atom").read_bytes()


def test_slug_is_prepopulated_from_a_chinese_title(admin_page, live_server):
    """Typing a CJK title fills the slug with the same characters, not an empty ASCII slug."""
    admin_page.goto(live_server.url + "/admin/papers/note/add/")
    admin_page.locator("#id_title").press_sequentially("位置编码 Transformer")
    assert admin_page.input_value("#id_slug") == "位置编码-transformer"


def test_change_page_previews_typeset_math(admin_page, live_server, make_note):
    """The note change page shows the rendered body with KaTeX-typeset math."""
    note = make_note(title="预览", body="公式 $a_i * b_i$\n\n```python\nx = 1\n```")
    admin_page.goto(live_server.url + f"/admin/papers/note/{note.pk}/change/")
    preview = admin_page.locator(".admin-preview")
    preview.locator(".katex").wait_for()
    assert preview.locator(".highlight").count() == 1
    assert "$a_i" not in preview.inner_text()


def test_note_written_in_the_admin_is_rendered_and_published(admin_page, live_server, topic):
    """Adding a note through the admin form stores rendered HTML and shows it to readers."""
    admin_page.goto(live_server.url + "/admin/papers/note/add/")
    admin_page.locator("#id_title").press_sequentially("量化方法对比")
    admin_page.select_option("#id_topic", label=topic.name)
    admin_page.fill("#id_tags", "量化, AWQ")
    admin_page.locator(".note-editor .cm-content").click()
    admin_page.keyboard.type("## 背景\n\n$W_q = \\mathrm{round}(W / s)$")
    admin_page.select_option("#id_status", "published")
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success")
    note = Note.objects.get(slug="量化方法对比")
    assert '<span class="arithmatex">' in note.body_html
    assert sorted(note.tags.names()) == ["AWQ", "量化"]
    admin_page.goto(live_server.url + note.get_absolute_url())
    assert admin_page.locator(".note__body .katex").count() == 1


@pytest.fixture
def recorded_arxiv(monkeypatch):
    """The live server's arXiv API answers 2401.01234 from a recorded entry; any other id as
    if offline."""

    def fetch(arxiv_id):
        if arxiv_id == "2401.01234":
            return ARXIV_ENTRY
        raise arxiv_api.ArxivLookupError("连不上 arXiv(网络不通或域名无法解析),请检查网络后再试。")

    monkeypatch.setattr(arxiv_api, "fetch_atom", fetch)


def test_arxiv_button_fills_the_paper_form(admin_page, live_server, recorded_arxiv, artifacts):
    """Typing an abs URL and pressing 从 arXiv 填写 fills title, authors, abstract and date;
    saving stores them under the bare id. Saves screenshots, light and dark, 1280 and 390 px."""
    admin_page.goto(live_server.url + "/admin/papers/paper/add/")
    admin_page.fill("#id_arxiv_id", "https://arxiv.org/abs/2401.01234")
    admin_page.get_by_role("button", name="从 arXiv 填写").click()
    status = admin_page.get_by_role("status")
    status.get_by_text("已按 arXiv:2401.01234v2 填写").wait_for()
    title = "Routing Tokens Sparsely: Long-Context Attention at Linear Cost"
    assert admin_page.input_value("#id_title") == title
    assert admin_page.input_value("#id_authors") == "Lin Qiao, Maria Okafor, Kenji Watanabe"
    assert admin_page.input_value("#id_abstract").startswith("We route each query token")
    assert admin_page.input_value("#id_published_on") == "2024-01-03"
    for scheme in ("light", "dark"):
        admin_page.emulate_media(color_scheme=scheme)
        for width in (1280, 390):
            admin_page.set_viewport_size({"width": width, "height": 900})
            admin_page.screenshot(path=artifacts / f"admin-arxiv-fill-{scheme}-{width}.png")
    admin_page.click("input[name=_save]")
    admin_page.wait_for_selector(".messagelist .success")
    paper = Paper.objects.get()
    assert (paper.arxiv_id, paper.title, str(paper.published_on)) == (
        "2401.01234",
        title,
        "2024-01-03",
    )


def test_arxiv_button_offline_keeps_what_was_typed(
    admin_page, live_server, recorded_arxiv, csp_violations, artifacts
):
    """Offline, the button says so under the field and the typed title stays."""
    admin_page.goto(live_server.url + "/admin/papers/paper/add/")
    admin_page.fill("#id_arxiv_id", "2401.05555")
    admin_page.fill("#id_title", "我的标题")
    admin_page.get_by_role("button", name="从 arXiv 填写").click()
    admin_page.get_by_role("status").get_by_text("连不上 arXiv").wait_for()
    assert admin_page.get_by_role("status").inner_text() == (
        "连不上 arXiv(网络不通或域名无法解析),请检查网络后再试。表单未改动。"
    )
    assert admin_page.input_value("#id_title") == "我的标题"
    admin_page.screenshot(path=artifacts / "admin-arxiv-fill-offline.png")
    # The view's 502 is logged in the console too: everything else is a fault.
    assert [error for error in csp_violations() if "status of 502" not in error] == []
