"""Obsidian's `![[Note]]`, `![[Note#Heading]]` and `![[Note#^block]]`: the part of another
note a note shows in its own page, cut out of that note's Markdown at import time."""

import re

from .vaults import heading_key

# Embeds inside embeds, as Obsidian shows them, up to this depth; deeper ones become links.
MAX_DEPTH = 3
ATX_HEADING = re.compile(
    r"^[ \t]{0,3}(?P<level>#{1,6})(?:[ \t]+(?P<text>.*?))?(?:[ \t]+#+)?[ \t]*$"
)


def section(lines, heading):
    """(first, end) of the lines from the heading `heading` names (its last `#` part) to the
    next heading of the same or a higher level; None when there is none. `lines` are (index,
    line, is_prose) as body.prose_lines gives them."""
    wanted = heading_key(heading.rsplit("#", 1)[-1])
    first = level = None
    for index, line, is_prose in lines:
        found = ATX_HEADING.match(line) if is_prose else None
        if found is None:
            continue
        if first is not None and len(found["level"]) <= level:
            return first, index
        if first is None and heading_key(found["text"] or "") == wanted:
            first, level = index, len(found["level"])
    return None if first is None else (first, None)


def block(lines, block_id):
    """(first, end) of the paragraph or list item that ends with ` ^block_id`; None if none."""
    texts = [line for _, line, _ in lines]
    marker = re.compile(rf"[ \t]\^{re.escape(block_id)}[ \t]*$")
    for index, line in enumerate(texts):
        if marker.search(line):
            first = index
            while first > 0 and texts[first - 1].strip():
                first -= 1
            return first, index + 1
    return None


def embed_block(markdown, source_link):
    """What a reader sees of an embedded note: its Markdown in a `div.embed`, then where it
    comes from. Blank lines around the Markdown let it be Markdown inside the HTML block."""
    return ['<div class="embed">', "", markdown, "", f"来自 {source_link}", "", "</div>"]
