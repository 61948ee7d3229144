"""Topics inside topics: breadcrumbs, child topics, descendants' notes, no cycles."""

import re

import pytest
from django.core.exceptions import ValidationError

from papers.importing import import_notes
from papers.models import Note
from tests.papers.helpers import admin_form, card_titles, html
from tests.papers.test_importing import write
from tests.papers.test_query_counts import TOPIC_QUERIES
from topics.models import Topic

pytestmark = pytest.mark.django_db


def chain(*names):
    """Topics each inside the one before; returns them top first."""
    topics, parent = [], None
    for number, name in enumerate(names):
        parent = Topic.objects.create(name=name, slug=f"t{number}", parent=parent)
        topics.append(parent)
    return topics


def test_child_page_shows_breadcrumbs(client):
    """A topic's page names its ancestors, top first, linked, then itself."""
    top, middle, leaf = chain("深度学习", "NLP", "注意力")
    page = html(client.get(leaf.get_absolute_url()))
    assert (
        f'<a class="breadcrumbs__link" href="{top.get_absolute_url()}">深度学习</a> › '
        f'<a class="breadcrumbs__link" href="{middle.get_absolute_url()}">NLP</a> › '
        '<span class="breadcrumbs__current">注意力</span>'
    ) in page


def test_parent_page_lists_children_and_their_notes(client, make_note):
    """A parent's page links its child topics and lists notes of every topic inside it."""
    top, middle, leaf = chain("深度学习", "NLP", "注意力")
    make_note(title="顶层", topic=top)
    make_note(title="最深", topic=leaf, days_ago=2)
    make_note(title="草稿", topic=leaf, status=Note.Status.DRAFT)
    response = client.get(top.get_absolute_url())
    assert f'<a href="{middle.get_absolute_url()}">NLP</a>' in html(response)
    # Children only: a grandchild is listed on its own parent's page.
    assert html(response).count('class="topic-children__item"') == 1
    assert card_titles(response) == ["顶层", "最深"]


def test_topic_feed_has_descendants_notes(client, make_note):
    """A topic's feed carries the notes its page lists."""
    top, leaf = chain("深度学习", "NLP")
    make_note(title="最深", topic=leaf)
    assert "最深" in client.get(f"{top.get_absolute_url()}feed/rss/").content.decode()


@pytest.mark.parametrize("depth", [1, 6])
def test_topic_page_queries_do_not_grow_with_depth(
    client, make_note, depth, django_assert_num_queries
):
    """A top topic's page runs TOPIC_QUERIES queries, whether its notes are 1 or 6 deep."""
    topics = chain(*(f"层{level}" for level in range(depth)))
    for topic in topics:
        make_note(topic=topic)
    with django_assert_num_queries(TOPIC_QUERIES):
        response = client.get(topics[0].get_absolute_url())
    assert len(card_titles(response)) == depth


def test_topic_cannot_sit_inside_its_descendant():
    """Validation refuses a parent that is the topic itself or a topic inside it."""
    top, _, leaf = chain("A", "B", "C")
    top.parent = leaf
    with pytest.raises(ValidationError) as refused:
        top.full_clean()
    assert "parent" in refused.value.message_dict
    top.parent = top
    with pytest.raises(ValidationError):
        top.full_clean()


def test_admin_refuses_a_cycle(admin_client):
    """The admin's change form says so, and leaves the topic where it was."""
    top, _, leaf = chain("A", "B", "C")
    url = f"/admin/topics/topic/{top.pk}/change/"
    response = admin_client.post(url, admin_form(admin_client, url, parent=str(leaf.pk)))
    assert response.status_code == 200
    assert "上级主题不能是它自己或它的下级主题。" in html(response)
    top.refresh_from_db()
    assert top.parent is None


HEXO_POST = "---\ntitle: {title}\ndate: 2023-05-01\ncategories: {categories}\n---\nx\n"


def hexo_post(tmp_path, name, categories):
    write(tmp_path / "blog", "_config.yml", "title: blog\n")
    write(
        tmp_path / "blog/source/_posts",
        f"{name}.md",
        HEXO_POST.format(title=name, categories=categories),
    )
    return tmp_path / "blog/source/_posts"


def parents():
    return {topic.name: topic.parent and topic.parent.name for topic in Topic.objects.all()}


def test_hexo_flat_list_is_one_path(tmp_path):
    """In a Hexo blog, `categories: [深度学习, NLP]` puts the note in NLP, inside 深度学习."""
    import_notes([hexo_post(tmp_path, "a", "[深度学习, NLP]")])
    assert Note.objects.get().topic.name == "NLP"
    assert parents() == {"深度学习": None, "NLP": "深度学习"}


def test_jekyll_flat_list_stays_flat(tmp_path):
    """Jekyll's `categories: [A, B]` are two labels: the first is the topic, at the top."""
    write(
        tmp_path / "site/_posts",
        "2023-05-01-a.md",
        HEXO_POST.format(title="a", categories="[A, B]"),
    )
    import_notes([tmp_path / "site/_posts"])
    assert Note.objects.get().topic.name == "A"
    assert parents() == {"A": None}


def test_import_keeps_stored_topics_where_they_are(tmp_path):
    """A path naming stored topics the other way round moves neither: no cycle."""
    import_notes([hexo_post(tmp_path, "a", "[A, B]")])
    import_notes([hexo_post(tmp_path, "b", "[B, A, C]")])
    assert parents() == {"A": None, "B": "A", "C": "A"}
    assert Note.objects.get(slug="b").topic.name == "C"


def test_topics_index_lists_the_tree_with_descendants_counted(client, make_note):
    """/topics/ lists each topic after its parent, named after it, counting the notes inside."""
    _, leaf = chain("深度学习", "NLP")
    other = Topic.objects.create(name="工具", slug="tools", position=1)
    make_note(topic=leaf)
    make_note(topic=other)
    rows = re.findall(
        r'<li class="index-list__item">\s*(.*?)\s*<span class="index-list__count">(\d+) 篇',
        html(client.get("/topics/")),
        re.S,
    )
    assert [(re.sub(r"<[^>]+>", "", label), count) for label, count in rows] == [
        ("深度学习", "1"),
        ("深度学习 › NLP", "1"),
        ("工具", "1"),
    ]


def test_sitemap_lists_a_parent_with_notes_only_inside(client, make_note):
    """A topic whose notes all sit in a child topic is in the sitemap, as its page lists them."""
    top, leaf = chain("深度学习", "NLP")
    make_note(topic=leaf)
    sitemap = client.get("/sitemap.xml").content.decode()
    assert top.get_absolute_url() in sitemap
    assert leaf.get_absolute_url() in sitemap
