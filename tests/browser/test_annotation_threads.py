"""Replies, share links, 我的批注 and the moderation list in a real browser, with screenshots."""

import pytest

from annotations import passages
from annotations.models import Annotation, Reply, joined_tags
from tests.browser.conftest import log_in, log_in_to_admin
from tests.services import clear_local_cache

BODY = (
    "对比学习拉近正样本,推远负样本,这是它的核心思想。\n\n"
    "温度系数 $\\tau$ 控制分布的尖锐程度,取值很关键。\n\n"
    "动量编码器让队列里的负样本保持一致。"
)


@pytest.fixture
def thread(transactional_db, make_note, reader, django_user_model):
    """A note with another reader's public, tagged annotation that has one reply."""
    clear_local_cache()  # rate-limit counters of earlier tests
    note = make_note(title="对比学习", slug="contrastive", body=BODY)
    other = django_user_model.objects.create_user("other", "other@example.com", "pw-Other-1")
    text = passages.note_text(note)
    start = text.index("温度系数")
    selector, _ = passages.clean_selector(
        text, {"exact": "温度系数", "start": start, "end": start + 4}
    )
    annotation = passages.create_annotation(
        note, other, selector, "温度越低越**尖锐**", "public", joined_tags(["超参", "InfoNCE"])
    )
    Reply.objects.create(annotation=annotation, user=other, body="补充:常取 $0.07$。")
    return {"note": note, "annotation": annotation}


def wait_loaded(page):
    page.locator("[data-annotations][data-loaded]").wait_for(state="attached")


def test_reply_share_and_open_the_permalink(
    page, live_server, thread, reader, artifacts, csp_violations
):
    """A reader replies in the card, copies its link, and the link opens the card at the
    highlight; screenshots of the card with its replies, light and dark, 1280 and 390 px."""
    note, annotation = thread["note"], thread["annotation"]
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server, note.get_absolute_url())
    wait_loaded(page)
    card = page.locator(f"#annotation-{annotation.pk}")
    assert card.locator(".annotation__tags li").all_inner_texts() == ["超参", "InfoNCE"]
    assert card.locator(".annotation__time").first.get_attribute("datetime")
    card.locator("textarea[name=body]").fill("我试过 0.1,也**不错**。")
    card.locator(".annotation__reply-form button[type=submit]").click()
    card = page.locator(f"#annotation-{annotation.pk}")
    card.locator(".annotation-reply").nth(1).wait_for()
    assert card.locator(".annotation-reply .annotation__author").all_inner_texts() == [
        "other",
        "小读者",
    ]
    assert Reply.objects.filter(annotation=annotation, user=reader).count() == 1

    card.get_by_role("button", name="复制这条批注的链接").click()
    card.get_by_text("链接已复制").wait_for()
    link = page.evaluate("navigator.clipboard.readText()")
    assert link == f"{live_server.url}/notes/contrastive/#annotation-{annotation.pk}"

    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            card.scroll_into_view_if_needed()
            card.screenshot(path=artifacts / f"thread-card-{scheme}-{width}.png")

    page.goto("about:blank")
    page.goto(link)
    wait_loaded(page)
    popover = page.locator(".annotation-popover")
    popover.wait_for(state="visible")
    assert popover.locator(".annotation__body").first.inner_text() == "温度越低越尖锐"
    assert popover.locator(".annotation-reply").count() == 2
    page.screenshot(path=artifacts / "thread-permalink-1280.png")
    assert csp_violations() == []


def test_my_annotations_page(page, live_server, thread, reader, artifacts, csp_violations):
    """The reader's page lists their annotations with filters; screenshots light and dark."""
    note = thread["note"]
    text = passages.note_text(note)
    for quote, visibility, tags in [
        ("拉近正样本", "public", ["方法"]),
        ("动量编码器", "private", []),
    ]:
        start = text.index(quote)
        selector, _ = passages.clean_selector(
            text, {"exact": quote, "start": start, "end": start + len(quote)}
        )
        passages.create_annotation(
            note, reader, selector, f"关于{quote}的想法", visibility, joined_tags(tags)
        )
    log_in(page, live_server, "/annotations/mine/")
    assert page.locator(".my-annotations__list > .annotation").count() == 2
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=artifacts / f"my-annotations-{scheme}-{width}.png", full_page=True)
    page.select_option("#id_visibility", "private")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**visibility=private**")
    assert page.locator(".my-annotations__list > .annotation").count() == 1
    assert csp_violations() == []


