"""sitemap.xml sections: only what readers may see, each with the newest change as lastmod."""

from django.contrib.sitemaps import Sitemap
from django.db.models import Max
from django.db.models.functions import TruncMonth
from django.urls import reverse

from topics.models import Topic, TopicTree

from .models import Note, Paper, count_published_notes, published_filter


def newest_published_change(prefix="notes__"):
    """Annotation: when the newest published note across a relation last changed."""
    return Max(f"{prefix}updated_at", filter=published_filter(prefix))


class NoteSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.8

    def items(self):
        return Note.objects.published().only("slug", "updated_at")

    def lastmod(self, note):
        return note.updated_at


class TopicSitemap(Sitemap):
    changefreq = "weekly"

    def items(self):
        """Topics whose page lists a note: theirs or a topic's inside them (one query)."""
        topics = Topic.objects.annotate(
            note_count=count_published_notes(), newest_change=newest_published_change()
        )
        tree = TopicTree(topics.order_by("position", "name"))
        listed = []
        for topic in tree.topics:
            inside = [tree.by_id[pk] for pk in tree.descendant_ids(topic)]
            changes = [each.newest_change for each in inside if each.note_count]
            if changes:
                topic.newest_change = max(changes)
                listed.append(topic)
        return listed

    def lastmod(self, topic):
        return topic.newest_change


class TagSitemap(Sitemap):
    """Tags that published notes carry (a tag only drafts use stays unknown)."""

    changefreq = "weekly"

    def items(self):
        return (
            Note.objects.published()
            .filter(tags__isnull=False)
            .values("tags__slug")
            .annotate(newest_change=Max("updated_at"))
            .order_by("tags__slug")
        )

    def location(self, row):
        return reverse("papers:tag", kwargs={"slug": row["tags__slug"]})

    def lastmod(self, row):
        return row["newest_change"]


class PaperSitemap(Sitemap):
    changefreq = "monthly"

    def items(self):
        papers = Paper.objects.with_published_notes()
        return papers.annotate(newest_change=newest_published_change()).order_by("arxiv_id")

    def lastmod(self, paper):
        return paper.newest_change


class ArchiveSitemap(Sitemap):
    """Year and month archive pages, from one query over the published notes' months."""

    changefreq = "monthly"
    priority = 0.3

    def items(self):
        months = (
            Note.objects.published()
            .annotate(month=TruncMonth("published_at"))
            .values("month")
            .annotate(newest_change=Max("updated_at"))
            .order_by("-month")
        )
        years = {}
        items = []
        for row in months:
            month, changed = row["month"], row["newest_change"]
            items.append(("papers:archive-month", (month.year, month.month), changed))
            years[month.year] = max(changed, years.get(month.year, changed))
        items += [("papers:archive-year", (year,), changed) for year, changed in years.items()]
        return items

    def location(self, item):
        return reverse(item[0], args=item[1])

    def lastmod(self, item):
        return item[2]


class PageSitemap(Sitemap):
    """The listing pages, changed whenever a published note changes."""

    changefreq = "daily"
    priority = 0.6

    def items(self):
        newest = Note.objects.published().aggregate(newest=Max("updated_at"))["newest"]
        pages = ["papers:index", "papers:topics", "papers:tags", "papers:papers", "papers:archive"]
        return [(name, newest) for name in pages]

    def location(self, item):
        return reverse(item[0])

    def lastmod(self, item):
        return item[1]


SITEMAPS = {
    "pages": PageSitemap,
    "notes": NoteSitemap,
    "topics": TopicSitemap,
    "tags": TagSitemap,
    "papers": PaperSitemap,
    "archives": ArchiveSitemap,
}
