"""Re-render every note and paper from its Markdown with the current renderer.

A note's HTML, table of contents and excerpt are rendered when it is saved, so notes saved before
an upgrade of papers/rendering.py or papers/dialect.py keep the old renderer's HTML until this
runs. Each batch of notes is one write through papers.writes: search rows follow and readers'
annotations re-anchor to the new plain text, in the batch's transaction; no revision is kept,
since the Markdown did not change, and neither is `updated_at` (readers see it as 更新时间). A run
stopped half-way keeps the batches it finished, and running it again skips them as unchanged.
Run it after every deploy that migrates: it also fills what new columns hold (migration 0009's
excerpts with their formulas, and the formulas' places in the search rows).
"""

from django.core.management.base import BaseCommand

from papers import writes
from papers.models import RENDERED_FIELDS, Note, Paper, SearchDocument

BATCH_SIZE = 200


class Command(BaseCommand):
    help = "Re-render the stored HTML of every note and paper; print how many changed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--batch-size", type=int, default=BATCH_SIZE, help="notes per transaction"
        )

    def handle(self, *args, batch_size, verbosity, **options):
        notes, changed_notes, notices = rerender_notes(batch_size)
        papers, changed_papers = rerender_papers()
        if verbosity:
            self.stdout.write(f"notes: {changed_notes} of {notes} changed")
            self.stdout.write(f"papers: {changed_papers} of {papers} changed")
            for notice in notices:
                self.stdout.write(str(notice))


def rerender_notes(batch_size=BATCH_SIZE):
    """(notes read, notes whose rendered fields changed, notices for the author)."""
    total = changed = 0
    notices = []
    last_pk = 0
    while True:
        with writes.batch() as batch:
            # Locked until the batch commits: an edit meanwhile cannot be overwritten by HTML
            # rendered from the Markdown before it.
            notes = list(
                Note.objects.select_for_update().filter(pk__gt=last_pk).order_by("pk")[:batch_size]
            )
            for note in notes:
                note.render()
            changes = [writes.change_of(note, RENDERED_FIELDS) for note in notes]
            changes = [change for change in changes if change.fields]
            Note.objects.bulk_update([change.note for change in changes], RENDERED_FIELDS)
            notices += batch.record(changes)
            # Rows written before SearchDocument.formulas existed (migration 0009), even of
            # notes whose HTML did not change.
            unindexed = SearchDocument.objects.filter(note__in=notes, formulas__isnull=True)
            batch.relabel(unindexed.values_list("note_id", flat=True))
        if not notes:
            return total, changed, notices
        total += len(notes)
        changed += len(changes)
        last_pk = notes[-1].pk


def rerender_papers():
    """(papers read, papers whose abstract HTML changed); Paper.save() records each change."""
    total = changed = 0
    with writes.batch():
        for paper in Paper.objects.order_by("pk").iterator():
            stored = paper.abstract_html
            paper.render()
            total += 1
            if paper.abstract_html != stored:
                paper.save(update_fields=["abstract_html"])
                changed += 1
    return total, changed
