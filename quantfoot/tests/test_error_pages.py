"""The branded error pages (quantfoot/errors.py): 400, 404 and 500 in the site's layout, JSON under /api/."""

import pytest
from django.test import RequestFactory

from matches import weather
from quantfoot import errors

pytestmark = pytest.mark.django_db


def test_tests_run_as_production_does(settings):
    assert settings.DEBUG is False  # pytest-django's default: the handlers below are what visitors get


def test_the_500_page_is_drawn_without_a_database_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        response = errors.server_error(RequestFactory().get("/teams/1/"))

    html = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in html and 'class="site-header"' in html
    assert 'role="search"' in html and 'href="/"' in html


def test_a_crashing_page_answers_the_branded_500_and_the_api_json(client, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("weather service exploded")

    monkeypatch.setattr(weather, "forecasts_for", broken)
    client.raise_request_exception = False

    response = client.get("/")
    assert response.status_code == 500 and "Something went wrong on our side" in response.content.decode()
    assert "exploded" not in response.content.decode()  # nothing of the traceback leaks

    assert errors.server_error(RequestFactory().get("/api/matches/1/")).content == b'{"error": "server error"}'


def test_the_404_page_keeps_the_search_box_and_says_what_was_missing(client):
    response = client.get("/teams/987654/", {"q": "Arsenal"})

    html = response.content.decode()
    assert response.status_code == 404
    assert "No such team." in html
    assert 'name="q" value="Arsenal"' in html  # the layout's search box, filled as on any page


def test_a_bad_parameter_is_the_branded_400_in_debug_too(client, settings):
    settings.DEBUG = True  # the middleware answers before Django's technical page would
    response = client.get("/search", {"q": "x\x00"})

    assert response.status_code == 400
    assert "q: &#x27;x\\x00&#x27; is not text of at most 100 characters" in response.content.decode()
    assert "Traceback" not in response.content.decode()

