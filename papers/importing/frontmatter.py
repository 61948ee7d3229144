"""Front matter as Hexo, Hugo, Jekyll and Obsidian write it: YAML or TOML, read into typed
fields, each problem with the line it is on."""

import re
import tomllib
from dataclasses import dataclass
from datetime import date, datetime, time

import yaml
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.text import slugify
from taggit.models import Tag

from topics.models import Topic

from ..arxiv import parse_arxiv_id, split_version
from ..models import Paper
from .problems import NoteProblem

# Front matter keys, first one present wins, under the names Hexo, Hugo, Jekyll and Obsidian use.
CATEGORY_KEYS = ("categories", "category")
TAG_KEYS = ("tags", "tag")
PAPER_KEYS = ("paper", "arxiv", "arxiv_id", "arxiv_url")
ID_KEYS = PAPER_KEYS[1:]  # the keys that hold nothing but an id
PAPER_ID_KEYS = ("arxiv", "arxiv_id", "id", "url")
TOPIC_LENGTH = Topic._meta.get_field("name").max_length
TAG_LENGTH = Tag._meta.get_field("name").max_length
PAPER_TITLE_LENGTH = Paper._meta.get_field("title").max_length
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f]")
# Jekyll writes `2024-11-25 10:00:00 +0800`: a space before the offset, which ISO 8601 lacks.
SPACED_OFFSET = re.compile(r"^(.*\d)\s+([+-]\d{2}:?\d{2}|Z)$")
TOML_ERROR_LINE = re.compile(r"\s*\(at (?:line (\d+), column \d+|end of document)\)")
# Front matter names each value once; an alias or two is fine, a YAML bomb is not.
MAX_ALIAS_REPEATS = 1000


@dataclass(frozen=True)
class PaperRef:
    arxiv_id: str  # without the version suffix, which is `version`
    version: int | None = None
    title: str = ""
    authors: str = ""
    abstract: str = ""
    published_on: date | None = None


class FrontMatterLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """safe_load, except that numbers and dates stay text: `arxiv: 2401.10020` must keep its
    last zero, and `date: 2024-13-45` must reach parse_date (which says where it is) rather
    than fail inside the YAML constructor."""


