"""players/' part of the public API (/api/v1/, quantfoot/api.py): players and their season statistics.

Season statistics are the stored ``PlayerSeasonStats`` rows (players.aggregates writes them), one
per season and team; figures a source does not give are ``null``, never 0.
"""

import datetime as dt
from typing import List

from django.db.models import Q
from django.http import Http404
from ninja import Query, Router, Schema
from ninja.pagination import paginate

from matches.api_v1 import Ref, TeamRef
from players.models import Player, PlayerAlias, PlayerSeasonStats
from quantfoot.api_support import OptionalText, Pagination
from quantfoot.params import MAX_TEXT, BadRequestParameter

router = Router()


class PlayerOut(Schema):
    id: int
    name: str
    known_as: OptionalText
    birth_date: dt.date | None
    nationality: OptionalText
    position: OptionalText
    foot: OptionalText
    height_cm: int | None






class SeasonRef(Schema):
    id: int
    name: str
    competition: Ref


class PlayerSeasonOut(Schema):
    season: SeasonRef
    team: TeamRef
    appearances: int
    starts: int
    minutes: int
    goals: int
    penalty_goals: int
    assists: int
    shots: int | None
    shots_on_target: int | None
    xg: float | None
    xa: float | None
    clean_sheets: int | None
    goals_conceded: int | None
    saves: int | None
    yellow_cards: int
    red_cards: int
    goals_per_90: float | None
    assists_per_90: float | None
    xg_per_90: float | None

    @staticmethod
    def resolve_shots(obj):
        # No source of his matches said how many shots he took: unknown, not 0 (players.models).
        return obj.shots if obj.shots_matches or not obj.appearances else None


def _get_player(player_id: int) -> Player:
    found = Player.objects.filter(pk=player_id).first()
    if found is None:
        raise Http404(f"no player with id {player_id}")
    return found


@router.get("/players", response=List[PlayerOut], tags=["players"])
@paginate(Pagination)
def players(request, name: str | None = Query(None, max_length=MAX_TEXT,
                                             description="Part of the name, the name fans use or another spelling.")):
    found = Player.objects.order_by("name", "pk")
    if name and "\x00" in name:  # PostgreSQL cannot compare text with NUL in it
        raise BadRequestParameter("name", name, f"text of at most {MAX_TEXT} characters without NUL")
    name = (name or "").strip()
    if name:
        spelled = PlayerAlias.objects.filter(alias__icontains=name).values("player_id")
        found = found.filter(Q(name__icontains=name) | Q(known_as__icontains=name) | Q(pk__in=spelled))
    return found


@router.get("/players/{player_id}", response=PlayerOut, tags=["players"])
def player(request, player_id: int):
    return _get_player(player_id)


@router.get("/players/{player_id}/stats", response=List[PlayerSeasonOut], tags=["players"])
def player_stats(request, player_id: int):
    """His seasons, latest first: one row per season and team."""
    found = _get_player(player_id)
    return list(PlayerSeasonStats.objects.filter(player=found)
                .select_related("season__competition", "team")
                .order_by("-season__start_date", "-season__name", "team__name"))
