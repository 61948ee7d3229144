"""A note's images and other local files: found where Hexo, Hugo, Jekyll and Obsidian find
them, named in media storage, the references rewritten to their media URL, and the files
copied into storage once the run has committed.

Where a reference is looked for, first found wins:

- a relative path (`x.png`, `../images/x.png`, `CLIP/image 1.png`, URL-encoded or not):
  beside the note, in its Hexo post asset folder (`_posts/foo.md` keeps its files in
  `_posts/foo/`), at the root of its Obsidian vault, then by file name anywhere in the vault,
  as Obsidian finds `![[x.png]]`;
- a site-root path (`/images/x.png`): in the folder the blog serves `/` from, found by walking
  up from the note to the folder that holds the tool's configuration (`SiteRoots`).

Remote URLs (`https:`, `//`, `data:`) and anchors stay as written, and so do the site's own
media and static URLs when no file of the blog answers them. An image that is not found becomes
a visible placeholder with its alt text or file name (`<span class="missing-image">`, which the
sanitizer allows as it allows any `span` with a class) and a warning; a link to a missing file
becomes its text and a warning. Either way the note imports. Only images and attachments, by
their suffix, are ever copied: media storage is public.
"""

import html
import os
import re
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.core.exceptions import SuspiciousFileOperation
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.html import escape

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp", ".bmp", ".avif"}
# What a link may point at to be copied (`[slides](a.pdf)`, `![[a.pdf]]`): attachments, not the
# old blog's pages (`../other-post/`, `x.html`). Images and these are the only files copied.
FILE_SUFFIXES = {
    ".pdf", ".zip", ".7z", ".gz", ".tgz", ".rar", ".ppt", ".pptx", ".key", ".doc", ".docx",
    ".xls", ".xlsx", ".odt", ".odp", ".ods", ".csv", ".tsv", ".txt", ".ipynb", ".py", ".bib",
    ".tex", ".mp4", ".webm", ".mov", ".mp3", ".m4a", ".wav", ".ogg",
}  # fmt: skip
COPIED_SUFFIXES = IMAGE_SUFFIXES | FILE_SUFFIXES
HUGO_CONFIG_FILES = [
    f"{name}.{suffix}" for name in ("hugo", "config") for suffix in ("toml", "yaml", "yml", "json")
]
HEXO_JEKYLL_CONFIG_FILES = ["_config.yml", "_config.yaml"]

# A link destination as Markdown writes it, `<x y.png>`, or bare, where Typora and Obsidian
# also write spaces (`CLIP/image 1.png`) and file names carry parentheses (`fig (1).png`).
_WORD = r"(?:[^\s()]|\([^\s()]*\))+"
_DESTINATION = rf"<[^<>\n]*>|(?![\"']){_WORD}(?:[ ]+(?![\"']){_WORD})*"
_TITLE = r"""\s+(?:"[^"]*"|'[^']*')"""
MARKDOWN_IMAGE = re.compile(
    rf"!\[(?P<alt>[^\]]*)\]\(\s*(?P<destination>{_DESTINATION})(?P<title>{_TITLE})?\s*\)"
)
# A link, not an image; its text may hold one bracketed part, such as an image.
MARKDOWN_LINK = re.compile(
    r"(?<!!)\[(?P<text>(?:[^\[\]]|\[[^\[\]]*\])*)\]"
    rf"\(\s*(?P<destination>{_DESTINATION})(?P<title>{_TITLE})?\s*\)"
)
HTML_IMAGE = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
# One attribute of a tag, double-, single- or not quoted; `\s` before it, so `data-src` is not
# `src`.
_ATTRIBUTE = (
    r"""(?<=\s){name}\s*=\s*"""
    r"""(?:"(?P<double>[^"]*)"|'(?P<single>[^']*)'|(?P<bare>[^\s"'=<>`]+))"""
)
SRC_ATTRIBUTE = re.compile(_ATTRIBUTE.format(name="src"), re.IGNORECASE)
ALT_ATTRIBUTE = re.compile(_ATTRIBUTE.format(name="alt"), re.IGNORECASE)
IMAGE_SIZE = re.compile(r"(?P<width>\d+)(?:x(?P<height>\d+))?")  # Obsidian's ![[x.png|300]]


