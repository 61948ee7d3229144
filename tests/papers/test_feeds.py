"""RSS and Atom feeds of the latest notes, a topic and a tag, read with feedparser."""

from datetime import timedelta
from urllib.parse import quote

import feedparser
import pytest

from papers.feeds import FEED_LENGTH
from papers.models import Note
from tests.papers.helpers import html
from topics.models import Topic

DRAFT = Note.Status.DRAFT
KINDS = ["rss", "atom"]


def parse(client, url):
    response = client.get(url)
    assert response.status_code == 200
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return response, feed


def titles(feed):
    return [entry.title for entry in feed.entries]


@pytest.fixture
def mixed(make_note, topic, paper):
    """Two published notes in the topic, a draft and a future note."""
    make_note(
        title="较早",
        days_ago=3,
        topic=topic,
        paper=paper,
        summary="**总结**里的重点",
        body="正文 $x^2$ 与 `code`",
        tags=["Transformer", "注意力"],
    )
    make_note(title="最新", days_ago=1, topic=topic)
    make_note(title="草稿", status=DRAFT, topic=topic, tags=["Transformer"])
    make_note(title="未来", days_ago=-2, topic=topic, tags=["Transformer"])


@pytest.mark.parametrize("kind", KINDS)
def test_latest_feed_lists_only_published_notes_newest_first(client, mixed, kind):
    """The latest-notes feed lists published notes, newest first; no draft, no future note."""
    response, feed = parse(client, f"/feed/{kind}/")
    assert titles(feed) == ["最新", "较早"]
    expected = "application/rss+xml" if kind == "rss" else "application/atom+xml"
    assert response["Content-Type"] == f"{expected}; charset=utf-8"
    assert feed.version == ("rss20" if kind == "rss" else "atom10")


@pytest.mark.parametrize("kind", KINDS)
def test_feed_entry_has_link_date_categories_and_rendered_html(client, mixed, kind):
    """An entry links to the note, carries its date, topic and tags, and the rendered HTML."""
    _, feed = parse(client, f"/feed/{kind}/")
    entry = feed.entries[1]
    note = Note.objects.get(title="较早")
    assert entry.link == "http://testserver" + note.get_absolute_url()
    assert entry.published_parsed[:3] == note.published_at.utctimetuple()[:3]
    assert {tag.term for tag in entry.tags} == {"深度学习", "Transformer", "注意力"}
    content = entry.summary
    assert "<h2>个人总结</h2>" in content
    assert "<strong>总结</strong>" in content
    assert '<span class="arithmatex">\\(x^2\\)</span>' in content
    assert "<code>code</code>" in content


def test_atom_entry_has_updated_date_and_author(client, mixed):
    """Atom entries carry the updated date and the site author."""
    _, feed = parse(client, "/feed/atom/")
    note = Note.objects.get(title="最新")
    assert feed.entries[0].updated_parsed[:5] == note.updated_at.utctimetuple()[:5]
    assert feed.entries[0].author == "notesite"


@pytest.mark.parametrize("kind", KINDS)
def test_topic_feed_lists_the_topics_published_notes(client, mixed, make_note, kind):
    """A topic's feed lists only that topic's published notes."""
    other = Topic.objects.create(name="工具使用", slug="tools")
    make_note(title="别的主题", topic=other)
    _, feed = parse(client, f"/topics/{quote('深度学习')}/feed/{kind}/")
    assert titles(feed) == ["最新", "较早"]
    assert feed.feed.title == "notesite · 深度学习"
    _, feed = parse(client, f"/topics/tools/feed/{kind}/")
    assert titles(feed) == ["别的主题"]


@pytest.mark.parametrize("kind", KINDS)
def test_tag_feed_lists_the_tags_published_notes(client, mixed, kind):
    """A tag's feed lists only published notes with that tag."""
    _, feed = parse(client, f"/tags/transformer/feed/{kind}/")
    assert titles(feed) == ["较早"]


@pytest.mark.parametrize(
    "url",
    [
        "/topics/none/feed/rss/",
        "/tags/none/feed/atom/",
        "/tags/draft-only/feed/rss/",  # a tag only drafts use stays unknown
    ],
)
def test_unknown_topic_or_tag_feed_is_404(client, make_note, url):
    """Feeds of a missing topic or tag, or a tag only drafts carry, are 404."""
    make_note(title="草稿", status=DRAFT, tags=["draft-only"])
    assert client.get(url).status_code == 404


def test_feed_is_limited_to_the_newest(client, make_note):
    """A feed lists at most FEED_LENGTH notes, the newest."""
    for day in range(1, FEED_LENGTH + 3):
        make_note(title=f"N{day:02d}", days_ago=day)
    _, feed = parse(client, "/feed/rss/")
    assert titles(feed) == [f"N{day:02d}" for day in range(1, FEED_LENGTH + 1)]


@pytest.mark.parametrize("count", [1, 10])
def test_feeds_run_a_fixed_number_of_queries(
    client, make_note, topic, paper, count, django_assert_num_queries
):
    """Notes (with topic and paper) and their tags: 2 queries; a topic feed adds the topic."""
    for day in range(count):
        make_note(days_ago=day + 1, topic=topic, paper=paper, tags=["a", "b"])
    with django_assert_num_queries(2):
        client.get("/feed/atom/")
    with django_assert_num_queries(3):
        client.get(f"/topics/{quote('深度学习')}/feed/rss/")
    with django_assert_num_queries(4):  # tag, its published-note check, notes, tags
        client.get("/tags/a/feed/rss/")


def test_pages_announce_their_feeds(client, mixed):
    """Every page links the site feeds; topic and tag pages also link their own."""
    home = html(client.get("/"))
    assert '<link rel="alternate" type="application/atom+xml"' in home
    assert 'href="/feed/rss/"' in home
    topic_page = html(client.get(f"/topics/{quote('深度学习')}/"))
    assert f'href="/topics/{quote("深度学习")}/feed/atom/"' in topic_page
    tag_page = html(client.get("/tags/transformer/"))
    assert 'href="/tags/transformer/feed/rss/"' in tag_page


def test_feed_dates_follow_the_note(client, make_note):
    """pubDate is the publication time, not the time of the request."""
    note = make_note(title="T", days_ago=10)
    _, feed = parse(client, "/feed/rss/")
    published = note.published_at - timedelta(microseconds=note.published_at.microsecond)
    assert feed.entries[0].published_parsed[:6] == published.utctimetuple()[:6]
