"""In-play win probability: home/draw/away from the score, the minute, red cards and the pre-match view.

The model is the pre-match Poisson model run forward from the current state: each side's
goals in the time that is left are Poisson with mean

    pre-match expected goals x (regular-time minutes left / 90) x red-card factors,

independent of each other, and the final score is the current score plus those goals
(``markets.ratings.score_matrix`` with rho = 0). At kick-off it therefore gives exactly the
pre-match Poisson probabilities, and at the 90th minute the current score is certain.

Added time is handled by clamping: the minute is clamped to 0..90 (first-half added time
counts as the 45th minute, second-half added time as the 90th). While play is still on
(``live``), at least ``LIVE_MINUTES_LEFT`` of scoring time is kept, so that a match in
added time is not called before the final whistle. Extra time is not modelled: the result
is the 1X2 result of the score as it stands (a penalty shoot-out leaves it a draw).

Red cards (a straight red or a second yellow) scale each side's scoring rate, per card and
multiplicatively, for the whole of the remaining time:

- the side a man down scores at x0.67 (``RED_OWN_FACTOR``): Vecer, Kopriva & Ichiba,
  "Estimating the effect of the red card in soccer", Journal of Quantitative Analysis in
  Sports 5(1), 2009, estimated from in-play betting prices that the penalised team's
  scoring intensity falls by about a third;
- its opponents score at x1.4 (``RED_OPPONENT_FACTOR``): the literature spans from the
  "slight" increase of Vecer et al. to +88% in Ridder, Cramer & Hopstaken, "Down to ten:
  estimating the effect of a red card in soccer", JASA 89(427), 1994 (Dutch league); 1.4 is
  a middle value between them, not a fit of our own.

``win_probability`` is pure (numbers in, numbers out). ``pre_match_expectation`` reads the
database once; ``probability_series`` works on event rows already loaded (the match
page's key events, ``matches.fragments``) and makes no query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from django.db.models import Avg, Q, Subquery

from markets.ratings import poisson_pmf

REGULATION_MINUTES = 90.0
HALF_TIME_MINUTE = 45.0
LIVE_MINUTES_LEFT = 1.0
RED_OWN_FACTOR = 0.67
RED_OPPONENT_FACTOR = 1.4
# Average goals when neither a prediction nor finished matches of the competition are stored
# (roughly the top European leagues' home and away averages).
DEFAULT_HOME_GOALS = 1.45
DEFAULT_AWAY_GOALS = 1.15
# Goals still to come beyond this many per side are negligible at any realistic rate.
MAX_REMAINING_GOALS = 15

SCORING_KINDS = frozenset({"goal", "own_goal", "penalty_scored"})
RED_KINDS = frozenset({"red_card", "second_yellow"})
SHOOTOUT_PERIOD = 5


def win_probability(pre_home_goals: float, pre_away_goals: float, minute: float, home_score: int,
                    away_score: int, home_reds: int = 0, away_reds: int = 0, *,
                    live: bool = False) -> tuple[float, float, float]:
    """(home, draw, away) of the 90-minute result, summing to 1; see the module's docstring."""
    elapsed = min(max(float(minute), 0.0), REGULATION_MINUTES)
    left = REGULATION_MINUTES - elapsed
    if live:
        left = max(left, LIVE_MINUTES_LEFT)
    fraction = left / REGULATION_MINUTES
    home_rate = pre_home_goals * fraction * RED_OWN_FACTOR ** home_reds * RED_OPPONENT_FACTOR ** away_reds
    away_rate = pre_away_goals * fraction * RED_OWN_FACTOR ** away_reds * RED_OPPONENT_FACTOR ** home_reds
    lead = home_score - away_score
    if home_rate <= 0 and away_rate <= 0:
        return (1.0, 0.0, 0.0) if lead > 0 else (0.0, 1.0, 0.0) if lead == 0 else (0.0, 0.0, 1.0)
    # matrix[i, j]: home scores i more and away j more from here on.
    matrix = np.outer(_pmf(home_rate), _pmf(away_rate))
    matrix /= matrix.sum()
    margin = np.subtract.outer(np.arange(matrix.shape[0]), np.arange(matrix.shape[1])) + lead
    home = float(matrix[margin > 0].sum())
    draw = float(matrix[margin == 0].sum())
    away = float(matrix[margin < 0].sum())
    return home, draw, away


def _pmf(rate: float) -> np.ndarray:
    if rate <= 0:
        pmf = np.zeros(MAX_REMAINING_GOALS + 1)
        pmf[0] = 1.0
        return pmf
    return poisson_pmf(rate, MAX_REMAINING_GOALS)


# The pre-match expectation


@dataclass(frozen=True)
class Expectation:
    home_goals: float
    away_goals: float
    source: str  # "prediction", "competition" or "default"


