"""An index on taggit's tagged items by tag and note id as PostgreSQL joins them to notes.

A tag's listing (`Note.objects.filter(tags=tag)`) joins on `object_id::bigint = papers_note.id`:
object_id is an integer, a note's id a bigint. No index of taggit's holds that cast, so for a
common tag PostgreSQL hashed all of its items and sorted the notes to show 12 of them (39 ms a
page of a tag on 33,000 of 100,000 notes). With this one it walks the listing index and asks
for each note whether it has the tag, stopping after the page (0.10 ms); for a rare tag it still
starts from the tag's few items. SQLite compares without a cast and uses taggit's own indexes.
"""

from django.db import migrations

INDEX = "papers_taggeditem_note_idx"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON taggit_taggeditem"
            " (tag_id, content_type_id, ((object_id)::bigint))"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0011_note_visibility_idx"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [migrations.RunPython(create_index, drop_index)]
