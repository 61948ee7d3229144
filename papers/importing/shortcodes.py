"""Hexo tag plugins (`{% asset_img x.png %}`) and Hugo shortcodes (`{{< figure src=... >}}`),
which Markdown shows as raw text: the image and file ones become images and links to the stored
copies; any other left in prose is a warning, so the author knows where the note differs.

Hexo's image tags read as Hexo reads them: `{% asset_img [class] x.png [width [height]] [title
[alt]] %}` finds `x.png` in the post's asset folder, `{% img [class] /path/x.png ... %}` as any
image reference; a title or alt with spaces is quoted. Hugo's `figure` standing alone on its line
becomes `<figure>` with its title and caption under the image, as Hugo renders it; inside a line
(a table cell) it becomes the image alone.
"""

import re
from functools import partial

from django.utils.html import escape

from .media import IMAGE_SUFFIXES, file_name, is_remote
from .vaults import NOTE_SUFFIX

HEXO_TAG = re.compile(r"(?<!\{)\{%-?\s*(?P<name>\w+)(?P<arguments>(?:[^%]|%(?!\}))*?)\s*-?%\}")
HUGO_SHORTCODE = re.compile(r"\{\{[<%]\s*(?P<name>/?[\w.-]+)(?P<arguments>.*?)\s*[>%]\}\}")
HUGO_PARAMETER = re.compile(
    r"""(?P<key>[\w-]+)\s*=\s*(?:"(?P<double>(?:[^"\\]|\\.)*)"|`(?P<raw>[^`]*)`|(?P<bare>[^\s"`]+))"""
)
# What follows an image in Hexo's tags: `title`, `"title text"`, `"title" "alt"`, `'t' 'a'`.
HEXO_TITLE_AND_ALT = re.compile(
    r"""(?:"(?P<title>[^"]*)"|'(?P<title2>[^']*)'|(?P<title3>.*?))"""
    r"""(?:\s+(?:"(?P<alt>[^"]*)"|'(?P<alt2>[^']*)'))?"""
)
HEXO_IMAGE_TAGS = {"asset_img", "asset_image", "img", "image"}
SHOWN_LENGTH = 60  # of an unknown tag, in its warning
# Boxes on lines of their own, which the renderer shows as callouts of their kind: the NexT and
# Butterfly themes' `{% note danger %}` ... `{% endnote %}` (the first class names the colour),
# and Hugo's `{{% admonition type="tip" title="..." %}}` ... `{{% /admonition %}}` (the DoIt and
# LoveIt themes write `{{< admonition tip "title" >}}`). (start, end) patterns.
BOXES = [
    (
        re.compile(r"[ \t]{0,3}\{%-?\s*note(?:\s+(?P<kind>[\w-]+))?[^%]*-?%\}[ \t]*"),
        re.compile(r"[ \t]{0,3}\{%-?\s*endnote\s*-?%\}[ \t]*"),
    ),
    (
        re.compile(
            r"""[ \t]{0,3}\{\{[<%]\s*admonition\s+(?:type=)?"?(?P<kind>[\w-]+)"?"""
            r"""(?:\s+(?:title=)?"(?P<title>[^"]*)")?[^>%]*[>%]\}\}[ \t]*"""
        ),
        re.compile(r"[ \t]{0,3}\{\{[<%]\s*/admonition\s*[>%]\}\}[ \t]*"),
    ),
]
CALLOUT_KINDS = {
    "note",
    "abstract",
    "info",
    "tip",
    "success",
    "question",
    "warning",
    "failure",
    "danger",
    "bug",
    "example",
    "quote",
}


def rewrite_shortcodes(line, media, warn, left_alone, note_url):
    """Hexo tags and Hugo shortcodes in a prose line, converted or warned about, except those
    that start inside one of the `left_alone` spans ((start, end): code, comments). A whole
    line, not the text between code spans: parameters may hold code (`title="`x`"`).
    `note_url(reference)` is the URL of the imported note a file reference names, or None."""

    def unless_left_alone(convert):
        def replace(match):
            inside = any(start <= match.start() < end for start, end in left_alone)
            return match[0] if inside else convert(match, media, warn)

        return replace

    if "{%" in line:
        line = HEXO_TAG.sub(unless_left_alone(hexo_tag), line)
    if "{{" in line:
        line = HUGO_SHORTCODE.sub(
            unless_left_alone(partial(hugo_shortcode, note_url=note_url)), line
        )
    return line


def boxes_as_callouts(lines):
    """The body's lines ((line, is_prose) pairs) with each box of BOXES made an Obsidian
    callout (`> [!danger] title`, its lines quoted), which the renderer shows as the themes
    showed the box; as many lines as before, so warnings keep their line numbers. A box never
    closed is left as written (and warned about as unknown syntax)."""
    converted, block, end = [], None, None  # block: the open box's lines as written
    for line, is_prose in lines:
        if block is None and is_prose and (box := opening_box(line)):
            block, end = [line], box
        elif block is not None and is_prose and end.fullmatch(line):
            converted += [callout_line(block[0]), *(f"> {inner}".rstrip() for inner in block[1:])]
            converted.append("")
            block = None
        elif block is not None:
            block.append(line)
        else:
            converted.append(line)
    return converted + (block or [])


