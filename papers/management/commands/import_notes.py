import sys
from itertools import groupby

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from papers.importing import (
    DEFAULT_WAIT_SECONDS,
    ImportBusy,
    ImportFailed,
    Progress,
    import_notes,
)


def seconds(value):
    """A number of seconds, 0 or more (argparse reports anything else as a usage error)."""
    number = float(value)
    if not number >= 0:  # also refuses nan
        raise ValueError(value)
    return number


class Command(BaseCommand):
    help = (
        "Import Markdown notes (Hexo, Hugo, Jekyll, Obsidian) from files or folders. "
        "Nothing is written when any file has a problem, unless --skip-invalid."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="Markdown files or folders (recursive)")
        parser.add_argument("--topic", help="topic of notes without a category")
        parser.add_argument(
            "--dry-run", action="store_true", help="report what would change; write nothing"
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="import the good files and list the bad ones",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="let a file take over the note with its slug when that note came from another "
            "file or was written in the admin (else such a file is refused)",
        )
        parser.add_argument(
            "--math-in-code",
            action="store_true",
            help="code spans holding only math (`$x$`, `$$...$$`) are math, as Hugo and "
            "blogdown sites with math-code.js showed them",
        )
        parser.add_argument(
            "--report",
            action="store_true",
            help="dry run that lists, file by file, what will not look as on the old site "
            "(warnings, refused files), then the summary; writes nothing",
        )
        parser.add_argument(
            "--wait",
            type=seconds,
            default=DEFAULT_WAIT_SECONDS,
            metavar="SECONDS",
            help="how long to wait for another import_notes run to finish "
            f"(default {DEFAULT_WAIT_SECONDS})",
        )

    def handle(
        self,
        *args,
        paths,
        topic,
        dry_run,
        skip_invalid,
        replace,
        math_in_code,
        report,
        wait,
        verbosity,
        **options,
    ):
        try:
            result = import_notes(
                paths,
                default_topic=topic,
                # A report looks at every file, as --skip-invalid does, and writes nothing.
                dry_run=dry_run or report,
                skip_invalid=skip_invalid or report,
                replace=replace,
                math_in_code=math_in_code,
                progress=self.progress(verbosity),
                wait=wait,
                on_wait=self.say_waiting if verbosity else lambda: None,
            )
        except ImportFailed as failed:
            files = len({problem.path for problem in failed.problems})
            lines = [
                f"{len(failed.problems)} problem(s) in {files} file(s); nothing written "
                "(--skip-invalid imports the good files)",
                *map(str, failed.problems),
            ]
            raise CommandError("\n".join(lines)) from None
        except (ImportBusy, ValueError) as error:
            raise CommandError(str(error)) from None
        if report:
            self.write_report(result)
            return
        for problem in result.problems:
            self.stderr.write(f"{problem} (skipped)")
        for warning in result.warnings:
            self.stderr.write(f"{warning} (warning)")
        if verbosity:
            self.write_details(result, verbosity)

    @staticmethod
    def progress(verbosity):
        """Progress on stderr: redrawn in place on a terminal, a line every few seconds in a
        log; nothing with -v 0."""
        if verbosity == 0:
            return None
        return Progress(sys.stderr, terminal=sys.stderr.isatty())

    def say_waiting(self):
        self.stderr.write("another import_notes run is writing to this database; waiting for it")

    def write_report(self, report):
        """Every warning and refusal of the run, grouped by file, in line order; the summary."""
        found = [(problem, "refused") for problem in report.problems]
        found += [(warning, "warning") for warning in report.warnings]
        found.sort(key=lambda item: (item[0].path, item[0].line or 0))
        for path, items in groupby(found, key=lambda item: item[0].path):
            self.stdout.write(path)
            for problem, kind in items:
                where = "" if problem.line is None else f"line {problem.line}: "
                self.stdout.write(f"  {where}{problem.message} ({kind})")
        self.stdout.write("dry run, nothing written: " + report.summary())

    def write_details(self, report, verbosity):
        for action, slug, path in report.changes:
            self.stdout.write(f"would be {action}: {slug} ({path})")
        for path, published_at in report.dated_by_mtime:
            when = timezone.localtime(published_at)
            self.stdout.write(
                f"{path}: no date in the file; dated {when:%Y-%m-%d %H:%M}, its mtime"
            )
        for arxiv_id, titled in report.papers_created:
            detail = "" if titled else "; its title is the arXiv id until you edit it in the admin"
            self.stdout.write(f"created paper {arxiv_id}{detail}")
        for notice in report.notices:
            self.stdout.write(f"annotations: {notice}")
        if report.addresses_added or report.addresses_removed:
            self.stdout.write(
                f"old addresses (301 to their notes): {report.addresses_added} added, "
                f"{report.addresses_removed} removed"
            )
        prefix = "dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(prefix + report.summary())
