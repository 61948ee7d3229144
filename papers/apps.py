from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "论文与笔记"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from . import writes
        from .caching import backend, rankings, versions

        writes.connect()
        backend.when_recovered(versions.forget)
        backend.when_recovered(rankings.forget)
        request_started.connect(versions.request_started, dispatch_uid="versions.started")
        request_finished.connect(versions.request_finished, dispatch_uid="versions.finished")
