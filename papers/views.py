"""Reader pages: thin generic views over `Note.objects.published()`."""

import datetime
from itertools import groupby

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers
from django.utils.functional import cached_property
from django.utils.safestring import mark_safe
from django.views import generic
from taggit.models import Tag

from topics.models import Topic, TopicTree

from . import archive, arxiv, search
from .caching import fragments, pages, personal
from .citations import cite_note
from .middleware import NoteViewsMiddleware
from .models import Note, Paper, count_published_notes
from .paging import ListingPaginator

# A deep page skips fewer than this many pages of ids, from the nearest boundary before it.
LISTING_BLOCK_PAGES = 20


class CountedOncePaginator(ListingPaginator):
    """A paginator that counts its listing, finds its page boundaries and loads each page's
    rows once per content version (papers.caching): a page asked again runs no SQL."""

    def __init__(self, *args, listing, keep, **kwargs):
        super().__init__(*args, **kwargs)
        self.listing = listing
        self.keep = keep  # what a kept page holds of each row

    @cached_property
    def count(self):
        return fragments.listing_count(self.listing, lambda: ListingPaginator.count.func(self))

    def page(self, number):
        try:
            kept_as = int(number)  # "2" and "02" are one page; a page named otherwise is not kept
        except (TypeError, ValueError):
            return super().page(number)
        loaded = []

        def find():
            loaded.extend(super(CountedOncePaginator, self).page(number))
            return self.count, [self.keep(row) for row in loaded]

        # The count comes with the rows: one read of the cache for both.
        self.count, rows = fragments.listing_page(self.listing, kept_as, find)
        # Rows loaded just now are shown as they are: their cards need no second query.
        return self._get_page(loaded or rows, self.validate_number(number), self)

    def boundaries(self):
        return fragments.listing_boundaries(self.listing, super().boundaries)


class PaginatedMixin:
    """A paginated list: its page depends on `?page=` (papers.caching.pages keys it so)."""

    paginate_by = 12
    paginator_class = ListingPaginator

    def paginate_queryset(self, queryset, page_size):
        pages.depends_on(self.request, self.page_kwarg)
        return super().paginate_queryset(queryset, page_size)


class NoteListMixin(PaginatedMixin):
    """A paginated listing of note cards, newest first, as on `/`."""

    template_name = "papers/note_list.html"
    heading = ""
    # What a kept page holds of each note: its card's key (note_cards loads a note whose card
    # is not kept).
    keep = staticmethod(fragments.ListedNote.of)

    def get_queryset(self):
        return Note.objects.published().cards()

    def get_paginator(self, *args, **kwargs):
        listing = f"{self.request.path}?{self.request.GET.get('q', '')}"
        # A page's cards are loaded by id alone (papers.paging): the listing filtered them.
        return CountedOncePaginator(
            *args,
            listing=listing,
            rows=Note.objects.cards(),
            block_rows=LISTING_BLOCK_PAGES * self.paginate_by,
            keep=self.keep,
            **kwargs,
        )

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.get_heading(), **kwargs)

    def get_heading(self):
        return self.heading


class LatestNotesView(NoteListMixin, generic.ListView):
    heading = "LATEST UPDATES"


class TopicNotesView(NoteListMixin, generic.ListView):
    template_name = "papers/topic_detail.html"

    def get_queryset(self):
        self.tree = fragments.topic_tree(TopicTree.load)
        self.topic = self.tree.get(self.kwargs["slug"])
        if self.topic is None:
            raise Http404("no such topic")
        return super().get_queryset().filter(topic__in=self.tree.descendant_ids(self.topic))

    def get_heading(self):
        return self.topic.name

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            topic=self.topic,
            ancestors=self.tree.ancestors(self.topic),
            children=self.tree.children[self.topic.pk],
            **kwargs,
        )


class TagNotesView(NoteListMixin, generic.ListView):
    template_name = "papers/tag_detail.html"
    allow_empty = False  # a tag only drafts use stays unknown to readers

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().filter(tags=self.tag)

    def get_heading(self):
        return f"# {self.tag.name}"

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagListView(generic.ListView):
    """`/tags/`: every tag published notes carry, with how many."""

    template_name = "papers/tag_list.html"
    context_object_name = "tags"

    def get_queryset(self):
        return Note.objects.published().tag_counts()


def redirect_to_paper(view_name, arxiv_id):
    """A 301 to the paper's own address when `arxiv_id` names it another way (a version suffix,
    `arXiv:`), else None: a paper has one address whatever the version."""
    try:
        paper_id = arxiv.base_id(arxiv_id)
    except ValidationError:
        return None
    return None if paper_id == arxiv_id else redirect(view_name, arxiv_id=paper_id, permanent=True)


