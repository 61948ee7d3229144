import contextlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.db.models.functions import Lower, TruncDate
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from taggit.managers import TaggableManager
from taggit.models import TaggedItem

from topics.models import Topic

from . import arxiv, math_text
from .dialect import MATH_CLASS
from .reading import reading_minutes
from .rendering import render_markdown


class ArxivIdField(models.CharField):
    """Stores a bare arXiv id; accepts `arXiv:` prefixes and pasted abs / PDF URLs (cleaning
    keeps a version suffix, which Paper then stores apart)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("max_length", 40)
        super().__init__(*args, **kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        return arxiv.parse_arxiv_id(value) if value else value

    def get_prep_value(self, value):
        # CharField would run to_python here, so looking up a malformed id would raise instead
        # of finding nothing.
        value = models.Field.get_prep_value(self, value)
        return value if value is None else str(value)


def published_filter(prefix=""):
    """The one rule for what readers may see, as a Q; `prefix` reaches notes across a relation."""
    return Q(
        **{f"{prefix}status": Note.Status.PUBLISHED, f"{prefix}published_at__lte": timezone.now()}
    )


def count_published_notes():
    """Annotation for topics and papers: how many of their notes readers may see."""
    return Count("notes", filter=published_filter("notes__"))


class PaperQuerySet(models.QuerySet):
    def with_published_notes(self):
        return self.annotate(note_count=count_published_notes()).filter(note_count__gt=0)


class Paper(models.Model):
    # Without the version suffix: one paper whatever the version, one address /papers/<id>/.
    arxiv_id = ArxivIdField(
        "arXiv 编号",
        unique=True,
        error_messages={"unique": "已有这篇论文(同一 arXiv 编号,不论版本)。"},
        help_text="如 2308.02223,也可粘贴摘要页或 PDF 链接;带版本号(如 2308.02223v2)时版本另存。",
    )
    version = models.PositiveSmallIntegerField(
        "版本", null=True, blank=True, help_text="arXiv 版本号,v2 即 2;留空表示未注明。"
    )
    title = models.CharField("标题", max_length=300)
    authors = models.TextField("作者", blank=True, help_text="用逗号或换行分隔,与 arXiv 页面一致。")
    abstract = models.TextField("摘要", blank=True, help_text="Markdown,可含公式。")
    abstract_html = models.TextField(editable=False, blank=True)
    published_on = models.DateField("发表日期", null=True, blank=True)

    objects = PaperQuerySet.as_manager()

    class Meta:
        ordering = ["-published_on", "-arxiv_id"]
        verbose_name = "论文"
        verbose_name_plural = "论文"

    def __str__(self):
        return f"{self.title} (arXiv:{self.versioned_id})"

    def save(self, *args, **kwargs):
        from . import writes  # writes imports this module

        self.set_arxiv_id(self.arxiv_id)
        self.render()
        with writes.batch() as batch:
            created = self._state.adding
            super().save(*args, **kwargs)
            # Its notes show its title, authors and id: their search rows and pages change.
            batch.relabel([] if created else self.notes.values_list("pk", flat=True))

    def get_absolute_url(self):
        return reverse("papers:paper", kwargs={"arxiv_id": self.arxiv_id})

    def clean(self):
        # Before the unique check, which must compare ids without their versions.
        with contextlib.suppress(ValidationError):  # clean_fields reports it on arxiv_id
            self.set_arxiv_id(self.arxiv_id)

    def set_arxiv_id(self, value):
        """Store the id in `value` without its version; a version suffix sets `version`."""
        self.arxiv_id, version = arxiv.split_version(arxiv.parse_arxiv_id(value))
        self.version = version or self.version

    def render(self):
        """Fill the stored abstract HTML from its Markdown (bulk writers call this themselves)."""
        self.abstract_html = render_markdown(self.abstract).html

    @property
    def versioned_id(self):
        """The id as the card shows and links it: the version the notes were written on."""
        return arxiv.with_version(self.arxiv_id, self.version)

    @property
    def abs_url(self):
        return arxiv.abs_url(self.versioned_id)

    @property
    def pdf_url(self):
        return arxiv.pdf_url(self.versioned_id)

    @property
    def author_list(self):
        return arxiv.split_authors(self.authors)

    @property
    def bibtex(self):
        year = self.published_on.year if self.published_on else None
        return arxiv.bibtex(self.versioned_id, self.title, self.authors, year)


# How many of the latest links from other notes to a note's tags are looked at for its related
# notes (a note sharing two tags has two links; drafts have theirs too).
RELATED_CANDIDATES = 200


class NoteQuerySet(models.QuerySet):
    def published(self):
        """Notes any reader may see: published, and not dated in the future."""
        return self.filter(published_filter())

    def scheduled(self):
        """Published notes dated in the future: readers see them from `published_at` on."""
        return self.filter(status=Note.Status.PUBLISHED, published_at__gt=timezone.now())

    def cards(self):
        """What a listing card shows, in one query: no Markdown sources or rendered bodies."""
        return self.select_related("topic", "paper").defer(
            "summary",
            "summary_html",
            "body",
            "body_html",
            "toc_html",
            "paper__abstract",
            "paper__abstract_html",
        )

    # A range on published_at that leaves out the notes of the same time on the other side of
    # `note`, rather than (earlier OR same time AND smaller id): the index walks a range from
    # `note` and stops at the first row, where the OR made PostgreSQL read every older note.
    def before(self, note):
        """Notes listed after `note` (older), nearest first."""
        same_time_after = Q(published_at=note.published_at, id__gte=note.id)
        return self.filter(published_at__lte=note.published_at).exclude(same_time_after)

    def after(self, note):
        """Notes listed before `note` (newer), nearest first."""
        same_time_before = Q(published_at=note.published_at, id__lte=note.id)
        later = self.filter(published_at__gte=note.published_at).exclude(same_time_before)
        return later.reverse()

    def related_to(self, note, limit=5):
        """Up to `limit` published notes that share `note`'s paper or any of its tags, as a list:
        same paper first (newest first), then most tags shared, then newest. Two queries, also
        when `note` has neither (the page's count stays fixed); `note.tags.all()` gives its
        tags, so prefetch them.

        Only the notes among the RELATED_CANDIDATES latest links to its tags are ranked:
        ranking every note that shares a common tag grouped tens of thousands of rows (1 s a
        note page at 100,000 notes in scripts/bench_load.py; 1 ms now). The paper's notes are a
        query of their own: one OR-ed with the candidates made PostgreSQL read every note.
        """
        others = self.published().exclude(pk=note.pk).only("title", "slug", "published_at")
        # pk=None matches nothing but still runs the query, as the page's count expects.
        same_paper = (
            others.filter(paper_id=note.paper_id) if note.paper_id else others.filter(pk=None)
        )
        same_paper = list(same_paper.order_by("-published_at", "-id")[:limit])
        tag_ids = [tag.pk for tag in note.tags.all()]
        if tag_ids:
            shared = TaggedItem.objects.filter(
                tag_id__in=tag_ids, content_type__app_label="papers", content_type__model="note"
            )
            # The latest written first, by the tagged items' own index.
            sharing = (
                shared.exclude(object_id=note.pk)
                .order_by("-object_id")
                .values("object_id")[:RELATED_CANDIDATES]
            )
            # Counted per candidate through the object_id index: a join of the tags instead
            # compares object_id cast to the note's bigint id and reads every tagged item.
            shared_tags = Subquery(
                shared.filter(object_id=OuterRef("pk"))
                .order_by()
                .values("object_id")
                .annotate(count=Count("pk"))
                .values("count")
            )
            by_tags = others.filter(pk__in=sharing).annotate(shared_tags=shared_tags)
        else:
            by_tags = others.filter(pk=None)
        if note.paper_id:
            by_tags = by_tags.exclude(paper_id=note.paper_id)
        by_tags = by_tags.order_by(*(["-shared_tags"] if tag_ids else []), "-published_at", "-id")
        return (same_paper + list(by_tags[:limit]))[:limit]

    def day_counts(self):
        """(day, count) pairs, oldest day first, the days in the current time zone."""
        return (
            self.annotate(day=TruncDate("published_at"))
            .values_list("day")
            .annotate(count=Count("id"))
            .order_by("day")
        )

    def tag_counts(self):
        """(tag_name, tag_slug, count) rows of the tags these notes carry, by name: one query."""
        return (
            self.filter(tags__isnull=False)
            .values(tag_name=F("tags__name"), tag_slug=F("tags__slug"))
            .annotate(count=Count("id"))
            .order_by(Lower("tags__name"))
        )


class Note(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PUBLISHED = "published", "已发布"

    title = models.CharField("标题", max_length=200)
    slug = models.SlugField("网址名", max_length=200, unique=True, allow_unicode=True)
    topic = models.ForeignKey(
        Topic,
        verbose_name="主题",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    tags = TaggableManager("标签", blank=True, help_text="用逗号分隔。")
    paper = models.ForeignKey(
        Paper,
        verbose_name="论文",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notes",
    )
    summary = models.TextField("个人总结", blank=True, help_text="Markdown。")
    body = models.TextField("正文", blank=True, help_text="Markdown,公式用 $...$ 或 $$...$$。")
    summary_html = models.TextField(editable=False, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    toc_html = models.TextField(editable=False, blank=True)
    excerpt = models.TextField("摘录", editable=False, blank=True)
    reading_minutes = models.PositiveIntegerField("阅读时间(分钟)", default=0, editable=False)
    # The excerpt as cards show it: its formulas whole and typeset (papers.math_text).
    excerpt_html = models.TextField(editable=False, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status, default=Status.DRAFT)
    published_at = models.DateTimeField("发布时间", default=timezone.now, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    # Which file an import took the note from, so that another file claiming its slug is
    # refused rather than overwriting it (papers.importing.writing); blank when written here.
    source_path = models.TextField(
        "导入自",
        blank=True,
        editable=False,
        help_text="导入时的文件:相对于导入的文件夹的路径,或单独导入的文件名;在后台写的笔记为空。",
    )
    view_count = models.PositiveIntegerField("阅读数", default=0, editable=False)
    comment_count = models.PositiveIntegerField("评论数", default=0, editable=False)

    objects = NoteQuerySet.as_manager()

    class Meta:
        ordering = ["-published_at", "-id"]
        # Listings walk these in their own order and stop after a page, whatever the number of
        # notes: without the topic one, PostgreSQL fetches all of a topic's notes to sort them.
        indexes = [
            models.Index(fields=["status", "-published_at", "-id"], name="note_listing_idx"),
            models.Index(
                fields=["topic", "status", "-published_at", "-id"], name="note_topic_listing_idx"
            ),
            # Search checks each match's visibility and date by id (papers.search): from this
            # index alone, not the wide note rows (PostgreSQL; elsewhere INCLUDE is ignored).
            models.Index(
                fields=["id"], include=["status", "published_at"], name="note_visibility_idx"
            ),
        ]
        verbose_name = "笔记"
        verbose_name_plural = "笔记"

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        """Render, save and record the change through the one write path (papers.writes)."""
        from . import writes  # writes imports this module

        if not self.slug:
            self.slug = slugify(self.title, allow_unicode=True)
        self.render()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"summary", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, *RENDERED_FIELDS}
        with writes.batch() as batch:
            change = writes.change_of(self, kwargs.get("update_fields"))
            super().save(*args, **kwargs)
            batch.record([change])

    def get_absolute_url(self):
        return reverse("papers:note", kwargs={"slug": self.slug})

    @classmethod
    def from_db(cls, db, field_names, values):
        note = super().from_db(db, field_names, values)
        note._stored = {}
        note.remember_stored()
        return note

    def refresh_from_db(self, using=None, fields=None, from_queryset=None):
        super().refresh_from_db(using, fields, from_queryset)
        # Deferred fields load through here: what they hold now is what is stored.
        self.remember_stored()

    def remember_stored(self):
        """Note the loaded tracked fields' values as what the database holds (papers.writes
        calls it after each write; loading calls it too)."""
        stored = self.__dict__.setdefault("_stored", {})
        deferred = self.get_deferred_fields()
        for field in tracked_fields():
            if field.attname not in deferred:
                stored[field.name] = getattr(self, field.attname)

    def stored_values(self):
        """{field name: value} of the tracked fields as the database held them when this note
        was loaded or last written (deferred ones missing); None for a note built in code.

        papers.writes compares them with the note's fields to tell what a save changed, and
        hands them to its subscribers: learning the old body costs no query.
        """
        return getattr(self, "_stored", None)

    def render(self):
        """Fill the stored HTML, table of contents, excerpt and reading time from the Markdown
        sources."""
        summary = render_markdown(self.summary)
        body = render_markdown(self.body)
        self.summary_html = summary.html
        self.body_html = body.html
        self.toc_html = body.toc_html
        self.reading_minutes = reading_minutes(summary.html, body.html)
        self.excerpt, self.excerpt_html = math_text.excerpts(summary.html, self.body, body.html)

    @property
    def is_public(self):
        return self.status == self.Status.PUBLISHED and self.published_at <= timezone.now()

    @property
    def excerpt_has_math(self):
        """Whether the card's excerpt shows a formula: its listing loads KaTeX then."""
        return MATH_CLASS in self.excerpt_html


