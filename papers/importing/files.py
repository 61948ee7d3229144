"""Finding note files, and pass one: every file's slug and title, for links and checks."""

import filecmp
import os
import posixpath
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from django.utils.text import slugify

from ..models import Note
from .problems import EmptyFile, ImportFailed, InvalidNote, Problem
from .reading import SLUG_LENGTH, read_note
from .vaults import LinkIndex, Vaults, template_folder

NOTE_SUFFIXES = {".md", ".markdown"}
QUERY_CHUNK = 500  # source paths per query: SQLite allows 999 parameters
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

    Returns a Scan: the links, the slugs files get instead of their own (`vault_slug`) and the
    paths pass two leaves out: bad files, empty ones, and files claiming a slug that an earlier
    file of the run claimed (the first one lands).
    """
    links, renamed, left_out = LinkIndex(read_note), {}, set()
    claimed = {}  # slug → path of the first file claiming it
    earlier = EarlierSlugs(files)
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
        first = claimed.get(note.slug)
        in_vault = links.vaults.vault_of(Path(os.path.dirname(os.path.realpath(path)))) is not None
        if in_vault and note.slug_from_file_name and not (first and is_copy(first, path)):
            slug = vault_slug(note, claimed, earlier)
            if slug != note.slug:
                note.slug = renamed[path] = slug
            first = None
        if first:
            second_claim(note, first, report)
            left_out.add(path)
            continue
        claimed[note.slug] = path
        links.add(note)
    return Scan(links, renamed, left_out)


class EarlierSlugs:
    """The slugs of the notes earlier runs imported from this run's files (Note.source_path):
    a vault file that `vault_slug` named by its folders keeps that slug on later runs, whatever
    files of its name come or go. Read when a vault file first asks: a run of blog posts
    never does."""

    def __init__(self, files):
        self.files = files

    @cached_property
    def by_source(self):
        sources = [source for _, source in self.files]
        by_source = {}
        for start in range(0, len(sources), QUERY_CHUNK):
            rows = Note.objects.filter(source_path__in=sources[start : start + QUERY_CHUNK])
            by_source.update(rows.values_list("source_path", "slug"))
        return by_source

    @cached_property
    def owner(self):
        return {slug: source for source, slug in self.by_source.items()}


def vault_slug(note, claimed, earlier):
    """The slug of a vault file named by its file name, as Obsidian lets two folders hold
    `x.md`: the one its note had (its own, or one `distinct_slug` made from it), when no file
    of this run has claimed it; else its own, unless a file of this run claimed it or its note
    has it; else `distinct_slug`."""
    before = earlier.by_source.get(note.source_path) or ""
    if (before == note.slug or before.endswith(f"-{note.slug}")) and before not in claimed:
        return before
    owner = earlier.owner.get(note.slug, note.source_path)
    if note.slug not in claimed and owner == note.source_path:
        return note.slug
    return distinct_slug(note.source_path, claimed.keys() | earlier.owner.keys())


def distinct_slug(source_path, taken):
    """A slug not `taken` for a vault file named like another: its folders' names before its
    own, `nas-x` for `nas/x.md`, then `a-nas-x`..., so that the same tree gives each file the
    same slug on every run; numbered when the folders run out."""
    parts = [part for part in posixpath.splitext(source_path)[0].split("/") if part]
    slug = slugify(parts[-1], allow_unicode=True)
    for start in range(len(parts) - 2, -1, -1):
        slug = slugify("-".join(parts[start:]), allow_unicode=True)[-SLUG_LENGTH:].lstrip("-")
        if slug not in taken:
            return slug
    number = 2
    while f"{slug}-{number}" in taken:
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
