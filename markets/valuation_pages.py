"""What the pages show of market values: a player's card (figure, history, explanation) and the board.

Queries are fixed: the card reads the player's history in one query; the board reads the
current values with their player, team and competition in one query, plus one for the
filter choices.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from markets.models import PlayerValue
from markets.valuation import AGE_BANDS, explanation
from matches.models import Competition
from players.models import Player
from quantfoot import params as read

HISTORY_ROWS = 12
BOARD_ROWS = 100


def player_value_card(player: Player) -> dict | None:
    """The player page's market value: today's figure, what it is made of, its history."""
    history = list(PlayerValue.objects.filter(player=player).select_related("model", "match__home_team",
                                                                          "match__away_team")
                   .order_by("as_of", "pk"))
    if not history:
        return None
    current = next((row for row in reversed(history) if row.is_current), history[-1])
    previous = history[-2] if len(history) > 1 else None
    return {
        "current": current,
        "change": current.value_eur - previous.value_eur if previous else None,
        "previous": previous,
        "steps": explanation(current),
        "history": list(reversed(history))[:HISTORY_ROWS],
        "more_history": len(history) > HISTORY_ROWS,
        "chart": {
            "days": [_epoch(row.as_of) for row in history],
            "values": [row.value_eur for row in history],
            "labels": [history_label(row) for row in history],
        } if len(history) > 1 else None,
    }


def history_label(row: PlayerValue) -> str:
    if row.kind == PlayerValue.Kind.AFTER_MATCH and row.match is not None:
        return f"after {row.match.home_team.display_name} {row.match.score_display} {row.match.away_team.display_name}"
    return "weekly valuation"


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC).timestamp())


def player_history(player: Player) -> QuerySet[PlayerValue]:
    return PlayerValue.objects.filter(player=player).select_related(
        "model", "match__home_team", "match__away_team").order_by("-as_of", "-pk")


# --- the board -----------------------------------------------------------------------------------

@dataclass(frozen=True)
class BoardFilters:
    competition: int | None = None
    position: str = ""
    age: str = ""

    @classmethod
    def from_query(cls, query) -> BoardFilters:
        """Read strictly (quantfoot/params.py): a bad value is a 400, an unknown competition id a 404
        (one query, only when one is asked for)."""
        competition = read.existing(query, "competition", Competition.objects.all(), "No such competition.")
        return cls(
            competition=None if competition is None else competition.pk,
            position=read.choice(query, "position", dict(Player.Position.choices), ""),
            age=read.choice(query, "age", [key for key, *_ in AGE_BANDS], ""),
        )

    def apply(self, rows: QuerySet[PlayerValue]) -> QuerySet[PlayerValue]:
        if self.competition is not None:
            rows = rows.filter(competition_id=self.competition)
        if self.position:
            rows = rows.filter(position=self.position)
        if self.age:
            low, high = next((low, high) for key, _, low, high in AGE_BANDS if key == self.age)
            if low is not None:
                rows = rows.filter(age__gte=low)
            if high is not None:
                rows = rows.filter(age__lte=high)
        return rows


def board_rows(filters: BoardFilters, limit: int | None = BOARD_ROWS) -> list[PlayerValue]:
    """Current values, highest first (one query)."""
    rows = filters.apply(PlayerValue.objects.filter(is_current=True)).select_related(
        "player", "team", "competition", "model").order_by("-value_eur", "player__name")
    return list(rows[:limit] if limit else rows)


def board_choices() -> dict:
    """The filters' options: competitions that have valued players (one query)."""
    competition_ids = PlayerValue.objects.filter(is_current=True, competition__isnull=False).values("competition_id")
    return {
        "competitions": list(Competition.objects.filter(pk__in=competition_ids).order_by("name")),
        "positions": Player.Position.choices,
        "ages": [(key, label) for key, label, *_ in AGE_BANDS],
    }


BOARD_COLUMNS = ("Rank", "Player", "Position", "Age", "Team", "Competition", "Value (EUR)", "Valued on", "Model")


def board_csv_rows(rows: list[PlayerValue]):
    for rank, row in enumerate(rows, start=1):
        yield [rank, row.player.display_name, row.position, "" if row.age is None else row.age,
               row.team.display_name if row.team else "", row.competition.name if row.competition else "",
               row.value_eur, row.as_of.isoformat(), f"v{row.model.version}"]


HISTORY_COLUMNS = ("Date", "Value (EUR)", "Kind", "Match", "Model", "Age", "Minutes", "Team minutes", "Goals",
                   "Assists", "xG", "Red cards", "Team points", "Team games")


def history_csv_rows(rows):
    for row in rows:
        inputs = row.inputs
        yield [row.as_of.isoformat(), row.value_eur, row.get_kind_display(),
               history_label(row) if row.match_id else "", f"v{row.model.version}",
               *("" if inputs.get(key) is None else inputs[key]
                 for key in ("age", "minutes", "team_minutes", "goals", "assists", "xg", "red_cards", "team_points", "team_played"))]
