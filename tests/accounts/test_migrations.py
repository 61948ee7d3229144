"""Moving Profile from annotations to accounts keeps every reader's display name."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.models import Profile, display_name

BEFORE_THE_MOVE = [("annotations", "0002_annotation")]


def migrate(targets):
    """Migrate the test database to `targets` (all leaves when None); the project state there."""
    executor = MigrationExecutor(connection)
    targets = targets or executor.loader.graph.leaf_nodes()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_profiles_made_before_the_move_are_accounts_profiles_after_it():
    """A profile written to annotations_profile is read back as accounts.Profile, with the
    same content type, relabelled."""
    content_type = ContentType.objects.get_for_model(Profile)
    try:
        old_apps = migrate(BEFORE_THE_MOVE)
        old_user = old_apps.get_model("auth", "User").objects.create(username="reader")
        old_apps.get_model("annotations", "Profile").objects.create(
            user=old_user, display_name="小读者"
        )
        assert ContentType.objects.filter(
            pk=content_type.pk, app_label="annotations", model="profile"
        ).exists()
    finally:
        migrate(None)

    user = get_user_model().objects.get(username="reader")
    assert Profile.objects.get().user == user
    assert display_name(user) == "小读者"
    assert ContentType.objects.get(pk=content_type.pk).natural_key() == ("accounts", "profile")
