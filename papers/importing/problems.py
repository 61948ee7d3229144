"""What goes wrong in an import, where, and the report of a run."""

from dataclasses import dataclass, field
from datetime import datetime


@dataclass(frozen=True)
class Problem:
    path: str
    line: int | None  # None for a path given on the command line that is not there
    message: str

    def __str__(self):
        where = self.path if self.line is None else f"{self.path}:{self.line}"
        return f"{where}: {self.message}"


class NoteProblem(Exception):
    """One thing wrong at a line of the file being read."""

    def __init__(self, line, message):
        super().__init__(message)
        self.line = line
        self.message = message


class InvalidNote(Exception):
    """Every problem found in one file."""

    def __init__(self, problems):
        super().__init__(problems)
        self.problems = problems


class EmptyFile(Exception):
    """A file with nothing but white space: skipped with a warning, or it would land as a
    public note titled by its file name, first on the home page."""


class ImportFailed(Exception):
    """Raised after rolling back: the run found problems and `skip_invalid` was off."""

    def __init__(self, problems):
        super().__init__("\n".join(map(str, problems)))
        self.problems = problems


@dataclass
class ImportReport:
    dry_run: bool = False
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0  # files left out: with a problem (under skip_invalid), empty, copies
    problems: list[Problem] = field(default_factory=list)
    # What imports but will not look as it did on the old site (control characters dropped,
    # an empty file or a copy left out, a missing image, a link to a note that is not there):
    # the run goes on, the author is told where.
    warnings: list[Problem] = field(default_factory=list)
    # (action, slug, path) of what a dry run would change; a real run keeps only counts, as
    # memory must not grow with the number of files.
    changes: list[tuple[str, str, str]] = field(default_factory=list)
    dated_by_mtime: list[tuple[str, datetime]] = field(default_factory=list)
    papers_created: list[tuple[str, bool]] = field(default_factory=list)  # (arxiv id, titled)
    notices: list = field(default_factory=list)  # papers.writes.Notice: annotations moved
    # Old addresses answering 301 to their notes (papers.redirects) added and deleted.
    addresses_added: int = 0
    addresses_removed: int = 0

    def summary(self):
        return (
            f"created {self.created}, updated {self.updated}, unchanged {self.unchanged}, "
            f"skipped {self.skipped}, errors {len(self.problems)}, warnings {len(self.warnings)}"
        )
