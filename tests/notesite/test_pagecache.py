"""The page cache (papers/caching/pages.py): anonymous readers get cached pages, always fresh.

Each freshness test first requests every page that shows a note until it comes from the cache,
then changes something and asserts that the very next request of each page shows the change.
"""

import re
from datetime import timedelta

import pytest
from django.core.cache import caches
from django.core.management import call_command
from django.utils import timezone
from taggit.models import Tag

from accounts import limits
from accounts.models import Profile
from annotations import moderation, passages
from annotations.models import Comment
from papers import search
from papers.caching import pages as page_cache
from papers.models import Note
from tests.services import REDIS_DOWN_CACHES

NOTE_PAGES = [
    "/",
    "/?page=1",
    "/topics/深度学习/",
    "/tags/attention/",
    "/papers/2308.02223/",
    "/{year}/",
    "/{year}/{month:02d}/",
    "/{year}/{month:02d}/{day:02d}/",
    "/notes/attention/",
    "/search/?q=注意力",
    "/feed/rss/",
]
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def note(make_note, topic, paper):
    return make_note(
        title="注意力机制",
        slug="attention",
        topic=topic,
        paper=paper,
        tags=["attention"],
        body="注意力的计算量随序列长度平方增长。",
    )


@pytest.fixture
def reader(django_user_model):
    user = django_user_model.objects.create_user("reader", "reader@example.com", "pw-Reader-1")
    Profile.objects.create(user=user, display_name="小读者")
    return user


def pages(note):
    local = timezone.localtime(note.published_at)
    fields = {"year": local.year, "month": local.month, "day": local.day}
    return [url.format(**fields) for url in NOTE_PAGES]


def warm(client, urls):
    """Request each page until the cache answers it."""
    for url in urls:
        client.get(url)
        response = client.get(url)
        assert response["X-Page-Cache"] == "hit", url


def assert_all_show(client, urls, text):
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert text in response.content.decode(), url


def test_second_request_comes_from_the_cache_without_queries(
    client, note, django_assert_num_queries
):
    """An anonymous reader's repeat request is answered from the cache: no SQL at all."""
    assert client.get("/")["X-Page-Cache"] == "miss"
    with django_assert_num_queries(0):
        response = client.get("/")
    assert response["X-Page-Cache"] == "hit"
    assert note.title in response.content.decode()
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"


def test_saved_note_is_fresh_on_every_page(client, note):
    urls = pages(note)
    warm(client, urls)
    note.title = "稀疏变换器"
    note.save()
    assert_all_show(client, urls, "稀疏变换器")


def test_new_note_is_in_the_sitemap_and_feed(client, note, make_note):
    warm(client, ["/sitemap.xml", "/feed/atom/"])
    make_note(title="新笔记", slug="brand-new")
    assert_all_show(client, ["/sitemap.xml", "/feed/atom/"], "brand-new")


def test_deleted_note_is_gone_from_every_listing(client, note, make_note, topic):
    make_note(title="另一篇", topic=topic)
    warm(client, ["/", "/topics/深度学习/", "/search/?q=注意力"])
    note.delete()
    for url in ["/", "/topics/深度学习/", "/search/?q=注意力"]:
        assert "注意力机制" not in client.get(url).content.decode(), url
    assert client.get("/notes/attention/").status_code == 404


def test_tag_renamed_is_fresh(client, note):
    warm(client, ["/notes/attention/"])
    Tag.objects.filter(name="attention").update(name="self-attention")  # no signal: admin saves
    tag = Tag.objects.get(slug="attention")
    tag.save()
    assert_all_show(client, ["/notes/attention/"], "self-attention")


def test_topic_renamed_is_fresh(client, note, topic):
    warm(client, ["/", "/topics/"])
    topic.name = "机器学习"
    topic.save()
    assert_all_show(client, ["/", "/topics/"], "机器学习")


def test_new_comment_is_fresh_on_the_note_and_its_count_on_listings(client, note):
    warm(client, ["/", "/notes/attention/"])
    moderation.post_comment(note=note, body="平方复杂度怎么降?", user=None, name="路人乙")
    # Anonymous comments wait for approval (`moderate` is a queryset update, no signal).
    assert "平方复杂度怎么降" not in client.get("/notes/attention/").content.decode()
    moderation.approve(Comment.objects.all())
    assert_all_show(client, ["/notes/attention/"], "平方复杂度怎么降")
    card = client.get("/").content.decode()
    assert re.search(r'title="评论数">.*?</svg>1</span>', card), "the card counts 1 comment"


def test_renamed_commenter_is_fresh(client, note, reader):
    moderation.post_comment(note=note, body="写得好", user=reader)
    warm(client, ["/notes/attention/"])
    reader.profile.display_name = "老读者"
    reader.profile.save()
    assert_all_show(client, ["/notes/attention/"], "老读者")


