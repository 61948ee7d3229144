"""Obsidian vaults and the links between notes: which file a `[[wikilink]]` or a relative
`[text](other.md)` names, as Obsidian resolves it, and the headings links point into."""

import json
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..rendering import heading_anchors

# Where Obsidian keeps templates when `.obsidian/templates.json` does not say.
TEMPLATE_FOLDERS = ("Templates", "templates", "模板")
NOTE_SUFFIX = re.compile(r"\.(md|markdown)$", re.IGNORECASE)
# Obsidian leaves these out of the heading a link names (`## a: b` is linked as `#a b`).
NOT_IN_HEADING_LINKS = re.compile(r"[#|^:%\[\]\s]+")


class Vaults:
    """Obsidian vaults (folders holding `.obsidian/`) and, per vault, its files by name."""

    def __init__(self):
        self._vault_of = {}
        self._files = {}

    def vault_of(self, folder):
        if folder not in self._vault_of:
            if (folder / ".obsidian").is_dir():
                self._vault_of[folder] = folder
            else:
                parent = folder.parent
                self._vault_of[folder] = None if parent == folder else self.vault_of(parent)
        return self._vault_of[folder]

    def find(self, vault, name):
        """The vault's file called `name`, as Obsidian resolves `![[name]]`; first by path."""
        if vault not in self._files:
            files = {}
            for folder, subfolders, names in os.walk(vault):
                subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
                for file_name in sorted(names):
                    files.setdefault(file_name, os.path.join(folder, file_name))
            self._files[vault] = files
        return self._files[vault].get(name)


def template_folder(vault):
    """The vault's template folder: what `.obsidian/templates.json` names, else the first of
    TEMPLATE_FOLDERS at its root; None when there is none. Templates are not notes."""
    try:
        named = json.loads((vault / ".obsidian" / "templates.json").read_text("utf-8"))["folder"]
    except (OSError, ValueError, KeyError, TypeError):
        named = None
    candidates = [named.strip("/")] if isinstance(named, str) and named.strip("/") else []
    for name in candidates or TEMPLATE_FOLDERS:
        if (vault / name).is_dir():
            return vault / name
    return None


def link_path(path):
    """A path as links write it: `/` between folders, no note suffix."""
    return NOTE_SUFFIX.sub("", path.replace("\\", "/").strip("/"))


def one_copy(text, other):
    """`other` when it equals `text`, else `text`: the index keeps several names of each file,
    often equal (a lowercase name and its casefold, the absolute path and the path given), and
    one string for equal names saves a hundred bytes a file in a run of 10,000."""
    return other if text == other else text


def link_key(path):
    """A path as links name it, case ignored."""
    return link_path(path).casefold()


def heading_key(text):
    return NOT_IN_HEADING_LINKS.sub(" ", text).strip().casefold()


@dataclass(frozen=True, slots=True)
class Target:
    """A note links can reach: its slug, file and path from its vault's root (or from the folder
    imported, outside vaults) as link_path() writes it."""

    slug: str
    file: str
    path: str

    @property
    def key(self):
        return self.path.casefold()

    @property
    def depth(self):
        return self.key.count("/")

    @property
    def folder(self):
        return os.path.dirname(self.file)


@dataclass
class LinkIndex:
    """Where pass one found each note, by file name, title and alias, to resolve links in pass
    two as Obsidian does (case ignored):

    - `[[a/b]]` is the file at that path from the vault's root, else the one path ending so;
    - a bare `[[b]]` is the file named b, of several the one beside the linking note, else the
      shallowest (with a warning); then a note titled or aliased b;
    - `[text](../b.md)` is the file at that path from the linking note, then from the root.
    """

    # reading.read_note, given by the caller: reading needs body, which needs this module.
    read_note: Callable
    vaults: Vaults = field(default_factory=Vaults)
    by_name: dict = field(default_factory=dict)  # file name → (Target, ...)
    by_file: dict = field(default_factory=dict)  # absolute file → Target
    by_title: dict = field(default_factory=dict)  # title or alias → Target
    _headings: dict = field(default_factory=dict)  # file → [({its heading_keys}, id)]

    def add(self, note):
        file = one_copy(os.path.abspath(note.path), note.path)
        vault = self.vaults.vault_of(Path(os.path.dirname(file)))
        path = link_path(os.path.relpath(file, vault) if vault else note.source_path or file)
        target = Target(note.slug, file, path)
        name = one_copy(posixpath.basename(target.key), path)
        # Tuples: most names are one file's, and a tuple of one is half a list's size.
        self.by_name[name] = (*self.by_name.get(name, ()), target)
        self.by_file[file] = target
        for name in (note.title, *note.aliases):
            self.by_title.setdefault(name.strip().casefold(), target)

    def root_of(self, file):
        """The folder a note's path-qualified links start from: its vault, or its own."""
        folder = Path(os.path.dirname(file))
        return self.vaults.vault_of(folder) or folder

    def resolve(self, name, linking_file, warn):
        """The Target `[[name]]` in `linking_file` names, or None."""
        key = link_key(name)
        if key.startswith(("./", "../")):
            return self.by_path(name if NOTE_SUFFIX.search(name) else f"{name}.md", linking_file)
        candidates = [
            target
            for target in self.by_name.get(posixpath.basename(key), ())
            if "/" not in key or target.key == key or target.key.endswith("/" + key)
        ]
        if not candidates:
            return self.by_title.get(name.strip().casefold())
        exact = [target for target in candidates if target.key == key]
        return self.closest(exact or candidates, name, linking_file, warn)

    @staticmethod
    def closest(candidates, name, linking_file, warn):
        if len(candidates) == 1:
            return candidates[0]
        folder = os.path.dirname(os.path.abspath(linking_file))
        beside = [target for target in candidates if target.folder == folder]
        chosen = beside[0] if beside else min(candidates, key=lambda t: (t.depth, t.key))
        if not beside:
            warn(f"ambiguous link: {name} ({len(candidates)} files); linked to {chosen.path}")
        return chosen

    def by_path(self, path, linking_file):
        """The Target of a Markdown link's path, from the linking note's folder, then from the
        root of its vault."""
        for start in (Path(os.path.dirname(linking_file)), self.root_of(linking_file)):
            file = os.path.normpath(os.path.abspath(start / path.lstrip("/")))
            if file in self.by_file:
                return self.by_file[file]
        return None

    def note(self, target):
        """`target`'s file parsed again (for its headings, or to embed it)."""
        return self.read_note(target.file)

    def anchor(self, target, heading):
        """The id of the heading of `target`'s page that `[[…#heading]]` names: the first one of
        that text, after any parent headings named before it (`#Part#Section`); None when the
        page has no such heading."""
        if target.file not in self._headings:
            self._headings[target.file] = [
                ({heading_key(source), heading_key(text)}, id_)
                for source, text, id_ in heading_anchors(self.note(target).body)
            ]
        headings, index = self._headings[target.file], -1
        for part in filter(None, map(heading_key, heading.split("#"))):
            following = range(index + 1, len(headings))
            index = next((i for i in following if part in headings[i][0]), None)
            if index is None:
                return None
        return headings[index][1] if index >= 0 else None
