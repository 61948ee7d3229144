from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "论文与笔记"

    def ready(self):
        from . import search

        search.connect_signals()
