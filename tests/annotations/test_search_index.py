"""What annotation search finds, that PostgreSQL answers it from indexes (migration 0006), and
what the search page keeps of it for readers who are not signed in."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from annotations import finding
from annotations.models import Annotation

BODY = "我们用 SimCLR 做对比学习。对比学习的目标是拉近正样本。模型很简单。"
QUERY_FOUND = "simclr"  # in the note's body, so the page finds it


@pytest.fixture
def note(make_note):
    return make_note(title="对比", slug="contrast", body=BODY)


def found(user, query, **options):
    return [each.body for each in finding.search_annotations(user, query, **options)]


def test_matches_quote_or_text_in_any_case_newest_first(note, reader, other, annotate):
    older = annotate(note, other, "SimCLR", body="旧的", visibility="public")
    annotate(note, other, "模型很简单", body="提到 simclr 的批注", visibility="public")
    annotate(note, other, "正样本", body="无关", visibility="public")
    Annotation.objects.filter(pk=older.pk).update(created_at=older.created_at - timedelta(1))
    assert found(AnonymousUser(), "SIMCLR") == ["提到 simclr 的批注", "旧的"]


def test_lists_at_most_the_limit_and_never_another_readers_private_one(
    note, reader, other, annotate
):
    for index in range(3):
        annotate(note, other, "对比学习", body=f"公开 {index}", visibility="public")
    annotate(note, other, "对比学习", body="别人的私有批注", visibility="private")
    annotate(note, reader, "对比学习", body="我的私有批注", visibility="private")
    assert len(found(reader, "对比学习", limit=3)) == 3
    assert "我的私有批注" in found(reader, "对比学习")
    assert "别人的私有批注" not in found(reader, "对比学习")
    assert "别人的私有批注" not in found(AnonymousUser(), "对比学习")


@pytest.mark.skipif(connection.vendor != "postgresql", reason="pg_trgm indexes")
def test_postgresql_can_answer_the_match_from_the_trigram_indexes(note, other, annotate):
    """The indexes are on the expressions the match compares, so PostgreSQL can use them.
    Every other way to read the table is off (on a tiny table a scan is cheaper; reading a
    whole btree index is another scan), as the question is whether the indexes fit."""
    annotate(note, other, "对比学习", body="批注", visibility="public")
    matches = Annotation.objects.filter(finding.matching("对比学习")).order_by().values("pk")
    sql, params = matches.query.sql_with_params()
    with connection.cursor() as cursor:
        for scan in ("seqscan", "indexscan", "indexonlyscan"):
            cursor.execute(f"SET LOCAL enable_{scan} = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "annotation_quote_trgm" in plan
    assert "annotation_body_trgm" in plan


def annotation_section(client, query=QUERY_FOUND):
    html = client.get("/search/", {"q": query}).content.decode()
    return html[html.find('class="search__annotations"') :] if "search__annotations" in html else ""


@pytest.fixture
def uncached(settings):
    settings.PAGE_CACHE_SECONDS = 0  # every request renders: what fragments keep is seen


def test_the_section_kept_for_anonymous_readers_shows_a_new_annotation_at_once(
    client, note, other, annotate, uncached
):
    annotate(note, other, "SimCLR", body="第一条", visibility="public")
    assert "第一条" in annotation_section(client)
    annotate(note, other, "对比学习", body="SimCLR 第二条", visibility="public")
    assert "第二条" in annotation_section(client)


def test_a_private_annotation_is_never_in_the_kept_section(
    client, note, reader, annotate, uncached
):
    annotate(note, reader, "SimCLR", body="我的私有批注", visibility="private")
    assert "我的私有批注" not in annotation_section(client)  # kept for anonymous readers
    client.force_login(reader)
    assert "我的私有批注" in annotation_section(client)
    client.logout()
    assert "我的私有批注" not in annotation_section(client)
