import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from papers.importing import DEFAULT_WAIT_SECONDS, ImportBusy, ImportFailed, import_notes


class ProgressBar:
    """`[#####-----]  50% 5000/10000` on stderr, redrawn in place when the percentage moves."""

    WIDTH = 30

    def __init__(self, stream):
        self.stream = stream
        self.percent = None

    def __call__(self, done, total):
        percent = 100 * done // total
        if percent == self.percent:
            return
        self.percent = percent
        filled = self.WIDTH * done // total
        bar = "#" * filled + "-" * (self.WIDTH - filled)
        self.stream.write(f"\r[{bar}] {percent:3d}% {done}/{total}")
        if done == total:
            self.stream.write("\n")
        self.stream.flush()


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
            "--wait",
            type=seconds,
            default=DEFAULT_WAIT_SECONDS,
            metavar="SECONDS",
            help="how long to wait for another import_notes run to finish "
            f"(default {DEFAULT_WAIT_SECONDS})",
        )

    def handle(self, *args, paths, topic, dry_run, skip_invalid, wait, verbosity, **options):
        # The bar is for people watching a terminal; logs and pipes get the summary only.
        show_bar = verbosity > 0 and sys.stderr.isatty()
        try:
            report = import_notes(
                paths,
                default_topic=topic,
                dry_run=dry_run,
                skip_invalid=skip_invalid,
                progress=ProgressBar(sys.stderr) if show_bar else None,
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
        for problem in report.problems:
            self.stderr.write(f"{problem} (skipped)")
        for warning in report.warnings:
            self.stderr.write(f"{warning} (warning)")
        if verbosity:
            self.write_details(report, verbosity)

    def say_waiting(self):
        self.stderr.write("another import_notes run is writing to this database; waiting for it")

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
        prefix = "dry run, nothing written: " if report.dry_run else ""
        self.stdout.write(prefix + report.summary())