def pre_match_expectation(match) -> Expectation:
    """The latest stored prediction's expected goals, else the competition's averages, else defaults.

    One query whichever it is: the prediction comes as a subquery beside the averages.
    """
    from markets.models import Prediction
    from matches.models import Competition, Match

    latest = (Prediction.objects.filter(match_id=match.pk, expected_home_goals__isnull=False,
                                        expected_away_goals__isnull=False)
              .order_by("-created_at", "-pk"))
    finished = Q(matches__status=Match.Status.FINISHED, matches__home_score__isnull=False) & ~Q(matches__pk=match.pk)
    row = (
        Competition.objects.filter(pk=match.competition_id)
        .annotate(
            predicted_home=Subquery(latest.values("expected_home_goals")[:1]),
            predicted_away=Subquery(latest.values("expected_away_goals")[:1]),
            average_home=Avg("matches__home_score", filter=finished),
            average_away=Avg("matches__away_score", filter=finished),
        )
        .values("predicted_home", "predicted_away", "average_home", "average_away")
        .first()
    ) or {}
    if row.get("predicted_home") is not None and row.get("predicted_away") is not None:
        return Expectation(row["predicted_home"], row["predicted_away"], "prediction")
    if row.get("average_home") and row.get("average_away"):
        return Expectation(float(row["average_home"]), float(row["average_away"]), "competition")
    return Expectation(DEFAULT_HOME_GOALS, DEFAULT_AWAY_GOALS, "default")


# Across the match


def event_minute(period: int, minute: int | None, added: int | None, second: int | None) -> float:
    """Regular-time minutes elapsed at an event; added time counts as its period's end."""
    if added or minute is None:
        return HALF_TIME_MINUTE if period == 1 else REGULATION_MINUTES if period == 2 else float(minute or 0)
    return max(0.0, minute - 1 + (second or 0) / 60)


def current_minute(match) -> float:
    """Regular-time minutes elapsed now (90 once the match is over, 0 before kick-off)."""
    status, period = match.status, match.period
    if status == "finished":
        return REGULATION_MINUTES
    if status != "live":
        return 0.0
    if period == "half_time":
        return HALF_TIME_MINUTE
    if period in ("extra_time", "penalties"):
        return REGULATION_MINUTES
    if match.clock_added:
        return HALF_TIME_MINUTE if period == "first_half" else REGULATION_MINUTES
    if match.clock_minute:
        return float(match.clock_minute)
    return HALF_TIME_MINUTE if period == "second_half" else 0.0


def _credited(event: Mapping) -> str | None:
    side = event.get("side")
    if event["kind"] == "own_goal":
        return {"home": "away", "away": "home"}.get(side)
    return side


def probability_series(match, events: Iterable[Mapping], expectation: Expectation) -> dict:
    """The probabilities after each goal and red card and at each minute, and now.

    ``events`` are event rows in match order with ``kind``, ``period``, ``minute``,
    ``added_minute``, ``second`` and ``side`` ("home"/"away"); others are ignored. The
    series is left out (``complete`` False) when the goal events do not add up to the
    stored score (a results-file match has a score and no events).
    """
    live = match.status == "live"
    now = current_minute(match)
    changes = []  # (minute, side, what)
    for event in events:
        if event["period"] >= SHOOTOUT_PERIOD:
            continue
        if event["kind"] in SCORING_KINDS:
            side, what = _credited(event), "goal"
        elif event["kind"] in RED_KINDS:
            side, what = event.get("side"), "red"
        else:
            continue
        if side is None:
            continue
        changes.append((event_minute(event["period"], event["minute"], event["added_minute"], event["second"]),
                        side, what))
    goals = {"home": 0, "away": 0}
    reds = {"home": 0, "away": 0}
    t: list[float] = []
    home: list[float] = []
    draw: list[float] = []
    away: list[float] = []
    marks: dict[str, list[int]] = {"home": [], "away": []}

    def point(minute: float, still_live: bool) -> tuple[float, float, float]:
        probabilities = win_probability(expectation.home_goals, expectation.away_goals, minute,
                                        goals["home"], goals["away"], reds["home"], reds["away"], live=still_live)
        t.append(round(minute, 2))
        for values, value in zip((home, draw, away), probabilities):
            values.append(round(value, 4))
        return probabilities

    # Events in match order, minute boundaries between them: an event's point is after it.
    pending = sorted(changes, key=lambda change: change[0])
    index = 0
    for minute in range(0, int(now) + 1):
        while index < len(pending) and pending[index][0] < minute:
            _apply(pending[index], goals, reds)
            when = pending[index][0]
            point(when, True)
            if pending[index][2] == "goal":
                marks[pending[index][1]].append(len(t) - 1)
            index += 1
        point(float(minute), True)
    for change in pending[index:]:  # added time (or extra time) events: at the clamped minute
        _apply(change, goals, reds)
        point(min(change[0], REGULATION_MINUTES) if now >= change[0] else now, True)
        if change[2] == "goal":
            marks[change[1]].append(len(t) - 1)
    # Now: the stored score is what counts (the feed may lag behind it).
    score = (match.home_score or 0, match.away_score or 0)
    complete = (goals["home"], goals["away"]) == score
    goals["home"], goals["away"] = score
    current = win_probability(expectation.home_goals, expectation.away_goals, now, *score,
                              reds["home"], reds["away"], live=live)
    if match.status == "finished":
        point(REGULATION_MINUTES, False)  # the final whistle: the result is certain
    elif live and t[-1] < now:
        point(now, True)
    return {
        "current": {side: round(100 * value, 1) for side, value in zip(("home", "draw", "away"), current)},
        "complete": complete,
        "has_series": complete and len(t) > 1,
        "source": expectation.source,
        "series": {"home_name": match.home_team.display_name, "away_name": match.away_team.display_name, "t": t, "home": home, "draw": draw, "away": away, "goals": marks,
                   "end": max(REGULATION_MINUTES if match.status == "finished" else now, t[-1] if t else 0.0)},
    }


def _apply(change: tuple[float, str, str], goals: dict, reds: dict) -> None:
    _, side, what = change
    (goals if what == "goal" else reds)[side] += 1
