"""`SearchDocument.grams` and its index, so one- and two-character queries are indexed too.

SQLite: a second FTS5 table, over `grams` (trigram tokenizer, `detail=none`), kept in step by
triggers like 0002's table over `document`. Adding the column makes Django copy the row table
into a new one, which drops every trigger on it (removing it may too): 0002's triggers are
dropped before and made again after, both ways, and the FTS5 tables rebuilt from the rows.

PostgreSQL: a GIN index over `string_to_array(grams, E'\\n')` with a small pending list, that
collects no statistics (see papers/search.py).

Then every existing row gets its grams. See papers/search.py for the design.
"""

from django.db import migrations, models

TABLE = "papers_searchdocument"
DOCUMENT_FTS = "papers_searchdocument_fts"
GRAMS_FTS = "papers_searchdocument_grams_fts"
# Must stay the expression papers.search matches with, or PostgreSQL cannot use the index.
GRAMS_ARRAY = "string_to_array(grams, E'\\n')"


def triggers(fts, column):
    """The triggers that keep the external-content FTS5 table `fts` over `column` in step."""
    insert = f"INSERT INTO {fts}(rowid, {column}) VALUES (new.note_id, new.{column});"
    delete = (
        f"INSERT INTO {fts}({fts}, rowid, {column}) VALUES ('delete', old.note_id, old.{column});"
    )
    return [
        f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {TABLE} BEGIN {insert} END",
        f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {TABLE} BEGIN {delete} END",
        f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {TABLE} BEGIN {delete} {insert} END",
    ]


def drop_triggers(fts):
    return [f"DROP TRIGGER IF EXISTS {fts}_{action}" for action in ("insert", "delete", "update")]


def rebuild(fts):
    return f"INSERT INTO {fts}({fts}) VALUES ('rebuild')"


def run_on_sqlite(statements):
    def operation(apps, schema_editor):
        if schema_editor.connection.vendor == "sqlite":
            for statement in statements:
                schema_editor.execute(statement)

    return operation


def fill_grams(apps, schema_editor):
    from papers.search import short_grams

    SearchDocument = apps.get_model("papers", "SearchDocument")
    batch = []
    for document in SearchDocument.objects.only("document").iterator(chunk_size=500):
        document.grams = short_grams(document.document)
        batch.append(document)
        if len(batch) == 500:
            SearchDocument.objects.bulk_update(batch, ["grams"])
            batch = []
    SearchDocument.objects.bulk_update(batch, ["grams"])


def create_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        statements = [
            *triggers(DOCUMENT_FTS, "document"),
            rebuild(DOCUMENT_FTS),
            f"CREATE VIRTUAL TABLE {GRAMS_FTS} USING fts5(grams, content='{TABLE}', "
            "content_rowid='note_id', tokenize='trigram case_sensitive 1', detail='none')",
            *triggers(GRAMS_FTS, "grams"),
            rebuild(GRAMS_FTS),
        ]
    elif vendor == "postgresql":
        statements = [
            f"CREATE INDEX {TABLE}_grams ON {TABLE} USING gin ({GRAMS_ARRAY})"
            " WITH (gin_pending_list_limit = 256)",
            f"ALTER INDEX {TABLE}_grams ALTER COLUMN 1 SET STATISTICS 0",
        ]
    else:
        statements = []  # other databases scan `document` without an index
    for statement in statements:
        schema_editor.execute(statement)


def drop_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        for statement in [*drop_triggers(GRAMS_FTS), f"DROP TABLE IF EXISTS {GRAMS_FTS}"]:
            schema_editor.execute(statement)
    elif vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {TABLE}_grams")


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0002_searchdocument"),
    ]

    operations = [
        # SQLite: 0002's triggers go before the column is added, and come back after it is gone.
        migrations.RunPython(
            run_on_sqlite(drop_triggers(DOCUMENT_FTS)),
            run_on_sqlite(
                [
                    *drop_triggers(DOCUMENT_FTS),
                    *triggers(DOCUMENT_FTS, "document"),
                    rebuild(DOCUMENT_FTS),
                ]
            ),
            elidable=False,
        ),
        migrations.AddField(
            model_name="searchdocument",
            name="grams",
            field=models.TextField(
                blank=True,
                help_text="Distinct 1- and 2-character substrings of `document`, one a line.",
            ),
        ),
        migrations.RunPython(fill_grams, migrations.RunPython.noop),
        migrations.RunPython(create_index, drop_index, elidable=False),
    ]
