"""Every page read strictly (quantfoot/params.py): a bad value of each parameter is a 400 page that says
what was wrong, unknown objects are the branded 404, and garbage in any parameter never answers 500."""

from decimal import Decimal
from html import unescape

import pytest

from markets.models import Bookmaker, OddsQuote
from matches.models import Competition, Match, Season, Source
from matches.tests.builders import build_match
from players.aggregates import recompute_player_seasons

pytestmark = pytest.mark.django_db


class Site:
    """One small finished match (matches/tests/builders.py) with its players' season rows and two bookmakers' 1X2."""

    def __init__(self):
        built = build_match(status=Match.Status.FINISHED)  # finished: its players have season rows
        self.match, self.team = built.match, built.home
        self.player = built.players["Nine"]
        self.competition, self.season = self.match.competition, self.match.season
        recompute_player_seasons([self.season])
        for code, name in (("AL", "Alpha"), ("PS", "Pinnacle")):
            book = Bookmaker.objects.create(code=code, name=name)
            for phase, prices in (("pre_match", (3.0, 3.4, 2.4)), ("closing", (2.8, 3.5, 2.6))):
                OddsQuote.objects.create(match=self.match, bookmaker=book, market="1x2", phase=phase, line=Decimal(0),
                                         source=Source.MANUAL, home=prices[0], draw=prices[1], away=prices[2])

    def pages(self) -> dict[str, tuple[str, ...]]:
        """Each page's URL -> the query parameters it reads."""
        competition, match, team, player = self.competition.pk, self.match.pk, self.team.pk, self.player.pk
        standings = ("season", "view", "date", "sort", "dir")
        return {
            "/": ("utm_source",),  # reads none: unknown parameters are ignored
            "/search": ("q",),
            f"/competitions/{competition}/": standings + ("round",),
            f"/competitions/{competition}/standings.csv": standings,
            f"/matches/{match}/": ("after",),
            f"/matches/{match}/state": ("after",),
            f"/teams/{team}/": ("season", "sort", "dir"),
            f"/teams/{team}/results.csv": ("season",),
            f"/teams/{team}/squad.csv": ("season", "sort", "dir"),
            f"/players/{player}/": ("season", "seasons_sort", "seasons_dir", "matches_sort", "matches_dir"),
            f"/players/{player}/seasons.csv": ("seasons_sort", "seasons_dir"),
            f"/players/{player}/matches.csv": ("season", "matches_sort", "matches_dir"),
            f"/markets/matches/{match}/odds/": ("method", "book"),
            f"/markets/matches/{match}/odds.csv": ("method",),
            "/markets/values/": ("competition", "position", "age"),
            "/markets/values.csv": ("competition", "position", "age"),
            f"/markets/players/{player}/values.csv": (),
            "/markets/value-bets/": ("edge", "competition", "as_of", "sort", "dir"),
            "/markets/value-bets.csv": ("edge", "competition", "as_of", "sort", "dir"),
            "/markets/exchange/": (),
            "/trading/": ("strategy", "competition"),
            "/trading/seasons/": ("competition",),
            "/trading/portfolios/": (),
            "/fantasy/": (),
            "/fantasy/slates/": (),
            f"/api/matches/{match}/": (),
            f"/api/matches/{match}/events": ("after",),
        }


@pytest.fixture
def site():
    return Site()


def page_text(response) -> str:
    return unescape(response.content.decode())


# (page, parameter, bad value, what the 400 says). {c} {t} {p} {m}: the competition, team, player, match.
BAD = [
    ("/competitions/{c}/", "season", "²", "season: '²' is not an id from 0 to"),
    ("/competitions/{c}/", "view", "bogus", "view: 'bogus' is not one of: overall, home, away"),
    ("/competitions/{c}/", "date", "2099-99-99", "date: '2099-99-99' is not a date (YYYY-MM-DD)"),
    ("/competitions/{c}/", "date", "9999-12-31", "date: '9999-12-31' is not a date (YYYY-MM-DD) from 1850-01-01 to "
                                                 "2100-12-31"),
    ("/competitions/{c}/", "sort", "bogus", "sort: 'bogus' is not one of: position, team, played"),
    ("/competitions/{c}/", "dir", "up", "dir: 'up' is not one of: asc, desc"),
    ("/competitions/{c}/", "round", "²", "round: '²' is not a round of this season from 1 to 1"),
    ("/competitions/{c}/", "round", "2", "round: '2' is not a round of this season from 1 to 1"),
    ("/competitions/{c}/standings.csv", "view", "bogus", "view: 'bogus' is not one of"),
    ("/teams/{t}/", "season", "abc", "season: 'abc' is not an id"),
    ("/teams/{t}/", "sort", "bogus", "sort: 'bogus' is not one of: player, appearances"),
    ("/teams/{t}/squad.csv", "dir", "sideways", "dir: 'sideways' is not one of: asc, desc"),
    ("/players/{p}/", "season", "١٢", "season: '١٢' is not an id"),
    ("/players/{p}/", "matches_sort", "bogus", "matches_sort: 'bogus' is not one of:"),
    ("/players/{p}/", "seasons_dir", "up", "seasons_dir: 'up' is not one of: asc, desc"),
    ("/players/{p}/matches.csv", "matches_sort", "-bogus", "matches_sort: '-bogus' is not one of:"),
    ("/markets/matches/{m}/odds/", "method", "bogus", "method: 'bogus' is not one of: "),
    ("/markets/matches/{m}/odds/", "book", "XX", "book: 'XX' is not one of the bookmakers quoting this match: AL, PS"),
    ("/markets/matches/{m}/odds.csv", "method", "bogus", "method: 'bogus' is not one of: "),
    ("/markets/values/", "competition", "99999999999999999999999", "competition: '99999999999999999999999' is not an id"),
    ("/markets/values/", "competition", "²", "competition: '²' is not an id"),
    ("/markets/values/", "position", "XX", "position: 'XX' is not one of: GK, DF, MF, FW"),
    ("/markets/values.csv", "age", "old", "age: 'old' is not one of:"),
    ("/markets/value-bets/", "edge", "١", "The edge must be a number"),  # the page's own form messages
    ("/markets/value-bets/", "as_of", "9999-12-31", "The date must be a day from 1850-01-01 to 2100-12-31."),
    ("/markets/value-bets/", "as_of", "٢٠٢٤-٠٤-٢٠", "The date must be a day as YYYY-MM-DD"),
    ("/markets/value-bets/", "sort", "bogus", "sort: 'bogus' is not one of: kickoff, probability"),
    ("/markets/value-bets.csv", "dir", "up", "dir: 'up' is not one of: asc, desc"),
    ("/search", "q", "x" * 101, "q: 'xxxxxxxx"),
    ("/search", "q", "a\x00b", "q: 'a\\x00b' is not text of at most 100 characters without NUL"),
]


