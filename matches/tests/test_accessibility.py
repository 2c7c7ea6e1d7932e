"""What screen readers and keyboards get: the spoken score and goal, the skip link, the theme button, the icon."""

import re
from html import unescape

import pytest
from django.contrib.staticfiles import finders

from matches import fragments
from matches.tests.builders import build_match

pytestmark = pytest.mark.django_db


@pytest.fixture
def built():
    return build_match()


def test_the_score_is_spoken_as_teams_and_goals_and_the_newest_goal_is_named(built):
    match = fragments.load_match(built.match.pk)
    html = unescape(fragments.render_regions(match, ["score", "events"], seq=12))

    score = re.search(r'<div id="score".*?</div>', html, re.S).group(0)
    assert 'aria-live="polite"' in score
    assert '<span class="score" aria-hidden="true">1–2</span>' in score  # the digits are not read out
    assert re.search(r"data-score-text>Northside 1, Southside 2</span>", score)
    # In match order the own goal (50') is the newest, whatever order the events were recorded in.
    assert 'data-last-goal="Goal! Northside 1, Southside 2: Four (own goal) 50\'"' in html


def test_a_goalless_timeline_names_no_goal(built):
    built.match.events.filter(kind__in=["goal", "own_goal"]).delete()
    match = fragments.load_match(built.match.pk)

    assert "data-last-goal" not in fragments.render_regions(match, ["events"], seq=12)


def test_the_clock_is_quiet_while_the_minutes_run(built):
    match = fragments.load_match(built.match.pk)
    clock = unescape(fragments.render_regions(match, ["clock"], seq=12))

    assert "67'" in clock and "aria-live" not in clock


def test_every_page_starts_with_a_skip_link_to_main_and_offers_the_theme_button_and_icon(client, built):
    html = client.get(built.match.get_absolute_url()).content.decode()

    body = html.split("<body", 1)[1].split(">", 1)[1]
    assert re.match(r'\s*<a class="skip-link" href="#content">Skip to content</a>', body)
    assert '<main class="page" id="content"' in html
    assert "data-theme-toggle" in html
    assert 'rel="icon" href="/static/favicon.svg"' in html
    # theme.js runs before the first paint: in <head>, not deferred.
    head = html.split("</head>")[0]
    assert re.search(r'<script src="/static/js/theme\.js"></script>', head)


def test_favicon_ico_leads_to_the_svg_icon(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301 and response["Location"] == "/static/favicon.svg"
    assert finders.find("favicon.svg")
