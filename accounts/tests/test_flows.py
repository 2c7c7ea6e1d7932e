"""Signing up, in and out, changing and resetting a password: Django's own views, our templates and URLs."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse

from accounts.models import Profile
from accounts.tests.helpers import PASSWORD, make_user

pytestmark = pytest.mark.django_db


def test_sign_up_creates_the_account_and_its_profile_and_signs_in(client):
    response = client.post(reverse("accounts:signup"), {
        "username": "ada", "email": "ada@example.org", "password1": PASSWORD, "password2": PASSWORD})

    assert response.status_code == 302 and response.url == reverse("matches:home")
    user = get_user_model().objects.get(username="ada")
    assert user.email == "ada@example.org"
    assert Profile.objects.get(user=user).theme == Profile.Theme.AUTO
    page = client.get("/").content.decode()
    assert "ada" in page and "Sign out" in page and "Sign in</a>" not in page


def test_sign_up_names_what_is_wrong_next_to_the_field(client):
    make_user("taken")
    response = client.post(reverse("accounts:signup"), {
        "username": "taken", "email": "taken@example.org", "password1": "short", "password2": "other"})

    page = response.content.decode()
    assert response.status_code == 200
    assert "A user with that username already exists." in page
    assert "An account with this email address exists already" in page
    assert 'aria-invalid="true"' in page and '<label for="id_username">' in page
    assert get_user_model().objects.count() == 1


def test_log_in_then_log_out_with_a_post(client):
    make_user("ada")
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 302 and response.url == reverse("matches:home")
    assert client.get(reverse("accounts:profile")).status_code == 200

    assert client.get(reverse("accounts:logout")).status_code == 405  # signing out is a POST (CSRF-protected)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).url.startswith(reverse("accounts:login"))


def test_a_wrong_password_is_said_so_and_keeps_the_reader_out(client):
    make_user("ada")
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": "not it"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_the_header_offers_sign_in_to_anonymous_readers(client):
    page = client.get("/").content.decode()
    assert f'href="{reverse("accounts:login")}?next=/"' in page
    assert "data-user-stream" not in page and "alerts.js" not in page


def test_password_change_needs_the_old_password(client):
    user = make_user("ada")
    client.force_login(user)
    url = reverse("accounts:password-change")
    wrong = client.post(url, {"old_password": "nope", "new_password1": "another passphrase 43",
                              "new_password2": "another passphrase 43"})
    assert "Your old password was entered incorrectly" in wrong.content.decode()

    response = client.post(url, {"old_password": PASSWORD, "new_password1": "another passphrase 43",
                                 "new_password2": "another passphrase 43"})
    assert response.status_code == 302 and response.url == reverse("accounts:password-change-done")
    user.refresh_from_db()
    assert user.check_password("another passphrase 43")


def test_password_reset_mails_a_link_that_sets_a_new_password(client):
    user = make_user("ada")
    response = client.post(reverse("accounts:password-reset"), {"email": "ada@example.org"})
    assert response.status_code == 302 and response.url == reverse("accounts:password-reset-done")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["ada@example.org"] and message.subject == "Your QuantFoot password"
    link = re.search(r"https?://[^/]+(/accounts/password/reset/[^/]+/[^/]+/)", message.body).group(1)

    form_url = client.get(link).url  # Django swaps the token for a session one, then shows the form
    response = client.post(form_url, {"new_password1": "reset passphrase 44", "new_password2": "reset passphrase 44"})
    assert response.status_code == 302 and response.url == reverse("accounts:password-reset-complete")
    user.refresh_from_db()
    assert user.check_password("reset passphrase 44")


def test_password_reset_for_an_unknown_address_sends_nothing_and_says_the_same(client):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response.url == reverse("accounts:password-reset-done")
    assert mail.outbox == []
