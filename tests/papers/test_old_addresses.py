"""Old addresses of imported posts answer 301 to their notes (papers.redirects)."""

from urllib.parse import quote

import pytest

from papers.importing import import_notes
from papers.models import Note, OldAddress
from tests.papers.test_importing import write

pytestmark = pytest.mark.django_db

HEXO_POST = """---
title: 注意力机制
date: 2023-05-01 10:00:00
categories: [深度学习, NLP]
{extra}---
正文
"""

JEKYLL_POST = """---
title: Meta Learning
date: 2021-03-04 20:00:00 +0800
categories: [Academic, Meta]
---
正文
"""


def hexo_blog(tmp_path, permalink=None, extra="", name="注意力机制.md"):
    """A Hexo blog: `_config.yml` beside `source/_posts`; returns the posts folder."""
    config = f"title: blog\npermalink: {permalink}\n" if permalink else "title: blog\n"
    write(tmp_path / "blog", "_config.yml", config)
    write(tmp_path / "blog/source/_posts", name, HEXO_POST.format(extra=extra))
    return tmp_path / "blog/source/_posts"


def jekyll_blog(tmp_path, config="title: blog\n"):
    write(tmp_path / "site", "_config.yml", config)
    write(tmp_path / "site/_posts", "2021-03-04-meta-learning.md", JEKYLL_POST)
    return tmp_path / "site/_posts"


def old_addresses():
    return list(OldAddress.objects.values_list("path", flat=True))


def assert_moved(client, address, note):
    response = client.get(address)
    assert response.status_code == 301
    assert response["Location"] == note.get_absolute_url()


def test_hexo_default_permalink_redirects_percent_encoded(client, tmp_path):
    """Hexo's default :year/:month/:day/:title/ answers 301, as a browser sends it (encoded),
    with or without its trailing slash or index.html."""
    import_notes([hexo_blog(tmp_path)])
    note = Note.objects.get()
    for address in (
        "/2023/05/01/注意力机制/",
        "/2023/05/01/注意力机制",
        "/2023/05/01/注意力机制/index.html",
    ):
        assert_moved(client, quote(address), note)


def test_hexo_abbrlink_pattern_from_config(client, tmp_path):
    """`permalink: posts/:abbrlink/` in the blog's _config.yml with the post's abbrlink."""
    import_notes([hexo_blog(tmp_path, "posts/:abbrlink/", extra="abbrlink: 3f2a9c1\n")])
    assert old_addresses() == ["/posts/3f2a9c1"]
    assert_moved(client, "/posts/3f2a9c1/", Note.objects.get())


def test_hexo_post_without_abbrlink_gets_no_pattern_address(tmp_path):
    """A post without the abbrlink its pattern needs claims no address (not `/posts/`)."""
    import_notes([hexo_blog(tmp_path, "posts/:abbrlink/")])
    assert old_addresses() == []


def test_hexo_category_placeholder_is_the_category_path(client, tmp_path):
    """Hexo's :category is the last category's slug, under its parents'."""
    import_notes([hexo_blog(tmp_path, ":category/:title.html")])
    assert old_addresses() == ["/深度学习/NLP/注意力机制.html"]


def test_jekyll_default_permalink_is_date_style(client, tmp_path):
    """Jekyll without a permalink setting: /:categories/:year/:month/:day/:title.html,
    categories lower-cased."""
    import_notes([jekyll_blog(tmp_path)])
    assert old_addresses() == ["/academic/meta/2021/03/04/meta-learning.html"]
    assert_moved(client, "/academic/meta/2021/03/04/meta-learning.html", Note.objects.get())


@pytest.mark.parametrize(
    ("setting", "address"),
    [
        ("permalink: pretty", "/academic/meta/2021/03/04/meta-learning"),
        ("permalink: none", "/academic/meta/meta-learning.html"),
        ("permalink: /blog/:year/:title:output_ext", "/blog/2021/meta-learning.html"),
        (
            "defaults:\n- scope: {path: '', type: posts}\n  values: {permalink: /posts/:title/}",
            "/posts/meta-learning",
        ),
    ],
    ids=["pretty", "none", "pattern", "defaults-for-posts"],
)
def test_jekyll_permalink_settings(tmp_path, setting, address):
    """Jekyll's named styles, a pattern, and a theme's `defaults:` for posts."""
    import_notes([jekyll_blog(tmp_path, f"title: blog\n{setting}\n")])
    assert old_addresses() == [address]


def test_hugo_aliases_and_url(client, tmp_path):
    """Hugo's `aliases` (a list) and `url` all answer 301 to the note."""
    text = (
        "---\ntitle: T\ndate: 2024-01-02\nurl: /p/t/\naliases: [/old/one/, /old/two.html]\n---\nx\n"
    )
    write(tmp_path / "content/posts", "t.md", text)
    import_notes([tmp_path / "content"])
    assert old_addresses() == ["/old/one", "/old/two.html", "/p/t"]
    for address in ("/old/one/", "/old/two.html", "/p/t/"):
        assert_moved(client, address, Note.objects.get())


def test_front_matter_permalink_overrides_the_pattern(tmp_path):
    """A post's `permalink` is its address; the blog's pattern is not."""
    import_notes([hexo_blog(tmp_path, extra="permalink: /ai/attention/\n")])
    assert old_addresses() == ["/ai/attention"]


