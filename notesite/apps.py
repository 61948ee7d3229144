from django.apps import AppConfig


class NotesiteConfig(AppConfig):
    """The site itself: wires the page cache to the apps, which know nothing of it."""

    name = "notesite"

    def ready(self):
        from django.contrib.auth import get_user_model
        from taggit.models import Tag, TaggedItem

        from annotations import abuse
        from annotations.models import Annotation, Comment, PendingComment, Profile
        from papers.models import Note, Paper
        from papers.signals import content_changed
        from topics.models import Topic

        from . import pagecache

        shown = [Note, Paper, Topic, Tag, TaggedItem, Comment, PendingComment, Annotation]
        # Profiles and users for the names under comments; counters, logins and passwords
        # show on no page that must be fresh at once.
        people = [Profile, get_user_model()]
        pagecache.invalidate_on(*shown, *people, ignored={"view_count", "last_login", "password"})
        content_changed.connect(pagecache.content_changed, dispatch_uid="pagecache.bulk")
        pagecache.register_filler("form-time", abuse.fill_form_time)
        pagecache.register_filler("form-hash", abuse.fill_form_hash)
