from django.apps import AppConfig


class NotesiteConfig(AppConfig):
    """The site itself: its template tags (`{% site_url %}`) and /healthz."""

    name = "notesite"
