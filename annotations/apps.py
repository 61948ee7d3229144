from django.apps import AppConfig


class AnnotationsConfig(AppConfig):
    name = "annotations"
    verbose_name = "读者贡献"

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_delete, post_save, pre_delete

        from accounts.models import Profile
        from papers.caching import pages
        from papers.writes import notes_changed

        from . import abuse, fills, moderation, names, passages, replies
        from .models import Annotation, Comment, PendingComment, Reply

        # The comment form's signed time, filled in on every response, cached pages too.
        pages.register_filler("form-time", abuse.fill_form_time)
        pages.register_filler("form-hash", abuse.fill_form_hash)
        # A signed-in reader's parts of the note page, filled in per response (annotations.fills).
        pages.register_personal("comment-who", fills.comment_who)
        pages.register_personal("annotation-hint", fills.annotation_hint)
        pages.register_filler("signed-in", fills.signed_in, anonymous="false")
        pages.register_fillers("comment-actions", fills.comment_actions, anonymous="")
        # Notes change through papers' one write path: move the passages annotated on them.
        notes_changed.connect(passages.reanchor_edited_notes, dispatch_uid="annotations.reanchor")
        # Deletes, whoever makes them (the admin, or a note, parent or reader cascading), keep
        # Note.comment_count right and cached pages fresh.
        for model in (Comment, PendingComment):
            post_delete.connect(
                moderation.comment_deleted,
                sender=model,
                dispatch_uid=f"annotations.comment_deleted.{model.__name__}",
            )
        post_delete.connect(
            passages.annotation_deleted, sender=Annotation, dispatch_uid="annotations.deleted"
        )
        post_delete.connect(
            replies.reply_deleted, sender=Reply, dispatch_uid="annotations.reply_deleted"
        )
        # Users and profiles are written by Django's own views and admin: names shown on pages.
        user = get_user_model()
        post_save.connect(names.user_saved, sender=user, dispatch_uid="annotations.user_saved")
        pre_delete.connect(names.user_deleted, sender=user, dispatch_uid="annotations.user_deleted")
        post_save.connect(
            names.profile_saved, sender=Profile, dispatch_uid="annotations.profile_saved"
        )
