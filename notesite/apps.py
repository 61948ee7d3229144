from django.apps import AppConfig


class NotesiteConfig(AppConfig):
    """The site itself: its template tags (`{% site_url %}`), /healthz, and the header's
    account links of signed-in readers, filled in per response."""

    name = "notesite"

    def ready(self):
        from papers.caching import pages

        from . import account

        pages.register_personal("account", account.account_links)
