"""The media files notes link to, and those no note links to.

A note links to a stored file by its media URL (settings.MEDIA_URL and the file's name under
MEDIA_ROOT) in its Markdown or raw HTML: imported files live under `notes/<slug>/`, images
uploaded in the editor under `uploads/`.
"""

import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings

IMAGE_SUFFIXES = frozenset({".avif", ".bmp", ".gif", ".jpeg", ".jpg", ".png", ".svg", ".webp"})


def media_reference():
    """A media URL where Markdown or HTML puts one: after `(`, a quote, `=` or a space, not
    inside another site's URL."""
    return re.compile(rf"(?<![\w/.]){re.escape(settings.MEDIA_URL)}(?P<name>[^\s()<>\"'`]+)")


def referenced_names(*texts):
    """The names under MEDIA_ROOT of the files `texts` link to, in order of first mention."""
    pattern = media_reference()
    names = {}
    for text in texts:
        for match in pattern.finditer(text):
            names.setdefault(unquote(urlsplit(match["name"]).path), None)
    return list(names)


def note_media(note):
    """The media files a note's personal summary and body link to."""
    return referenced_names(note.summary, note.body)


def is_image(name):
    return PurePosixPath(name).suffix.lower() in IMAGE_SUFFIXES


def stored_files(root):
    """{name under `root`: modification time} of its regular files. Links are not followed
    (a link could lead out of `root`), and dot files (.gitkeep and the like) are not media."""
    root = Path(root)
    files = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = Path(folder, name)
            if not name.startswith(".") and path.is_file() and not path.is_symlink():
                files[path.relative_to(root).as_posix()] = path.stat().st_mtime
    return files


def unused_media(root, notes, modified_before):
    """Names of the files under `root` that none of `notes` (a Note queryset) links to, sorted.

    Files modified at `modified_before` (a timestamp) or later are left out: an image just
    uploaded into the editor is linked only once its note is saved.
    """
    linked = set()
    for summary, body in notes.values_list("summary", "body").iterator():
        linked.update(referenced_names(summary, body))
    files = stored_files(root)
    return sorted(
        name for name, mtime in files.items() if name not in linked and mtime < modified_before
    )


def delete_media(root, names):
    """Delete the files `names` under `root`, then the folders that leaves empty; never a file
    whose real path is outside `root`. Returns how many files were deleted."""
    root = Path(root).resolve()
    deleted = 0
    for name in names:
        path = root / name
        if path.is_symlink() or not path.resolve().is_relative_to(root) or not path.is_file():
            continue
        path.unlink()
        deleted += 1
        folder = path.parent
        while folder != root and not any(folder.iterdir()):
            folder.rmdir()
            folder = folder.parent
    return deleted
