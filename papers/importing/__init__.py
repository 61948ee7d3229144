"""Import Markdown notes written for Hexo, Hugo, Jekyll or Obsidian.

`import_notes(paths)` reads files and folders (recursively, `*.md` and `*.markdown`) in two
passes. Pass one parses every file and keeps only what links and checks need: each file's slug,
title, aliases and path (`vaults.LinkIndex`, for links between notes, and to catch two files
claiming one slug) and its problems. Pass two parses each file again, rewrites its body (links
to other notes as Obsidian resolves them, notes it embeds, images and files, Hexo tags and Hugo
shortcodes, Obsidian `#tags`) and writes notes in batches of `BATCH_SIZE` with bulk queries, so
memory does not grow with the number of files and queries do not grow with the number of notes.
A `Progress` is told of each file read and each note written (rendering, the slow part, happens
as each note is written).

The whole run is one transaction. A problem in any file (`path:line: message`) rolls it back
unless `skip_invalid`; `dry_run` always rolls back. Images and files are copied into media
storage only once the transaction commits. What imports but will not look as on the old site is
a warning (`report.warnings`, with its `path:line`): a missing image, a Hexo tag or Hugo
shortcode left as text, control characters dropped from a line, an empty file skipped, a copy
of another file skipped, a link to a note that is not imported (`unresolved link`), a bare
link two files of a vault could answer, a heading a link names that is not there.

A note is matched to its row by slug: front matter `slug`, else the last segment of
`permalink` / `url`, else the file name (without a Jekyll date prefix; a Hugo page bundle's
`index.md` takes its folder's name). Of two files of one run claiming a slug, the first (in the
run's order) lands; the second is a problem, or a warning when it is a byte-for-byte copy;
but two files of one Obsidian vault named alike in two folders, neither giving a slug, both
land, the second with its folders' names before its own (`files.vault_slug`); a later run
gives each the slug its note has (Note.source_path), whatever files of that name come. Obsidian's
template folder, `.obsidian/` and `.trash/` are not read. A
matched note whose imported fields all equal the row is left alone, without rendering.

A post's old addresses (its blog's permalink pattern, front matter `permalink`, `url`,
`aliases`) are kept as `OldAddress` rows, which answer 301 to the note (papers.redirects): a
re-import adds new ones and deletes the ones its file no longer gives. Categories give the
note's topic as a path of nested topics (Hexo's `[A, B]`, any tool's `[[A, B]]`), created top
down; a stored topic keeps its place.

A note remembers the file it came from (`Note.source_path`: the path under the folder given,
or the name of a file given itself). A file claiming the slug of another file's note, or of a
note written in the admin, is a problem (it would overwrite that note) unless `replace`, with
which it takes the note over; a file that would change nothing is left alone.

The modules, in the order a file goes through them:

- `files`: finding note files and what their notes remember of them; pass one (slugs and
  titles, empty files, two files claiming one slug);
- `reading` and `frontmatter`: one file's text, front matter and body, every problem with its
  line; `addresses`: which Hexo or Jekyll blog a post belongs to (its `_config.yml`), the
  post's old addresses, and writing them;
- `body`: the body rewritten, line by line outside code (a first heading repeating the title
  dropped, Obsidian `#tags` taken); `vaults`: Obsidian vaults and the links between notes,
  resolved as Obsidian does, with the heading ids of the pages they point into; `embeds`: the
  part of a note that `![[Note#Heading]]` shows, inlined as Markdown at import time;
  `media`: images and files found as each tool finds them, named in storage, the references
  rewritten; `shortcodes`: Hexo tags and Hugo shortcodes;
- `writing`: batches written with bulk queries through papers.writes, the one write path; which
  file a note belongs to;
- `media` again: the files copied once the run has committed;
- `run`: one import at a time, one transaction, pass two in batches;
- `progress`: how far the run is, on a terminal or in a log;
- `problems`: what goes wrong and where, and the report of a run.
"""

from .problems import ImportFailed, ImportReport, Problem
from .progress import Progress
from .run import DEFAULT_WAIT_SECONDS, IMPORT_LOCK, ImportBusy, import_notes

__all__ = [
    "DEFAULT_WAIT_SECONDS",
    "IMPORT_LOCK",
    "ImportBusy",
    "ImportFailed",
    "ImportReport",
    "Problem",
    "Progress",
    "import_notes",
]
