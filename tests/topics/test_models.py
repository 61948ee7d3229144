"""topics.models.Topic: ordering, string form and URL."""

from urllib.parse import quote, unquote

from django.urls import resolve

from topics.models import Topic


def test_topics_ordered_by_position_then_name(db):
    """Topics sort by position, and by name among equal positions."""
    Topic.objects.create(name="A", slug="a", position=2)
    Topic.objects.create(name="Z", slug="z", position=1)
    Topic.objects.create(name="B", slug="b", position=1)
    Topic.objects.create(name="工具使用", slug="tools", position=0)
    assert [topic.name for topic in Topic.objects.all()] == ["工具使用", "B", "Z", "A"]


def test_str_is_name():
    """A topic reads as its name."""
    assert str(Topic(name="深度学习", slug="dl")) == "深度学习"


def test_absolute_url_with_cjk_slug_round_trips():
    """A Chinese slug gives a percent-encoded topic URL that resolves back to the topic page."""
    url = Topic(name="深度学习", slug="深度学习").get_absolute_url()
    assert url == f"/topics/{quote('深度学习')}/"
    match = resolve(unquote(url))
    assert match.view_name == "papers:topic"
    assert match.kwargs == {"slug": "深度学习"}


def test_topic_page_serves_the_topic(client, db):
    """The topic's URL serves a page headed with its name."""
    topic = Topic.objects.create(name="深度学习", slug="深度学习")
    response = client.get(topic.get_absolute_url())
    assert response.status_code == 200
    assert '<h1 class="listing__heading">深度学习</h1>' in response.content.decode()
