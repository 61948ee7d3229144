"""Profile moves to the accounts app, rows kept: its table is renamed to accounts_profile and
the model leaves annotations' state; accounts 0001_initial takes it over (state only) and moves
its content type."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("annotations", "0002_annotation"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[
                migrations.AlterModelTable(name="profile", table="accounts_profile"),
            ],
            state_operations=[
                migrations.DeleteModel(name="Profile"),
            ],
        ),
    ]
