"""The names readers see beside public comments and annotations, and when they change a page.

A reader's display name (or username, without a profile) and whether they are staff (the
"作者" badge) show on the pages of their public comments, annotations and replies, and nowhere
else. So saving a user or a profile draws a new content version (papers.caching) only for a
reader who has something public: a sign-up, a login, a new password or email, or a reader with
nothing public leaves cached pages alone.
"""

from papers.caching import versions

from .models import Annotation, Comment, Reply


def shown_anywhere(user_id):
    """The reader has a public comment, annotation or reply (indexed lookups)."""
    return (
        Comment.objects.filter(user_id=user_id, state=Comment.State.PUBLIC).exists()
        or Annotation.objects.filter(
            user_id=user_id, visibility=Annotation.Visibility.PUBLIC
        ).exists()
        or Reply.objects.filter(user_id=user_id).exists()
    )


def user_saved(sender, instance, created=False, update_fields=None, **kwargs):
    """`post_save` receiver of the user model (sign-up, login, the admin's user form)."""
    unseen = update_fields is not None and set(update_fields) <= {"last_login", "password"}
    if not created and not unseen and shown_anywhere(instance.pk):
        versions.changed()


def user_deleted(sender, instance, **kwargs):
    """`pre_delete` receiver: their public comments stay, under the name they signed."""
    if shown_anywhere(instance.pk):
        versions.changed()


def profile_saved(sender, instance, **kwargs):
    """`post_save` receiver of Profile: a new display name."""
    if shown_anywhere(instance.user_id):
        versions.changed()
