"""The search rows and, per backend, the index behind them (see papers/search.py).

PostgreSQL: the pg_trgm extension and a GIN trigram index on `document`. SQLite: an FTS5
trigram table over `document`, kept in step by triggers. Then every existing note gets its row.
"""

import sqlite3

import django.db.models.deletion
from django.db import migrations, models

TABLE = "papers_searchdocument"
FTS = "papers_searchdocument_fts"


def sqlite_statements():
    insert = f"INSERT INTO {FTS}(rowid, document) VALUES (new.note_id, new.document);"
    delete = (
        f"INSERT INTO {FTS}({FTS}, rowid, document) VALUES ('delete', old.note_id, old.document);"
    )
    return [
        f"CREATE VIRTUAL TABLE {FTS} USING fts5(document, content='{TABLE}', "
        "content_rowid='note_id', tokenize='trigram case_sensitive 1')",
        f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} BEGIN {insert} END",
        f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} BEGIN {delete} END",
        f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON {TABLE} BEGIN {delete} {insert} END",
    ]


def postgresql_statements():
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX {TABLE}_document_trgm ON {TABLE} USING gin (document gin_trgm_ops)",
    ]


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        if sqlite3.sqlite_version_info < (3, 34):
            raise RuntimeError(
                f"Search needs SQLite 3.34 or later (FTS5 trigram tokenizer); "
                f"this Python uses SQLite {sqlite3.sqlite_version}."
            )
        statements = sqlite_statements()
    elif vendor == "postgresql":
        statements = postgresql_statements()
    else:
        statements = []  # other databases scan `document` without an index
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for action in ("insert", "delete", "update"):
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {FTS}_{action}")
        schema_editor.execute(f"DROP TABLE IF EXISTS {FTS}")
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TABLE}_document_trgm")


def index_existing_notes(apps, schema_editor):
    from papers.search import document_fields

    Note = apps.get_model("papers", "Note")
    SearchDocument = apps.get_model("papers", "SearchDocument")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    tags = {}
    for note_id, name in TaggedItem.objects.filter(
        content_type__app_label="papers", content_type__model="note"
    ).values_list("object_id", "tag__name"):
        tags.setdefault(note_id, []).append(name)
    documents = []
    for note in Note.objects.select_related("topic", "paper"):
        paper = note.paper
        fields = document_fields(
            title=note.title,
            topic=note.topic.name if note.topic else None,
            tags=tags.get(note.pk, []),
            paper=(paper.title, paper.authors, paper.arxiv_id) if paper else None,
            summary_html=note.summary_html,
            body_html=note.body_html,
        )
        documents.append(SearchDocument(note_id=note.pk, **fields))
    SearchDocument.objects.bulk_create(documents, batch_size=500)


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0001_initial"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchDocument",
            fields=[
                (
                    "note",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="search_document",
                        serialize=False,
                        to="papers.note",
                    ),
                ),
                (
                    "heading",
                    models.TextField(
                        blank=True, help_text="Title, paper title, authors, arXiv id."
                    ),
                ),
                ("labels", models.TextField(blank=True, help_text="Topic and tags.")),
                ("summary", models.TextField(blank=True)),
                ("body", models.TextField(blank=True)),
                (
                    "document",
                    models.TextField(
                        blank=True, help_text="All of the above, case-folded: matched."
                    ),
                ),
            ],
            options={
                "ordering": ["note"],
            },
        ),
        migrations.RunPython(create_index, drop_index, elidable=False),
        migrations.RunPython(index_existing_notes, migrations.RunPython.noop),
    ]