def test_admin_lists_reported_annotations(page, live_server, thread, admin_user, artifacts):
    """The admin's list with its moderation filter; screenshots light and dark."""
    annotation = thread["annotation"]
    annotation.flags.create(user=admin_user, reason="测试举报")
    log_in_to_admin(page, live_server, admin_user)
    page.goto(live_server.url + "/admin/annotations/annotation/?moderation=flagged")
    assert page.locator("#result_list tbody tr").count() == 1
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        page.set_viewport_size({"width": 1280, "height": 800})
        page.screenshot(path=artifacts / f"admin-annotations-{scheme}.png", full_page=True)
    page.locator("#result_list tbody input[type=checkbox]").check()
    page.select_option("select[name=action]", "hide_selected")
    page.click("button[name=index]")
    page.get_by_text("1 条已隐藏").wait_for()
    annotation.refresh_from_db()
    assert annotation.hidden_at is not None
    assert Annotation.objects.visible_to(None).count() == 0


def test_the_author_tags_an_annotation_in_its_card(page, live_server, thread, reader):
    note = thread["note"]
    text = passages.note_text(note)
    start = text.index("拉近正样本")
    selector, _ = passages.clean_selector(
        text, {"exact": "拉近正样本", "start": start, "end": start + 5}
    )
    own = passages.create_annotation(note, reader, selector, "我的想法")
    log_in(page, live_server, note.get_absolute_url())
    wait_loaded(page)
    card = page.locator(f"#annotation-{own.pk}")
    assert card.get_by_role("button", name="分享").count() == 0  # private: no link to share
    card.get_by_role("button", name="加标签").click()
    card.get_by_label("标签,用逗号或空格分隔").fill("方法, #RL 方法")
    card.get_by_role("button", name="保存").click()
    card.locator(".annotation__tags li").nth(1).wait_for()
    assert card.locator(".annotation__tags li").all_inner_texts() == ["方法", "RL"]
    own.refresh_from_db()
    assert own.tag_list == ["方法", "RL"]


def test_without_javascript_public_annotations_and_orphans_are_listed(
    browser, live_server, thread, reader, artifacts
):
    """The server's list: the public annotation with its reply, the orphan under 未定位 with its
    quote struck through; screenshots light and dark."""
    note = thread["note"]
    text = passages.note_text(note)
    start = text.index("动量编码器")
    selector, _ = passages.clean_selector(
        text, {"exact": "动量编码器", "start": start, "end": start + 5}
    )
    lost = passages.create_annotation(note, reader, selector, "会被删掉的段落", "public")
    note.body = BODY.rsplit("\n\n", 1)[0]
    note.save()
    lost.refresh_from_db()
    assert lost.state == Annotation.State.ORPHANED
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    page.goto(live_server.url + note.get_absolute_url())
    panel = page.locator("#annotations")
    assert panel.locator(".annotation-reply").count() == 1
    orphans = panel.locator(".annotations__orphans")
    assert orphans.locator("del").all_inner_texts() == ["动量编码器"]
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            panel.screenshot(path=artifacts / f"nojs-annotations-{scheme}-{width}.png")
    context.close()


# --- the dialog (static/js/annotation-dialog.js) ---------------------------------------------


def open_popover(page, annotation):
    mark = page.locator(f"mark[data-annotation-ids='{annotation.pk}']").first
    mark.scroll_into_view_if_needed()
    mark.click()
    popover = page.locator(".annotation-popover")
    popover.wait_for()
    return popover


def focus_is_on(page, selector):
    return page.evaluate(f"document.activeElement.matches({selector!r})")


def test_a_reader_reports_in_a_dialog_over_the_popover(
    page, live_server, thread, reader, artifacts, csp_violations
):
    """举报 opens a labelled modal dialog with the focus in its reason; Escape closes the dialog
    alone and gives the focus back; 举报 sends the reason and says so."""
    annotation = thread["annotation"]
    log_in(page, live_server, thread["note"].get_absolute_url())
    wait_loaded(page)
    popover = open_popover(page, annotation)
    report = popover.get_by_role("button", name="举报").first
    report.click()
    dialog = page.get_by_role("dialog", name="举报这条内容")
    dialog.wait_for()
    assert focus_is_on(page, "dialog textarea")
    assert dialog.get_attribute("aria-describedby") == "annotation-dialog-message"
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert popover.is_visible()  # Escape closed the dialog only
    assert focus_is_on(page, ".annotation-popover .annotation__actions--thread button")

    report.click()
    page.keyboard.type("人身攻击")
    for scheme in ("light", "dark"):
        page.emulate_media(color_scheme=scheme)
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.screenshot(path=artifacts / f"dialog-report-{scheme}-{width}.png")
    with page.expect_response(lambda r: r.url.endswith("/flag/")) as flagged:
        dialog.get_by_role("button", name="举报").click()
    assert flagged.value.status == 201
    popover.get_by_text("已举报,谢谢。管理员会查看。").wait_for()
    assert annotation.flags.get().reason == "人身攻击"
    assert csp_violations() == []


