from django.core.management.base import BaseCommand

from papers.exporting import export_notes


class Command(BaseCommand):
    help = "Write every note as Markdown with YAML front matter (Hexo and Hugo read it)."

    def add_arguments(self, parser):
        parser.add_argument("directory", help="folder to write <slug>.md files into")

    def handle(self, *args, directory, verbosity, **options):
        count = export_notes(directory)
        if verbosity:
            self.stdout.write(f"notes exported to {directory}: {count}")
