from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "读者贡献"

    def ready(self):
        from django.db.models.signals import post_delete

        from . import moderation
        from .models import Comment, PendingComment

        # Deleting rows (admin, or a note or parent cascading) keeps Note.comment_count right.
        for model in (Comment, PendingComment):
            post_delete.connect(
                moderation.comment_deleted,
                sender=model,
                dispatch_uid=f"annotations.comment_deleted.{model.__name__}",
            )
