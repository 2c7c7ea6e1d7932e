"""Users for the accounts tests."""

from django.contrib.auth import get_user_model

from accounts.models import Profile

PASSWORD = "a long enough passphrase 42"


def make_user(username: str, **profile) -> "get_user_model()":
    user = get_user_model().objects.create_user(username, f"{username}@example.org", PASSWORD)
    Profile.objects.create(user=user, **profile)
    return user
