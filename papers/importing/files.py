"""Finding note files, and pass one: every file's slug and title, for links and checks."""

import os

from .problems import ImportFailed, InvalidNote, Problem
from .reading import read_note
from .vaults import LinkIndex

NOTE_SUFFIXES = {".md", ".markdown"}
# Hugo's section pages list other pages; they are not notes.
SKIPPED_FILE_NAMES = {"_index.md"}


def note_files(paths):
    """Files named on the command line, and Markdown files under folders, sorted per folder.

    Names, not Path objects: a Path costs several times its string, once per file of the run.
    """
    files, missing = [], []
    for path in map(str, paths):
        if os.path.isfile(path):
            files.append(path)
        elif os.path.isdir(path):
            files += folder_notes(path)
        else:
            missing.append(Problem(path, None, "no such file or folder"))
    if missing:
        raise ImportFailed(missing)
    return list(dict.fromkeys(files))


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


def scan_files(files, report):
    """Pass one: parse every file for its slug and title. Returns the links and the bad paths."""
    links, bad_paths = LinkIndex(), set()
    claimed = {}  # slug → (path, line) of the first file claiming it
    for path in files:
        try:
            note = read_note(path)
        except InvalidNote as invalid:
            report.problems += invalid.problems
            bad_paths.add(path)
            continue
        if note.slug in claimed:
            first_path, first_line = claimed[note.slug]
            message = f"slug {note.slug!r} is also claimed by"
            report.problems.append(Problem(note.path, note.slug_line, f"{message} {first_path}"))
            if first_path not in bad_paths:
                report.problems.append(Problem(first_path, first_line, f"{message} {note.path}"))
            bad_paths |= {first_path, note.path}
            continue
        claimed[note.slug] = (note.path, note.slug_line)
        links.add(note)
    links.forget({slug for slug, (path, _) in claimed.items() if path in bad_paths})
    return links, bad_paths
