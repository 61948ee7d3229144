"""Images the admin's editor uploads into a note: checked by decoding, stored by content.

An image is accepted only when Pillow decodes it as PNG, JPEG, GIF or WebP within the size
and dimension limits of the settings (NOTE_IMAGE_MAX_BYTES, NOTE_IMAGE_MAX_PIXELS); its name
says nothing, the bytes decide. It is stored once under `uploads/<hash>.<ext>`, the hash the
first 16 hex digits of its SHA-256, so uploading the same picture twice keeps one file.
"""

import hashlib
from dataclasses import dataclass
from io import BytesIO
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

EXTENSIONS = {"PNG": "png", "JPEG": "jpg", "GIF": "gif", "WEBP": "webp"}
FOLDER = "uploads"


class ImageRefused(Exception):
    """Why an upload is not stored, in words for the author (the editor shows it)."""


@dataclass(frozen=True)
class StoredImage:
    url: str
    markdown: str


def store_image(upload):
    """Check the uploaded file (a Django UploadedFile) and store it; a StoredImage, or
    ImageRefused saying what is wrong with it."""
    limit = settings.NOTE_IMAGE_MAX_BYTES
    if upload.size > limit:
        raise ImageRefused(f"图片太大:{upload.size / 2**20:.1f} MB,上限 {limit / 2**20:.0f} MB。")
    data = upload.read()
    extension = image_extension(data)
    name = f"{FOLDER}/{hashlib.sha256(data).hexdigest()[:16]}.{extension}"
    if not default_storage.exists(name):
        name = default_storage.save(name, ContentFile(data))
    url = default_storage.url(name)
    return StoredImage(url=url, markdown=f"![{image_alt(upload.name)}]({url})")


def image_extension(data):
    """The extension of the image `data` decodes as; ImageRefused when it is no image of the
    accepted types, too large in pixels, or broken."""
    try:
        # Image.open reads only the header: the dimensions are checked before any decoding, so
        # a small file that would unpack to gigabytes (a decompression bomb) is never unpacked.
        with Image.open(BytesIO(data)) as image:
            if image.format not in EXTENSIONS:
                raise ImageRefused(f"不支持的图片格式 {image.format},只收 PNG、JPEG、GIF、WebP。")
            width, height = image.size
            if width * height > settings.NOTE_IMAGE_MAX_PIXELS:
                raise _too_many_pixels(f"{width}×{height}")
            image.load()
            return EXTENSIONS[image.format]
    except UnidentifiedImageError:
        raise ImageRefused("这不是图片(PNG、JPEG、GIF 或 WebP)。") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Pillow's own limit, far above ours: only a header claiming huge dimensions gets here.
        raise _too_many_pixels("超过 Pillow 的解压上限") from None
    except (OSError, SyntaxError, ValueError):
        raise ImageRefused("图片已损坏,无法解码。") from None


def image_alt(filename):
    """The alt text of the inserted Markdown: the file's name without extension and without
    the characters that would end the alt text or the line."""
    stem = PurePath(filename or "").stem
    return "".join(c for c in stem if c not in "[]\\\r\n") or "图片"


def _too_many_pixels(size):
    limit = settings.NOTE_IMAGE_MAX_PIXELS
    return ImageRefused(f"图片尺寸太大({size}),上限 {limit:,} 像素。")
