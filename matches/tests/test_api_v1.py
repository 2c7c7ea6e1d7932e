"""/api/v1/ resources of matches/: competitions, standings, matches, events, lineups, xG, teams."""

import datetime as dt

import pytest

from matches.models import Competition, Match, PointsAdjustment, Season, Team
from matches.tests.builders import KICKOFF, build_match

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_anonymous_quota")]


@pytest.fixture
def built():
    return build_match(status=Match.Status.FINISHED)


def get(client, path, **params):
    response = client.get(f"/api/v1{path}", params)
    assert response["Content-Type"].startswith("application/json")
    return response


def more_matches(built, count: int) -> list[Match]:
    """``count`` more finished matches of the built season, a day apart, between new teams."""
    season = built.match.season
    found = []
    for n in range(count):
        home = Team.objects.create(name=f"Home {n}")
        away = Team.objects.create(name=f"Away {n}")
        found.append(Match.objects.create(
            competition=season.competition, season=season, kickoff=KICKOFF + dt.timedelta(days=n + 1),
            home_team=home, away_team=away, status=Match.Status.FINISHED, home_score=n % 3, away_score=1))
    return found


def test_match_has_integer_scores_utc_kickoff_and_nulls_for_unknowns(client, built):
    body = get(client, f"/matches/{built.match.pk}").json()
    assert body["score"]["full_time"] == {"home": 1, "away": 2}
    assert body["score"]["penalties"] == {"home": None, "away": None}
    assert body["kickoff"] == "2024-05-04T14:00:00Z"
    assert body["attendance"] is None and body["matchday"] is None and body["period"] is None
    assert body["home_team"] == {"id": built.home.pk, "name": built.home.name, "short_name": "Northside"}
    assert body["last_seq"] == 12


def test_unknown_ids_are_404_json_naming_what(client, built):
    for path in ("/matches/999999", "/matches/999999/events", "/matches/999999/lineups", "/matches/999999/xg",
                 "/competitions/999999", "/competitions/999999/standings", "/teams/999999"):
        response = get(client, path)
        assert response.status_code == 404, path
        assert "999999" in response.json()["error"]


def test_matches_filter_by_day_range_team_and_status(client, built):
    later = more_matches(built, 3)
    upcoming = Match.objects.create(competition=built.match.competition, season=built.match.season,
                                    kickoff=KICKOFF + dt.timedelta(days=10), home_team=built.away,
                                    away_team=built.home)
    body = get(client, "/matches", dateFrom="2024-05-05", dateTo="2024-05-06").json()
    assert [row["id"] for row in body["items"]] == [later[0].pk, later[1].pk]
    assert body["count"] == 2
    body = get(client, "/matches", team=built.home.pk).json()
    assert [row["id"] for row in body["items"]] == [built.match.pk, upcoming.pk]
    body = get(client, "/matches", team=built.home.pk, status="scheduled").json()
    assert [row["id"] for row in body["items"]] == [upcoming.pk]
    other = Competition.objects.create(name="Elsewhere")
    assert get(client, "/matches", competition=other.pk).json()["count"] == 0


def test_matches_paginate_with_a_count(client, built):
    more_matches(built, 4)
    body = get(client, "/matches", limit=2, offset=1).json()
    assert body["count"] == 5 and body["limit"] == 2 and body["offset"] == 1
    assert [row["kickoff"][:10] for row in body["items"]] == ["2024-05-05", "2024-05-06"]
    assert get(client, "/matches", limit=101).status_code == 422


@pytest.mark.parametrize(("query", "status", "parameter"), [
    ({"dateFrom": "2024-13-01"}, 422, "dateFrom"),
    ({"dateFrom": "1066-10-14"}, 400, "dateFrom"),
    ({"dateFrom": "2024-05-02", "dateTo": "2024-05-01"}, 400, "dateTo"),
    ({"dateFrom": "2020-01-01", "dateTo": "2024-05-01"}, 400, "dateTo"),
    ({"status": "playing"}, 422, "status"),
    ({"team": "99999999999999999999999"}, 422, "team"),
    ({"team": "abc"}, 422, "team"),
])
def test_bad_filters_are_json_errors_naming_the_parameter(client, built, query, status, parameter):
    response = get(client, "/matches", **query)
    assert response.status_code == status
    body = response.json()
    assert body["parameter"] == parameter
    assert body["error"].startswith(f"{parameter}: ")
    assert response["X-Requests-Available-Minute"]  # a refused request still says what is left


