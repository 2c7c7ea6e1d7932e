"""Attack momentum: who was pressing, minute by minute, from the events (SofaScore's pressure graph).

Pure functions over the match page's event dicts (``matches.fragments.MatchState.events``: kind,
period, minute, added_minute, team side, x, y, end_x, end_y, xg, outcome); no database.
Locations are in the acting team's own frame, 0-100, attacking towards x = 100 (StatsBomb's
120 x 80 yards mapped linearly by ingestion/statsbomb.py), so "near the goal" means x near 100
for either side.

Threat of one event, credited to the acting side (``side``), in goals-ish units:

- a shot (goal, penalty, saved, missed): its xG (``SHOT_XG_WHEN_UNKNOWN`` when the feed gives
  none); own goals are not the scorer's threat;
- a completed pass or a carry that ends in the final third (end_x >= 66.7): the end location's
  value ``location_threat``: 0.01 at the edge of the final third rising linearly to 0.03 at the
  byline, doubled (0.04-0.06) inside the penalty area, and scaled down towards the touchlines
  (x 0.6 at the line). A pass counts as completed when its outcome is empty (StatsBomb names
  only failures). ``POSSESSION_WEIGHT`` multiplies these: about 15 final-third entries weigh
  as much as a 0.3 xG chance, so a spell of sustained pressure shows without drowning shots.

Each elapsed minute is one bar: a period's minutes 1..end (45 a half, 15 in extra time), then one
bar per minute of added time (45+1, 45+2 ...). A minute is the sum of its events' threat per side
(``minute_threat``); a minute with nothing in it is 0. Each side's series is then smoothed with
exponential decay (``smooth``: s_t = raw_t + DECAY * s_{t-1}, DECAY = 0.55, so a chance still shows
at about a third of its size two minutes later) restarting at each period, and the bar is home
minus away: positive (drawn up) when the home side was on top, negative (down) for the away side.
Goals (own goals for the side credited) are marked at their minute. The shoot-out is left out.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

SHOT_KINDS = frozenset({"goal", "penalty_scored", "penalty_missed", "shot"})
GOAL_KINDS = frozenset({"goal", "penalty_scored"})
POSSESSION_KINDS = frozenset({"pass", "carry"})
SHOOTOUT = 5
# Football minute at which each period's regular time ends, and the minutes it spans.
PERIOD_END = {1: 45, 2: 90, 3: 105, 4: 120}
PERIOD_START = {1: 0, 2: 45, 3: 90, 4: 105}

SHOT_XG_WHEN_UNKNOWN = 0.08  # about the average shot's xG
POSSESSION_WEIGHT = 1.0
FINAL_THIRD_X = 66.7
BOX_X = 85.0  # 102 of 120 yards
BOX_Y = (22.5, 77.5)  # 18 to 62 of 80 yards
DECAY = 0.55


@dataclass
class Minute:
    period: int
    index: int  # 1.. within the period, regular minutes then added time
    label: str  # "12'", "45+2'"
    home: float = 0.0  # raw threat in this minute
    away: float = 0.0
    value: float = 0.0  # smoothed home minus away
    goals: list[str] = field(default_factory=list)  # sides that scored in this minute


def location_threat(x: float | None, y: float | None) -> float:
    """The danger of having the ball at (x, y) in the attacking frame: 0 outside the final third."""
    if x is None or y is None or x < FINAL_THIRD_X:
        return 0.0
    depth = min(1.0, (x - FINAL_THIRD_X) / (100 - FINAL_THIRD_X))
    value = 0.01 + 0.02 * depth
    if x >= BOX_X and BOX_Y[0] <= y <= BOX_Y[1]:
        value *= 2
    centrality = 1 - min(1.0, abs(y - 50) / 50)
    return value * (0.6 + 0.4 * centrality)


def event_threat(event: dict) -> float:
    """What one event adds to its side's pressure (see the module's docstring)."""
    kind = event["kind"]
    if kind in SHOT_KINDS:
        xg = event.get("xg")
        return SHOT_XG_WHEN_UNKNOWN if xg is None else float(xg)
    if kind in POSSESSION_KINDS:
        if kind == "pass" and event.get("outcome"):
            return 0.0  # incomplete, out, offside
        return POSSESSION_WEIGHT * location_threat(event.get("end_x"), event.get("end_y"))
    return 0.0


def minute_index(period: int, minute: int, added: int | None) -> int:
    """1-based bar within the period: 46th minute -> 1 of the second half; 45+2 -> 47 of the first."""
    start, end = PERIOD_START.get(period, 0), PERIOD_END.get(period, minute)
    if added:
        return end - start + added
    return min(max(minute - start, 1), end - start)


def _label(period: int, index: int) -> str:
    start, end = PERIOD_START[period], PERIOD_END[period]
    if index > end - start:
        return f"{end}+{index - (end - start)}'"
    return f"{start + index}'"


def minute_threat(events: list[dict]) -> list[Minute]:
    """Every minute of every period played, in order, with each side's raw threat and its goals.

    A period's bars run to its regular end once a later period has begun or the period has
    ended (``period_end``), else to its last event (a live match), and on into added time as far
    as the events go.
    """
    raw: dict[tuple[int, int], dict[str, float]] = defaultdict(lambda: {"home": 0.0, "away": 0.0})
    goals: dict[tuple[int, int], list[str]] = defaultdict(list)
    last: dict[int, int] = {}
    ended: set[int] = set()
    for event in events:
        period = event["period"]
        if period not in PERIOD_END:
            continue
        index = minute_index(period, event["minute"], event.get("added_minute"))
        last[period] = max(last.get(period, 0), index)
        if event["kind"] == "period_end":
            ended.add(period)
        side = event.get("side")
        if side not in ("home", "away"):
            continue
        raw[(period, index)][side] += event_threat(event)
        if event["kind"] in GOAL_KINDS:
            goals[(period, index)].append(side)
        elif event["kind"] == "own_goal":
            goals[(period, index)].append("away" if side == "home" else "home")
    minutes = []
    for period in sorted(last):
        regular = PERIOD_END[period] - PERIOD_START[period]
        complete = period in ended or any(later > period for later in last)
        count = max(last[period], regular) if complete else last[period]
        for index in range(1, count + 1):
            values = raw.get((period, index), {"home": 0.0, "away": 0.0})
            minutes.append(Minute(period, index, _label(period, index), home=values["home"], away=values["away"],
                                  goals=list(goals.get((period, index), ()))))
    return minutes


def smooth(values: list[float], decay: float = DECAY) -> list[float]:
    """Exponential decay: each minute keeps ``decay`` of the one before plus its own threat."""
    smoothed, carried = [], 0.0
    for value in values:
        carried = value + decay * carried
        smoothed.append(carried)
    return smoothed


def momentum(events: list[dict], decay: float = DECAY) -> list[Minute]:
    """The pressure graph: each minute's smoothed home threat minus away threat (home positive)."""
    minutes = minute_threat(events)
    for period in sorted({minute.period for minute in minutes}):
        in_period = [minute for minute in minutes if minute.period == period]
        home = smooth([minute.home for minute in in_period], decay)
        away = smooth([minute.away for minute in in_period], decay)
        for minute, h, a in zip(in_period, home, away, strict=True):
            minute.value = round(h - a, 4)
    return minutes


def upper_hand(minutes: list[Minute], period: int) -> tuple[str | None, float]:
    """Who had more of the period's threat ("home", "away" or None when within 55:45), and their share."""
    home = sum(minute.home for minute in minutes if minute.period == period)
    away = sum(minute.away for minute in minutes if minute.period == period)
    if home + away <= 0:
        return None, 0.5
    share = home / (home + away)
    if share >= 0.55:
        return "home", share
    if share <= 0.45:
        return "away", 1 - share
    return None, max(share, 1 - share)
