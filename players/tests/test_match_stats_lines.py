"""Stored match lines (PlayerMatchStats: FPL's rows) in the season figures, the match log and the leaders."""

import pytest

from matches.models import Source
from players.aggregates import match_lines, player_match_log, recompute_player_seasons
from players.leaders import season_leaders
from players.models import PlayerMatchStats, PlayerSeasonStats
from players.tables import season_table
from players.tests.builders import League, goal, player, team
from quantfoot.tests.pages import get

pytestmark = pytest.mark.django_db


def stored(who, match, side, **figures):
    return PlayerMatchStats.objects.create(player=who, match=match, team=side, source=Source.FPL, **figures)


@pytest.fixture
def season():
    league = League()
    north, south = team("North FC"), team("South FC")
    striker, keeper, other = player("Sam Striker"), player("Kim Keeper"), player("Otto Other")
    first = league.play(north, south, (2, 0), day=1, lineups={north: [(striker, 90, True)]},
                        events=[goal(north, striker, 10, xg=0.4)])  # events say one goal, 90 minutes
    second = league.play(south, north, (0, 1), day=8)  # no events: only the stored lines know
    stored(striker, first, north, minutes=85, started=True, goals=2, assists=1, xg=0.9, xa=0.3, clean_sheet=True,
           goals_conceded=0)
    stored(striker, second, north, minutes=20, started=False, goals=1, xg=0.2, xa=0.0, clean_sheet=False,
           goals_conceded=0)
    stored(keeper, second, south, minutes=90, started=True, saves=4, goals_conceded=1, clean_sheet=False)
    recompute_player_seasons([league.season])
    return {"league": league, "north": north, "striker": striker, "keeper": keeper, "other": other,
            "matches": (first, second)}


def test_a_stored_line_wins_over_the_events_for_the_same_match(season):
    lines = match_lines(player_id=season["striker"].pk)
    first = lines[(season["striker"].pk, season["matches"][0].pk)]
    assert (first.minutes, first.goals, first.assists, first.xg, first.xa) == (85, 2, 1, 0.9, 0.3)


def test_season_rows_sum_the_stored_lines(season):
    striker = PlayerSeasonStats.objects.get(player=season["striker"])
    assert (striker.appearances, striker.starts, striker.minutes, striker.goals, striker.assists) == (2, 1, 105, 3, 1)
    assert (striker.xg, striker.xa, striker.clean_sheets, striker.goals_conceded) == (1.1, 0.3, 1, 0)
    assert striker.saves is None  # no line gives his saves: empty, not 0
    keeper = PlayerSeasonStats.objects.get(player=season["keeper"])
    assert (keeper.saves, keeper.goals_conceded, keeper.clean_sheets, keeper.xa) == (4, 1, 0, None)


def test_seasons_from_events_only_leave_the_new_figures_empty():
    league = League("Events League")
    a, b = team("A FC"), team("B FC")
    scorer = player("Eve Events")
    league.play(a, b, (1, 0), lineups={a: [(scorer, 90, True)]}, events=[goal(a, scorer, 5, xg=0.3)])
    recompute_player_seasons([league.season])
    row = PlayerSeasonStats.objects.get(player=scorer)
    assert (row.goals, row.xa, row.clean_sheets, row.goals_conceded, row.saves) == (1, None, None, None, None)


def test_leaders_read_the_season_rows(season):
    leaders = season_leaders(season["league"].season.pk)
    assert [(row["name"], row["goals"]) for row in leaders["scorers"]] == [("Sam Striker", 3)]
    assert [(row["name"], row["assists"]) for row in leaders["assisters"]] == [("Sam Striker", 1)]


def test_the_match_log_and_season_table_show_the_new_figures_where_present(client, season):
    html = get(client, season["striker"].get_absolute_url())
    assert '<abbr title="Expected assists">xA</abbr>' in html
    assert '<abbr title="Clean sheets">CS</abbr>' in html and '<abbr title="Clean sheet">CS</abbr>' in html
    assert html.count('<div class="table-scroll">') >= 2  # wide tables scroll inside, the page does not
    assert '<abbr title="Saves">Saves</abbr>' not in html  # no line of his gives saves
    assert '<abbr title="Saves">Saves</abbr>' in get(client, season["keeper"].get_absolute_url())


def test_shots_and_penalties_are_unknown_not_zero_where_only_stored_lines_describe_him(season):
    """FPL counts neither shots nor penalties apart: a season known only from its lines shows them
    empty (a 27-goal striker with 0 shots is not credible); a lineup or events make them known."""
    rows = list(PlayerSeasonStats.objects.select_related("season__competition", "team")
                .filter(player__in=[season["keeper"], season["striker"]]).order_by("player__name"))
    keeper, striker = rows  # Kim, Sam
    assert (keeper.shots_matches, striker.shots_matches) == (0, 1)  # the striker's first match has a lineup

    table = season_table(rows, player_url="/players/")
    keys = [column.key for column in table.columns]

    def cells(row, *names):
        return [table.rows[row][keys.index(name)].text for name in names]

    assert cells(0, "shots", "shots_on_target", "penalty_goals", "penalty_attempts") == ["", "", "", ""]
    assert cells(0, "minutes", "saves") == ["90", "4"]
    assert cells(1, "shots", "goals") == ["1", "3"]
    log = {match.pk: line for match, line in player_match_log(season["striker"].pk)}
    first, second = season["matches"]
    assert (log[first.pk].shots_known, log[second.pk].shots_known) == (True, False)
