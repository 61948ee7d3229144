from papers.models import Note


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
