"""The availability cards on a 390 px wide phone: the match, team and player pages do not scroll sideways."""

import datetime as dt

import pytest
from django.utils import timezone

from matches.models import Competition, Match, Season, Source, Team
from players.availability import Statement, record_availability
from players.models import Player

from conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]



def test_the_cards_fit_a_phone(live_server, browser_page):
    phone = browser_page
    now = timezone.now()
    season = Season.objects.create(competition=Competition.objects.create(name="Phone League"), name="2024/25")
    home = Team.objects.create(name="Wolverhampton Wanderers", short_name="Wolves")
    away = Team.objects.create(name="Brighton & Hove Albion", short_name="Brighton")
    match = Match.objects.create(competition=season.competition, season=season, kickoff=now + dt.timedelta(days=1),
                                 home_team=home, away_team=away)
    long_name = Player.objects.create(name="Konstantinos Mavropanos-Papadopoulos Junior")
    others = [Player.objects.create(name=f"Squad Player {n}") for n in range(6)]
    news = "Hamstring injury sustained in training - Expected back after the international break, 25% chance"
    record_availability(
        [Statement(long_name.pk, "injured", news, 25, now - dt.timedelta(days=3), home.pk)]
        + [Statement(p.pk, ("doubtful", "suspended")[n % 2], "Suspended until 20 October" if n % 2 else "Knock",
                     75 if n % 2 == 0 else None, now - dt.timedelta(days=n), (home, away)[n % 2].pk)
           for n, p in enumerate(others)],
        source=Source.FPL, observed_at=now - dt.timedelta(hours=1))

    for url in (match.get_absolute_url(), home.get_absolute_url(), long_name.get_absolute_url()):
        phone.goto(live_server.url + url + ("#lineups" if url == match.get_absolute_url() else ""))
        card = phone.locator("#availability")  # on the match page, under the line-ups
        assert card.is_visible(), url
        assert phone.evaluate("document.documentElement.scrollWidth") <= 390, url
        box = card.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390, url
