from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "读者贡献"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save, pre_save

        from accounts.models import Profile
        from papers import versions
        from papers.models import Note

        from . import moderation, passages
        from .models import Annotation, Comment, PendingComment

        # What readers see of people is their display name: logins and passwords show nowhere.
        versions.invalidate_on(Comment, PendingComment, Annotation, Profile)
        versions.invalidate_on(get_user_model(), ignored={"last_login", "password"})

        # Deleting rows (admin, or a note or parent cascading) keeps Note.comment_count right.
        for model in (Comment, PendingComment):
            post_delete.connect(
                moderation.comment_deleted,
                sender=model,
                dispatch_uid=f"annotations.comment_deleted.{model.__name__}",
            )
        # Saving a note re-anchors its passage annotations to the new body (one diff for all).
        pre_save.connect(
            passages.remember_old_body, sender=Note, dispatch_uid="annotations.remember_old_body"
        )
        post_save.connect(passages.note_saved, sender=Note, dispatch_uid="annotations.note_saved")
