"""The player page's Fantasy Premier League card: his FPL price week by week beside our market value,
and FPL's points per match. Registered for the "player" page in ``fantasy/apps.py``.

Two queries whatever his career: his FPL lines (with their matches) and our valuations.
"""

from __future__ import annotations

import datetime as dt

from fantasy.models import FplPlayerFixture
from markets.models import PlayerValue

POINTS_ROWS = 38  # a season's worth of matches in the table; the chart has them all


def _epoch(day: dt.date) -> int:
    return int(dt.datetime.combine(day, dt.time(12), tzinfo=dt.UTC).timestamp())


def price_chart(lines: list[FplPlayerFixture], values: list[tuple[dt.date, int]]) -> dict:
    """uPlot's aligned columns: days (Unix seconds, noon UTC), FPL price (£m) and our value (€m),
    None where a series has no point that day (the line spans the gap)."""
    prices = {_epoch(line.match.kickoff.date()): float(line.price) for line in lines}
    ours = {_epoch(day): round(value / 1e6, 2) for day, value in values}
    days = sorted(prices.keys() | ours.keys())
    return {"days": days, "prices": [prices.get(day) for day in days], "values": [ours.get(day) for day in days]}


def player_card(player) -> dict | None:
    lines = list(FplPlayerFixture.objects.filter(player=player)
                 .select_related("season", "match__home_team", "match__away_team").order_by("match__kickoff"))
    if not lines:
        return None
    values = list(PlayerValue.objects.filter(player=player).order_by("as_of", "pk").values_list("as_of", "value_eur"))
    latest = lines[-1]
    rows = []
    for line in reversed(lines[-POINTS_ROWS:]):
        match = line.match
        rows.append({"line": line, "match": match, "score": (f"{match.home_score}–{match.away_score}"
                                                             if match.home_score is not None else "")})
    return {
        "player": player,
        "latest": latest,
        "season_points": sum(line.total_points for line in lines if line.season_id == latest.season_id),
        "rows": rows,
        "more": len(lines) > POINTS_ROWS,
        "chart": price_chart(lines, values) if len(lines) > 1 else None,
        "has_values": bool(values),
    }
