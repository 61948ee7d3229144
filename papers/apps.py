from django.apps import AppConfig


class PapersConfig(AppConfig):
    name = "papers"
    verbose_name = "论文与笔记"
