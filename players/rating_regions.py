"""players' rating regions of the match page (matches/regions.py): the player ratings and the player of the match.

Both read ``ratings.match_ratings(state)`` (memoised on the state): one query on top of the
events the page already shares, plus one for names only when a player rated is not in the
line-ups (a feed without them).
"""

from __future__ import annotations

from django.urls import reverse

from matches import regions
from players import ratings as rating_model

REFRESH = frozenset({"score_update", "match_event", "shot", "stats_update", "match_status"})


def _named(state, rated: dict) -> dict[int, str]:
    """Player id -> the name shown: the line-up's, else one query for those it lacks."""
    names = {pid: rating.name for pid, rating in rated.items() if rating.name}
    missing = [pid for pid in rated if pid not in names]
    if missing:
        from players.models import Player

        for pid, name, known_as in Player.objects.filter(pk__in=missing).values_list("pk", "name", "known_as"):
            names[pid] = known_as or name
    return names


def _row(rating, names: dict[int, str]) -> dict:
    return {
        "player_id": rating.player_id, "name": names.get(rating.player_id, ""), "rating": f"{rating.rating:.1f}",
        "band": rating.band, "minutes": rating.minutes, "potm": rating.player_of_the_match,
        "url": reverse("players:player", args=[rating.player_id]), "highlights": rating.highlights,
        "cards": rating.cards, "goals": rating.goals, "assists": rating.assists, "side": rating.side,
    }


def ratings_context(state) -> dict | None:
    rated = rating_model.match_ratings(state)
    if not rated:
        return None
    names = state.memo("rating_names", lambda: _named(state, rated))
    match = state.match
    sides = []
    for side, team in (("home", match.home_team), ("away", match.away_team)):
        rows = sorted((r for r in rated.values() if r.side == side), key=lambda r: (-r.rating, -r.minutes))
        if rows:
            average = sum(r.rating for r in rows) / len(rows)
            sides.append({"side": side, "team": team, "average": f"{average:.1f}",
                          "players": [_row(r, names) for r in rows]})
    return {"ratings": {"sides": sides, "note": rating_model.grid_note(rating_model.ratings_grid(state)),
                        "live": match.status != match.Status.FINISHED}}


def potm_context(state) -> dict | None:
    rated = rating_model.match_ratings(state)
    best = rating_model.player_of_the_match(rated.values())
    if best is None:
        return None
    names = state.memo("rating_names", lambda: _named(state, rated))
    match = state.match
    team = match.home_team if best.side == "home" else match.away_team if best.side == "away" else None
    return {"potm": {**_row(best, names), "team": team, "live": match.status != match.Status.FINISHED}}


def grid_version() -> int:
    """The threat grid's version: ratings are kept per version of the match and of the grid."""
    return rating_model.current_grid().version


def register() -> None:
    regions.register_region("match", regions.Region(
        "ratings", "players/partials/_ratings.html", ratings_context, order=30, tab="stats",
        title="Player ratings", refresh=REFRESH, from_match_alone=True, model_version=grid_version))
    regions.register_region("match", regions.Region(
        "potm", "players/partials/_potm.html", potm_context, order=20, tab="summary",
        title="Player of the match", refresh=REFRESH, from_match_alone=True, model_version=grid_version))
