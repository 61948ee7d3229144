"""Obsidian vaults and the links between notes: where each title and file name was found."""

import os
from dataclasses import dataclass, field
from pathlib import Path


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
                    files.setdefault(file_name, Path(folder) / file_name)
            self._files[vault] = files
        return self._files[vault].get(name)


@dataclass
class LinkIndex:
    """Where pass one found each title and file name, for `[[wikilinks]]`."""

    slug_by_title: dict = field(default_factory=dict)
    slug_by_file_name: dict = field(default_factory=dict)

    def add(self, note):
        self.slug_by_title.setdefault(note.title.casefold(), note.slug)
        self.slug_by_file_name.setdefault(note.link_name.casefold(), note.slug)

    def slug_for(self, target):
        key = target.strip().casefold()
        return self.slug_by_title.get(key) or self.slug_by_file_name.get(key)
