import time

from django.conf import settings
from django.core.management.base import BaseCommand

from papers import media
from papers.models import Note


class Command(BaseCommand):
    help = (
        "List the media files no note links to (in its personal summary or body, drafts too); "
        "--delete deletes them. Only files under MEDIA_ROOT are looked at."
    )

    def add_arguments(self, parser):
        parser.add_argument("--delete", action="store_true", help="delete the files listed")
        parser.add_argument(
            "--min-age-hours",
            type=float,
            default=24,
            help="leave out files changed more recently (an upload whose note is not saved yet)",
        )

    def handle(self, *args, delete, min_age_hours, **options):
        root = settings.MEDIA_ROOT
        modified_before = time.time() - min_age_hours * 3600
        names = media.unused_media(root, Note.objects.all(), modified_before)
        for name in names:
            self.stdout.write(name)
        if delete:
            deleted = media.delete_media(root, names)
            self.stderr.write(f"已删除 {deleted} 个没有笔记引用的文件。")
        else:
            self.stderr.write(f"{len(names)} 个文件没有笔记引用;加 --delete 删除它们。")
