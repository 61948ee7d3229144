from django.apps import AppConfig


class NotesiteConfig(AppConfig):
    """The site itself: fills the comment form's per-request fields on cached pages."""

    name = "notesite"

    def ready(self):
        from annotations import abuse

        from . import pagecache

        pagecache.register_filler("form-time", abuse.fill_form_time)
        pagecache.register_filler("form-hash", abuse.fill_form_hash)
