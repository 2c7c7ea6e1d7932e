"""Ratings on the match page (regions "ratings" and "potm"), stored for the player's match log, and fit_threat."""

from io import StringIO

import pytest
from django.core.management import call_command

from matches import services
from matches.fragments import MatchState, load_match, page_regions, render_regions
from matches.models import Match, MatchEvent
from players import ratings
from players.models import PlayerMatchRating, ThreatModel
from players.tests.builders import League, card, goal, player, team

pytestmark = pytest.mark.django_db
Kind = MatchEvent.Kind


@pytest.fixture(autouse=True)
def _fresh_grid():
    ratings.forget_grid()
    yield
    ratings.forget_grid()


def passes(side, who, minutes, **fields):
    return [{"kind": Kind.PASS, "team": side, "player": who, "minute": minute, "x": 45.0, "y": 40.0, "end_x": 50.0,
             "end_y": 60.0, "outcome": "", "period": 1 if minute <= 45 else 2, **fields} for minute in minutes]


@pytest.fixture
def played():
    """Home 1-0 Away: the striker scores, the away defender is booked, a sub comes on for five minutes."""
    home, away = team("Home FC"), team("Away FC")
    keeper, striker, late = player("Home Keeper"), player("Sam Striker"), player("Late Sub")
    defender, other_keeper = player("Dan Defender"), player("Away Keeper")
    events = [*passes(home, striker, [5, 50]), *passes(home, keeper, [6, 51]), *passes(away, defender, [7, 52]),
              *passes(away, other_keeper, [8, 53]),
              goal(home, striker, 60, xg=0.35, period=2), card(away, defender, 70) | {"period": 2}]
    match = League().play(home, away, (1, 0), events=events, lineups={
        home: [(keeper, 90, True), (striker, 90, True), (late, 5, False)],
        away: [(other_keeper, 90, True), (defender, 90, True)]})
    match.lineups.get(team=home).entries.filter(player=late).update(subbed_on_minute=85)
    return {"match": match, "striker": striker, "defender": defender, "late": late}


def test_the_match_page_shows_both_sides_ratings_and_the_scorer_as_player_of_the_match(client, played):
    html = client.get(played["match"].get_absolute_url()).content.decode()
    assert 'id="ratings"' in html and 'id="potm"' in html
    assert "css/ratings.css" in html
    striker = f'data-player="{played["striker"].pk}"'
    assert striker in html
    state = MatchState(load_match(played["match"].pk))
    rated = ratings.match_ratings(state)
    best = ratings.player_of_the_match(rated.values())
    assert best.player_id == played["striker"].pk and best.player_of_the_match and best.rating >= 7.5
    assert rated[played["defender"].pk].rating < rated[played["striker"].pk].rating
    assert played["late"].pk not in rated  # five minutes: not rated
    potm = render_regions(state.match, ["potm"], seq=1, state=state)
    assert "Sam Striker" in potm and "1 goal" in potm and "0.35 xG" in potm
    assert f"rating-badge--{best.band}" in potm
    # No grid fitted: the note says the formula stands in.
    assert "no expected-threat grid is fitted" in render_regions(state.match, ["ratings"], seq=1, state=state)


def test_ratings_cost_one_query_on_top_of_the_events(played, django_assert_num_queries):
    ThreatModel.objects.create(version=1, grid=[[0.01] * 12] * 16, events=10)
    state = MatchState(load_match(played["match"].pk))
    state.events  # the page's shared query
    with django_assert_num_queries(2):  # line-ups (with the grid's version) and, once per process, the grid
        ratings.match_ratings(state)
    again = MatchState(state.match)
    again.events
    with django_assert_num_queries(1):  # the grid is cached by version
        ratings.match_ratings(again)
        ratings.match_ratings(again)  # memoised on the state
    assert ratings.ratings_grid(again).version == 1


