"""/api/v1/ resources of markets/: odds history, predictions, market values, value bets."""

import pytest

from markets.tests.api_world import build_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("generous_anonymous_quota")]


@pytest.fixture
def world():
    return build_world()


def test_odds_history_lists_every_quote(client, world, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):  # the match exists, the count, the page with bookmakers
        body = client.get(f"/api/v1/matches/{world.match.pk}/odds").json()
    assert body["count"] == 3
    snapshot = next(row for row in body["items"] if row["phase"] == "snapshot")
    assert snapshot["market"] == "over_under" and snapshot["line"] == 2.5
    assert snapshot["taken_at"] == "2024-05-04T13:00:00Z"
    assert snapshot["prices"] == {"home": None, "draw": None, "away": None, "over": 1.8, "under": 2.0}
    pre_match = [row for row in body["items"] if row["phase"] == "pre_match"]
    assert {row["bookmaker"]["code"] for row in pre_match} == {"B365", "PS"}
    assert all(row["taken_at"] is None for row in pre_match)


def test_predictions_carry_their_model_kind_and_version(client, world):
    body = client.get(f"/api/v1/matches/{world.match.pk}/predictions").json()
    assert [(row["model"]["kind"], row["model"]["version"]) for row in body] == [("dixon_coles", 2), ("elo", 1)]
    assert body[0]["likely_scores"] == [{"home": 1, "away": 1, "probability": 0.12}]
    assert body[1]["over_2_5"] is None


def test_player_values_newest_first(client, world):
    nine = world.built.players["Nine"]
    body = client.get(f"/api/v1/players/{nine.pk}/values").json()
    assert [(row["as_of"], row["value_eur"], row["is_current"]) for row in body["items"]] == [
        ("2024-05-06", 12_500_000, True), ("2024-04-29", 12_000_000, False)]
    assert body["items"][0]["model_version"] == 1 and body["items"][0]["match"] is None


def test_value_bets_upcoming_and_as_of_a_day(client, world):
    upcoming = client.get("/api/v1/value-bets").json()["items"]
    assert [(bet["match"]["id"], bet["outcome"], bet["best_price"]) for bet in upcoming] == [
        (world.upcoming.pk, "home", 2.2)]
    bet = upcoming[0]
    assert bet["expected_value"] == pytest.approx(0.6 * 2.2 - 1)
    assert bet["won"] is None and bet["profit"] is None and bet["model"]["kind"] == "dixon_coles"
    past = client.get("/api/v1/value-bets", {"date": "2024-05-04"}).json()["items"]
    assert [(bet["match"]["id"], bet["won"], bet["profit"]) for bet in past] == [(world.match.pk, False, -1.0)]
    assert client.get("/api/v1/value-bets", {"edge": "0.9"}).json()["count"] == 0


@pytest.mark.parametrize(("query", "status", "parameter"), [
    ({"edge": "nan"}, 422, "edge"), ({"edge": "-0.1"}, 422, "edge"), ({"date": "2024-02-30"}, 422, "date"),
    ({"date": "9999-01-01"}, 400, "date"),
])
def test_bad_value_bet_filters_name_the_parameter(client, world, query, status, parameter):
    response = client.get("/api/v1/value-bets", query)
    assert response.status_code == status and response.json()["parameter"] == parameter


def test_unknown_match_is_404(client, world):
    for path in ("/api/v1/matches/999999/odds", "/api/v1/matches/999999/predictions"):
        assert client.get(path).json() == {"error": "no match with id 999999"}
