from django.apps import AppConfig


class NotesiteConfig(AppConfig):
    """The site itself: its template tags (`{% site_url %}`), /healthz, and the header's
    account links of signed-in readers, filled in per response. A user or profile saved or
    deleted makes every reader card stale (papers.caching.readers): a new name, password or
    deactivation shows on the reader's next page, on every app server."""

    name = "notesite"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save

        from accounts.models import Profile
        from papers.caching import pages, readers

        from . import account

        pages.register_personal("account", account.account_links)
        for model in (get_user_model(), Profile):
            for signal in (post_save, post_delete):
                signal.connect(readers.reader_saved, sender=model, dispatch_uid="readers")
