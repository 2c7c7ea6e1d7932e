"""Player market values: the model's terms, the Monday job, history, the page, the board, live moves."""

import csv
import datetime as dt
import io
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from markets import tasks, valuation
from markets.models import PlayerValue, ValuationModel
from markets.valuation import DEFAULT_PARAMETERS, value_of
from markets.valuation_live import live_values
from matches import services
from matches.aggregates import recompute_team_seasons
from matches.fragments import load_match, render_regions
from matches.models import Match
from players.aggregates import recompute_player_seasons
from matches.records import EventRecord, PlayerRef, TeamRef
from players.models import Player, PlayerAlias
from players.tests.builders import League, goal, player, team

MONDAY = dt.date(2023, 8, 21)  # after the fixture's five match days (12-17 August)
NEXT_MONDAY = MONDAY + dt.timedelta(days=7)

REGULAR = {"position": "FW", "age": 26, "minutes": 2700, "team_minutes": 3060, "goals": 12, "assists": 5,
           "xg": 11.0, "red_cards": 0, "team_points": 60, "team_played": 34, "team_name": "City",
           "leagues": [["Premier League", 2700]], "team_id": None, "competition_id": None}


def value(**changes) -> int:
    return value_of({**REGULAR, **changes}, DEFAULT_PARAMETERS).value_eur


# --- the model --------------------------------------------------------------------------------

def test_the_terms_multiply_to_the_value():
    valuation_ = value_of(REGULAR, DEFAULT_PARAMETERS)
    product = DEFAULT_PARAMETERS["base_eur"]["FW"]
    for term in valuation_.terms:
        product *= term.factor
    assert [term.key for term in valuation_.terms] == ["age", "minutes", "output", "team", "league", "discipline"]
    assert valuation_.value_eur == valuation.round_value(product)
    assert 5_000_000 < valuation_.value_eur < 60_000_000


def test_each_input_moves_the_value_the_way_a_scout_would_expect():
    assert value(age=21) < value(age=26) and value(age=33) < value(age=29) < value(age=26)
    # A squad player scoring at a regular's rate is worth less than the regular.
    assert value(minutes=600, goals=3, xg=2.4, assists=1) < value()
    assert value(goals=20, xg=18.0) > value() > value(goals=2, xg=3.0)
    assert value(team_points=80) > value() > value(team_points=30)
    assert value(leagues=[["Premier League", 2700]]) > value(leagues=[["Bundesliga", 2700]]) \
        > value(leagues=[["2. Bundesliga", 2700]])
    assert value(red_cards=2) < value()
    assert value(age=None) == value(age=26)  # unknown age is neither bonus nor penalty


def test_a_goalkeepers_value_does_not_follow_goals():
    keeper = {**REGULAR, "position": "GK", "goals": 0, "assists": 0, "xg": 0.0}
    assert value_of(keeper, DEFAULT_PARAMETERS).value_eur == value_of({**keeper, "assists": 3},
                                                                      DEFAULT_PARAMETERS).value_eur


def test_a_hat_trick_in_a_cameo_is_not_a_season():
    cameo = value(minutes=30, goals=3, xg=1.5, assists=0, team_minutes=3060)
    season = value(minutes=2700, goals=30, xg=25.0, assists=0)
    assert cameo < season


def test_fitted_term_scales_change_only_their_term():
    fitted = {**DEFAULT_PARAMETERS, "term_scales": {"league": 2.0}}
    documented = {term.key: term.factor for term in value_of(REGULAR, DEFAULT_PARAMETERS).terms}
    scaled = {term.key: term.factor for term in value_of(REGULAR, fitted).terms}
    assert scaled["league"] == pytest.approx(documented["league"] ** 2)
    assert scaled["age"] == documented["age"] and scaled["output"] == documented["output"]


# --- a small season in the database ----------------------------------------------------------

@pytest.fixture
def season(db):
    league = League("Premier League")
    city, rovers = team("City"), team("Rovers")
    striker = player("Sam Striker", position="FW", birth_date=dt.date(1998, 1, 1))
    veteran = player("Vic Veteran", position="FW", birth_date=dt.date(1990, 1, 1))
    keeper = player("Kit Keeper", position="GK", birth_date=dt.date(1995, 1, 1))
    for day in range(1, 6):
        league.play(city, rovers, (2, 0), day=day,
                    lineups={city: [(striker, 90, True)], rovers: [(veteran, 90, True), (keeper, 90, True)]},
                    events=[goal(city, striker, 10, xg=0.4), goal(city, striker, 70, xg=0.3)])
    recompute_team_seasons([league.season])
    recompute_player_seasons([league.season])
    return {"league": league, "city": city, "rovers": rovers, "striker": striker, "veteran": veteran,
            "keeper": keeper}