@pytest.mark.parametrize("page, name, value, message", BAD, ids=[f"{page} {name}={value[:12]!r}" for page, name, value, _ in BAD])
def test_a_bad_value_is_a_400_page_that_says_what_was_wrong(client, site, page, name, value, message):
    url = page.format(c=site.competition.pk, t=site.team.pk, p=site.player.pk, m=site.match.pk)
    response = client.get(url, {name: value})

    assert response.status_code == 400
    assert message in page_text(response)
    if "value-bets" not in url:  # the branded page (the value-bet list shows its form's errors in place)
        html = page_text(response)
        assert 'class="site-header"' in html and 'role="search"' in html and "This link asks for something" in html


def test_the_api_answers_json_with_the_same_status(client, site):
    response = client.get(f"/api/matches/{site.match.pk}/events", {"after": "²"})

    assert response.status_code == 400 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": "after: '²' is not the last seq you have (a whole number) from 0 to "
                                        f"{2**62}", "parameter": "after", "value": "²",
                               "expected": f"the last seq you have (a whole number) from 0 to {2**62}"}
    assert client.get("/api/no-such-thing").json() == {"error": "not found"}
    assert client.get("/api/no-such-thing").status_code == 404


def test_good_values_empty_values_and_unknown_parameters_still_answer(client, site):
    competition = f"/competitions/{site.competition.pk}/"
    assert client.get(competition, {"season": "", "view": "", "date": "", "sort": "", "round": ""}).status_code == 200
    assert client.get(competition, {"season": site.season.pk, "view": "home", "date": "2024-05-04", "sort": "-points",
                                    "round": "1", "utm_source": "newsletter"}).status_code == 200
    assert client.get(f"/markets/matches/{site.match.pk}/odds/", {"book": "PS", "method": "power"}).status_code == 200
    assert client.get(f"/players/{site.player.pk}/", {"season": site.season.pk, "matches_sort": "-minutes"}
                      ).status_code == 200


@pytest.mark.parametrize("url, message", [
    ("/matches/{u}/", "No such match."),
    ("/matches/{u}/state", "No such match."),
    ("/markets/matches/{u}/odds/", "No such match."),
    ("/teams/{u}/", "No such team."),
    ("/teams/{u}/squad.csv", "No such team."),
    ("/players/{u}/", "No such player."),
    ("/players/{u}/matches.csv", "No such player."),
    ("/markets/players/{u}/values.csv", "No such player."),
    ("/competitions/{u}/", "No such competition."),
    ("/competitions/{u}/standings.csv", "No such competition."),
    ("/no/such/page/", "There is no page at this address."),
])
def test_unknown_objects_get_the_branded_404_saying_what_was_not_found(client, url, message):
    response = client.get(url.format(u=987654))

    assert response.status_code == 404
    html = page_text(response)
    assert message in html and 'class="site-header"' in html and 'href="/"' in html


def test_an_id_of_another_competitions_season_is_a_404_that_says_so(client, site):
    other = Season.objects.create(competition=Competition.objects.create(name="Other League"), name="2023/24")
    response = client.get(f"/competitions/{site.competition.pk}/", {"season": other.pk})
    assert response.status_code == 404 and "No such season in this competition." in page_text(response)
    response = client.get("/markets/values/", {"competition": 987654})
    assert response.status_code == 404 and "No such competition." in page_text(response)


GARBAGE = ["", "abc", "-1", "100000000000000000000000", "²", "١٢", "\x00", "9999-12-31", "2023-02-30"]


def test_garbage_in_any_parameter_or_id_never_answers_500(client, site):
    """Every page, each of its parameters, each garbage value: 200, 400 or 404 and nothing else."""
    client.raise_request_exception = False  # a crash must show up here as a 500, not as a raised error
    answered = {}
    for page, names in site.pages().items():
        for name in names:
            for value in GARBAGE:
                answered[f"{page}?{name}={value!r}"] = client.get(page, {name: value}).status_code
    # Ids in the path: 10^23 would overflow a database integer.
    for value in ("100000000000000000000000", "0", str(2**63)):
        for page in ("/matches/{}/", "/teams/{}/", "/players/{}/", "/competitions/{}/", "/markets/matches/{}/odds/",
                     "/api/matches/{}/", "/api/matches/{}/events", "/trading/backtests/{}/",
                     "/trading/backtests/{}/bets.csv", "/trading/portfolios/{}/", "/markets/exchange/{}/"):
            answered[page.format(value)] = client.get(page.format(value)).status_code

    assert len(answered) > 300
    unexpected = {url: status for url, status in answered.items() if status not in (200, 400, 404)}
    assert not unexpected
    assert set(answered.values()) == {200, 400, 404}