def test_reimport_keeps_one_row_per_address_and_follows_changes(tmp_path):
    """A second run adds nothing; a file that drops an alias drops its address."""
    text = "---\ntitle: T\ndate: 2024-01-02\naliases: [/a/, /b/]\n---\nx\n"
    path = write(tmp_path / "notes", "t.md", text)
    first = import_notes([tmp_path / "notes"])
    again = import_notes([tmp_path / "notes"])
    assert (first.addresses_added, again.addresses_added) == (2, 0)
    path.write_text(text.replace("/a/, /b/", "/b/"), encoding="utf-8")
    third = import_notes([tmp_path / "notes"])
    assert (third.addresses_removed, old_addresses()) == (1, ["/b"])


def test_file_without_aliases_any_more_loses_its_addresses(client, tmp_path):
    """A file whose aliases are all gone leaves no address behind: a 404 again."""
    text = "---\ntitle: T\ndate: 2024-01-02\naliases: [/a/]\n---\nx\n"
    path = write(tmp_path / "notes", "t.md", text)
    import_notes([tmp_path / "notes"])
    path.write_text(text.replace("aliases: [/a/]\n", ""), encoding="utf-8")
    assert import_notes([tmp_path / "notes"]).addresses_removed == 1
    assert client.get("/a/").status_code == 404


def test_address_moves_with_the_file_that_gives_it(tmp_path):
    """An alias moved from one file to another in one run moves to the other note."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\naliases: [/x/]\n---\na\n")
    write(tmp_path / "notes", "b.md", "---\ntitle: B\n---\nb\n")
    import_notes([tmp_path / "notes"])
    write(tmp_path / "notes", "a.md", "---\ntitle: A\n---\na\n")
    write(tmp_path / "notes", "b.md", "---\ntitle: B\naliases: [/x/]\n---\nb\n")
    report = import_notes([tmp_path / "notes"])
    assert OldAddress.objects.get().note.slug == "b"
    assert report.warnings == []


def test_address_of_another_note_is_left_to_it_with_a_warning(tmp_path):
    """Two files giving one old address: the first keeps it, the second is warned."""
    write(tmp_path / "notes", "a.md", "---\ntitle: A\naliases: [/x/]\n---\na\n")
    write(tmp_path / "notes", "b.md", "---\ntitle: B\naliases: [/x/]\n---\nb\n")
    report = import_notes([tmp_path / "notes"])
    assert OldAddress.objects.get().note.slug == "a"
    assert [warning.message for warning in report.warnings] == [
        "old address /x is another file's; left to it"
    ]


def test_redirect_follows_a_renamed_note(client, tmp_path):
    """The address points at the note: renamed in the admin, it still answers."""
    write(tmp_path / "notes", "t.md", "---\ntitle: T\ndate: 2024-01-02\naliases: [/old/]\n---\nx\n")
    import_notes([tmp_path / "notes"])
    note = Note.objects.get()
    note.slug = "renamed"
    note.save()
    assert_moved(client, "/old/", note)


@pytest.mark.parametrize("front", ["draft: true", "date: 2999-01-01"], ids=["draft", "future"])
def test_redirect_to_a_private_note_is_404(client, tmp_path, front):
    """An old address of a draft or a future note answers 404, as the note does."""
    write(tmp_path / "notes", "t.md", f"---\ntitle: T\n{front}\naliases: [/old/]\n---\nx\n")
    import_notes([tmp_path / "notes"])
    assert client.get("/old/").status_code == 404


def test_old_address_never_shadows_a_page(client, tmp_path):
    """An old address that is a page of this site (/topics/) still shows the page."""
    write(
        tmp_path / "notes", "t.md", "---\ntitle: T\ndate: 2024-01-02\naliases: [/topics/]\n---\nx\n"
    )
    import_notes([tmp_path / "notes"])
    assert client.get("/topics/").status_code == 200


def test_pages_that_exist_make_no_lookup(client, make_note, django_assert_num_queries):
    """Only a 404 looks for an old address: the home page's queries stay as they were."""
    make_note()
    OldAddress.objects.create(path="/old/", note=make_note(title="B"))
    with django_assert_num_queries(2):  # page count, cards (tests/papers/test_query_counts.py)
        assert client.get("/").status_code == 200


def test_admin_addresses_are_normalized(admin_client, make_note):
    """An address typed in the admin is stored as the middleware looks it up."""
    note = make_note()
    address = OldAddress(path="https://old.blog/2023/05/01/%E6%B3%A8/index.html?x=1", note=note)
    address.full_clean()
    address.save()
    assert old_addresses() == ["/2023/05/01/注"]
    assert admin_client.get("/admin/papers/oldaddress/").status_code == 200


def test_dates_are_read_in_the_blog_time_zone(tmp_path):
    """A Hexo date without an offset is the blog's wall time: its day is the address's, and
    the note is dated in that zone."""
    posts = hexo_blog(tmp_path, extra="")
    write(tmp_path / "blog", "_config.yml", "timezone: America/New_York\n")
    path = posts / "注意力机制.md"
    path.write_text(path.read_text().replace("10:00:00", "23:30:00"), encoding="utf-8")
    import_notes([posts])
    assert old_addresses() == ["/2023/05/01/注意力机制"]
    assert Note.objects.get().published_at.isoformat() == "2023-05-02T03:30:00+00:00"


def test_obsidian_aliases_and_source_urls_are_not_addresses(tmp_path):
    """Obsidian's `aliases` (other names) and a clipped page's `url` (another site) give none."""
    text = "---\naliases: [注意力, Attention]\nurl: https://arxiv.org/abs/1706.03762\n---\nx\n"
    write(tmp_path / "vault", "Transformer.md", text)
    import_notes([tmp_path / "vault"])
    assert old_addresses() == []
