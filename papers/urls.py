from django.urls import path, register_converter

from . import views


class TwoDigitConverter:
    """Months and days in archive URLs, always two digits: /2024/01/05/."""

    regex = "[0-9]{2}"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return f"{int(value):02d}"


register_converter(TwoDigitConverter, "dd")

app_name = "papers"
urlpatterns = [
    path("", views.LatestNotesView.as_view(), name="index"),
    path("notes/<str:slug>/", views.NoteDetailView.as_view(), name="note"),
    path("topics/", views.TopicListView.as_view(), name="topics"),
    path("topics/<str:slug>/", views.TopicNotesView.as_view(), name="topic"),
    path("tags/<str:slug>/", views.TagNotesView.as_view(), name="tag"),
    path("papers/", views.PaperListView.as_view(), name="papers"),
    path("papers/<path:arxiv_id>/", views.PaperNotesView.as_view(), name="paper"),
    path("archive/", views.ArchiveView.as_view(), name="archive"),
    path("<int:year>/", views.YearArchiveView.as_view(), name="archive-year"),
    path("<int:year>/<dd:month>/", views.MonthArchiveView.as_view(), name="archive-month"),
    path("<int:year>/<dd:month>/<dd:day>/", views.DayArchiveView.as_view(), name="archive-day"),
]
