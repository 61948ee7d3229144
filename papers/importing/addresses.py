"""Where each note was on its old site, so that its old addresses answer with a 301 to it
(papers.redirects), and which tool's blog a file belongs to.

A file under `<blog>/source/_posts` is a Hexo post; one under `<blog>/_posts` a Jekyll post.
Either blog's `_config.yml` (in `<blog>`) gives the `permalink` pattern of every post: Hexo's
default is `:year/:month/:day/:title/`, Jekyll's `date` (`/:categories/:year/:month/:day/
:title:output_ext`), and Jekyll's `defaults` may set one for posts. A post's own front matter
overrides the pattern with `permalink` (both tools); `url` and `aliases` are Hugo's page
address and old addresses. Other files (Hugo, Obsidian) have only what their front matter says,
and only paths count: a whole URL is another site's, and an alias not starting at the site root
(`/`) is an Obsidian alias, another name of the note (Hugo's relative aliases are lost).

Days are those of the blog's `timezone`, else of the site's; a post's date without an offset
is read in that zone too (papers.importing.reading), as the tools read it.
"""

import os
import posixpath
import re
import zoneinfo
from dataclasses import dataclass
from datetime import tzinfo
from pathlib import Path
from urllib.parse import urlsplit

import yaml
from django.utils import timezone

from ..models import OldAddress
from ..redirects import normalize_path
from .frontmatter import FrontMatterLoader
from .problems import Problem

HEXO, JEKYLL = "hexo", "jekyll"
DEFAULT_PERMALINKS = {HEXO: ":year/:month/:day/:title/", JEKYLL: "date"}
# Jekyll's named styles (https://jekyllrb.com/docs/permalinks/#built-in-formats).
JEKYLL_STYLES = {
    "date": "/:categories/:year/:month/:day/:title:output_ext",
    "pretty": "/:categories/:year/:month/:day/:title/",
    "ordinal": "/:categories/:year/:y_day/:title:output_ext",
    # Placeholders not filled here (:week, :short_day): no address rather than a wrong one.
    "weekdate": "/:categories/:year/W:week/:short_day/:title:output_ext",
    "none": "/:categories/:title:output_ext",
}
PLACEHOLDER = re.compile(r":([a-z_]+)")
# hexo-util's slugize: runs of these become one `-` (Hexo's :category).
HEXO_SPECIAL = re.compile(r"""[\s~`!@#$%^&*()\-_+=\[\]{}|\\;:"'<>,.?/]+""")
ADDRESS_KEYS = ("permalink", "url", "aliases")


@dataclass(frozen=True)
class Blog:
    """The Hexo or Jekyll blog a post belongs to: its tool, permalink pattern and time zone."""

    tool: str
    posts: Path  # the `_posts` folder
    permalink: str
    zone: tzinfo

    @property
    def nests_categories(self):
        """Hexo reads `categories: [A, B]` as B inside A; Jekyll and Hugo as two labels."""
        return self.tool == HEXO


class Blogs:
    """The blog of each posts folder, its `_config.yml` read once."""

    def __init__(self):
        self._of_folder = {}  # a note's folder → its Blog or None
        self._of_posts_folder = {}

    def of(self, path):
        """The Blog of the note file at `path`, or None when it is no Hexo or Jekyll post."""
        folder = os.path.dirname(os.path.abspath(path))
        if folder not in self._of_folder:
            self._of_folder[folder] = self._of_posts(Path(folder).parts)
        return self._of_folder[folder]

    def _of_posts(self, parts):
        if "_posts" not in parts:
            return None
        posts = Path(*parts[: len(parts) - parts[::-1].index("_posts")])
        if posts not in self._of_posts_folder:
            self._of_posts_folder[posts] = read_blog(posts)
        return self._of_posts_folder[posts]


def read_blog(posts):
    tool = HEXO if posts.parent.name == "source" else JEKYLL
    root = posts.parent.parent if tool == HEXO else posts.parent
    config = read_config(root / "_config.yml")
    permalink = str(config.get("permalink") or post_default(config) or DEFAULT_PERMALINKS[tool])
    if tool == JEKYLL:
        permalink = JEKYLL_STYLES.get(permalink, permalink)
    return Blog(tool, posts, permalink, zone_of(config.get("timezone")))


def read_config(path):
    """The blog's configuration; an unreadable one is as none (the defaults apply)."""
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=FrontMatterLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return config if isinstance(config, dict) else {}


def post_default(config):
    """Jekyll's `defaults:` permalink for posts (themes such as Chirpy set `/posts/:title/`)."""
    for default in config.get("defaults") or []:
        scope = (default or {}).get("scope") or {}
        values = (default or {}).get("values") or {}
        posts = scope.get("type") == "posts" and scope.get("path", "") in ("", "_posts")
        if posts and values.get("permalink"):
            return values["permalink"]
    return None


def zone_of(name):
    """The blog's time zone; Hexo's empty `timezone: ''` means the machine's, here the site's."""
    try:
        return zoneinfo.ZoneInfo(str(name)) if name else timezone.get_default_timezone()
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return timezone.get_default_timezone()


