"""The discussion on the note page: order, nesting, anchors, what is hidden, the count."""

from annotations.models import Comment
from papers.models import Note
from tests.annotations.conftest import comment_anchors

State = Comment.State


def test_comments_are_oldest_first_with_replies_nested(client, note, make_comment):
    """Top-level comments oldest first; each reply directly inside its parent."""
    first = make_comment(note, body="一")
    second = make_comment(note, body="二")
    reply = make_comment(note, body="回一", parent=first)
    page = client.get(note.get_absolute_url())
    assert comment_anchors(page) == [
        f"comment-{first.pk}",
        f"comment-{reply.pk}",
        f"comment-{second.pk}",
    ]


def test_each_comment_has_a_permalink(client, note, make_comment):
    """The date links to the comment's own anchor, which get_absolute_url also names."""
    comment = make_comment(note)
    html = client.get(note.get_absolute_url()).content.decode()
    assert f'<a class="comment__date" href="#comment-{comment.pk}"' in html
    assert comment.get_absolute_url() == f"/notes/attention/#comment-{comment.pk}"


def test_section_sits_after_the_note(client, note, make_comment):
    """The discussion comes after the note's article, with its count in the heading."""
    make_comment(note)
    html = client.get(note.get_absolute_url()).content.decode()
    assert html.index('<section class="comments"') > html.index('<nav class="note__siblings"')
    assert '评论 <span class="comments__count" data-comment-count>1</span>' in html


def test_hidden_spam_and_pending_are_not_shown(client, note, make_comment):
    """Only public comments reach other readers; the count agrees."""
    shown = make_comment(note, body="公开的")
    for state in (State.HIDDEN, State.SPAM, State.PENDING):
        make_comment(note, body=f"不可见 {state}", state=state)
    page = client.get(note.get_absolute_url())
    assert comment_anchors(page) == [f"comment-{shown.pk}"]
    assert "不可见" not in page.content.decode()
    assert "data-comment-count>1</span>" in page.content.decode()


def test_hidden_parent_with_replies_is_a_placeholder(client, note, make_comment):
    """A hidden comment that has public replies shows as hidden, its text gone, replies kept."""
    parent = make_comment(note, body="被隐藏的话")
    make_comment(note, body="回复还在", parent=parent)
    Comment.objects.filter(pk=parent.pk).update(state=State.SPAM)
    html = client.get(note.get_absolute_url()).content.decode()
    assert '<p class="comment__gone">此评论已隐藏</p>' in html
    assert "被隐藏的话" not in html
    assert "回复还在" in html


def test_empty_discussion(client, note):
    """No comments: a zero count and the form."""
    html = client.get(note.get_absolute_url()).content.decode()
    assert "data-comment-count>0</span>" in html
    assert '<p class="comments__empty" data-comment-empty>还没有评论。</p>' in html
    assert 'id="comment-form"' in html


def test_anonymous_form_says_comments_are_moderated(client, note):
    """Anonymous readers are told their comment waits, and offered an account."""
    html = client.get(note.get_absolute_url()).content.decode()
    assert "以访客身份评论,审核后显示。" in html
    assert 'href="/accounts/login/?next=/notes/attention/%23comment-form"' in html


def test_staff_preview_of_a_draft_has_no_discussion(client, admin_user, make_note):
    """A draft previewed by staff shows no comment form."""
    draft = make_note(slug="draft", status=Note.Status.DRAFT)
    client.force_login(admin_user)
    html = client.get(draft.get_absolute_url()).content.decode()
    assert 'class="comments"' not in html


def test_account_comments_show_the_current_display_name(client, note, make_comment, reader):
    """A comment by an account shows its display name as it is now."""
    make_comment(note, user=reader)
    reader.profile.display_name = "改名后"
    reader.profile.save()
    assert (
        '<span class="comment__author">改名后</span>'
        in client.get(note.get_absolute_url()).content.decode()
    )


def test_staff_comments_are_marked_as_the_authors(client, note, make_comment, admin_user):
    """The site author's comments carry a 作者 badge, so names cannot impersonate them."""
    make_comment(note, user=admin_user)
    make_comment(note, name="admin")
    html = client.get(note.get_absolute_url()).content.decode()
    assert html.count('<span class="comment__badge">作者</span>') == 1


def test_script_in_a_comment_is_inert_on_the_page(client, note, make_comment):
    """Acceptance 4: <script>, javascript: and onerror in a comment reach the page as text."""
    make_comment(
        note,
        body='<script>alert("x")</script> [a](javascript:alert(1)) <img src=x onerror=alert(1)>',
    )
    html = client.get(note.get_absolute_url()).content.decode()
    body = html.split('<div class="comment__body">')[1].split("</div>")[0]
    assert body == (
        "<p>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; "
        '<a rel="nofollow ugc noopener">a</a> '
        "&lt;img src=x onerror=alert(1)&gt;</p>"
    )
    assert "<script>alert" not in html
    assert "javascript:" not in html


def test_author_name_is_escaped(client, note, make_comment):
    """A name with markup is shown as text."""
    make_comment(note, name='<b onmouseover="x">甲</b>')
    html = client.get(note.get_absolute_url()).content.decode()
    assert "&lt;b onmouseover=&quot;x&quot;&gt;甲&lt;/b&gt;" in html
    assert "<b onmouseover" not in html
