"""API keys (accounts/api_keys.py), their pages (/accounts/keys/) and the quotas of /api/v1/."""

import datetime as dt
import hashlib

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts import api_keys, quotas
from accounts.models import ApiKey

pytestmark = pytest.mark.django_db

COMPETITIONS = "/api/v1/competitions"


@pytest.fixture(autouse=True)
def fresh_counters():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def alice():
    return get_user_model().objects.create_user("alice", "alice@example.com", "a-long-passphrase-1")


@pytest.fixture
def bob():
    return get_user_model().objects.create_user("bob", "bob@example.com", "a-long-passphrase-2")


def call(client, secret=None, path=COMPETITIONS):
    return client.get(path, headers={"X-Auth-Token": secret} if secret else {})


# --------------------------------------------------------------------------- keys


def test_a_key_is_stored_as_prefix_and_digest_only(alice):
    made = api_keys.create_key(alice, "laptop")
    row = ApiKey.objects.get(pk=made.key.pk)
    assert len(made.secret) >= 40
    assert row.prefix == made.secret[:8]
    assert row.digest == hashlib.sha256(made.secret.encode()).hexdigest()
    assert made.secret not in {row.name, row.prefix, row.digest}
    assert api_keys.verify(made.secret) == row


def test_a_wrong_key_with_a_right_prefix_is_refused(alice):
    made = api_keys.create_key(alice, "laptop")
    with pytest.raises(api_keys.InvalidApiKey, match="unknown"):
        api_keys.verify(made.secret[:-1] + ("A" if made.secret[-1] != "A" else "B"))


def test_last_used_is_written_at_most_once_a_minute(alice, django_assert_num_queries):
    made = api_keys.create_key(alice, "laptop")
    start = timezone.now()
    with django_assert_num_queries(2):  # the lookup, then the first use noted
        api_keys.verify(made.secret, now=start)
    with django_assert_num_queries(1):  # a second later: the lookup only
        api_keys.verify(made.secret, now=start + dt.timedelta(seconds=1))
    with django_assert_num_queries(2):
        api_keys.verify(made.secret, now=start + dt.timedelta(seconds=61))
    assert ApiKey.objects.get(pk=made.key.pk).last_used_at == start + dt.timedelta(seconds=61)


def test_a_revoked_key_gets_401_json(client, alice):
    made = api_keys.create_key(alice, "laptop")
    assert call(client, made.secret).status_code == 200
    api_keys.revoke(alice, made.key.pk)
    response = call(client, made.secret)
    assert response.status_code == 401
    assert "revoked" in response.json()["error"]


def test_an_unknown_key_gets_401_and_is_charged_to_the_address(client, settings):
    settings.API_ANONYMOUS_PER_MINUTE = 2
    assert call(client, "not-a-key-at-all-but-long").status_code == 401
    assert call(client, "not-a-key-at-all-but-long")["X-Requests-Available-Minute"] == "0"
    assert call(client, "not-a-key-at-all-but-long").status_code == 429  # guessing is held to the anonymous quota


# --------------------------------------------------------------------------- quotas


def test_headers_count_down_and_the_31st_request_of_a_minute_is_429(client, alice):
    made = api_keys.create_key(alice, "laptop", per_minute=30)
    left = []
    for _ in range(30):
        response = call(client, made.secret)
        assert response.status_code == 200
        left.append(int(response["X-Requests-Available-Minute"]))
        assert 1 <= int(response["X-RequestCounter-Reset"]) <= 60
    assert left == list(range(29, -1, -1))
    refused = call(client, made.secret)
    assert refused.status_code == 429
    assert refused["X-Requests-Available-Minute"] == "0"
    assert 1 <= int(refused["Retry-After"]) <= 60
    assert "30 requests a minute" in refused.json()["error"]


