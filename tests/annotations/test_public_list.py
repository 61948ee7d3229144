"""Public annotations under a note without JavaScript: server-rendered, cached like the page."""

import re

import pytest
from django.test import Client

from annotations import annotation_moderation, passages, replies
from annotations.models import Annotation, Reply
from papers import writes

FIRST = "对比学习拉近正样本,推远负样本,这是它的核心思想。"
LAST = "第三段讲动量编码器和队列的设计,队列很长。"
BODY = f"{FIRST}\n\n第二段讲负样本与温度系数。\n\n{LAST}"
SECRET = "私密批注独有词汇紫罗兰"
ITEM = re.compile(r'<li class="annotation( annotation--orphan)?" id="annotation-(\d+)"')


@pytest.fixture
def note(make_note):
    return make_note(title="对比学习", slug="contrastive", body=BODY)


def listed(client, note):
    """(id, orphan) of each annotation card on the page, in page order."""
    html = client.get(note.get_absolute_url()).content.decode()
    return [(int(pk), bool(orphan)) for orphan, pk in ITEM.findall(html)]


def test_public_annotations_and_replies_are_on_the_page(client, note, reader, annotate):
    public = annotate(note, reader, "温度系数", body="**关键**", visibility="public")
    Reply.objects.create(annotation=public, user=reader, body="补充一句")
    annotate(note, reader, "拉近正样本", body=SECRET, visibility="private")
    html = client.get(note.get_absolute_url()).content.decode()
    assert listed(client, note) == [(public.pk, False)]
    assert "<strong>关键</strong>" in html
    assert "补充一句" in html
    assert SECRET not in html
    assert "data-annotation-count>1<" in html


def test_orphans_are_listed_apart_with_their_quote_struck_through(client, note, reader, annotate):
    kept = annotate(note, reader, "拉近正样本", visibility="public")
    lost = annotate(note, reader, "温度系数", visibility="public")
    note.body = f"{FIRST}\n\n{LAST}"
    note.save()  # through the one write path: re-anchored
    lost.refresh_from_db()
    kept.refresh_from_db()
    assert (kept.state, lost.state) == ("anchored", "orphaned")
    html = client.get(note.get_absolute_url()).content.decode()
    assert listed(client, note) == [(kept.pk, False), (lost.pk, True)]
    orphans = html[html.index("未定位") :]
    assert '<del class="annotation__quote--orphan">温度系数</del>' in orphans


def test_a_new_public_annotation_shows_at_once_on_a_cached_page(client, note, reader, annotate):
    assert listed(client, note) == []
    assert client.get(note.get_absolute_url())["X-Page-Cache"] == "hit"
    public = annotate(note, reader, "温度系数", visibility="public")
    assert listed(client, note) == [(public.pk, False)]


def test_a_private_annotation_leaves_the_cached_page_alone(client, note, reader, annotate):
    client.get(note.get_absolute_url())
    annotate(note, reader, "温度系数", body=SECRET)
    assert client.get(note.get_absolute_url())["X-Page-Cache"] == "hit"


def test_a_reply_shows_at_once_on_a_cached_page(client, note, reader, annotate):
    public = annotate(note, reader, "温度系数", visibility="public")
    client.get(note.get_absolute_url())
    Reply.objects.create(annotation=public, user=reader, body="新回复")
    assert "新回复" not in client.get(note.get_absolute_url()).content.decode()  # no write path
    replies.create_reply(public, reader, "经过写入函数的回复")
    assert "经过写入函数的回复" in client.get(note.get_absolute_url()).content.decode()


def test_hidden_annotations_leave_the_page(client, note, reader, annotate):
    public = annotate(note, reader, "温度系数", visibility="public")
    assert listed(client, note) == [(public.pk, False)]
    annotation_moderation.hide_annotations(Annotation.objects.filter(pk=public.pk))
    assert listed(client, note) == []
    assert listed(Client(), note) == []


def test_an_orphan_comes_back_when_its_words_do(client, note, reader, annotate):
    """Undoing the edit anchors it again on its words, out of 未定位; the author is told."""
    lost = annotate(note, reader, "温度系数", visibility="public")
    note.body = f"{FIRST}\n\n{LAST}"
    note.save()
    lost.refresh_from_db()
    assert lost.state == Annotation.State.ORPHANED
    note.body = f"前面加了一句。\n\n{BODY}"
    with writes.batch() as batch:
        note.save()
    lost.refresh_from_db()
    assert lost.state == Annotation.State.ANCHORED
    text = passages.note_text(note)
    assert text[lost.start : lost.end] == lost.quote == "温度系数"
    assert listed(client, note) == [(lost.pk, False)]
    assert [notice.message for notice in batch.notices] == ["1 条“原文已删除”的批注找回了原文"]


def test_a_short_orphan_is_not_found_by_its_old_position_alone(reader, note, annotate):
    """An orphan's stored offsets belong to an old text: equal words there are no proof."""
    from annotations.anchoring import find_again

    selector = {"exact": "学习", "prefix": "完全不同的", "suffix": "上下文", "start": 2, "end": 4}
    assert find_again("对比学习拉近正样本", selector) is None