class PaperNotesView(NoteListMixin, generic.ListView):
    template_name = "papers/paper_detail.html"

    def get(self, request, *args, **kwargs):
        return redirect_to_paper("papers:paper", kwargs["arxiv_id"]) or super().get(
            request, *args, **kwargs
        )

    def get_queryset(self):
        papers = Paper.objects.with_published_notes()
        self.paper = get_object_or_404(papers, arxiv_id=self.kwargs["arxiv_id"])
        return super().get_queryset().filter(paper=self.paper)

    def get_heading(self):
        return self.paper.title

    def get_context_data(self, **kwargs):
        return super().get_context_data(paper=self.paper, **kwargs)


def paper_bibtex(request, arxiv_id):
    """A paper's BibTeX as a `.bib` download, for papers readers can see."""
    if response := redirect_to_paper("papers:paper-bibtex", arxiv_id):
        return response
    paper = get_object_or_404(Paper.objects.with_published_notes(), arxiv_id=arxiv_id)
    response = HttpResponse(paper.bibtex + "\n", content_type="application/x-bibtex; charset=utf-8")
    filename = arxiv_id.replace("/", "_")
    response["Content-Disposition"] = f'attachment; filename="{filename}.bib"'
    return response


class SearchView(NoteListMixin, generic.ListView):
    """`/search/?q=`: published notes containing the query, best first (see papers/search.py)."""

    template_name = "papers/search.html"
    heading = "搜索"

    def get_queryset(self):
        pages.depends_on(self.request, "q")
        personal.kept_per_reader(self.request)  # the reader's own annotations are found too
        raw = self.request.GET.get("q")
        self.query, self.error = "", ""
        try:
            self.query = search.normalize_query(raw)
        except search.InvalidQuery as error:
            self.error = str(error) if raw is not None else ""
            return Note.objects.none()
        return search.search_notes(self.query)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            query=self.query,
            search_error=self.error,
            search_query=self.query or search.displayable(self.request.GET.get("q", "")),
            canonical_params=["q"],
            **kwargs,
        )
        if context["paginator"].count:
            number = context["page_obj"].number
            found = context["object_list"]
            results = fragments.search_results(self.query, number, lambda: self.results(found))
            context["results_html"] = mark_safe(results[0])  # rendered by self.results
            context["results_have_math"] = results[1]
        return context

    def results(self, notes):
        """The result cards of a page: (HTML, whether a snippet shows math)."""
        hits = search.hits(notes, self.query)
        html = render_to_string("papers/search_results.html", {"hits": hits})
        return html, search.snippets_have_math(hits)

    def get_paginator(self, queryset, *args, **kwargs):
        # The ranking (kept per query) knows its length: no count of its own to keep.
        return Paginator(queryset, *args, **kwargs)

    def render_to_response(self, context, **kwargs):
        response = super().render_to_response(context, **kwargs)
        if not context["paginator"].count:
            # Nothing found is not kept: random queries must not fill the cache.
            add_never_cache_headers(response)
        return response


class PaperListView(PaginatedMixin, generic.ListView):
    def get_queryset(self):
        # Built per request: the published rule reads the clock. The annotation drops
        # Meta.ordering (GROUP BY), so it is restated.
        return Paper.objects.with_published_notes().order_by(*Paper._meta.ordering)


class TopicListView(generic.ListView):
    template_name = "papers/topic_list.html"

    def get_queryset(self):
        topics = Topic.objects.annotate(note_count=count_published_notes())
        return fragments.topics(lambda: nested(topics.order_by(*Topic._meta.ordering)))


def nested(topics):
    """Topics in tree order, each named after its ancestors and counting the notes of every
    topic inside it, as its page lists them."""
    tree = TopicTree(topics)
    own = {topic.pk: topic.note_count for topic in tree.topics}
    for topic in tree.topics:
        topic.ancestor_names = tree.path(topic)[:-1]
        topic.note_count = sum(own[pk] for pk in tree.descendant_ids(topic))
    return tree.in_order()


class TitleListMixin(NoteListMixin):
    """The archive pages: note titles after their dates, newest first, a hundred a page
    (titles are short); with `by_month`, under a heading per month with its count of notes."""

    template_name = "papers/title_archive.html"
    paginate_by = 100
    by_month = True
    keep = staticmethod(fragments.ListedTitle.of)

    def get_queryset(self):
        return Note.objects.published().only("title", "slug", "published_at")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if self.by_month:
            calendar = archive.calendar()
            context["months"] = [
                (month, calendar.count("month", month), list(notes))
                for month, notes in groupby(context["object_list"], key=local_month)
            ]
        return context


def local_month(note):
    """The first day of the month `note` was published in, on the site's clock."""
    return timezone.localtime(note.published_at).date().replace(day=1)


class ArchiveView(TitleListMixin, generic.ListView):
    heading = "归档"