def test_new_public_annotation_is_fresh_in_the_api(client, note, reader):
    url = "/notes/attention/annotations/"
    warm(client, [url])
    annotation = annotate(note, reader, "序列长度", "public")
    passages.edit_annotation(annotation, body="n squared")
    assert_all_show(client, [url], "n squared")


def annotate(note, reader, words, visibility):
    text = passages.note_text(note)
    start = text.index(words)
    selector, errors = passages.clean_selector(
        text, {"exact": words, "start": start, "end": start + len(words)}
    )
    assert not errors
    return passages.create_annotation(note, reader, selector, "批注", visibility)


def assert_all_hits(client, urls):
    for url in urls:
        assert client.get(url)["X-Page-Cache"] == "hit", url


STALE_ON_READERS_WRITES = ["/", "/notes/attention/", "/notes/attention/annotations/"]


def test_private_annotations_leave_pages_cached(client, note, reader):
    """A private annotation, written, edited or deleted, is no anonymous reader's business."""
    warm(client, STALE_ON_READERS_WRITES)
    annotation = annotate(note, reader, "序列长度", "private")
    passages.edit_annotation(annotation, body="改过的私人批注")
    annotation.delete()
    assert_all_hits(client, STALE_ON_READERS_WRITES)


def test_a_public_annotation_made_private_is_gone_at_once(client, note, reader):
    annotation = annotate(note, reader, "序列长度", "public")
    warm(client, ["/notes/attention/annotations/"])
    passages.edit_annotation(annotation, visibility="private")
    response = client.get("/notes/attention/annotations/")
    assert response["X-Page-Cache"] == "miss"
    assert response.json()["count"] == 0


def test_sign_up_and_login_leave_pages_cached(client, note, django_user_model):
    """A new account and its logins show on no page."""
    warm(client, STALE_ON_READERS_WRITES)
    password = "Transformer-2017"
    signup = {
        "username": "newbie",
        "display_name": "新读者",
        "email": "",
        "password1": password,
        "password2": password,
    }
    reader_client = client.__class__()
    assert reader_client.post("/accounts/signup/", signup).status_code == 302
    reader_client.logout()
    login = {"username": "newbie", "password": password}
    assert reader_client.post("/accounts/login/", login).status_code == 302
    user = django_user_model.objects.get(username="newbie")
    user.profile.display_name = "还没发过言的读者"
    user.profile.save()
    assert_all_hits(client, STALE_ON_READERS_WRITES)


def test_pending_comment_and_its_rejection_leave_pages_cached(client, note):
    """An anonymous comment waiting for moderation shows to its poster only, and if it is
    then hidden or marked spam it never showed at all."""
    warm(client, STALE_ON_READERS_WRITES)
    moderation.post_comment(note=note, body="等待审核", user=None, name="路人乙")
    moderation.mark_spam(Comment.objects.all())
    assert_all_hits(client, STALE_ON_READERS_WRITES)


def test_hiding_a_public_comment_is_fresh(client, note, reader):
    moderation.post_comment(note=note, body="马上要被隐藏", user=reader)
    warm(client, ["/notes/attention/"])
    moderation.hide(Comment.objects.all())
    assert "马上要被隐藏" not in client.get("/notes/attention/").content.decode()


def test_bulk_writes_make_pages_fresh(client, note, admin_client, tmp_path):
    """Writes without model signals: the admin's publish action, an import, a reindex."""
    warm(client, ["/"])
    draft = Note.objects.create(title="草稿变发布", slug="draft", status="draft", body="x")
    assert "草稿变发布" not in client.get("/").content.decode()
    admin_client.post("/admin/papers/note/", {"action": "publish", "_selected_action": [draft.pk]})
    assert_all_show(client, ["/"], "草稿变发布")

    (tmp_path / "imported.md").write_text("---\ntitle: 导入的笔记\n---\n正文", encoding="utf-8")
    call_command("import_notes", str(tmp_path), verbosity=0)
    assert_all_show(client, ["/"], "导入的笔记")

    Note.objects.filter(pk=note.pk).update(body_html="<p>只在批量写入后可搜到的新词</p>")
    warm(client, ["/search/?q=注意力"])
    assert "注意力机制" not in client.get("/search/?q=新词").content.decode()
    search.rebuild_index()
    assert_all_show(client, ["/search/?q=新词"], "注意力机制")
    assert client.get("/search/?q=注意力")["X-Page-Cache"] == "miss"  # rebuilt: stale


def test_scheduled_note_appears_when_its_time_comes(client, note, make_note, monkeypatch):
    make_note(title="定时发布", days_ago=-1)
    warm(client, ["/"])
    assert "定时发布" not in client.get("/").content.decode()
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert_all_show(client, ["/"], "定时发布")


