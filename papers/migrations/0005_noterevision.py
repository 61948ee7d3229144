import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def keep_current_versions(apps, schema_editor):
    """Every note starts its history with a revision of what it holds now."""
    Note = apps.get_model("papers", "Note")
    NoteRevision = apps.get_model("papers", "NoteRevision")
    notes = Note.objects.only("title", "summary", "body", "updated_at").order_by("pk")
    batch = []
    for note in notes.iterator(chunk_size=500):
        batch.append(
            NoteRevision(
                note=note,
                title=note.title,
                summary=note.summary,
                body=note.body,
                source="other",
                detail="升级时已有的版本",
                created_at=note.updated_at,
            )
        )
        if len(batch) == 500:
            NoteRevision.objects.bulk_create(batch)
            batch = []
    NoteRevision.objects.bulk_create(batch)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0004_listing_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="NoteRevision",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("title", models.CharField(max_length=200, verbose_name="标题")),
                ("summary", models.TextField(blank=True, verbose_name="个人总结")),
                ("body", models.TextField(blank=True, verbose_name="正文")),
                (
                    "source",
                    models.CharField(
                        choices=[
                            ("admin", "后台编辑"),
                            ("import", "导入"),
                            ("restore", "恢复"),
                            ("other", "其他"),
                        ],
                        default="other",
                        max_length=10,
                        verbose_name="来源",
                    ),
                ),
                (
                    "detail",
                    models.CharField(
                        blank=True, help_text="如导入的文件。", max_length=300, verbose_name="说明"
                    ),
                ),
                (
                    "created_at",
                    models.DateTimeField(default=django.utils.timezone.now, verbose_name="时间"),
                ),
                (
                    "author",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="note_revisions",
                        to=settings.AUTH_USER_MODEL,
                        verbose_name="修改人",
                    ),
                ),
                (
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="revisions",
                        to="papers.note",
                        verbose_name="笔记",
                    ),
                ),
            ],
            options={
                "verbose_name": "笔记版本",
                "verbose_name_plural": "笔记版本",
                "ordering": ["-id"],
                "indexes": [models.Index(fields=["note", "-id"], name="revision_note_idx")],
            },
        ),
        migrations.RunPython(keep_current_versions, migrations.RunPython.noop),
    ]
