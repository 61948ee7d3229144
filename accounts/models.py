"""A reader's profile: the display name shown beside their comments and annotations."""

from django.conf import settings
from django.db import models


class Profile(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="用户",
        on_delete=models.CASCADE,
        related_name="profile",
    )
    display_name = models.CharField("显示名", max_length=50)

    class Meta:
        ordering = ["user"]
        verbose_name = "读者资料"
        verbose_name_plural = "读者资料"

    def __str__(self):
        return self.display_name


def display_name(user):
    """The name readers see for `user`: the profile's display name, else the username.

    Accounts made with `createsuperuser` have no profile; select `user__profile` beforehand to
    keep this free of queries.
    """
    try:
        return user.profile.display_name or user.get_username()
    except Profile.DoesNotExist:
        return user.get_username()
