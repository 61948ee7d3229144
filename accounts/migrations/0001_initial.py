"""Profile, moved here from annotations with its rows.

annotations 0003 renamed the table to accounts_profile; this migration only adds the model to
accounts' state, and moves its content type so that permissions and admin log entries follow.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def move_content_type(apps, schema_editor, old_app, new_app):
    """Relabel Profile's content type, keeping its id. A database without one (a fresh one:
    content types are created after all migrations ran) has nothing to move."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    ContentType.objects.using(schema_editor.connection.alias).filter(
        app_label=old_app, model="profile"
    ).update(app_label=new_app)


def content_type_to_accounts(apps, schema_editor):
    move_content_type(apps, schema_editor, "annotations", "accounts")


def content_type_to_annotations(apps, schema_editor):
    move_content_type(apps, schema_editor, "accounts", "annotations")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("annotations", "0003_move_profile_to_accounts"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Profile",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True,
                                primary_key=True,
                                serialize=False,
                                verbose_name="ID",
                            ),
                        ),
                        ("display_name", models.CharField(max_length=50, verbose_name="显示名")),
                        (
                            "user",
                            models.OneToOneField(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="profile",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="用户",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "读者资料",
                        "verbose_name_plural": "读者资料",
                        "ordering": ["user"],
                    },
                ),
            ],
        ),
        migrations.RunPython(content_type_to_accounts, content_type_to_annotations),
    ]