def test_the_day_quota_holds_across_minutes(alice):
    key = f"key:{api_keys.create_key(alice, 'laptop', per_minute=5, per_day=3).key.pk}"
    noon = dt.datetime(2026, 1, 5, 12, 0, 30, tzinfo=dt.UTC).timestamp()
    for minute in range(3):
        assert quotas.charge(key, 5, 3, now=noon + 60 * minute).available_day == 2 - minute
    with pytest.raises(quotas.QuotaExceeded) as refused:
        quotas.charge(key, 5, 3, now=noon + 240)
    assert refused.value.usage.retry_after == 12 * 3600 - 30 - 240  # until midnight UTC
    assert quotas.charge(key, 5, 3, now=noon + 12 * 3600).available_day == 2  # the next day


def test_a_new_minute_window_gives_the_quota_back():
    start = dt.datetime(2026, 1, 5, 12, 0, 50, tzinfo=dt.UTC).timestamp()
    quotas.charge("addr:198.51.100.7", 1, 100, now=start)
    with pytest.raises(quotas.QuotaExceeded) as refused:
        quotas.charge("addr:198.51.100.7", 1, 100, now=start + 5)
    assert refused.value.usage.retry_after == 5
    assert quotas.charge("addr:198.51.100.7", 1, 100, now=start + 10).available_minute == 0


def test_anonymous_callers_share_a_small_quota_per_address(client, settings, alice):
    settings.API_ANONYMOUS_PER_MINUTE = 3
    for left in (2, 1, 0):
        assert call(client)["X-Requests-Available-Minute"] == str(left)
    assert call(client).status_code == 429
    other_address = client.get(COMPETITIONS, REMOTE_ADDR="203.0.113.5")
    assert other_address.status_code == 200
    made = api_keys.create_key(alice, "laptop")
    assert call(client, made.secret).status_code == 200  # a key has its own quota


def test_errors_carry_the_quota_headers_too(client):
    response = call(client, path="/api/v1/matches/424242")
    assert response.status_code == 404
    assert response["X-Requests-Available-Minute"] == "9"


# --------------------------------------------------------------------------- pages


def login(client, user):
    client.force_login(user)
    return client


def test_keys_page_needs_a_login(client):
    response = client.get(reverse("accounts:keys"))
    assert response.status_code == 302 and "login" in response["Location"]


def test_create_shows_the_whole_key_once(client, alice):
    login(client, alice)
    response = client.post(reverse("accounts:key-create"), {"name": "spreadsheet"}, follow=True)
    key = ApiKey.objects.get(user=alice)
    page = response.content.decode()
    secret = page.split('id="api-key-secret" class="api-key-secret" type="text" value="')[1].split('"')[0]
    assert secret.startswith(key.prefix) and api_keys.verify(secret) == key
    again = client.get(reverse("accounts:key-created", args=[key.pk])).content.decode()
    assert secret not in again and "shown once already" in again
    listing = client.get(reverse("accounts:keys")).content.decode()
    assert "spreadsheet" in listing and key.prefix in listing and secret not in listing


def test_a_nameless_key_is_refused_with_the_form(client, alice):
    login(client, alice)
    response = client.post(reverse("accounts:key-create"), {"name": ""})
    assert response.status_code == 400
    assert not ApiKey.objects.exists()


def test_nobody_sees_or_revokes_another_users_key(client, alice, bob):
    alices = api_keys.create_key(alice, "alice's laptop")
    login(client, bob)
    page = client.get(reverse("accounts:keys")).content.decode()
    assert "alice's laptop" not in page and alices.key.prefix not in page
    assert client.post(reverse("accounts:key-revoke", args=[alices.key.pk])).status_code == 404
    assert client.get(reverse("accounts:key-created", args=[alices.key.pk])).status_code == 404
    assert ApiKey.objects.get(pk=alices.key.pk).revoked_at is None
    login(client, alice)
    response = client.post(reverse("accounts:key-revoke", args=[alices.key.pk]))
    assert response.status_code == 302
    assert ApiKey.objects.get(pk=alices.key.pk).revoked_at is not None


def test_revoke_is_post_only(client, alice):
    made = api_keys.create_key(alice, "laptop")
    login(client, alice)
    assert client.get(reverse("accounts:key-revoke", args=[made.key.pk])).status_code == 405
    assert ApiKey.objects.get(pk=made.key.pk).revoked_at is None
