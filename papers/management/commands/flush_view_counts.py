from django.core.management.base import BaseCommand

from papers import viewcounts


class Command(BaseCommand):
    help = (
        "Write the note views counted in Redis to the database (the site also does this by "
        "itself every VIEW_COUNT_FLUSH_SECONDS); run it from cron or before a deploy."
    )

    def handle(self, *args, verbosity, **options):
        viewcounts.push()  # this process's own views (a call from a test or a shell)
        views = viewcounts.flush()
        if verbosity:
            self.stdout.write(f"views written: {views}")