def test_signed_in_reader_gets_the_shared_page_with_their_own_parts(client, note, reader):
    """A signed-in reader is served the cached page, their name filled in, and the page
    anonymous readers get from the cache afterwards never has it."""
    warm(client, ["/notes/attention/"])
    client.force_login(reader)
    response = client.get("/notes/attention/")
    assert response["X-Page-Cache"] == "hit"
    assert "小读者" in response.content.decode()
    client.logout()
    anonymous = client.get("/notes/attention/")
    assert anonymous["X-Page-Cache"] == "hit"
    assert "小读者" not in anonymous.content.decode()


def test_an_anonymous_hit_fills_only_its_own_placeholders(client, note, reader, monkeypatch):
    """Every anonymous reader sees no comment actions and no account links: the entry keeps a
    copy with those resolved, so an anonymous hit asks no filler for them; a signed-in reader's
    hit of the same entry still gets their own."""
    moderation.post_comment(note=note, body="读者的评论", user=reader)
    warm(client, ["/notes/attention/"])
    asked = []

    def counted(name, filler):
        return lambda request, argument: asked.append(name) or filler(request, argument)

    for name in ("comment-actions", "signed-in"):
        monkeypatch.setitem(page_cache._fillers, name, counted(name, page_cache._fillers[name]))
    anonymous = client.get("/notes/attention/")
    assert anonymous["X-Page-Cache"] == "hit"
    html = anonymous.content.decode()
    assert asked == []
    assert "<!--personal:" not in html and "<!--fill:" not in html
    client.force_login(reader)
    signed_in = client.get("/notes/attention/").content.decode()
    assert asked
    assert "/edit/" in signed_in and "/edit/" not in html


def test_a_signed_in_hit_shows_actions_on_the_reader_s_own_comments_only(
    client, note, reader, django_user_model
):
    """From the cache, a reader's own comments get their edit and delete links, another
    reader's none (annotations.fills.comment_actions fills the whole page's in one call)."""
    other = django_user_model.objects.create_user("other", "other@example.com", "pw-Other-1")
    mine = [moderation.post_comment(note=note, body=f"我的 {i}", user=reader) for i in range(2)]
    theirs = moderation.post_comment(note=note, body="别人的", user=other)
    client.force_login(reader)
    warm(client, ["/notes/attention/"])
    response = client.get("/notes/attention/")
    assert response["X-Page-Cache"] in {"hit", "memory"}
    html = response.content.decode()
    for comment in mine:
        assert f"/comments/{comment.pk}/edit/" in html
        assert f"/comments/{comment.pk}/delete/" in html
    assert f"/comments/{theirs.pk}/edit/" not in html


def test_staff_are_never_served_nor_stored(admin_client, client, note):
    """Staff see previews and admin links: their pages are their own."""
    warm(client, ["/notes/attention/"])
    assert "X-Page-Cache" not in admin_client.get("/notes/attention/")
    assert "X-Page-Cache" not in admin_client.get("/")


def test_a_reader_with_a_comment_waiting_is_never_served_from_the_cache(client, note, settings):
    """Their session holds the comment they see: the page is rendered for them."""
    settings.COMMENTS_MIN_SECONDS = 0
    warm(client, ["/notes/attention/"])
    page = client.get("/notes/attention/").content.decode()
    form = dict(re.findall(r'name="(timestamp|security_hash)" value="([^"]+)"', page))
    posted = client.post(
        "/notes/attention/comments/", {"body": "只有我看得见", "name": "路人丙", **form}
    )
    assert posted.status_code == 302
    response = client.get("/notes/attention/")
    assert "X-Page-Cache" not in response
    assert "只有我看得见" in response.content.decode()


@pytest.mark.parametrize(
    ("url", "cookies"),
    [
        ("/?utm_source=x", {}),
        ("/notes/attention/?reply=1", {}),
        ("/notes/missing/", {}),
        ("/healthz", {}),
        ("/", {"messages": "x"}),
    ],
)
def test_what_is_not_cached(client, note, url, cookies):
    """Other query parameters, errors, never-cache pages, and readers with messages."""
    client.cookies.load(cookies)
    client.get(url)
    assert "X-Page-Cache" not in client.get(url)