def test_a_new_grid_version_is_picked_up(played):
    ThreatModel.objects.create(version=1, grid=[[0.01] * 12] * 16, events=10)
    state = MatchState(load_match(played["match"].pk))
    ratings.match_ratings(state)
    ThreatModel.objects.create(version=2, grid=[[0.02] * 12] * 16, events=20)
    fresh = MatchState(state.match)
    ratings.match_ratings(fresh)
    assert ratings.ratings_grid(fresh).version == 2
    assert "xT grid v2" in render_regions(fresh.match, ["ratings"], seq=1, state=fresh)


def test_a_live_match_is_rated_so_far(played):
    match = played["match"]
    Match.objects.filter(pk=match.pk).update(status=Match.Status.LIVE, clock_minute=62,
                                             period=Match.Period.SECOND_HALF)
    state = MatchState(load_match(match.pk))
    rated = ratings.match_ratings(state)
    assert rated[played["striker"].pk].minutes == 62
    html = render_regions(state.match, ["ratings", "potm"], seq=5, state=state)
    assert "Ratings so far" in html and "it can change" in html
    assert 'hx-swap-oob="true"' in html and 'data-seq="5"' in html


def test_the_regions_refresh_on_play_and_sit_in_their_tabs(played):
    from matches import regions

    assert "ratings" in regions.refreshed_by("shot") and "potm" in regions.refreshed_by("score_update")
    assert "ratings" not in regions.refreshed_by("clock")
    page = page_regions(MatchState(load_match(played["match"].pk)))
    tabs = {tab["key"]: [section["name"] for section in tab["sections"]] for tab in page["tabs"]}
    assert "ratings" in tabs["stats"] and "potm" in tabs["summary"]


def test_a_match_without_player_events_shows_no_ratings(client):
    match = League().play(team("A"), team("B"), (0, 0))
    state = MatchState(load_match(match.pk))
    assert ratings.match_ratings(state) == {}
    html = client.get(match.get_absolute_url()).content.decode()
    assert '<div id="potm" data-seq="0" hidden></div>' in html  # drawn empty, for a push to fill
    assert 'id="ratings" class' not in html


def test_the_final_whistle_stores_the_ratings_for_the_match_log(played, django_capture_on_commit_callbacks):
    match = played["match"]
    Match.objects.filter(pk=match.pk).update(status=Match.Status.LIVE, period=Match.Period.SECOND_HALF)
    match.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.set_match_status(match, Match.Status.FINISHED)
    stored = dict(PlayerMatchRating.objects.filter(match=match).values_list("player_id", "rating"))
    assert stored[played["striker"].pk] >= 7.5 and played["late"].pk not in stored
    assert PlayerMatchRating.objects.get(match=match, player=played["striker"]).player_of_the_match


def test_fit_threat_stores_a_grid_rates_the_matches_and_the_match_log_shows_the_rating(client, played):
    out = StringIO()
    call_command("fit_threat", stdout=out)
    assert out.getvalue().strip().startswith("threat v1 events=")
    model = ThreatModel.objects.get()
    assert len(model.grid) == 16 and len(model.grid[0]) == 12 and model.events > 0
    row = PlayerMatchRating.objects.get(match=played["match"], player=played["striker"])
    assert row.threat_version == 1
    html = client.get(played["striker"].get_absolute_url()).content.decode()
    assert ">Rating<" in html and f"{row.rating:.1f}" in html
    call_command("fit_threat", stdout=StringIO())  # a refit is a new version, the ratings rewritten once
    assert ThreatModel.objects.count() == 2
    assert PlayerMatchRating.objects.filter(match=played["match"]).count() == 4


def test_fit_threat_without_events_says_so():
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no stored passes"):
        call_command("fit_threat", stdout=StringIO())


def test_the_match_log_reads_the_ratings_at_no_extra_query(client, played, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as unrated:
        client.get(played["striker"].get_absolute_url())
    call_command("fit_threat", stdout=StringIO())
    with django_assert_num_queries(len(unrated)):  # the rating comes with the match rows
        html = client.get(played["striker"].get_absolute_url()).content.decode()
    assert ">Rating<" in html


def test_evaluate_ratings_without_statsbomb_matches_says_so(played):
    from django.core.management import CommandError

    with pytest.raises(CommandError, match="no finished StatsBomb match"):
        call_command("evaluate_ratings", stdout=StringIO())