def archive_neighbour(period, later):
    """A date view's get_next_<period> (`later`) or get_previous_<period>: the start of the
    nearest period of that kind after or before the one holding `date` that has notes."""

    def neighbour(view, date):
        calendar, start = archive.calendar(), archive.period_start(date, period)
        return calendar.next(period, start) if later else calendar.previous(period, start)

    return neighbour


class DateArchiveMixin(TitleListMixin):
    """A year's, a month's or a day's titles, and links to the periods before and after it
    that have notes. Whether it has notes, and its neighbours, come from the archive's calendar
    (papers.archive), not from Django's queries (an exists() and one per neighbour)."""

    date_field = "published_at"
    # Not the date alone (Django's default): paging from either end needs a total order.
    ordering = Note._meta.ordering
    month_format = "%m"
    day_format = "%d"
    allow_empty = True  # a period without notes is a 404 all the same: see get_dated_queryset
    period = None  # "year", "month" or "day"
    neighbours_label = None  # the name of the links to the periods before and after

    def get_date_list(self, queryset, date_type=None, ordering="ASC"):
        """None: no page lists its periods (the titles are grouped by month instead)."""
        return None

    def start(self):
        """The first day of the page's period (Django has checked the date by now)."""
        month = int(self.get_month()) if self.period != "year" else 1
        day = int(self.get_day()) if self.period == "day" else 1
        return datetime.date(int(self.get_year()), month, day)

    def get_dated_queryset(self, **lookup):
        if not archive.calendar().has_notes(self.period, self.start()):
            raise Http404("这段时间没有笔记。")
        return super().get_dated_queryset(**lookup)

    # Django's six neighbour lookups, each one query, answered from the calendar instead.
    get_previous_year = archive_neighbour("year", later=False)
    get_next_year = archive_neighbour("year", later=True)
    get_previous_month = archive_neighbour("month", later=False)
    get_next_month = archive_neighbour("month", later=True)
    get_previous_day = archive_neighbour("day", later=False)
    get_next_day = archive_neighbour("day", later=True)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        before, after = context[f"previous_{self.period}"], context[f"next_{self.period}"]
        context["archive_nav"] = {
            "label": self.neighbours_label,
            "previous": before and self.link(before),
            "up": self.up(self.start()),
            "next": after and self.link(after),
        }
        return context

    def link(self, start):
        """(URL, text) of the page of the period of the same kind that starts on `start`."""
        return archive_url(self.period, start), format(start, self.link_format)


def archive_url(period, start):
    parts = {"year": 1, "month": 2, "day": 3}[period]
    return reverse(f"papers:archive-{period}", args=[start.year, start.month, start.day][:parts])


class YearArchiveView(DateArchiveMixin, generic.YearArchiveView):
    make_object_list = True
    period, neighbours_label, link_format = "year", "相邻年份", "%Y"

    def get_heading(self):
        return f"{self.get_year()} 年"

    def up(self, start):
        return reverse("papers:archive"), "全部归档"


class MonthArchiveView(DateArchiveMixin, generic.MonthArchiveView):
    by_month = False
    period, neighbours_label, link_format = "month", "相邻月份", "%Y-%m"

    def get_heading(self):
        return f"{self.get_year()} 年 {int(self.get_month())} 月"

    def up(self, start):
        return archive_url("year", start), f"{start.year} 全年"


class DayArchiveView(DateArchiveMixin, generic.DayArchiveView):
    by_month = False
    period, neighbours_label, link_format = "day", "相邻日期", "%Y-%m-%d"

    def get_heading(self):
        return f"{self.get_year()} 年 {int(self.get_month())} 月 {int(self.get_day())} 日"

    def up(self, start):
        return archive_url("month", start), f"{start.year} 年 {start.month} 月"


class NoteDetailView(generic.DetailView):
    """A note; staff also see drafts and future notes, marked as previews and never cached."""

    def get_queryset(self):
        notes = Note.objects.select_related("topic", "paper").prefetch_related("tags")
        return notes if self.request.user.is_staff else notes.published()

    def get_context_data(self, **kwargs):
        # The neighbours are links: their title and address only, not a card's row and joins.
        public = Note.objects.published().only("title", "slug")
        url = self.request.build_absolute_uri(self.object.get_absolute_url())
        return super().get_context_data(
            previous_note=public.before(self.object).first(),
            next_note=public.after(self.object).first(),
            related_notes=Note.objects.related_to(self.object),
            citation=cite_note(self.object, url),
            **kwargs,
        )

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        if self.object.is_public:
            # Counted by NoteViewsMiddleware, also when the page comes from the page cache.
            response[NoteViewsMiddleware.header] = str(self.object.pk)
        else:
            add_never_cache_headers(response)
        return response
