"""Signed-in readers are served the shared cached pages, their own parts filled in per response
(papers/caching/pages.py; notesite/account.py, annotations/fills.py): their name in the header
and the comment form, the links to edit their comments, the annotation panel's state, their
CSRF token. Nothing of one reader ever reaches another."""

import re

import pytest
from django.test import Client

from accounts.models import Profile
from annotations import moderation, passages
from annotations.models import Comment

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
FORM_TIME = re.compile(r'name="(timestamp|security_hash)" value="([^"]+)"')
NOTE = "/notes/attention/"
# A signed-in reader's page from the cache: the session, the user and the profile (the name
# filled in); a note page also counts its view (written at once without Redis, as here).
SIGNED_IN_HIT_QUERIES = 3


@pytest.fixture
def note(make_note, topic):
    return make_note(
        title="注意力机制", slug="attention", topic=topic, body="注意力的计算量随序列长度平方增长。"
    )


def signed_in(django_user_model, username, name):
    user = django_user_model.objects.create_user(username, password="pw-Reader-1")
    Profile.objects.create(user=user, display_name=name)
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return user, client


@pytest.fixture
def readers(django_user_model, note):
    """Two signed-in readers, 甲 with a comment of their own on the note; the page cached."""
    jia, jia_client = signed_in(django_user_model, "jia", "读者甲")
    yi, yi_client = signed_in(django_user_model, "yi", "读者乙")
    moderation.post_comment(note=note, body="甲的评论", user=jia)
    Client().get(NOTE)
    return {"甲": (jia, jia_client), "乙": (yi, yi_client)}


def own_parts(html):
    return {
        "header": re.search(r'class="site-account__name"[^>]*>([^<]+)<', html)[1],
        "form": re.search(r"以 <strong>([^<]+)</strong> 的身份评论", html)[1],
        "edit links": html.count('class="comment__action" href="/comments/'),
        "panel": re.search(r'data-signed-in="(\w+)"', html)[1],
    }


def test_two_readers_interleaved_each_get_their_own_parts(readers, note):
    """A B A B on the cached note page: each response has its reader's name, form, edit links
    and token, and never the other's."""
    comment = Comment.objects.get()
    expected = {
        "甲": {"header": "读者甲", "form": "读者甲", "edit links": 2, "panel": "true"},
        "乙": {"header": "读者乙", "form": "读者乙", "edit links": 0, "panel": "true"},
    }
    public = Client().get(NOTE).content.decode()  # 甲's name is on their public comment
    tokens = {}
    for name in ["甲", "乙", "甲", "乙"]:
        other = "乙" if name == "甲" else "甲"
        _, client = readers[name]
        response = client.get(NOTE)
        assert response["X-Page-Cache"] == "hit"
        html = response.content.decode()
        assert "<!--fill:" not in html
        assert own_parts(html) == expected[name]
        assert html.count(f"读者{other}") == public.count(f"读者{other}")
        assert (f"/comments/{comment.pk}/edit/" in html) == (name == "甲")
        page_tokens = set(TOKEN.findall(html))
        assert len(page_tokens) == 1  # the logout form and the comment form share one
        tokens.setdefault(name, []).append(page_tokens.pop())
    assert not set(tokens["甲"]) & set(tokens["乙"])


def test_each_readers_token_posts_from_the_cached_page(readers, note, settings):
    """The CSRF token filled in is valid for that reader's cookie: a comment posts."""
    settings.COMMENTS_MIN_SECONDS = 0
    user, client = readers["乙"]
    page = client.get(NOTE)
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    fields = {"csrfmiddlewaretoken": TOKEN.search(html)[1], **dict(FORM_TIME.findall(html))}
    posted = client.post(f"{NOTE}comments/", {"body": "乙在缓存页上的评论", **fields})
    assert posted.status_code == 302
    assert Comment.objects.get(body="乙在缓存页上的评论").user == user


def test_a_page_a_reader_rendered_is_stored_without_them(readers, note):
    """乙's request renders the page after a write; 甲 and an anonymous reader get it from the
    cache with none of 乙's parts."""
    note.title = "注意力机制(修订)"
    note.save()
    _, yi_client = readers["乙"]
    assert yi_client.get(NOTE)["X-Page-Cache"] == "miss"
    _, jia_client = readers["甲"]
    jia = jia_client.get(NOTE)
    assert jia["X-Page-Cache"] == "hit"
    assert own_parts(jia.content.decode())["header"] == "读者甲"
    anonymous = Client().get(NOTE)
    assert anonymous["X-Page-Cache"] == "hit"
    html = anonymous.content.decode()
    assert "读者乙" not in html
    assert 'data-signed-in="false"' in html
    assert "以访客身份评论" in html


def test_a_page_that_reads_the_reader_is_kept_for_that_reader_only(readers, note):
    """The search page lists the reader's private annotations: an anonymous reader's cached
    search is not served to 甲, and 甲's search, rendered for them, is kept for 甲 alone
    (papers/caching/personal.py; tests/notesite/test_personal_pages.py)."""
    jia, jia_client = readers["甲"]
    text = passages.note_text(note)
    start = text.index("序列长度")
    selector, _ = passages.clean_selector(
        text, {"exact": "序列长度", "start": start, "end": start + 4}
    )
    passages.create_annotation(note, jia, selector, "甲的私人批注", "private")
    url = "/search/?q=序列长度"
    Client().get(url)
    assert Client().get(url)["X-Page-Cache"] == "hit"
    for expected in ["miss", "hit"]:
        response = jia_client.get(url)
        assert response["X-Page-Cache"] == expected
        assert "甲的私人批注" in response.content.decode()
    _, yi_client = readers["乙"]
    assert "甲的私人批注" not in yi_client.get(url).content.decode()
    assert "甲的私人批注" not in Client().get(url).content.decode()


@pytest.mark.parametrize(("url", "view_written"), [("/", 0), (NOTE, 1), ("/topics/", 0)])
def test_a_signed_in_hit_runs_a_fixed_number_of_queries(
    readers, url, view_written, django_assert_num_queries
):
    _, client = readers["甲"]
    Client().get(url)
    with django_assert_num_queries(SIGNED_IN_HIT_QUERIES + view_written):
        response = client.get(url)
    assert response["X-Page-Cache"] == "hit"
    assert "读者甲" in response.content.decode()
