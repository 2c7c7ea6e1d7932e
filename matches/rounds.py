"""A season's matches grouped into rounds, for the fixtures and results list.

A match's round is its matchday when a source gave one ("Matchday 5"), else its round
name ("Group A"). Results files that give neither (football-data.co.uk) are grouped by
week, Tuesday to Monday in the site's time zone, so that a weekend round stays whole
with its Monday match.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

UNFINISHED = frozenset({"scheduled", "live"})


@dataclass
class Round:
    key: tuple
    label: str
    matches: list[dict] = field(default_factory=list)

    @property
    def first_kickoff(self) -> dt.datetime:
        return self.matches[0]["kickoff"]

    @property
    def last_kickoff(self) -> dt.datetime:
        return max(match["kickoff"] for match in self.matches)


def _week_label(dates: list[dt.date]) -> str:
    first, last = min(dates), max(dates)
    if first == last:
        return f"{first.day} {first:%b %Y}"
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{last.day} {last:%b %Y}"
    if first.year == last.year:
        return f"{first.day} {first:%b} – {last.day} {last:%b %Y}"
    return f"{first.day} {first:%b %Y} – {last.day} {last:%b %Y}"


def group_rounds(matches: list[dict], zone: dt.tzinfo | str) -> list[Round]:
    """Matches (value rows with ``kickoff``, ``matchday``, ``round``), in kick-off order, as rounds in order."""
    zone = ZoneInfo(zone) if isinstance(zone, str) else zone
    rounds: dict[tuple, Round] = {}
    week_dates: dict[tuple, list[dt.date]] = {}
    for match in matches:
        if match["matchday"] is not None:
            key = ("matchday", match["matchday"])
            label = match["round"] or f"Matchday {match['matchday']}"
        elif match["round"]:
            key, label = ("round", match["round"]), match["round"]
        else:
            day = match["kickoff"].astimezone(zone).date()
            key = ("week", day - dt.timedelta(days=(day.weekday() - 1) % 7))  # the Tuesday starting its week
            week_dates.setdefault(key, []).append(day)
            label = ""
        rounds.setdefault(key, Round(key, label)).matches.append(match)
    for key, dates in week_dates.items():
        rounds[key].label = _week_label(dates)
    ordered = list(rounds.values())
    if all(key[0] == "matchday" for key in rounds):
        ordered.sort(key=lambda group: group.key[1])
    else:
        ordered.sort(key=lambda group: group.first_kickoff)
    return ordered


def current_round(rounds: list[Round]) -> int:
    """Index of the round a fan wants first: the one with the next match to play, else the last one."""
    pending = [
        (match["kickoff"], index)
        for index, group in enumerate(rounds) for match in group.matches if match["status"] in UNFINISHED
    ]
    if pending:
        return min(pending)[1]
    return max(len(rounds) - 1, 0)
