"""/api/v1/ resources of players/: players and their season statistics."""

import pytest

from matches.models import Match
from matches.tests.builders import build_match
from players.models import PlayerAlias, PlayerSeasonStats

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_anonymous_quota")]


@pytest.fixture
def built():
    return build_match(status=Match.Status.FINISHED)


def test_players_by_any_spelling_of_the_name(client, built):
    nine = built.players["Nine"]
    PlayerAlias.objects.create(player=nine, alias="Novecento")
    assert [row["id"] for row in client.get("/api/v1/players", {"name": "novec"}).json()["items"]] == [nine.pk]
    body = client.get("/api/v1/players", {"name": "Nine"}).json()
    assert body["count"] == 1 and body["items"][0]["known_as"] == "Nine"
    assert body["items"][0]["birth_date"] is None and body["items"][0]["position"] is None
    assert client.get("/api/v1/players").json()["count"] == 10


def test_a_name_with_nul_is_400_naming_it(client, built):
    response = client.get("/api/v1/players", {"name": "Ni\x00ne"})
    assert response.status_code == 400 and response.json()["parameter"] == "name"


def test_season_stats_say_unknown_shots_as_null(client, built):
    nine, season = built.players["Nine"], built.match.season
    PlayerSeasonStats.objects.create(player=nine, season=season, team=built.home, appearances=3, starts=3,
                                     minutes=270, goals=2, shots=0, shots_matches=0)
    body = client.get(f"/api/v1/players/{nine.pk}/stats").json()
    assert len(body) == 1
    row = body[0]
    assert (row["goals"], row["minutes"], row["season"]["name"]) == (2, 270, "2023/24")
    assert row["team"]["id"] == built.home.pk
    assert row["shots"] is None  # no source of his matches gave shots: unknown, not 0
    assert row["goals_per_90"] == pytest.approx(2 / 3)
    assert row["xg"] is None


def test_unknown_player_is_404(client, built):
    for path in ("/api/v1/players/999999", "/api/v1/players/999999/stats", "/api/v1/players/999999/values"):
        response = client.get(path)
        assert response.status_code == 404 and response.json() == {"error": "no player with id 999999"}


def test_player_list_queries_stay_bounded(client, built, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):  # the count and the page
        assert len(client.get("/api/v1/players").json()["items"]) == 10