def test_a_filter_naming_no_row_is_404(client, built):
    response = get(client, "/matches", team=999999)
    assert response.status_code == 404
    assert response.json() == {"error": "team: no team with id 999999"}


def test_match_list_queries_stay_bounded(client, built, django_assert_max_num_queries):
    more_matches(built, 8)
    # auth needs none without a key; the filter's existence check, the count, the page
    with django_assert_max_num_queries(3):
        body = get(client, "/matches", competition=built.match.competition_id).json()
    assert body["count"] == 9


def test_events_after_a_seq(client, built):
    body = get(client, f"/matches/{built.match.pk}/events", after=10).json()
    assert [event["seq"] for event in body["events"]] == [11, 12]
    assert body["events"][0]["player"] == {"id": built.players["Nine"].pk, "name": "Nine"}
    assert body["next_after"] is None and body["last_seq"] == 12


def test_lineups_home_first_with_bench(client, built):
    body = get(client, f"/matches/{built.match.pk}/lineups").json()
    assert [lineup["team"]["id"] for lineup in body] == [built.home.pk, built.away.pk]
    assert [entry["player"]["name"] for entry in body[0]["start_xi"]] == ["One", "Four", "Seven", "Nine"]
    assert [entry["player"]["name"] for entry in body[0]["bench"]] == ["Fourteen"]


def test_xg_gives_ours_beside_the_providers(client, built):
    built.match.events.filter(seq=5).update(model_xg=0.1)
    body = get(client, f"/matches/{built.match.pk}/xg").json()
    home, away = body["teams"]
    assert home["shots"] == 2 and home["provider_xg"] == pytest.approx(0.72) and home["xg"] == pytest.approx(0.1)
    assert away["xg"] is None  # no shot of theirs has our figure: unknown, not 0
    first = body["shots"][0]
    assert (first["seq"], first["xg"], first["provider_xg"], first["is_goal"]) == (5, 0.1, 0.12, False)


def test_standings_on_a_date_and_with_adjustments(client, built):
    later = more_matches(built, 1)[0]
    PointsAdjustment.objects.create(season=built.match.season, team=built.away, points=-1, reason="Fined")
    competition = built.match.competition_id
    table = get(client, f"/competitions/{competition}/standings").json()["table"]
    southside = next(row for row in table if row["team"]["id"] == built.away.pk)
    assert (southside["played"], southside["points"], southside["adjustment"], southside["form"]) == (1, 2, -1, "W")
    before = get(client, f"/competitions/{competition}/standings", date="2024-05-04").json()
    assert later.home_team_id not in [row["team"]["id"] for row in before["table"] if row["played"]]
    assert before["date"] == "2024-05-04"
    assert sum(row["played"] for row in before["table"]) == 2  # one match, two teams
    ahead = get(client, f"/competitions/{competition}/standings", date="2024-05-05").json()
    assert sum(row["played"] for row in ahead["table"]) == 4


def test_standings_of_a_season_of_another_competition_is_404(client, built):
    other = Season.objects.create(competition=Competition.objects.create(name="Other"), name="2023/24")
    response = get(client, f"/competitions/{built.match.competition_id}/standings", season=other.pk)
    assert response.status_code == 404


def test_competitions_and_seasons(client, built):
    competition = built.match.competition
    Season.objects.create(competition=competition, name="2022/23", start_date=dt.date(2022, 8, 1))
    assert get(client, "/competitions").json()["items"][0]["name"] == competition.name
    assert get(client, f"/competitions/{competition.pk}").json()["current_season"]["name"] == "2022/23"
    names = [row["name"] for row in get(client, f"/competitions/{competition.pk}/seasons").json()["items"]]
    assert sorted(names) == ["2022/23", "2023/24"]


def test_teams_of_a_competition(client, built):
    Team.objects.create(name="Nobody's Team")
    body = get(client, "/teams", competition=built.match.competition_id).json()
    assert [team["id"] for team in body["items"]] == [built.home.pk, built.away.pk]
    assert get(client, "/teams").json()["count"] == 3
    assert get(client, f"/teams/{built.home.pk}").json()["short_name"] == "Northside"


def test_the_old_match_json_still_answers_beside_v1(client, built):
    """/api/matches/<id>/ (the match page's state) and /api/v1/matches/<id> do not collide."""
    old = client.get(f"/api/matches/{built.match.pk}/")
    assert old.status_code == 200 and old.json()["home"]["score"] == 1
    assert "X-Requests-Available-Minute" not in old
    assert get(client, f"/matches/{built.match.pk}")["X-Requests-Available-Minute"]