FrontMatterLoader.yaml_implicit_resolvers = {
    first: [
        (tag, pattern)
        for tag, pattern in resolvers
        if not tag.endswith((":int", ":float", ":timestamp"))
    ]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


@dataclass
class FrontMatter:
    fields: dict
    lines: list[str]
    first_line: int  # the file's line number of lines[0]

    def first(self, keys):
        """(key, value) of the first of `keys` present and not empty, else (keys[0], None)."""
        for key in keys:
            value = self.fields.get(key)
            if value not in (None, "", []):
                return key, value
        return keys[0], None

    def line_of(self, key):
        """The line where `key` is set, so a problem points at it; else the opening fence."""
        name = re.escape(key)
        # `key: value` (YAML), `key = value` and a table `[key]` (TOML).
        pattern = re.compile(rf"""^\s*(?:["']?{name}["']?\s*[:=]|\[\s*{name}\s*\])""", re.I)
        for offset, line in enumerate(self.lines):
            if pattern.match(line):
                return self.first_line + offset
        return max(self.first_line - 1, 1)


def decode(data):
    """The text of a note file: UTF-8 (with or without BOM), else GB18030 (a superset of GBK).

    Its control characters are left for drop_control_characters to report."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # Binary data and UTF-16 (a NUL beside every ASCII character) are full of control
        # characters, which GB18030 would only garble; a text file has a stray few at most
        # (say one, and one more in every 20 characters).
        if len(CONTROL_CHARACTERS.findall(text)) > 1 + len(text) // 20:
            break
        return text.removeprefix("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    raise NoteProblem(1, "cannot decode as UTF-8 or GB18030")


def drop_control_characters(text):
    """(text, [(line, message)]): the text without control characters, and the lines they were
    on. A stray one (a pasted terminal escape, an editor's backspace) is invisible on the old
    site and would make YAML refuse the file."""
    if not CONTROL_CHARACTERS.search(text):
        return text, []
    dropped = []
    for number, line in enumerate(text.split("\n"), 1):
        if found := CONTROL_CHARACTERS.findall(line):
            names = ", ".join(dict.fromkeys(f"U+{ord(character):04X}" for character in found))
            plural = "s" if "," in names else ""
            dropped.append((number, f"control character{plural} {names} dropped"))
    return CONTROL_CHARACTERS.sub("", text), dropped


def split_front_matter(text):
    """(fence, front matter lines, body, the body's first line number); fence is None without."""
    lines = text.split("\n")
    fence = lines[0].rstrip()
    if fence not in ("---", "+++"):
        return None, [], text, 1
    closers = {fence, "..."} if fence == "---" else {fence}
    for index in range(1, len(lines)):
        if lines[index].rstrip() in closers:
            return fence, lines[1:index], "\n".join(lines[index + 1 :]), index + 2
    raise NoteProblem(1, f"front matter opened with {fence} is never closed")


def load_front_matter(fence, lines):
    if fence is None:
        return FrontMatter({}, [], 1)
    source = "\n".join(lines)
    data = load_yaml(source) if fence == "---" else load_toml(source, len(lines))
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise NoteProblem(2, "front matter is not a list of fields")
    return FrontMatter({str(key).lower(): value for key, value in data.items()}, lines, 2)


def load_yaml(source):
    """The front matter's YAML (it starts on the file's line 2), each problem at its line."""
    loader = FrontMatterLoader(source)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        refuse_alias_bombs(node)
        return loader.construct_document(node)
    except ValueError as error:  # an explicit !!timestamp or !!int that does not parse
        raise NoteProblem(2, f"invalid YAML value: {error}") from None
    except yaml.YAMLError as error:
        raise NoteProblem(*yaml_problem(error)) from None
    finally:
        loader.dispose()


def yaml_problem(error):
    """(line, message) of a YAML error. A scanner or parser that ran out of input (an unclosed
    quote or bracket) marks the problem where the front matter ends; the line that opened what
    broke is its context mark."""
    mark = getattr(error, "problem_mark", None)
    context = getattr(error, "context", None)
    if isinstance(error, yaml.scanner.ScannerError | yaml.parser.ParserError) and context:
        mark = error.context_mark or mark
    problem = getattr(error, "problem", None) or error
    message = f"{context}, {problem}" if context else problem
    return (2 + mark.line if mark else 1), f"invalid YAML: {message}"


def refuse_alias_bombs(root):
    """Refuse YAML whose aliases repeat values more than MAX_ALIAS_REPEATS times.

    Aliases nest: nine lines of nine aliases each ("billion laughs") stand for a billion
    values, which load as shared lists in no time but hang the first `str()` of them; an
    alias inside its own anchor stands for an endless list. Every node is counted each time
    the document reaches it, so the walk stops after a bounded number of steps either way.
    """
    stack, seen, repeats = [root], set(), 0
    while stack:
        node = stack.pop()
        if id(node) in seen:
            repeats += 1
            if repeats > MAX_ALIAS_REPEATS:
                raise NoteProblem(
                    2 + node.start_mark.line,
                    f"YAML aliases repeat values more than {MAX_ALIAS_REPEATS} times; "
                    "write the values out",
                )
        seen.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            stack += node.value
        elif isinstance(node, yaml.MappingNode):
            stack += [part for pair in node.value for part in pair]


def load_toml(source, line_count):
    """The front matter's TOML (it starts on the file's line 2), each problem at its line."""
    try:
        # Floats as text, for the same reason as FrontMatterLoader.
        return tomllib.loads(source, parse_float=str)
    except tomllib.TOMLDecodeError as error:
        found = TOML_ERROR_LINE.search(str(error))
        # Without a line, tomllib means the end of the document: the last line.
        line = 1 + (int(found[1]) if found and found[1] else line_count)
        message = TOML_ERROR_LINE.sub("", str(error))
        raise NoteProblem(line, f"invalid TOML: {message}") from None


def parse_date(value, zone=None):
    """An aware datetime from a date as the four tools write it, or None; naive is in `zone`
    (the blog's time zone), else TIME_ZONE."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time())
    elif isinstance(value, str):
        text = SPACED_OFFSET.sub(r"\1\2", value.strip()).replace("/", "-")
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if timezone.is_aware(moment):
        return moment
    return timezone.make_aware(moment, zone or timezone.get_default_timezone())


def read_date(front, keys, zone=None):
    key, value = front.first(keys)
    if value is None:
        return None
    moment = parse_date(value, zone)
    if moment is None:
        raise NoteProblem(front.line_of(key), f"{key}: cannot read {str(value)!r} as a date")
    return moment


def read_text(front, keys):
    key, value = front.first(keys)
    if value is None:
        return ""
    if isinstance(value, dict | list):
        raise NoteProblem(front.line_of(key), f"{key}: expected text")
    return str(value).strip()


def read_flag(front, key):
    value = front.fields.get(key)
    if value is None or isinstance(value, bool):
        return value
    if str(value).strip().lower() in {"true", "yes", "on", "1"}:
        return True
    if str(value).strip().lower() in {"false", "no", "off", "0"}:
        return False
    raise NoteProblem(front.line_of(key), f"{key}: expected true or false")


def read_categories(front, nests):
    """The category paths the front matter gives, each from the top category down.

    A name, or a list of names where `nests` is false (Jekyll, Hugo), gives a path of one per
    name; a flat list where `nests` is true (Hexo) is one path, `[深度学习, NLP]`; a list of
    lists is a path per list in any tool, `[[A, B], [C]]`."""
    key, value = front.first(CATEGORY_KEYS)
    if value is None:
        return []
    items = value if isinstance(value, list) else [value]
    if nests and not any(isinstance(item, list) for item in items):
        items = [items]
    paths = [category_path(item, front.line_of(key)) for item in items]
    return [path for path in paths if path]


def category_path(item, line):
    names = item if isinstance(item, list) else [item]
    if any(isinstance(name, dict | list) for name in names):
        raise NoteProblem(line, "categories: expected a name or a list of names")
    path = tuple(dict.fromkeys(str(name).strip() for name in names if str(name).strip()))
    for name in path:
        check_name(name, TOPIC_LENGTH, "category", line)
    return path


def check_name(name, length, what, line):
    if len(name) > length:
        raise NoteProblem(line, f"{what} longer than {length} characters: {name[:20]}...")
    if not slugify(name, allow_unicode=True):
        raise NoteProblem(line, f"{what} {name!r} has no letters or digits")


def unique_names(names):
    """Names in order, without repeats that differ only in case (tags ignore case)."""
    seen = {}
    for name in names:
        seen.setdefault(name.casefold(), name)
    return list(seen.values())


def read_tags(front):
    key, value = front.first(TAG_KEYS)
    if value is None:
        return []
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list) or any(isinstance(item, dict | list) for item in items):
        raise NoteProblem(front.line_of(key), f"{key}: expected a list or comma-separated names")
    names = unique_names(str(item).strip().lstrip("#").strip() for item in items)
    for name in filter(None, names):
        check_name(name, TAG_LENGTH, "tag", front.line_of(key))
    return [name for name in names if name]


def read_aliases(front):
    """Obsidian's `aliases` (or `alias`): other names `[[wikilinks]]` may call the note by, a
    list or one name."""
    key, value = front.first(("aliases", "alias"))
    items = [] if value is None else [value] if isinstance(value, str) else value
    if not isinstance(items, list) or any(isinstance(item, dict | list) for item in items):
        raise NoteProblem(front.line_of(key), f"{key}: expected a list of names or one name")
    return [str(item).strip() for item in items if str(item).strip()]


def read_paper(front):
    key, value = front.first(PAPER_KEYS)
    if value is None:
        return None
    details = {}
    if isinstance(value, dict):
        details = {str(name).lower(): item for name, item in value.items()}
        value = next((details[name] for name in PAPER_ID_KEYS if details.get(name)), None)
        if value is None and (top_level := front.first(ID_KEYS))[1] is not None:
            # A `[paper]` table with a title but no id, beside a top-level `arxiv = "..."`:
            # the id is the top-level one, the title and authors the table's.
            key, value = top_level
    line = front.line_of(key)
    if value is None:
        raise NoteProblem(line, f"{key}: no arXiv id (give it as arxiv: ...)")
    try:
        arxiv_id, version = split_version(parse_arxiv_id(value))
    except ValidationError:
        raise NoteProblem(line, f"{key}: not an arXiv id or URL: {value!r}") from None
    authors = details.get("authors") or ""
    published = details.get("published")
    published_at = parse_date(published) if published else None
    if published and published_at is None:
        message = f"published: cannot read {str(published)!r} as a date"
        raise NoteProblem(front.line_of("published"), message)
    title = str(details.get("title") or front.fields.get("paper_title") or "").strip()
    if len(title) > PAPER_TITLE_LENGTH:
        raise NoteProblem(line, f"paper title longer than {PAPER_TITLE_LENGTH} characters")
    return PaperRef(
        arxiv_id=arxiv_id,
        version=version,
        title=title,
        authors=", ".join(map(str, authors)) if isinstance(authors, list) else str(authors),
        abstract=str(details.get("abstract") or "").strip(),
        published_on=timezone.localtime(published_at).date() if published_at else None,
    )
