"""`Note.excerpt_html` and `SearchDocument.formulas`: excerpts and snippets typeset their math.

Both stay empty (null for `formulas`) until `manage.py rerender_notes` runs after the deploy;
until then cards show no excerpt and snippets show formulas as TeX. `formulas` may be null so
that SQLite adds the column with ALTER TABLE and keeps the FTS triggers (see 0003).
"""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("papers", "0008_paper_version")]

    operations = [
        migrations.AddField(
            model_name="note",
            name="excerpt_html",
            field=models.TextField(blank=True, editable=False),
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="formulas",
            field=models.JSONField(
                blank=True,
                help_text="{tier: [[start, end, display], ...]}: the formulas in `summary` and `body`.",
                null=True,
            ),
        ),
    ]
