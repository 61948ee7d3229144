from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Readers' accounts: sign-up, login (rate-limited), passwords and the display name.

    Saving a profile or a user draws a new content version (cached pages show display names);
    annotations connects that, beside its other rules for what readers see.
    """

    name = "accounts"
    verbose_name = "读者账户"
