"""Ratings and expected threat as pure functions: hand-made event lists, no database."""


import pytest

from players.ratings import BOTTOM, MIN_MINUTES, TOP, Appearance, rate_events, to_rating
from players.threat import fallback_grid, fit_threat, formula_value

GRID = fallback_grid()
HOME = [Appearance(player_id=pid, side="home", position="Goalkeeper" if pid == 1 else "Center Forward", team_id=10)
        for pid in range(1, 12)]
AWAY = [Appearance(player_id=pid, side="away", position="Goalkeeper" if pid == 101 else "Center Back", team_id=20)
        for pid in range(101, 112)]
LINEUPS = HOME + AWAY


def event(kind, player_id, *, side=None, minute=30, **fields):
    side = side or ("home" if player_id < 100 else "away")
    base = {"kind": kind, "period": 1 if minute <= 45 else 2, "minute": minute, "added_minute": None, "second": 0,
            "team_id": 10 if side == "home" else 20, "player_id": player_id, "related_player_id": None,
            "x": None, "y": None, "end_x": None, "end_y": None, "xg": None, "outcome": "", "side": side}
    return {**base, **fields}


def background():
    """A quiet match: each player passes the ball sideways in midfield a few times."""
    return [event("pass", pid, minute=minute, x=45, y=40, end_x=45, end_y=60)
            for minute in (5, 50) for pid in [*range(1, 12), *range(101, 112)]]


def rated(*extra, lineups=LINEUPS, **options):
    return rate_events(background() + list(extra), lineups, GRID, **options)


def test_a_quiet_full_match_rates_near_the_base():
    ratings = rated()
    assert len(ratings) == 22
    assert all(6.0 <= rating.rating <= 6.6 for rating in ratings.values())
    assert all(rating.minutes == 90 for rating in ratings.values())


def test_a_goal_clearly_raises_the_scorers_rating():
    before = rated()[9].rating
    after = rated(event("goal", 9, minute=60, x=90, y=50, xg=0.3, outcome="Goal"))
    assert after[9].rating >= before + 1.0
    assert after[9].goals == 1
    assert after[9].player_of_the_match
    assert after[101].rating < before  # the keeper who conceded it


def test_the_assister_is_credited_and_the_goal_counts_for_his_rating():
    ratings = rated(event("pass", 7, minute=59, x=80, y=30, end_x=92, end_y=50, related_player_id=9),
                    event("goal", 9, minute=60, x=92, y=50, xg=0.5, outcome="Goal", related_player_id=7))
    assert ratings[7].assists == 1 and ratings[7].key_passes == 1 and ratings[7].xa == 0.5
    assert ratings[7].rating > rated()[7].rating + 0.8


def test_a_red_card_lowers_the_rating():
    before = rated()[104].rating
    after = rated(event("red_card", 104, minute=70))
    assert after[104].rating <= before - 1.0
    assert after[104].minutes == 70
    assert after[104].cards == "red"


def test_a_progressive_pass_into_the_box_adds_more_than_a_sideways_pass():
    forward = rated(event("pass", 6, minute=40, x=60, y=50, end_x=90, end_y=50))
    sideways = rated(event("pass", 6, minute=40, x=60, y=30, end_x=60, end_y=70))
    failed = rated(event("pass", 6, minute=40, x=60, y=50, end_x=90, end_y=50, outcome="Incomplete"))
    assert forward[6].raw > sideways[6].raw > failed[6].raw
    assert forward[6].xt > 0.1


def test_defensive_actions_and_saves_count():
    quiet = rated()
    busy = rated(*[event("interception", 105, minute=m, x=20, y=50) for m in (20, 25, 30)],
                 *[event("duel", 106, minute=m, outcome="Won", x=30, y=50) for m in (20, 25, 30)],
                 event("shot", 9, minute=33, x=88, y=50, xg=0.4, outcome="Saved"))
    assert busy[105].rating > quiet[105].rating and busy[105].defensive == 3
    assert busy[106].rating > quiet[106].rating
    assert busy[101].saves == 1 and busy[101].rating > quiet[101].rating


def test_an_own_goal_and_an_error_leading_to_a_goal_lower_the_rating():
    quiet = rated()[103].rating
    own = rated(event("own_goal", 103, minute=20))
    error = rated(event("dispossessed", 103, minute=20, x=20, y=50),
                  event("goal", 9, minute=20, x=90, y=50, xg=0.3, outcome="Goal"))
    assert own[103].rating < quiet - 0.5
    assert error[103].rating < quiet - 0.3