def old_addresses(blog, front, path, file_name, note, category_paths):
    """Every address the note had: the front matter's, else its blog's pattern's."""
    named = front_matter_addresses(front)
    if blog is None or front.fields.get("permalink"):
        return named
    if blog.tool == HEXO:
        # Hexo's :title is the file's path under _posts, without its suffix.
        under_posts = os.path.relpath(os.path.abspath(path), blog.posts)
        title = os.path.splitext(under_posts)[0].replace(os.sep, "/")
        categories = category_paths[0] if category_paths else ()
    else:
        title = file_name
        categories = [name for names in category_paths for name in names]
    address = pattern_address(blog, front, title, note.published_at, categories)
    return [address, *named] if address else named


def front_matter_addresses(front):
    """The addresses the front matter names: `permalink`, `url` and each of `aliases`."""
    found = []
    for key in ADDRESS_KEYS:
        value = front.fields.get(key)
        for item in value if isinstance(value, list) else [value]:
            text = str(item).strip() if isinstance(item, str | int) else ""
            if is_address(text, key):
                found.append(text)
    return found


def is_address(text, key):
    """A path of the old site: not a whole URL (an Obsidian note's `url` is its source's), and
    an alias only from the site root (Obsidian's `aliases` are other names of the note)."""
    parts = urlsplit(text)
    from_root = key != "aliases" or text.startswith("/")
    return bool(text) and not (parts.scheme or parts.netloc) and from_root


def pattern_address(blog, front, file_title, published_at, categories):
    """The post's address under its blog's permalink pattern; None when the pattern has a
    placeholder this importer cannot fill (Hexo's :id, a plugin's)."""
    values = placeholders(blog, front, file_title, timezone.localtime(published_at, blog.zone))
    values["categories"] = "/".join(dict.fromkeys(name.lower() for name in categories))
    values["category"] = hexo_category(categories)
    if any(name not in values for name in PLACEHOLDER.findall(blog.permalink)):
        return None
    address = PLACEHOLDER.sub(lambda found: values[found[1]], blog.permalink)
    return re.sub(r"/{2,}", "/", "/" + address)  # Jekyll drops the slashes of empty parts


def placeholders(blog, front, file_title, moment):
    slug = str(front.fields.get("slug") or "").strip()
    return {
        "year": f"{moment.year:04d}",
        "short_year": f"{moment.year % 100:02d}",
        "month": f"{moment.month:02d}",
        "i_month": str(moment.month),
        "day": f"{moment.day:02d}",
        "i_day": str(moment.day),
        "y_day": f"{moment.timetuple().tm_yday:03d}",
        "hour": f"{moment.hour:02d}",
        "minute": f"{moment.minute:02d}",
        "second": f"{moment.second:02d}",
        "title": slug if blog.tool == JEKYLL and slug else file_title,
        "name": posixpath.basename(file_title),
        "slug": slug or re.sub(r"[^\w]+", "-", file_title).strip("-").lower(),
        "output_ext": ".html",
        # Absent unless given: every post without one would claim the same address.
        **({"abbrlink": str(abbrlink)} if (abbrlink := front.fields.get("abbrlink")) else {}),
    }


def hexo_category(categories):
    """Hexo's :category: the last category's slug, which runs from the top category down."""
    if not categories:
        return "uncategorized"
    return "/".join(HEXO_SPECIAL.sub("-", name).strip("-") for name in categories)


class OldAddresses:
    """Writes each batch's old addresses: a re-import adds the new ones and deletes those its
    files no longer give, so a run repeated changes nothing."""

    def __init__(self, report):
        self.report = report

    def save(self, batch, notes):
        """`notes` maps each parsed note's slug to its stored note."""
        wanted = self.wanted(batch, notes)
        wanted_by = {path: note.pk for path, (note, _) in wanted.items()}
        ids = {note.pk for note in notes.values()}
        owners = self.owners(wanted, ids)
        # A note of the batch loses what its file no longer gives it, even to another file.
        gone = [
            path for path, owner in owners.items() if owner in ids and wanted_by.get(path) != owner
        ]
        OldAddress.objects.filter(path__in=gone).delete()
        new = [path for path in wanted if path in gone or path not in owners]
        OldAddress.objects.bulk_create(OldAddress(path=path, note=wanted[path][0]) for path in new)
        for path, (note, parsed) in wanted.items():
            if path not in new and owners[path] != note.pk:
                self.warn(parsed, f"old address {path} is another note's; left to it")
        self.report.addresses_added += len(new)
        self.report.addresses_removed += len(gone)

    @staticmethod
    def owners(wanted, ids):
        """{path: note id} of the stored addresses the batch wants or its notes have."""
        stored = OldAddress.objects.filter(note_id__in=ids) | OldAddress.objects.filter(
            path__in=wanted
        )
        return dict(stored.values_list("path", "note_id"))

    def wanted(self, batch, notes):
        """{normalized path: (note, parsed)}; of two notes giving one path, the first has it."""
        wanted = {}
        for parsed in batch:
            for path in map(normalize_path, parsed.old_addresses):
                if wanted.setdefault(path, (notes[parsed.slug], parsed))[1] is not parsed:
                    self.warn(parsed, f"old address {path} is another file's; left to it")
        return wanted

    def warn(self, parsed, message):
        self.report.warnings.append(Problem(parsed.path, parsed.slug_line, message))