def test_a_refused_clipboard_shows_the_link_to_copy(page, live_server, thread, reader, artifacts):
    """When the browser refuses the clipboard, the dialog shows the permalink selected."""
    refuse = "navigator.clipboard.writeText = () => Promise.reject(new Error('NotAllowed'));"
    page.add_init_script(refuse)
    annotation = thread["annotation"]
    page.goto(live_server.url + thread["note"].get_absolute_url())
    wait_loaded(page)
    card = page.locator(f"#annotation-{annotation.pk}")
    card.get_by_role("button", name="复制这条批注的链接").click()
    dialog = page.get_by_role("dialog", name="复制这条批注的链接")
    dialog.wait_for()
    link = f"{live_server.url}/notes/contrastive/#annotation-{annotation.pk}"
    field = dialog.get_by_role("textbox", name="链接")
    assert field.input_value() == link
    assert page.evaluate("getSelection().toString() || document.activeElement.value") == link
    assert dialog.get_by_role("button").all_inner_texts() == ["关闭"]
    page.screenshot(path=artifacts / "dialog-share-1280.png")
    page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")
    assert focus_is_on(page, f"#annotation-{annotation.pk} .annotation__actions--thread button")


@pytest.fixture
def moderator(django_user_model):
    """Staff allowed to hide annotations (not a superuser)."""
    from django.contrib.auth.models import Permission

    user = django_user_model.objects.create_user("moderator", password="Moderator-2017")
    user.is_staff = True
    user.save()
    user.user_permissions.add(Permission.objects.get(codename="change_annotation"))
    return user


def test_a_moderator_hides_an_annotation_after_confirming(
    page, live_server, thread, moderator, reader
):
    """隐藏 (offered by can_hide) asks first; confirmed, the annotation leaves the page."""
    note, annotation = thread["note"], thread["annotation"]
    page.goto(f"{live_server.url}/accounts/login/?next={note.get_absolute_url()}")
    page.fill("#id_username", "moderator")
    page.fill("#id_password", "Moderator-2017")
    page.click(".form button[type=submit]")
    wait_loaded(page)
    popover = open_popover(page, annotation)
    popover.get_by_role("button", name="隐藏这条批注(管理员)").click()
    dialog = page.get_by_role("dialog", name="隐藏这条批注?")
    dialog.wait_for()
    with page.expect_response(lambda r: r.request.method == "DELETE") as hidden:
        dialog.get_by_role("button", name="隐藏").click()
    assert hidden.value.status == 204
    page.locator(f"#annotation-{annotation.pk}").wait_for(state="detached")
    assert page.locator("mark.annotation-highlight").count() == 0
    annotation.refresh_from_db()
    assert annotation.is_hidden


def test_a_tag_change_in_the_popover_shows_in_the_side_card(page, live_server, thread, reader):
    """Tags saved in the popover's card are the side card's tags at once, without a reload."""
    note = thread["note"]
    text = passages.note_text(note)
    start = text.index("拉近正样本")
    selector, _ = passages.clean_selector(
        text, {"exact": "拉近正样本", "start": start, "end": start + 5}
    )
    own = passages.create_annotation(note, reader, selector, "我的想法", "public")
    log_in(page, live_server, note.get_absolute_url())
    wait_loaded(page)
    popover = open_popover(page, own)
    popover.get_by_role("button", name="加标签").click()
    popover.get_by_label("标签,用逗号或空格分隔").fill("对比")
    popover.get_by_role("button", name="保存").click()
    popover.locator(".annotation__tags li").wait_for()
    card = page.locator(f"#annotation-{own.pk}")
    assert card.locator(".annotation__tags li").all_inner_texts() == ["对比"]
