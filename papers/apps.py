from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "论文与笔记"

    def ready(self):
        from taggit.models import Tag, TaggedItem

        from topics.models import Topic

        from . import search, versions
        from .models import Note, Paper

        search.connect_signals()
        versions.invalidate_on(Note, Paper, Topic, Tag, TaggedItem, ignored={"view_count"})
