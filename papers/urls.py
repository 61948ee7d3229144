from django.urls import path, register_converter

from . import feeds, views


class TwoDigitConverter:
    """Months and days in archive URLs, always two digits: /2024/01/05/."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")


class YearConverter:
    """Archive years: four digits, and not the first or last year of the calendar, whose
    previous or next day Python's dates cannot hold (the pages link to both)."""

    regex = "[0-9]{4}"

    def to_python(self, value):
        year = int(value)
        if not 1 < year < 9999:
            raise ValueError(f"no archive for the year {value}")
        return year

    def to_url(self, value):
        return f"{int(value):04d}"


register_converter(YearConverter, "yyyy")

app_name = "papers"
urlpatterns = [
    path("", views.LatestNotesView.as_view(), name="index"),
    path("search/", views.SearchView.as_view(), name="search"),
    path("feed/rss/", feeds.LatestNotesFeed(), name="feed-rss"),
    path("feed/atom/", feeds.LatestNotesAtomFeed(), name="feed-atom"),
    path("notes/<str:slug>/", views.NoteDetailView.as_view(), name="note"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<str:slug>/", views.TopicNotesView.as_view(), name="topic"),
    path("topics/<str:slug>/feed/rss/", feeds.TopicNotesFeed(), name="topic-feed-rss"),
    path("topics/<str:slug>/feed/atom/", feeds.TopicNotesAtomFeed(), name="topic-feed-atom"),
    path("tags/", views.TagListView.as_view(), name="tags"),
    path("tags/<str:slug>/", views.TagNotesView.as_view(), name="tag"),
    path("tags/<str:slug>/feed/rss/", feeds.TagNotesFeed(), name="tag-feed-rss"),
    path("tags/<str:slug>/feed/atom/", feeds.TagNotesAtomFeed(), name="tag-feed-atom"),
    path("papers/", views.PaperListView.as_view(), name="papers"),
    path("papers/<path:arxiv_id>.bib", views.paper_bibtex, name="paper-bibtex"),
    path("papers/<path:arxiv_id>/", views.PaperNotesView.as_view(), name="paper"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("<yyyy:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path("<yyyy:year>/<dd:month>/", views.MonthArchiveView.as_view(), name="archive-month"),
    path("<yyyy:year>/<dd:month>/<dd:day>/", views.DayArchiveView.as_view(), name="archive-day"),
]