def test_each_reader_gets_their_own_csrf_token_and_fresh_form_time(client, note, monkeypatch):
    """The cached note page's forms are filled per response, and a comment posts from it."""
    monkeypatch.setattr(limits, "clock", lambda: 1_800_000_000)
    client.get("/notes/attention/")
    monkeypatch.setattr(limits, "clock", lambda: 1_800_000_100)
    page = client.get("/notes/attention/")
    assert page["X-Page-Cache"] == "hit"
    html = page.content.decode()
    assert "<!--fill:" not in html
    assert 'name="timestamp" value="1800000100"' in html
    token = TOKEN.search(html)[1]
    assert TOKEN.search(client.__class__().get("/notes/attention/").content.decode())[1] != token

    monkeypatch.setattr(limits, "clock", lambda: 1_800_000_110)
    form = dict(re.findall(r'name="(timestamp|security_hash)" value="([^"]+)"', html))
    posted = client.__class__(enforce_csrf_checks=True)
    posted.cookies = client.cookies
    response = posted.post(
        "/notes/attention/comments/",
        {"csrfmiddlewaretoken": token, "body": "缓存页上发的评论", "name": "路人丙", **form},
    )
    assert response.status_code == 302
    assert Comment.objects.get().body == "缓存页上发的评论"


def test_redis_down_serves_pages_from_this_process_memory(client, note, settings):
    """Nothing answers on the cache's port: every page still renders, from the database, and
    is kept in this process's memory for a few seconds; a write here is seen at once."""
    settings.CACHES = REDIS_DOWN_CACHES
    urls = [url for url in pages(note) if url != "/?page=1"]  # the same page as /
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert "/notes/attention/" in response.content.decode(), url
        assert response["X-Page-Cache"] == "miss", url
    assert client.get("/")["X-Page-Cache"] == "hit"
    note.title = "Redis 停机时改的标题"
    note.save()
    assert "Redis 停机时改的标题" in client.get("/").content.decode()


def test_page_cache_off(client, note, settings):
    settings.PAGE_CACHE_SECONDS = 0
    client.get("/")
    assert "X-Page-Cache" not in client.get("/")


def page_entries():
    """How many whole pages the cache holds (the tests' cache is local memory)."""
    return sum(":pagecache:page:" in key for key in caches["default"]._cache)


@pytest.mark.parametrize(
    "url",
    [
        "/notes/attention/?page=7",  # a note page has no pages
        "/feed/rss/?q=x",  # nor does a feed read q
        "/?page=01",  # page 1 spelled otherwise
        "/?page=1&page=2",
        "/?page=%EF%BC%91",  # a fullwidth 1
    ],
)
def test_parameters_a_page_ignores_make_no_entries(client, note, url):
    """A flood of such requests renders pages but stores none of them."""
    before = page_entries()
    for _ in range(3):
        response = client.get(url)
        assert response.status_code in (200, 404), url
        assert "X-Page-Cache" not in response
    assert page_entries() == before


def test_page_one_is_the_page_without_a_number(client, note):
    client.get("/")
    assert client.get("/?page=1")["X-Page-Cache"] == "hit"


def test_searches_that_find_nothing_are_not_kept(client, note):
    before = len(caches["default"]._cache)
    for number in range(5):
        assert "X-Page-Cache" not in client.get(f"/search/?q=随机词{number}")
    assert len(caches["default"]._cache) == before


def test_searches_that_find_something_are_kept(client, note):
    client.get("/search/?q=注意力")
    assert client.get("/search/?q=%20注意力%20")["X-Page-Cache"] == "hit"


def test_a_long_query_string_finds_the_entry_of_its_short_spelling(client, note):
    """Query strings over KEPT_QUERY_BYTES are parsed per request, not kept parsed."""
    client.get("/search/?q=注意力")
    padded = "%20" * 200 + "注意力"
    assert len(padded) > page_cache.KEPT_QUERY_BYTES
    assert client.get(f"/search/?q={padded}")["X-Page-Cache"] == "hit"


def test_comments_no_reader_may_change_have_no_per_reader_part(client, note, reader, settings):
    """A guest's comment and one past its edit window are rendered without the placeholder
    of the edit and delete links: nothing to fill for them on any hit."""
    settings.COMMENTS_MODERATE_ANONYMOUS = False
    guest = moderation.post_comment(note=note, body="访客的", name="访客", email="g@example.com")
    old = moderation.post_comment(note=note, body="旧的", user=reader)
    Comment.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(hours=1))
    new = moderation.post_comment(note=note, body="新的", user=reader)
    client.force_login(reader)
    warm(client, ["/notes/attention/"])
    response = client.get("/notes/attention/")
    assert response["X-Page-Cache"] in {"hit", "memory"}
    parts = [slot for slot in response.page_cache_parts[1::2] if slot[0] == "comment-actions"]
    assert [argument.split(":")[0] for _, argument, _ in parts] == [str(new.pk)]
    html = response.content.decode()
    assert f"/comments/{new.pk}/edit/" in html
    assert f"/comments/{old.pk}/edit/" not in html and f"/comments/{guest.pk}/edit/" not in html
