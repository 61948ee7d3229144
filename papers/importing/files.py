"""Finding note files, and pass one: every file's slug and title, for links and checks."""

import filecmp
import os
from typing import NamedTuple

from .problems import EmptyFile, ImportFailed, InvalidNote, Problem
from .reading import read_note
from .vaults import LinkIndex

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
    found = []
    for folder, subfolders, names in os.walk(root):
        # Hidden folders hold tool state (.obsidian, .git, .trash), not notes.
        subfolders[:] = sorted(d for d in subfolders if not d.startswith("."))
        found += [
            os.path.join(folder, name)
            for name in sorted(names)
            if os.path.splitext(name)[1].lower() in NOTE_SUFFIXES and name not in SKIPPED_FILE_NAMES
        ]
    return found


def scan_files(files, report, progress):
    """Pass one: parse every file for its slug and title.

    Returns the links and the paths pass two leaves out: bad files, empty ones, and files
    claiming a slug that an earlier file of the run claimed (the first one lands).
    """
    links, left_out = LinkIndex(), set()
    claimed = {}  # slug → path of the first file claiming it
    for path, _ in files:
        progress.advance()
        try:
            note = read_note(path)
        except EmptyFile:
            report.warnings.append(Problem(path, 1, "empty file; skipped"))
            left_out.add(path)
            continue
        except InvalidNote as invalid:
            report.problems += invalid.problems
            left_out.add(path)
            continue
        first = claimed.setdefault(note.slug, path)
        if first != path:
            second_claim(note, first, report)
            left_out.add(path)
            continue
        links.add(note)
    return links, left_out


def second_claim(note, first, report):
    """A file claiming the slug of an earlier file of the run, which lands: a warning when it
    is a copy of that file (one post kept in two folders), else a problem."""
    if filecmp.cmp(first, note.path, shallow=False):
        message = f"a copy of {first}, which claims the same slug {note.slug!r}; skipped"
        report.warnings.append(Problem(note.path, note.slug_line, message))
    else:
        message = f"slug {note.slug!r} is also claimed by {first}"
        report.problems.append(Problem(note.path, note.slug_line, message))