RENDERED_FIELDS = [
    "summary_html",
    "body_html",
    "toc_html",
    "excerpt",
    "excerpt_html",
    "reading_minutes",
]
# What a save may change that matters to readers, revisions, search or annotations: every field
# but the counters (cards are keyed by them), the save's own time stamps and the imported file.
UNTRACKED_FIELDS = {"view_count", "comment_count", "created_at", "updated_at", "source_path"}


def tracked_fields():
    return [field for field in Note._meta.concrete_fields if field.name not in UNTRACKED_FIELDS]


class NoteRevision(models.Model):
    """One version of a note's title, personal summary and body, as a save left it.

    papers.writes adds one whenever a write changes any of the three (and for a new note), so
    the latest revision is the note as it is now and every earlier one is kept: who made it,
    when, from where, and the Markdown. Annotations record the revision they were made on.
    """

    class Source(models.TextChoices):
        ADMIN = "admin", "后台编辑"
        IMPORT = "import", "导入"
        RESTORE = "restore", "恢复"
        OTHER = "other", "其他"

    note = models.ForeignKey(
        Note, verbose_name="笔记", on_delete=models.CASCADE, related_name="revisions"
    )
    title = models.CharField("标题", max_length=200)
    summary = models.TextField("个人总结", blank=True)
    body = models.TextField("正文", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="修改人",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="note_revisions",
    )
    source = models.CharField("来源", max_length=10, choices=Source, default=Source.OTHER)
    detail = models.CharField("说明", max_length=300, blank=True, help_text="如导入的文件。")
    created_at = models.DateTimeField("时间", default=timezone.now)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["note", "-id"], name="revision_note_idx")]
        verbose_name = "笔记版本"
        verbose_name_plural = "笔记版本"

    def __str__(self):
        return f"{self.title} · {timezone.localtime(self.created_at):%Y-%m-%d %H:%M}"


