"""`Paper.version`, and one paper per arXiv id whatever its version suffix.

Papers stored as `1706.03762` and `1706.03762v7` become one: the oldest row stays (its address
and admin history), its id loses the suffix, its version is the highest any of them had, its
empty fields are filled from the others, and the others' notes move to it before they are
deleted. The search rows of the notes of every paper whose id changed are written again, since
their heading shows the paper's id, title and authors.
"""

from collections import defaultdict

from django.db import migrations, models

import papers.models

# Taken together from another row when the kept one lacks the first.
FILLED_FIELDS = [("authors",), ("abstract", "abstract_html"), ("published_on",)]


def merge_versions(apps, schema_editor):
    from papers.arxiv import split_version

    Paper = apps.get_model("papers", "Paper")
    Note = apps.get_model("papers", "Note")
    seen = defaultdict(list)  # base id: [(version, paper)], oldest paper first
    for paper in Paper.objects.order_by("pk"):
        base, version = split_version(paper.arxiv_id)
        seen[base].append((version, paper))
    changed = []
    for base, rows in seen.items():
        (_, kept), *rest = rows
        if not rest and kept.arxiv_id == base:
            continue
        others = [paper for _, paper in rest]
        fill_from(kept, others)
        Note.objects.filter(paper__in=others).update(paper=kept)
        Paper.objects.filter(pk__in=[paper.pk for paper in others]).delete()
        kept.arxiv_id = base
        kept.version = max((version for version, _ in rows if version), default=None)
        kept.save()
        changed.append(kept.pk)
    reindex_notes_of(apps, changed)


def fill_from(kept, others):
    """Fill what `kept` lacks from `others`; a title that is only the id counts as none."""
    for fields in FILLED_FIELDS:
        source = next((paper for paper in others if getattr(paper, fields[0])), None)
        if source and not getattr(kept, fields[0]):
            for field in fields:
                setattr(kept, field, getattr(source, field))
    if kept.title == kept.arxiv_id:
        kept.title = next(
            (paper.title for paper in others if paper.title != paper.arxiv_id), kept.title
        )


def reindex_notes_of(apps, paper_ids):
    from papers.search import document_fields, short_grams

    Note = apps.get_model("papers", "Note")
    SearchDocument = apps.get_model("papers", "SearchDocument")
    TaggedItem = apps.get_model("taggit", "TaggedItem")
    notes = Note.objects.filter(paper__in=paper_ids).select_related("topic", "paper")
    tags = defaultdict(list)
    for note_id, name in TaggedItem.objects.filter(
        content_type__app_label="papers",
        content_type__model="note",
        object_id__in=[note.pk for note in notes],
    ).values_list("object_id", "tag__name"):
        tags[note_id].append(name)
    for note in notes:
        paper = note.paper
        fields = document_fields(
            title=note.title,
            topic=note.topic.name if note.topic else None,
            tags=tags[note.pk],
            paper=(paper.title, paper.authors, paper.arxiv_id),
            summary_html=note.summary_html,
            body_html=note.body_html,
        )
        grams = short_grams(fields["document"])
        SearchDocument.objects.update_or_create(
            note_id=note.pk, defaults={**fields, "grams": grams}
        )


class Migration(migrations.Migration):
    dependencies = [
        ("papers", "0007_oldaddress"),
        ("taggit", "0006_rename_taggeditem_content_type_object_id_taggit_tagg_content_8fc721_idx"),
    ]

    operations = [
        migrations.AddField(
            model_name="paper",
            name="version",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text="arXiv 版本号,v2 即 2;留空表示未注明。",
                null=True,
                verbose_name="版本",
            ),
        ),
        migrations.AlterField(
            model_name="paper",
            name="arxiv_id",
            field=papers.models.ArxivIdField(
                help_text="如 2308.02223,也可粘贴摘要页或 PDF 链接;带版本号(如 2308.02223v2)时版本另存。",
                max_length=40,
                unique=True,
                error_messages={"unique": "已有这篇论文(同一 arXiv 编号,不论版本)。"},
                verbose_name="arXiv 编号",
            ),
        ),
        migrations.RunPython(merge_versions, migrations.RunPython.noop),
    ]