def opening_box(line):
    """The end pattern of the box `line` opens, or None."""
    return next((end for start, end in BOXES if start.fullmatch(line)), None)


def callout_line(opening):
    start = next(match for start, _ in BOXES if (match := start.fullmatch(opening)))
    kind = (start["kind"] or "").lower()
    title = start.groupdict().get("title") or ""
    return f"> [!{kind if kind in CALLOUT_KINDS else 'note'}] {title}".rstrip()


def hexo_tag(match, media, warn):
    name, arguments = match["name"], match["arguments"].split()
    converted = None
    if name in HEXO_IMAGE_TAGS:
        converted = hexo_image(arguments, media, in_asset_folder=name.startswith("asset"))
    elif name == "asset_link" and arguments:
        converted = hexo_asset_link(arguments, media)
    if converted is not None:
        return converted
    if not name.startswith("end"):  # an unknown block's end: its start was warned about
        warn(f"unknown syntax: {shorten(match[0])}")
    return match[0]


def hexo_image(arguments, media, *, in_asset_folder):
    """`<img>` of the image among `arguments` (after any class names), with the width, height,
    title and alt that follow it; None when no argument names an image."""
    position = next((i for i, word in enumerate(arguments) if is_image_source(word)), None)
    if position is None:
        return None
    source, rest = arguments[position], arguments[position + 1 :]
    sizes = []
    while rest and len(sizes) < 2 and rest[0].isdigit():
        sizes.append(rest.pop(0))
    width, height = [*sizes, None, None][:2]
    parts = HEXO_TITLE_AND_ALT.fullmatch(" ".join(rest))
    title = parts["title"] or parts["title2"] or parts["title3"]
    alt = parts["alt"] or parts["alt2"] or ""
    folders = (media.asset_folder,) if in_asset_folder else None
    return media.image(source, alt=alt, folders=folders, title=title, width=width, height=height)


def is_image_source(word):
    """What Hexo takes for the image: a URL, a site-root path, or a file name of an image."""
    return is_remote(word) or word.startswith("/") or has_image_suffix(word)


def has_image_suffix(word):
    return any(file_name(word).lower().endswith(suffix) for suffix in IMAGE_SUFFIXES)


def hexo_asset_link(arguments, media):
    """`{% asset_link a.pdf [text] [escape] %}`: a link to the stored copy of a post asset."""
    source, rest = arguments[0], arguments[1:]
    if rest and rest[-1] in ("true", "false"):
        rest.pop()
    return media.link(source, " ".join(rest) or source, folders=(media.asset_folder,))


def hugo_shortcode(match, media, warn, note_url):
    name = match["name"]
    if name in ("ref", "relref"):
        return hugo_ref(hugo_arguments(match["arguments"]), note_url)
    if name == "figure":
        parameters = hugo_parameters(match["arguments"])
        if "src" in parameters:
            standalone = not match.string[: match.start()].strip() and not (
                match.string[match.end() :].strip()
            )
            return hugo_figure(parameters, media, standalone=standalone)
    if not name.startswith("/"):  # a closing shortcode: its opening one was warned about
        warn(f"unknown syntax: {shorten(match[0])}")
    return match[0]


def hugo_ref(arguments, note_url):
    """`{{< relref "x.md#小节" >}}` (or `ref`, the page named without `.md`): the URL of that
    note; `#` when it was not imported (note_url has warned), so the link's text still shows."""
    if not arguments:
        return "#"
    reference = arguments[0]
    path, _, fragment = reference.partition("#")
    if not NOTE_SUFFIX.search(path):
        path = f"{path.rstrip('/')}.md"
    return note_url(f"{path}#{fragment}" if fragment else path) or "#"


def hugo_arguments(arguments):
    """A shortcode's positional arguments, unquoted: `"a b" c` gives ["a b", "c"]."""
    return [quoted or bare for quoted, bare in re.findall(r'"([^"]*)"|(\S+)', arguments)]


def hugo_parameters(arguments):
    parameters = {}
    for parameter in HUGO_PARAMETER.finditer(arguments):
        if parameter["double"] is not None:
            value = re.sub(r"\\(.)", r"\1", parameter["double"])
        else:
            value = parameter["raw"] if parameter["raw"] is not None else parameter["bare"]
        parameters[parameter["key"]] = value
    return parameters


def hugo_figure(parameters, media, *, standalone):
    """Hugo's figure: `<figure>` with the image and a caption of its title and caption."""
    caption = parameters.get("caption", "")
    image = media.image(
        parameters["src"],
        alt=parameters.get("alt") or caption,
        width=parameters.get("width"),
        height=parameters.get("height"),
    )
    if not standalone:
        return image
    lines = [escape(text) for text in (parameters.get("title"), caption) if text]
    figcaption = f"<figcaption>{'<br>'.join(lines)}</figcaption>" if lines else ""
    return f"<figure>{image}{figcaption}</figure>"


def shorten(text):
    return text if len(text) <= SHOWN_LENGTH else text[: SHOWN_LENGTH - 3] + "..."