def test_the_monday_job_values_every_player_once_and_keeps_history(season):
    first = valuation.recompute_all(MONDAY)
    assert "valued 3 players" in first and "3 new" in first
    again = valuation.recompute_all(MONDAY)  # the job retried the same Monday
    assert "0 new, 3 recomputed" in again
    assert PlayerValue.objects.count() == 3
    valuation.recompute_all(NEXT_MONDAY)
    striker = season["striker"]
    history = list(PlayerValue.objects.filter(player=striker).order_by("as_of"))
    assert [row.as_of for row in history] == [MONDAY, NEXT_MONDAY]
    assert [row.is_current for row in history] == [False, True]
    assert PlayerValue.objects.filter(is_current=True).count() == 3


def test_the_scheduled_task_runs_the_same_job(season):
    summary = tasks.recompute_market_values()
    assert summary.startswith("valued 3 players") and ValuationModel.objects.get().version == 1


def test_values_read_the_season(season):
    valuation.recompute_all(MONDAY)
    rows = {row.player.name: row for row in PlayerValue.objects.select_related("player")}
    striker = rows["Sam Striker"]
    assert striker.inputs["goals"] == 10 and striker.inputs["minutes"] == 450
    assert (striker.inputs["team_points"], striker.inputs["team_played"]) == (15, 5)
    assert striker.age == 25 and striker.position == "FW" and striker.team == season["city"]
    # Ten goals in five games for a winning side outvalue a goalless 33-year-old of a losing one.
    assert striker.value_eur > rows["Vic Veteran"].value_eur


def test_player_page_explains_the_value_term_by_term(client, season):
    valuation.recompute_all(MONDAY)
    row = PlayerValue.objects.get(player=season["striker"])
    html = client.get(f"/players/{season['striker'].pk}/").content.decode()
    section = html[html.index('id="value"'):html.index('id="seasons"')]
    for key in ("age", "minutes", "output", "team", "league", "discipline"):
        assert f'data-term="{key}"' in section
    assert "Age</th>" in section and "25 (peak 26)" in section and "Premier League: 1.00" in section
    shown = int(re.search(r'data-value="(\d+)"', section).group(1))
    assert shown == row.value_eur
    running = re.findall(r'<td class="num">(€[\d.]+[mk])</td>\s*</tr>', section)
    assert running[-1] == f"€{row.value_eur / 1e6:.2f}".rstrip("0").rstrip(".") + "m"


def test_player_page_history_chart_and_csv(client, season):
    valuation.recompute_all(MONDAY)
    valuation.recompute_all(NEXT_MONDAY)
    striker = season["striker"]
    html = client.get(f"/players/{striker.pk}/").content.decode()
    assert 'id="value-chart"' in html and 'id="value-chart-data"' in html and "js/player_value.js" in html
    response = client.get(f"/markets/players/{striker.pk}/values.csv")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Date", "Value (EUR)", "Kind"]
    assert [row[0] for row in rows[1:]] == [NEXT_MONDAY.isoformat(), MONDAY.isoformat()]


def test_player_page_queries_do_not_grow_with_history(client, season):
    valuation.recompute_all(MONDAY)
    url = f"/players/{season['striker'].pk}/"
    with CaptureQueriesContext(connection) as one:
        client.get(url)
    for week in range(1, 10):
        valuation.recompute_all(MONDAY + dt.timedelta(weeks=week))
    with CaptureQueriesContext(connection) as ten:
        client.get(url)
    # 15, +1 the stored match lines (players.aggregates), +1 the FPL card's look for his FPL lines.
    assert len(one) == len(ten) <= 17


# --- the board --------------------------------------------------------------------------------

def board(client, query=""):
    html = client.get(f"/markets/values/{query}").content.decode()
    return re.findall(r'<th scope="row"><a href="/players/\d+/#value">([^<]+)</a>', html)


def test_board_ranks_by_value_and_filters(client, season):
    valuation.recompute_all(MONDAY)
    ranked = [row.player.name for row in PlayerValue.objects.select_related("player").order_by("-value_eur")]
    assert board(client) == ranked
    assert board(client, "?position=GK") == ["Kit Keeper"]
    assert board(client, "?age=31%2B") == ["Vic Veteran"]  # 33 on the valuation day
    assert board(client, "?age=24-27&position=FW") == ["Sam Striker"]
    competition = season["league"].competition.pk
    assert board(client, f"?competition={competition}") == ranked
    # Read strictly (quantfoot/params.py): an unknown competition is a 404, a bad filter a 400 naming it.
    assert client.get(f"/markets/values/?competition={competition + 99}").status_code == 404
    bad = client.get("/markets/values/?position=XX")
    assert bad.status_code == 400 and "position: &#x27;XX&#x27; is not one of: GK" in bad.content.decode()
    assert board(client, "?position=&age=&utm_source=mail") == ranked  # empty selects and unknown names: no filter


