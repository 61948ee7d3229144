"""`Note.reading_minutes`, filled for the notes already stored from their stored HTML (the same
count a save makes, without rendering the Markdown again)."""

from django.db import migrations, models


def count_reading_minutes(apps, schema_editor):
    from papers.reading import reading_minutes

    Note = apps.get_model("papers", "Note")
    notes = list(Note.objects.only("summary_html", "body_html"))
    for note in notes:
        note.reading_minutes = reading_minutes(note.summary_html, note.body_html)
    Note.objects.bulk_update(notes, ["reading_minutes"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0009_excerpt_html_search_formulas"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="reading_minutes",
            field=models.PositiveIntegerField(
                default=0, editable=False, verbose_name="阅读时间(分钟)"
            ),
        ),
        migrations.RunPython(count_reading_minutes, migrations.RunPython.noop),
    ]