class SearchDocument(models.Model):
    """A note's searchable text, one row per note (drafts too), written only by papers.search.

    The four text columns are the ranking tiers as readers see them; `document` is what matching
    reads, and `grams` lists its one- and two-character substrings for queries that short.
    papers/search.py explains the indexes over them and keeps the rows in step.
    """

    note = models.OneToOneField(
        Note, on_delete=models.CASCADE, primary_key=True, related_name="search_document"
    )
    heading = models.TextField(blank=True, help_text="Title, paper title, authors, arXiv id.")
    labels = models.TextField(blank=True, help_text="Topic and tags.")
    summary = models.TextField(blank=True)
    body = models.TextField(blank=True)
    document = models.TextField(blank=True, help_text="All of the above, case-folded: matched.")
    grams = models.TextField(
        blank=True, help_text="Distinct 1- and 2-character substrings of `document`, one a line."
    )
    # Null until the row is written again (rerender_notes): a column that may be null is added
    # by ALTER TABLE, so SQLite keeps the FTS triggers (see migration 0003).
    formulas = models.JSONField(
        null=True,
        blank=True,
        help_text="{tier: [[start, end, display], ...]}: the formulas in `summary` and `body`.",
    )

    class Meta:
        ordering = ["note"]

    def __str__(self):
        return f"search text of note {self.note_id}"


class OldAddress(models.Model):
    """An address a note had on the blog it was imported from, answered with a 301 to the
    note wherever it is now (papers.redirects).

    It points at the note rather than at a fixed new path (as `contrib.redirects` does), so a
    note renamed later still answers at its old address, a note taken back to draft stops
    answering, and the address goes when the note does.
    """

    path = models.CharField(
        "旧地址",
        max_length=500,
        unique=True,
        help_text="如 /2023/05/01/注意力机制/ 或 /posts/1a2b3c/;保存时去掉末尾的 / 和 index.html。",
    )
    note = models.ForeignKey(
        Note, verbose_name="笔记", on_delete=models.CASCADE, related_name="old_addresses"
    )

    class Meta:
        ordering = ["path"]
        verbose_name = "旧地址"
        verbose_name_plural = "旧地址"

    def __str__(self):
        return self.path

    def save(self, *args, **kwargs):
        self.normalize()
        super().save(*args, **kwargs)

    def clean(self):
        # Before the form checks uniqueness: `/a/` and `/a/index.html` are one address.
        self.normalize()

    def normalize(self):
        from .redirects import normalize_path  # redirects imports this module

        self.path = normalize_path(self.path)
