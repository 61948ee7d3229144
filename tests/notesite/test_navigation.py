"""The header's navigation marks the section of the page shown (aria-current)."""

import re

import pytest

from tests.papers.helpers import shanghai
from topics.models import Topic

CURRENT = re.compile(r'<a class="site-nav__link" href="([^"]+)" aria-current="(page|true)">')


@pytest.fixture
def site(make_note):
    topic = Topic.objects.create(name="深度学习", slug="dl")
    make_note(slug="n", topic=topic, tags=["rl"], published_at=shanghai(2024, 11, 25, 10))


@pytest.mark.parametrize(
    ("url", "current"),
    [
        ("/", [("/", "page")]),
        ("/notes/n/", [("/", "true")]),
        ("/topics/", [("/topics/", "page")]),
        ("/topics/dl/", [("/topics/", "true")]),
        ("/tags/", [("/tags/", "page")]),
        ("/tags/rl/", [("/tags/", "true")]),
        ("/papers/", [("/papers/", "page")]),
        ("/archive/", [("/archive/", "page")]),
        ("/2024/", [("/archive/", "true")]),
        ("/2024/11/", [("/archive/", "true")]),
        ("/2024/11/25/", [("/archive/", "true")]),
        ("/search/?q=x", []),
        ("/accounts/login/", []),
    ],
)
def test_nav_marks_the_section_of_the_page(client, site, url, current):
    """One header link is the current page or its section; pages of no section mark none."""
    assert CURRENT.findall(client.get(url).content.decode()) == current
