"""The admin editor's endpoints (papers.editor) and the checks behind them (papers.uploads)."""

from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from papers.uploads import ImageRefused, image_alt, store_image
from tests.papers.flavours import tiny_png

PREVIEW_URL = reverse("admin:papers_note_preview")
UPLOAD_URL = reverse("admin:papers_note_upload_image")


@pytest.fixture
def writer_client(client, admin_user):
    client.force_login(admin_user)
    return client


def image_bytes(kind, size=(4, 3)):
    buffer = BytesIO()
    Image.new("RGB", size, "teal").save(buffer, kind)
    return buffer.getvalue()


def upload(client, data, name="图.png"):
    return client.post(UPLOAD_URL, {"image": SimpleUploadedFile(name, data)})


def test_preview_renders_the_body_with_math_ready_for_katex(writer_client):
    """Math comes back as the elements static/js/math.js typesets, code highlighted."""
    body = "公式 $a_i$\n\n```python\nx = 1\n```"
    response = writer_client.post(PREVIEW_URL, {"body": body})
    assert response.status_code == 200
    html = response.json()["html"]
    assert '<span class="arithmatex">\\(a_i\\)</span>' in html
    assert '<span class="n">x</span>' in html


def test_preview_marks_top_level_blocks_with_their_source_line(writer_client):
    """Each block is preceded by a marker of its first line, for keeping scroll in step."""
    html = writer_client.post(PREVIEW_URL, {"body": "# 标题\n\n段落\n\n$$\nx\n$$"}).json()["html"]
    assert [line for line in (1, 3, 5) if f'<div data-line="{line}"></div>' in html] == [1, 3, 5]


def test_stored_html_has_no_line_markers(make_note):
    """The markers are for the preview only: what a save stores has none."""
    note = make_note(body="# 标题\n\n段落")
    assert "data-line" not in note.body_html


def test_preview_removes_script(writer_client):
    """The preview is sanitized like a saved note: no script element, no event handler."""
    body = '<script>alert("x")</script>\n\n<img src="a.png" onerror="alert(1)">'
    html = writer_client.post(PREVIEW_URL, {"body": body}).json()["html"]
    assert "<script" not in html
    assert "onerror" not in html


def test_preview_refuses_get(writer_client):
    assert writer_client.get(PREVIEW_URL).status_code == 405


def test_preview_refuses_non_staff(client, django_user_model):
    """A reader's account gets 403 with a reason, not the rendering."""
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    response = client.post(PREVIEW_URL, {"body": "# x"})
    assert response.status_code == 403
    assert "error" in response.json()


def test_preview_refuses_staff_who_may_not_write_notes(staff_client):
    assert staff_client.post(PREVIEW_URL, {"body": "# x"}).status_code == 403


def test_preview_needs_the_csrf_token(client, admin_user):
    client.handler.enforce_csrf_checks = True
    client.force_login(admin_user)
    assert client.post(PREVIEW_URL, {"body": "# x"}).status_code == 403


def test_upload_stores_an_image_under_its_content_hash(writer_client):
    """The answer has the Markdown to insert; the file is named by its content."""
    response = upload(writer_client, tiny_png(), name="注意力.png")
    assert response.status_code == 200
    answer = response.json()
    assert answer["url"].startswith("/media/uploads/")
    assert answer["url"].endswith(".png")
    assert answer["markdown"] == f"![注意力]({answer['url']})"
    name = answer["url"].removeprefix("/media/")
    with default_storage.open(name) as stored:
        assert stored.read() == tiny_png()


def test_same_image_twice_is_one_file(writer_client):
    first = upload(writer_client, tiny_png(7), name="a.png").json()["url"]
    second = upload(writer_client, tiny_png(7), name="b.png").json()["url"]
    assert first == second
    assert default_storage.listdir("uploads")[1] == [first.rsplit("/", 1)[1]]


@pytest.mark.parametrize(("kind", "extension"), [("JPEG", "jpg"), ("GIF", "gif"), ("WEBP", "webp")])
def test_upload_takes_each_accepted_type_by_its_content(writer_client, kind, extension):
    """The extension comes from the decoded type, whatever the file was called."""
    response = upload(writer_client, image_bytes(kind), name="photo.png")
    assert response.json()["url"].endswith(f".{extension}")


def test_upload_refuses_a_non_image(writer_client):
    response = upload(writer_client, b"%PDF-1.4 not a picture", name="paper.png")
    assert response.status_code == 400
    assert response.json()["error"] == "这不是图片(PNG、JPEG、GIF 或 WebP)。"
    assert not default_storage.exists("uploads")


def test_upload_refuses_another_image_format(writer_client):
    response = upload(writer_client, image_bytes("BMP"), name="a.bmp")
    assert response.status_code == 400
    assert "BMP" in response.json()["error"]


def test_upload_refuses_a_broken_image(writer_client):
    response = upload(writer_client, image_bytes("PNG", size=(300, 200))[:-30])
    assert response.status_code == 400
    assert response.json()["error"] == "图片已损坏,无法解码。"


def test_upload_refuses_a_too_large_file(writer_client, settings):
    settings.NOTE_IMAGE_MAX_BYTES = 2**20
    response = upload(writer_client, tiny_png() + bytes(2**20))
    assert response.status_code == 400
    assert response.json()["error"] == "图片太大:1.0 MB,上限 1 MB。"


def test_upload_refuses_too_many_pixels_before_decoding(settings):
    """A small file claiming large dimensions (a decompression bomb) is refused from its
    header."""
    settings.NOTE_IMAGE_MAX_PIXELS = 100
    with pytest.raises(ImageRefused, match="11×10"):
        store_image(SimpleUploadedFile("bomb.png", image_bytes("PNG", size=(11, 10))))


def test_upload_without_a_file_says_so(writer_client):
    response = writer_client.post(UPLOAD_URL, {})
    assert response.status_code == 400
    assert response.json()["error"] == "没有收到图片文件。"


def test_upload_refuses_non_staff(client, django_user_model):
    client.force_login(django_user_model.objects.create_user("reader", password="x"))
    response = upload(client, tiny_png())
    assert response.status_code == 403
    assert not default_storage.exists("uploads")


def test_upload_refuses_anonymous(client):
    assert upload(client, tiny_png()).status_code == 403


def test_alt_text_is_the_file_name_without_brackets():
    assert image_alt("a]b[c.png") == "abc"
    assert image_alt("") == "图片"


def test_change_page_body_carries_the_editor_attributes(writer_client, make_note):
    """The textarea stays the form field; the editor module finds its endpoints on it."""
    note = make_note()
    response = writer_client.get(reverse("admin:papers_note_change", args=[note.pk]))
    assert response.status_code == 200
    assert f'data-draft-key="note-draft:{note.pk}"' in response.content.decode()
    assert f'data-preview-url="{PREVIEW_URL}"' in response.content.decode()