def test_board_csv_holds_the_rows_and_queries_are_bounded(client, season, django_assert_max_num_queries):
    valuation.recompute_all(MONDAY)
    response = client.get("/markets/values.csv?position=FW")
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row[1] for row in rows[1:]] == board(client, "?position=FW")
    assert rows[1][6] == str(PlayerValue.objects.get(player=season["striker"]).value_eur)
    for number in range(30):  # more players on the board: the same queries
        extra = player(f"Extra {number}", position="MF")
        season["league"].play(season["city"], season["rovers"], day=10 + number,
                              lineups={season["city"]: [(extra, 90, True)]})
    recompute_player_seasons([season["league"].season])
    valuation.recompute_all(MONDAY)
    with django_assert_max_num_queries(4):
        client.get("/markets/values/")


# --- after a match, and live ------------------------------------------------------------------

def test_a_finished_match_adds_a_value_for_its_players(season, django_capture_on_commit_callbacks):
    valuation.recompute_all(MONDAY)
    match = season["league"].play(season["city"], season["rovers"], day=10, status=Match.Status.LIVE,
                                  lineups={season["city"]: [(season["striker"], None, True)]})
    with django_capture_on_commit_callbacks(execute=True):  # the final whistle's hooks run after commit
        services.set_match_status(match, Match.Status.FINISHED)
    after = PlayerValue.objects.get(player=season["striker"], kind=PlayerValue.Kind.AFTER_MATCH)
    assert after.match == match and after.is_current
    with django_capture_on_commit_callbacks(execute=True):  # finished again: the same row, rewritten
        services.set_match_status(match, Match.Status.LIVE, Match.Period.SECOND_HALF)
        services.set_match_status(match, Match.Status.FINISHED)
    assert PlayerValue.objects.filter(kind=PlayerValue.Kind.AFTER_MATCH, player=season["striker"]).count() == 1


@pytest.fixture
def live(season):
    valuation.recompute_all(MONDAY)
    city, rovers = season["city"], season["rovers"]
    match = season["league"].play(city, rovers, (0, 0), day=10, status=Match.Status.LIVE,
                                  lineups={city: [(season["striker"], None, True)],
                                           rovers: [(season["veteran"], None, True)]})
    services.set_clock(match, 30)
    return {**season, "match": match}


def record(match, kind, team_, who, minute, **fields):
    """An event as a provider sends it, naming the player (his alias finds him)."""
    PlayerAlias.objects.get_or_create(player=who, alias=who.name)
    services.record_event(match, EventRecord(
        "manual", f"{kind}-{who.pk}-{minute}", kind, 1, minute, team=TeamRef("manual", team_.name),
        player=PlayerRef("manual", who.name), **fields))


def values_region(match) -> str:
    return render_regions(load_match(match.pk), ["values"], seq=0)


def test_a_goal_moves_the_scorers_value_live_and_a_red_card_lowers_it(live):
    striker, veteran, match = live["striker"], live["veteran"], live["match"]
    before = PlayerValue.objects.get(player=striker).value_eur
    assert " hidden " in values_region(match)  # nothing moved yet: the region is left out
    record(match, "goal", live["city"], striker, 31, xg=0.6)
    moves = {move.player_id: move for move in live_values(load_match(match.pk))}
    assert moves[striker.pk].before == before and moves[striker.pk].now > before
    html = values_region(match)
    assert f'data-player="{striker.pk}"' in html and "goal 31&#x27;" in html and "value-up" in html
    record(match, "red_card", live["rovers"], veteran, 40)
    moves = {move.player_id: move for move in live_values(load_match(match.pk))}
    assert moves[veteran.pk].now < moves[veteran.pk].before and "red card 40'" in moves[veteran.pk].moves


def test_the_players_live_line_shows_the_tick(client, live):
    striker, match = live["striker"], live["match"]
    record(match, "goal", live["city"], striker, 31, xg=0.6)
    html = client.get(f"/players/{striker.pk}/").content.decode()
    now = int(re.search(r'data-live-value="(\d+)"', html).group(1))
    assert now > PlayerValue.objects.get(player=striker).value_eur and "in this match" in html


def test_a_player_never_valued_shows_no_move(live):
    newcomer = player("New Boy", position="FW")
    match = live["match"]
    record(match, "goal", live["city"], newcomer, 50)
    assert newcomer.pk not in {move.player_id for move in live_values(load_match(match.pk))}


@pytest.mark.parametrize("position, expected", [
    ("Goalkeeper", "GK"), ("Left Center Back", "DF"), ("Right Wing Back", "DF"), ("Center Defensive Midfield", "MF"),
    ("Left Wing", "FW"), ("Center Forward", "FW"), ("FW", "FW"), ("", "MF")])
def test_lineup_positions_map_to_the_four_groups(position, expected):
    assert valuation.position_group(position) == expected


def test_a_player_without_a_position_takes_his_lineups(season):
    unknown = Player.objects.create(name="No Position")
    season["league"].play(season["city"], season["rovers"], day=20, lineups={season["city"]: [(unknown, 90, True)]})
    recompute_player_seasons([season["league"].season])
    inputs = valuation.gather_inputs(MONDAY, DEFAULT_PARAMETERS, [unknown.pk])
    assert inputs[unknown.pk]["position"] == "FW"  # the builder's starters play "Center Forward"
