from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Users' own data: profiles, follows, alerts, API keys and their quotas, the per-user stream.

    Points at any domain app; none points here except through settings.AUTH_USER_MODEL.
    """

    name = "accounts"
