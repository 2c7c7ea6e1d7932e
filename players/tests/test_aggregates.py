"""Season aggregates: what counts, per 90, idempotent recompute, the hooks and the command."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from matches.merge import merge_into
from matches.models import Match, MatchEvent
from players.aggregates import match_lines, recompute_player_seasons
from players.models import PlayerSeasonStats
from players.tests.builders import League, card, goal, pass_to, player, shot, substitution, team

pytestmark = pytest.mark.django_db
Kind = MatchEvent.Kind


@pytest.fixture
def season():
    """Two matches of a season: North's striker scores three (one a penalty), an own goal, a
    shoot-out penalty, a sub's assist, cards; South's Back moves to East after matchday 1."""
    league = League()
    north, south, east = team("North FC"), team("South FC"), team("East FC")
    striker, winger, sub = player("Sam Striker"), player("Will Winger"), player("Sid Sub")
    bench, back, keeper = player("Ben Bench"), player("Bob Back"), player("Kim Keeper")
    first = league.play(north, south, (3, 1), day=1, lineups={
        north: [(striker, 90, True), (winger, 70, True), (sub, 20, False), (bench, 0, False)],
        south: [(back, 90, True), (keeper, 90, True)],
    }, events=[
        shot(north, striker, 5, xg=0.05, outcome="Off T"),
        pass_to(north, winger, striker, 9),  # a pass to the scorer is not an assist
        goal(north, striker, 10, assist=winger, xg=0.40),
        goal(south, back, 30, kind=Kind.OWN_GOAL),  # counts for North, not as Back's goal
        card(south, back, 44),
        substitution(north, winger, sub, 70),
        goal(north, striker, 80, assist=sub, xg=None, model_xg=0.30),  # no provider xG: ours
        card(north, striker, 85),
        goal(north, striker, 88, kind=Kind.PENALTY_SCORED, xg=0.78),
        shot(south, back, 89, xg=0.10, outcome="Saved"),
        goal(north, striker, 120, kind=Kind.PENALTY_SCORED, xg=0.78, period=5),  # shoot-out: not a goal
    ])
    second = league.play(east, north, (1, 1), day=8, lineups={
        east: [(back, 90, True)],
        north: [(striker, 90, True), (winger, 90, True), (bench, 0, False)],
    }, events=[
        goal(east, back, 12, xg=0.20),
        shot(north, striker, 30, xg=0.15, outcome="Blocked"),
        goal(north, winger, 70, assist=striker, xg=0.35),
        card(north, striker, 75, kind=Kind.SECOND_YELLOW),
    ])
    league.play(north, east, (2, 0), day=15, status=Match.Status.LIVE, lineups={north: [(striker, None, True)]},
                events=[goal(north, striker, 3, xg=0.9)])  # live: counted once it finishes
    return {"league": league, "north": north, "south": south, "east": east, "matches": [first, second],
            "striker": striker, "winger": winger, "sub": sub, "bench": bench, "back": back, "keeper": keeper}


def row(who, side) -> PlayerSeasonStats:
    return PlayerSeasonStats.objects.get(player=who, team=side)


def test_goals_count_penalties_but_not_own_goals_or_the_shoot_out(season):
    recompute_player_seasons([season["league"].season])
    striker = row(season["striker"], season["north"])
    assert (striker.goals, striker.penalty_goals, striker.penalty_attempts) == (3, 1, 1)
    assert row(season["back"], season["south"]).goals == 0  # his own goal is not his goal


def test_assists_are_the_goals_related_player(season):
    recompute_player_seasons([season["league"].season])
    assert row(season["winger"], season["north"]).assists == 1  # the pass to the scorer is not one
    assert row(season["sub"], season["north"]).assists == 1
    assert row(season["striker"], season["north"]).assists == 1


def test_minutes_appearances_and_starts_from_lineups(season):
    recompute_player_seasons([season["league"].season])
    striker, winger, sub = (row(season[name], season["north"]) for name in ("striker", "winger", "sub"))
    assert (striker.appearances, striker.starts, striker.minutes) == (2, 2, 180)
    assert (winger.appearances, winger.starts, winger.minutes) == (2, 2, 160)
    assert (sub.appearances, sub.starts, sub.minutes) == (1, 0, 20)
    # An unused substitute has not played: no row at all.
    assert not PlayerSeasonStats.objects.filter(player=season["bench"]).exists()


def test_shots_xg_and_cards(season):
    recompute_player_seasons([season["league"].season])
    striker = row(season["striker"], season["north"])
    assert (striker.shots, striker.shots_on_target) == (5, 3)  # 3 goals on target; off target, blocked not
    assert striker.xg == pytest.approx(0.05 + 0.40 + 0.30 + 0.78 + 0.15)
    assert (striker.yellow_cards, striker.red_cards) == (1, 1)


def test_two_teams_in_a_season_are_two_rows(season):
    recompute_player_seasons([season["league"].season])
    rows = PlayerSeasonStats.objects.filter(player=season["back"]).order_by("team__name")
    assert [(r.team.name, r.appearances, r.goals, r.shots, r.yellow_cards) for r in rows] == [
        ("East FC", 1, 1, 1, 0), ("South FC", 1, 0, 1, 1)]


def test_recompute_is_idempotent_and_drops_what_no_match_supports(season):
    assert recompute_player_seasons(season["matches"]) == {season["league"].season.pk: 6}
    before = list(PlayerSeasonStats.objects.order_by("pk").values())
    assert recompute_player_seasons(season["matches"]) == {season["league"].season.pk: 6}
    after = list(PlayerSeasonStats.objects.order_by("pk").values())
    assert [{**r, "updated_at": None} for r in after] == [{**r, "updated_at": None} for r in before]

    season["matches"][1].delete()  # a match removed: East's row goes, the others shrink
    recompute_player_seasons([season["league"].season])
    assert not PlayerSeasonStats.objects.filter(team=season["east"]).exists()
    assert row(season["striker"], season["north"]).appearances == 1


def test_per_90_needs_ninety_minutes(season):
    recompute_player_seasons([season["league"].season])
    striker, sub = row(season["striker"], season["north"]), row(season["sub"], season["north"])
    assert striker.goals_per_90 == pytest.approx(1.5)  # 3 goals in 180 minutes
    assert striker.xg_per_90 == pytest.approx(1.68 / 2)
    assert striker.shots_per_90 == pytest.approx(2.5) and striker.assists_per_90 == pytest.approx(0.5)
    assert sub.minutes == 20 and sub.assists_per_90 is None


def test_shots_without_outcomes_or_xg_leave_those_unknown():
    league = League()
    home, away = team("Home FC"), team("Away FC")
    who = player("No Data")
    league.play(home, away, (0, 0), lineups={home: [(who, 90, True)]},
                events=[shot(home, who, 10, outcome=""), shot(home, who, 20, outcome="")])
    recompute_player_seasons([league.season])
    stats = PlayerSeasonStats.objects.get(player=who)
    assert (stats.shots, stats.shots_on_target, stats.xg) == (2, None, None)


def test_a_goal_without_a_lineup_is_still_an_appearance():
    """Providers that send events but no lineups: the scorer played, minutes unknown."""
    league = League()
    home, away = team("Home FC"), team("Away FC")
    scorer = player("Only Events")
    league.play(home, away, (1, 0), events=[goal(home, scorer, 10, xg=0.3)])
    recompute_player_seasons([league.season])
    stats = PlayerSeasonStats.objects.get(player=scorer)
    assert (stats.team, stats.appearances, stats.starts, stats.minutes, stats.goals) == (home, 1, 0, 0, 1)


def test_recompute_runs_a_fixed_number_of_queries(season, django_assert_max_num_queries):
    other = League("Other League")
    a, b = team("A FC"), team("B FC")
    for day in range(1, 6):
        squad = [(player(f"A{day}-{n}"), 90, True) for n in range(11)]
        other.play(a, b, (1, 0), day=day, lineups={a: squad}, events=[goal(a, squad[0][0], 10, xg=0.2)])
    # Lines, stored keys, then per season a transaction with its upsert (and a delete when stale).
    with django_assert_max_num_queries(4 + 2 * 4):
        recompute_player_seasons([season["league"].season, other.season])
    assert PlayerSeasonStats.objects.filter(season=other.season).count() == 55


def test_match_lines_for_one_player(season):
    lines = match_lines(player_id=season["striker"].pk)
    assert sorted((line.goals, line.minutes) for line in lines.values()) == [(0, 90), (3, 90)]


def test_a_match_finished_live_recomputes_its_season(season, django_capture_on_commit_callbacks):
    from matches import services

    PlayerSeasonStats.objects.all().delete()
    match = season["matches"][0]
    Match.objects.filter(pk=match.pk).update(status=Match.Status.LIVE)
    with django_capture_on_commit_callbacks(execute=True):
        services.set_match_status(match, Match.Status.FINISHED)
    assert row(season["striker"], season["north"]).goals >= 1


def test_command_recomputes_all_or_one_season(season):
    out = StringIO()
    call_command("recompute_aggregates", stdout=out, stderr=StringIO())
    assert "player season statistics: 6 rows in 1 season" in out.getvalue()
    assert "team season statistics: 3 rows in 1 season" in out.getvalue()
    PlayerSeasonStats.objects.all().delete()
    call_command("recompute_aggregates", "--season", str(season["league"].season.pk), stdout=out)
    assert PlayerSeasonStats.objects.count() == 6
    with pytest.raises(CommandError, match="no season with id 999999"):
        call_command("recompute_aggregates", "--season", "999999")


def test_merging_duplicate_players_keeps_working(season):
    """A curator merges two players who both have a row for the same season and team."""
    duplicate = player("Sam Striker (copy)")
    league = season["league"]
    league.play(season["north"], season["south"], (1, 0), day=20,
                lineups={season["north"]: [(duplicate, 90, True)]},
                events=[goal(season["north"], duplicate, 5, xg=0.5)])
    recompute_player_seasons([league.season])
    merge_into(season["striker"], duplicate)
    recompute_player_seasons([league.season])
    striker = row(season["striker"], season["north"])
    assert (striker.appearances, striker.goals) == (3, 4)
