"""The competition page's top scorers and assisters, read from the season's player rows.

``PlayerSeasonStats`` holds every season whatever fed it: summed from events (StatsBomb,
live matches) or from a source's own match lines (FPL), so the leaders of a Premier League
season are the real ones once its FPL data are in. The card is registered for the
"competition" page in ``players/apps.py`` (``matches/`` never imports us). Finished
matches count, as in every season figure (a goal in a live match counts from the final
whistle).
"""

from __future__ import annotations

from django.db.models import Q

from players.models import PlayerMatchStats, PlayerSeasonStats

TOP_SCORERS = 10


def season_leaders(season_id: int) -> dict[str, list[dict]]:
    """{"scorers": [...], "assisters": [...]} for a season, from one query."""
    rows = (
        PlayerSeasonStats.objects.filter(Q(goals__gt=0) | Q(assists__gt=0), season_id=season_id)
        .values("player_id", "player__name", "player__known_as", "team_id", "team__name", "goals",
                "penalty_goals", "assists")
        .order_by("team__name")
    )
    players: dict[int, dict] = {}
    for row in rows:  # a row per player and team: a player who moved mid-season counts for both
        player = players.setdefault(row["player_id"], {
            "id": row["player_id"], "name": row["player__known_as"] or row["player__name"], "teams": [],
            "goals": 0, "penalties": 0, "assists": 0,
        })
        player["goals"] += row["goals"]
        player["penalties"] += row["penalty_goals"]
        player["assists"] += row["assists"]
        player["teams"].append({"id": row["team_id"], "name": row["team__name"]})
    return {"scorers": ranked(players.values(), "goals"), "assisters": ranked(players.values(), "assists")}


def ranked(players, figure: str, shown: int = TOP_SCORERS) -> list[dict]:
    """Players with the figure above 0, best first (then by name); everyone level with the last shown
    stays; players level share a position."""
    order = sorted((player for player in players if player[figure] > 0),
                   key=lambda player: (-player[figure], player["name"].casefold()))
    if len(order) > shown:
        order = [player for player in order if player[figure] >= order[shown - 1][figure]]
    leaders, position = [], 0
    for index, player in enumerate(order):
        if index == 0 or player[figure] != order[index - 1][figure]:
            position = index + 1
        leaders.append({**player, "position": position})
    return leaders


def competition_card(asked) -> dict | None:
    """The card's context for the competition page's ``StandingsRequest``; None with no goal scored."""
    if asked.season is None:
        return None
    leaders = season_leaders(asked.season.pk)
    if not leaders["scorers"] and not leaders["assisters"]:
        return None
    # FPL counts no penalties apart and credits more assists than the official count (a won
    # penalty, a parried shot scored from; Watkins 2023/24: 18 in FPL, 13 officially): where
    # its lines are the season's, the penalties column goes and a note says so.
    leaders["from_fpl"] = PlayerMatchStats.objects.filter(match__season_id=asked.season.pk, source="fpl").exists()
    leaders["show_penalties"] = not leaders["from_fpl"]
    return leaders
