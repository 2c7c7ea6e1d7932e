"""The ratings on a 390 px phone: coloured by band, the page does not scroll sideways, the potm card on the summary."""

import pytest

from matches.models import MatchEvent
from players.tests.builders import League, card, goal, player, team

from conftest import CHROMIUM

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason=f"{CHROMIUM} is absent"),
    pytest.mark.django_db(transaction=True),
]
Kind = MatchEvent.Kind


def test_ratings_are_coloured_by_band_and_fit_a_phone(live_server, browser_page):
    home, away = team("Wolverhampton Wanderers"), team("Brighton & Hove Albion")
    scorer = player("Konstantinos Mavropanos-Papadopoulos Junior")
    quiet, sent_off, keeper = player("Quiet Midfielder"), player("Red Card Defender"), player("Away Keeper")
    events = [{"kind": Kind.PASS, "team": side, "player": who, "minute": m, "x": 45.0, "y": 40.0, "end_x": 50.0,
               "end_y": 60.0, "outcome": "", "period": 1}
              for m in (5, 30) for side, who in ((home, scorer), (home, quiet), (away, sent_off), (away, keeper))]
    events += [goal(home, scorer, 20, xg=0.4), goal(home, scorer, 35, xg=0.3), card(away, sent_off, 40, Kind.RED_CARD)]
    match = League().play(home, away, (2, 0), events=events, lineups={
        home: [(scorer, 90, True), (quiet, 90, True)], away: [(sent_off, 40, True), (keeper, 90, True)]})

    phone = browser_page
    phone.goto(live_server.url + match.get_absolute_url())
    potm = phone.locator("#potm")
    assert potm.is_visible()
    assert "Mavropanos" in potm.inner_text() and "2 goals" in potm.inner_text()
    phone.locator("a[data-tab=stats]").click()
    ratings = phone.locator("#ratings")
    assert ratings.is_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    def colour(who):
        badge = phone.locator(f'#ratings [data-player="{who.pk}"] .rating-badge')
        return badge.inner_text(), badge.evaluate("el => getComputedStyle(el).backgroundColor")

    top, mid, low = colour(scorer), colour(quiet), colour(sent_off)
    assert float(top[0]) >= 8 and 6 <= float(mid[0]) < 7 and float(low[0]) < 6
    assert len({top[1], mid[1], low[1]}) == 3  # three different bands, three colours
