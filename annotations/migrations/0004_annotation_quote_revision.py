import django.db.models.deletion
from django.db import migrations, models
from django.db.models import F, OuterRef, Subquery


def quote_what_readers_chose(apps, schema_editor):
    """Existing annotations: the words they anchor to now, on the note's current revision."""
    Annotation = apps.get_model("annotations", "Annotation")
    NoteRevision = apps.get_model("papers", "NoteRevision")
    latest = NoteRevision.objects.filter(note=OuterRef("note")).order_by("-id").values("pk")[:1]
    Annotation.objects.update(quote=F("exact"), revision=Subquery(latest))


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0003_move_profile_to_accounts"),
        ("papers", "0005_noterevision"),
    ]

    operations = [
        migrations.AddField(
            model_name="annotation",
            name="quote",
            field=models.TextField(
                default="",
                help_text="批注时选中的文字,之后不会改变。",
                verbose_name="读者选中的原文",
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="annotation",
            name="revision",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="annotations",
                to="papers.noterevision",
                verbose_name="批注时的版本",
            ),
        ),
        migrations.AlterField(
            model_name="annotation",
            name="exact",
            field=models.TextField(verbose_name="现在的原文"),
        ),
        migrations.RunPython(quote_what_readers_chose, migrations.RunPython.noop),
    ]
