"""The profile page: time zone and theme saved and used, what the reader follows listed."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.models import Profile
from accounts.tests.helpers import make_user

pytestmark = pytest.mark.django_db


def test_the_profile_asks_for_a_sign_in(client):
    response = client.get(reverse("accounts:profile"))
    assert response.status_code == 302
    assert response.url == f"{reverse('accounts:login')}?next={reverse('accounts:profile')}"


def test_time_zone_and_theme_are_saved(client):
    user = make_user("ada")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"time_zone": "Europe/Rome", "theme": "dark"})
    assert response.status_code == 302
    profile = Profile.objects.get(user=user)
    assert (profile.time_zone, profile.theme) == ("Europe/Rome", "dark")
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Profile saved." in page
    assert '<html lang="en" data-zone="Europe/Rome" data-user-theme="dark"' in page


def test_an_unknown_time_zone_is_refused_by_name(client):
    user = make_user("ada", time_zone="Asia/Tokyo")
    client.force_login(user)
    response = client.post(reverse("accounts:profile"), {"time_zone": "Mars/Olympus_Mons", "theme": "auto"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "“Mars/Olympus_Mons” is not a time zone" in page
    assert Profile.objects.get(user=user).time_zone == "Asia/Tokyo"


def test_an_empty_time_zone_leaves_the_browser_s_own(client):
    user = make_user("ada", time_zone="Asia/Tokyo")
    client.force_login(user)
    client.post(reverse("accounts:profile"), {"time_zone": "", "theme": "light"})
    page = client.get("/").content.decode()
    assert "data-zone" not in page and 'data-user-theme="light"' in page


def test_server_written_times_are_in_the_profile_s_zone(client):
    """The home page's kick-off text (before local_time.js) is written in the reader's zone."""
    from matches.tests.live_match import make_match

    match = make_match()
    match.kickoff = dt.datetime.now(dt.UTC).replace(hour=23, minute=30, second=0, microsecond=0) + dt.timedelta(days=3)
    match.save()
    client.force_login(make_user("ada", time_zone="Asia/Tokyo"))
    page = client.get("/").content.decode()
    assert "08:30" in page and "JST" in page  # 23:30 UTC is 08:30 the next morning in Tokyo


def test_the_theme_button_keeps_a_signed_in_reader_s_choice(client):
    user = make_user("ada")
    client.force_login(user)
    assert client.post(reverse("accounts:theme"), {"theme": "dark"}).status_code == 204
    assert Profile.objects.get(user=user).theme == "dark"
    assert client.post(reverse("accounts:theme"), {"theme": "purple"}).status_code == 400
    assert Profile.objects.get(user=user).theme == "dark"


def test_anonymous_pages_carry_no_profile(client):
    page = client.get("/").content.decode()
    assert "data-zone" not in page and "data-user-theme" not in page