def served_folders(folder):
    """The folders where a blog whose root is `folder` keeps what it serves at `/`; () when
    `folder` is no blog's root."""
    if (folder / ".obsidian").is_dir():
        return (folder,)
    if any((folder / name).is_file() for name in HUGO_CONFIG_FILES):
        return (folder / "static",)
    if any((folder / name).is_file() for name in HEXO_JEKYLL_CONFIG_FILES):
        # Hexo serves its source/ folder; Jekyll, which has none, its root.
        source = folder / "source"
        return (source,) if source.is_dir() else (folder,)
    return ()


class SiteRoots:
    """For each folder, the folders its blog serves site-root paths from: those of the nearest
    folder up that holds a Hexo, Jekyll or Hugo configuration or an Obsidian vault. Remembered
    per folder, as a blog's notes share a few folders."""

    def __init__(self):
        self._served_from = {}

    def served_from(self, folder):
        if folder not in self._served_from:
            parent = folder.parent
            self._served_from[folder] = served_folders(folder) or (
                () if parent == folder else self.served_from(parent)
            )
        return self._served_from[folder]


def is_remote(reference):
    """A URL of another site (or `data:`), or an anchor in the page: nothing to copy."""
    parts = urlsplit(reference)
    return bool(parts.scheme or parts.netloc) or reference.startswith("#")


def path_of(reference):
    return unquote(urlsplit(reference).path)


def file_name(reference):
    return PurePosixPath(path_of(reference)).name or reference


def is_file_reference(reference):
    return PurePosixPath(path_of(reference)).suffix.lower() in COPIED_SUFFIXES


def first_file(folders, path):
    """The first folder's file at `path` that is an image or an attachment: a note cannot
    copy a key, a dotfile or what a symlink named `x.png` points at into public media."""
    for folder in folders:
        if folder is None:
            continue
        try:
            found = Path(os.path.realpath(os.path.join(folder, path)))
            if found.suffix.lower() in COPIED_SUFFIXES and found.is_file():
                return found
        except (OSError, ValueError):  # a name the file system refuses (too long, NUL): not there
            pass
    return None


def attribute_value(match):
    """(value, (start, end)) of an attribute matched by SRC_ATTRIBUTE or ALT_ATTRIBUTE."""
    group = next(name for name in ("double", "single", "bare") if match[name] is not None)
    return html.unescape(match[group]), match.span(group)


def missing_image(text):
    """What a reader sees where an image could not be found. Without NUL, which `%00` decodes
    to and PostgreSQL does not store."""
    return f'<span class="missing-image">{escape(text.replace(chr(0), ""))}</span>'


def image_tag(url, alt, **attributes):
    """`<img>` with `src`, `alt` and those of `attributes` that have a value, escaped."""
    pairs = {"src": url, "alt": alt, **attributes}
    return "<img {}>".format(
        " ".join(f'{name}="{escape(value)}"' for name, value in pairs.items() if value)
    )


