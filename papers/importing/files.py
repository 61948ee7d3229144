"""Finding note files, and pass one: every file's slug and title, for links and checks."""

import filecmp
import os
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from django.utils.text import slugify

from .problems import EmptyFile, ImportFailed, InvalidNote, Problem
from .reading import SLUG_LENGTH, read_note
from .vaults import LinkIndex, Vaults, template_folder

NOTE_SUFFIXES = {".md", ".markdown"}
# Hugo's section pages list other pages; they are not notes.
SKIPPED_FILE_NAMES = {"_index.md"}


class NoteFile(NamedTuple):
    path: str  # where the run reads it
    # What its note remembers (Note.source_path): the path relative to the folder given on
    # the command line, or the file name of a file given itself, so that the same file is
    # recognised wherever that folder is (another machine, a checkout moved).
    source_path: str


def note_files(paths):
    """Files named on the command line, and Markdown files under folders, sorted per folder.

    Names, not Path objects: a Path costs several times its string, once per file of the run.
    """
    files, missing = {}, []
    for path in map(str, paths):
        if os.path.isfile(path):
            files.setdefault(path, os.path.basename(path))
        elif os.path.isdir(path):
            for found in folder_notes(path):
                files.setdefault(found, os.path.relpath(found, path).replace(os.sep, "/"))
        else:
            missing.append(Problem(path, None, "no such file or folder"))
    if missing:
        raise ImportFailed(missing)
    return [NoteFile(path, source_path) for path, source_path in files.items()]


def folder_notes(root):
    found, vaults = [], Vaults()
    for folder, subfolders, names in os.walk(root):
        # Hidden folders hold tool state (.obsidian, .git, .trash), not notes; nor do Obsidian's
        # templates, which are blanks to fill in.
        vault = vaults.vault_of(Path(folder).resolve())
        templates = vault and template_folder(vault)
        subfolders[:] = sorted(
            d
            for d in subfolders
            if not d.startswith(".") and Path(folder, d).resolve() != templates
        )
        found += [
            os.path.join(folder, name)
            for name in sorted(names)
            if os.path.splitext(name)[1].lower() in NOTE_SUFFIXES and name not in SKIPPED_FILE_NAMES
        ]
    return found


class Scan(NamedTuple):
    links: LinkIndex
    renamed: dict  # path → the slug pass one gave it instead of its own
    left_out: set  # paths pass two leaves out


def scan_files(files, report, progress):
    """Pass one: parse every file for its slug and title.

    Returns a Scan: the links, the slugs files get instead of their own (`distinct_slug`) and
    the paths pass two leaves out: bad files, empty ones, and files claiming a slug that an
    earlier file of the run claimed (the first one lands).
    """
    links, renamed, left_out = LinkIndex(read_note), {}, set()
    claimed = {}  # slug → path of the first file claiming it
    named_in_vault = {}  # slug → the vault of the file named so that claims it
    for path, source_path in files:
        progress.advance()
        try:
            note = read_note(path, source_path)
        except EmptyFile:
            report.warnings.append(Problem(path, 1, "empty file; skipped"))
            left_out.add(path)
            continue
        except InvalidNote as invalid:
            report.problems += invalid.problems
            left_out.add(path)
            continue
        vault = note.slug_from_file_name and links.vaults.vault_of(Path(path).resolve().parent)
        first = claimed.get(note.slug)
        if first and vault and named_in_vault.get(note.slug) == vault and not is_copy(first, path):
            note.slug = renamed[path] = distinct_slug(source_path, claimed)
            first = None
        if first:
            second_claim(note, first, report)
            left_out.add(path)
            continue
        claimed[note.slug] = path
        named_in_vault[note.slug] = vault
        links.add(note)
    return Scan(links, renamed, left_out)


def distinct_slug(source_path, claimed):
    """A slug for a file of a vault named like an earlier file of it (Obsidian lets two folders
    hold `x.md`), when neither gives a slug in its front matter: its folders' names before its
    own, `nas-x` for `nas/x.md`, then `a-nas-x`..., so that the same tree gives each file the
    same slug on every run; numbered when the folders run out."""
    parts = PurePosixPath(source_path).with_suffix("").parts
    slug = slugify(parts[-1], allow_unicode=True)
    for start in range(len(parts) - 2, -1, -1):
        slug = slugify("-".join(parts[start:]), allow_unicode=True)[-SLUG_LENGTH:].lstrip("-")
        if slug not in claimed:
            return slug
    number = 2
    while f"{slug}-{number}" in claimed:
        number += 1
    return f"{slug}-{number}"


def second_claim(note, first, report):
    """A file claiming the slug of an earlier file of the run, which lands: a warning when it
    is a copy of that file (one post kept in two folders), else a problem."""
    if is_copy(first, note.path):
        message = f"a copy of {first}, which claims the same slug {note.slug!r}; skipped"
        report.warnings.append(Problem(note.path, note.slug_line, message))
    else:
        message = f"slug {note.slug!r} is also claimed by {first}"
        report.problems.append(Problem(note.path, note.slug_line, message))


def is_copy(first, second):
    return filecmp.cmp(first, second, shallow=False)
