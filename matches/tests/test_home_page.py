"""The home page: live matches first, then today's, the latest results, what is coming, competitions."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from matches.models import Match
from matches.tests.live_match import make_match

pytestmark = pytest.mark.django_db


def test_live_and_todays_matches_come_first(client, django_assert_max_num_queries):
    first = make_match()
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=12, minute=0, second=0, microsecond=0)

    def another(kickoff, status, **score):
        return Match.objects.create(competition=first.competition, season=first.season, home_team=first.away_team,
                                    away_team=first.home_team, kickoff=kickoff, status=status, **score)

    live = another(now - dt.timedelta(minutes=30), Match.Status.LIVE, home_score=1, away_score=0)
    later_today = another(today + dt.timedelta(hours=6, minutes=30), Match.Status.SCHEDULED)
    next_week = another(today + dt.timedelta(days=7), Match.Status.SCHEDULED)
    # first: 2021, finished 0-3 (make_match leaves it scheduled)
    Match.objects.filter(pk=first.pk).update(status=Match.Status.FINISHED, home_score=0, away_score=3)

    with django_assert_max_num_queries(6):
        html = client.get("/").content.decode()
    headings = re.findall(r"<h2>([^<]+)</h2>", html)
    assert headings == ["Live now", "Today", "Latest results", "Coming up", "Competitions"]
    order = [html.index(f'href="/matches/{match.pk}/"') for match in (live, later_today, first, next_week)]
    assert order == sorted(order)
    assert "UEFA Euro" in html


def test_an_empty_site_says_how_to_get_data(client):
    html = client.get("/").content.decode()
    assert "No competitions yet" in html and "Live now" not in html