class NoteMedia:
    """One note's local files: each reference found, named in storage once and rewritten to its
    media URL; what is not found is told to `warn(message)`."""

    def __init__(self, note, vaults, sites, warn, into=None):
        """`into`: the NoteMedia of the note that embeds this one, whose storage it shares."""
        # Strings, not Paths, for the note's own names (reading.file_stem says why).
        path = os.path.realpath(note.path)
        self.slug = into.slug if into else note.slug
        self.vaults = vaults
        self.folder = Path(os.path.dirname(path))
        self.asset_folder = os.path.splitext(path)[0]  # Hexo's post asset folder
        self.vault = vaults.vault_of(self.folder)
        self.served_from = sites.served_from(self.folder)
        self.warn = warn
        self.stored = into.stored if into else {}  # source path → storage name

    def files(self):
        """(source path, storage name) of every file the note uses."""
        return list(self.stored.items())

    # --- references as Markdown and HTML write them -----------------------------------------

    def rewrite(self, text):
        """Markdown images, links to local files and HTML `<img>` tags in a stretch of prose."""
        if "](" in text:
            text = MARKDOWN_IMAGE.sub(self.markdown_image, text)
            text = MARKDOWN_LINK.sub(self.markdown_link, text)
        if "<" in text:
            text = HTML_IMAGE.sub(self.html_image, text)
        return text

    def markdown_image(self, match):
        reference = match["destination"].strip("<>")
        if is_remote(reference):
            return match[0]
        # Obsidian's size after the alt text: ![alt|200](x.png)
        text, bar, last = match["alt"].rpartition("|")
        size = IMAGE_SIZE.fullmatch(last) if bar else None
        alt = text if size else match["alt"]
        url = self.url(reference, "image")
        if url is None:
            return missing_image(alt or file_name(reference))
        if size:
            title = (match["title"] or " ''").strip()[1:-1]
            return image_tag(url, alt, title=title, width=size["width"], height=size["height"])
        return f"![{alt}]({url}{match['title'] or ''})"

    def markdown_link(self, match):
        reference = match["destination"].strip("<>")
        if is_remote(reference) or not is_file_reference(reference):
            return match[0]
        url = self.url(reference, "file")
        if url is None:
            return match["text"]
        return f"[{match['text']}]({url}{match['title'] or ''})"

    def html_image(self, match):
        """The tag as written, but for its `src`, which points at the stored copy."""
        tag = match[0]
        source = SRC_ATTRIBUTE.search(tag)
        if source is None:
            return tag
        reference, (start, end) = attribute_value(source)
        if is_remote(reference):
            return tag
        url = self.url(reference, "image")
        if url is None:
            alt = ALT_ATTRIBUTE.search(tag)
            return missing_image((attribute_value(alt)[0] if alt else "") or file_name(reference))
        return tag[:start] + escape(url) + tag[end:]

    # --- references other syntaxes make (Obsidian, Hexo, Hugo) ------------------------------

    def embed(self, target, label, *, embedded):
        """Obsidian's `![[x.png|200]]`, `![[a.pdf]]` or `[[a.pdf|slides]]`: the stored image
        or a link to the stored file. None when `target` names no file (but a note)."""
        suffix = PurePosixPath(target).suffix.lower()
        if embedded and suffix in IMAGE_SUFFIXES:
            size = IMAGE_SIZE.fullmatch(label)
            alt = PurePosixPath(target).stem if not label or size else label
            url = self.url(target, "image")
            if url is None:
                return missing_image(label if label and not size else PurePosixPath(target).name)
            if size:
                return image_tag(url, alt, width=size["width"], height=size["height"])
            return f"![{alt}]({url})"
        if suffix in COPIED_SUFFIXES:
            return self.link(target, label or PurePosixPath(target).name)
        return None

    def image(self, reference, *, alt="", folders=None, **attributes):
        """`<img>` of the stored copy, or of a remote URL as it is; else the placeholder."""
        url = reference if is_remote(reference) else self.url(reference, "image", folders)
        if url is None:
            return missing_image(alt or attributes.get("title") or file_name(reference))
        return image_tag(url, alt, **attributes)

    def link(self, reference, text, *, folders=None):
        """`[text](url)` to the stored copy of a file; just the text when it is missing."""
        url = reference if is_remote(reference) else self.url(reference, "file", folders)
        return text if url is None else f"[{text}]({url})"

    # --- finding and naming -----------------------------------------------------------------

    def url(self, reference, kind, folders=None):
        """The media URL of the copy of the file `reference` names, or None with a warning
        when it is not there (the site's own media and static URLs answer for themselves)."""
        source = self.find(reference, folders)
        if source is not None:
            return default_storage.url(self.storage_name(source))
        if reference.startswith((settings.MEDIA_URL, settings.STATIC_URL)):
            return reference
        self.warn(f"{kind} not found: {reference}")
        return None

    def find(self, reference, folders=None):
        """The file `reference` names; `folders` are the only places to look, when given."""
        path = path_of(reference)
        if path.startswith("/"):
            return first_file(self.served_from, path.lstrip("/"))
        if folders is not None:
            return first_file(folders, path)
        found = first_file((self.folder, self.asset_folder, self.vault), path)
        if found is None and self.vault:
            by_name = self.vaults.find(self.vault, PurePosixPath(path).name)
            found = by_name and first_file([os.path.dirname(by_name)], os.path.basename(by_name))
        return found

    def storage_name(self, source):
        if source not in self.stored:
            try:
                first = default_storage.generate_filename(f"notes/{self.slug}/{source.name}")
            except SuspiciousFileOperation:  # a name of only signs, such as `@@`
                first = default_storage.generate_filename(f"notes/{self.slug}/file{source.suffix}")
            stem, suffix = os.path.splitext(first)
            name, number, taken = first, 1, set(self.stored.values())
            # Two different files of one name in one note, e.g. a/fig.png and b/fig.png.
            while name in taken:
                number += 1
                name = f"{stem}-{number}{suffix}"
            self.stored[source] = name
        return self.stored[source]


def store_files(files):
    """Copy files into media storage, keeping a stored copy with the same content."""
    for source, name in files:
        data = source.read_bytes()
        if default_storage.exists(name):
            with default_storage.open(name) as stored:
                if stored.read() == data:
                    continue
            default_storage.delete(name)
        default_storage.save(name, ContentFile(data))
