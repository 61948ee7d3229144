import posixpath

from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def stored_name(path):
    """What the importer would remember for a file imported from its folder: its name, with
    the folder for Hugo's `index.md` (a page bundle, named by its folder)."""
    folder, name = posixpath.split(path.replace("\\", "/"))
    return f"{posixpath.basename(folder)}/{name}" if name == "index.md" and folder else name


def remember_imported_files(apps, schema_editor):
    """Notes imported before notes remembered their file get the file of their latest import
    revision. The revision kept the path as the command line gave it, not relative to the
    folder given, so only the file name can be told: right for the flat folders of Hexo,
    Jekyll and Hugo (`_posts/`, `content/posts/`); a note from a subfolder is refused on its
    next import, naming the file it remembers, until `--replace` gives it to its file."""
    Note = apps.get_model("papers", "Note")
    NoteRevision = apps.get_model("papers", "NoteRevision")
    latest_import = NoteRevision.objects.filter(note=OuterRef("pk"), source="import").order_by(
        "-id"
    )
    notes = (
        Note.objects.annotate(imported_from=Subquery(latest_import.values("detail")[:1]))
        .exclude(imported_from=None)
        .only("pk")
    )
    batch = []
    for note in notes.iterator(chunk_size=500):
        note.source_path = stored_name(note.imported_from)
        batch.append(note)
        if len(batch) == 500:
            Note.objects.bulk_update(batch, ["source_path"])
            batch = []
    Note.objects.bulk_update(batch, ["source_path"])


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0005_noterevision"),
    ]

    operations = [
        migrations.AddField(
            model_name="note",
            name="source_path",
            field=models.TextField(
                blank=True,
                editable=False,
                help_text="导入时的文件:相对于导入的文件夹的路径,或单独导入的文件名;在后台写的笔记为空。",
                verbose_name="导入自",
            ),
        ),
        migrations.RunPython(remember_imported_files, migrations.RunPython.noop),
    ]