def test_short_appearances_get_no_rating_and_subs_count_from_coming_on():
    lineups = [*LINEUPS, Appearance(player_id=12, side="home", is_starter=False, subbed_on_minute=85),
               Appearance(player_id=13, side="home", is_starter=False, subbed_on_minute=60),
               Appearance(player_id=14, side="home", is_starter=False)]  # unused substitute
    ratings = rated(event("pass", 12, minute=88, x=40, y=50, end_x=45, end_y=50),
                    event("pass", 13, minute=70, x=40, y=50, end_x=45, end_y=50), lineups=lineups)
    assert 12 not in ratings and 14 not in ratings
    assert ratings[13].minutes == 30 >= MIN_MINUTES


def test_substitution_events_give_minutes_without_line_ups():
    events = [event("pass", 5, minute=10, x=40, y=50, end_x=50, end_y=50),
              event("substitution", 5, minute=60, related_player_id=15),
              event("pass", 15, minute=70, x=40, y=50, end_x=50, end_y=50),
              event("pass", 105, minute=89, x=40, y=50, end_x=50, end_y=50)]
    ratings = rate_events(events, (), GRID)
    assert ratings[5].minutes == 60 and ratings[15].minutes == 30 and ratings[105].minutes == 90
    assert ratings[15].side == "home"


def test_a_live_match_rates_the_minutes_played_so_far():
    ratings = rate_events(background()[:22], LINEUPS, GRID, finished=False, now_minute=30)
    assert {rating.minutes for rating in ratings.values()} == {30}
    assert not rate_events(background()[:22], LINEUPS, GRID, finished=False, now_minute=5)


def test_bounds_hold_for_extreme_matches():
    heroics = [event("goal", 9, minute=m, x=90, y=50, xg=0.1, outcome="Goal") for m in range(10, 80, 7)]
    disaster = [event("own_goal", 103, minute=m) for m in range(10, 40, 5)] + [event("red_card", 103, minute=40)]
    ratings = rated(*heroics, *disaster)
    assert ratings[9].rating == TOP or BOTTOM <= ratings[9].rating <= TOP
    assert ratings[9].rating >= 9.5
    assert all(BOTTOM <= rating.rating <= TOP for rating in ratings.values())
    assert ratings[103].rating == BOTTOM or ratings[103].rating < 4.0
    assert to_rating(1e6) == TOP and to_rating(-1e6) == BOTTOM
    assert all(round(rating.rating, 1) == rating.rating for rating in ratings.values())


def test_player_of_the_match_ties_go_to_more_minutes():
    lineups = [*LINEUPS, Appearance(player_id=13, side="home", is_starter=False, subbed_on_minute=60)]
    ratings = rated(event("pass", 13, minute=70, x=45, y=40, end_x=45, end_y=60), lineups=lineups)
    best = [rating for rating in ratings.values() if rating.player_of_the_match]
    assert len(best) == 1 and best[0].minutes == 90


def test_the_highlights_name_what_made_the_rating():
    ratings = rated(event("pass", 7, minute=59, x=80, y=30, end_x=92, end_y=50, related_player_id=9),
                    event("goal", 9, minute=60, x=92, y=50, xg=0.45, outcome="Goal", related_player_id=7))
    assert ratings[9].highlights[:2] == ["1 goal", "0.45 xG"]
    assert ratings[7].highlights[0] == "1 assist"


def test_the_threat_fit_values_zones_near_goal_more_and_stays_a_probability():
    events = []
    for _ in range(50):
        events += [{"kind": "pass", "x": 30, "y": 50, "end_x": 60, "end_y": 50, "outcome": ""},
                   {"kind": "pass", "x": 60, "y": 50, "end_x": 90, "end_y": 50, "outcome": ""},
                   {"kind": "pass", "x": 60, "y": 50, "end_x": 90, "end_y": 50, "outcome": "Incomplete"},
                   {"kind": "carry", "x": 90, "y": 50, "end_x": 94, "end_y": 50},
                   {"kind": "shot", "x": 94, "y": 50, "xg": 0.3, "outcome": "Saved"}]
    grid = fit_threat(events)
    assert grid.fitted and grid.events == 250
    assert grid.at(90, 50) == pytest.approx(grid.at(94, 50))  # a carry always keeps the ball: same value
    assert grid.at(94, 50) == pytest.approx((50 * 0.3 + 10 * formula_value(15, 6)) / 60)  # shrunk xG of its shots
    assert grid.at(90, 50) > grid.at(60, 50) > 0
    assert grid.at(30, 50) == pytest.approx(grid.at(60, 50))  # its passes never fail
    assert grid.at(10, 5) == 0  # no action ever started there
    assert all(0 <= value <= 1 for column in grid.values for value in column)
    # Half the passes from midfield fail: its value is half the box's (one move later).
    assert grid.at(60, 50) == pytest.approx(0.5 * grid.at(90, 50), rel=0.01)


def test_the_fallback_grid_rises_towards_goal():
    assert not GRID.fitted
    assert GRID.at(95, 50) > GRID.at(80, 50) > GRID.at(50, 50) > GRID.at(10, 50)
    assert GRID.at(95, 50) > GRID.at(95, 5)
