from django.core.management.base import BaseCommand

from papers.exporting import export_notes


class Command(BaseCommand):
    help = (
        "Write every note as Markdown with YAML front matter (Hexo and Hugo read it), "
        "with the media files it uses in a folder named by its slug."
    )

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder to write <slug>.md files into")

    def handle(self, *args, directory, verbosity, **options):
        exported = export_notes(directory)
        for missing in exported.missing:
            self.stderr.write(f"{missing} (warning)")
        if verbosity:
            self.stdout.write(f"notes exported to {directory}: {exported.notes}")
            if exported.media_files:
                self.stdout.write(f"media files copied beside them: {exported.media_files}")
