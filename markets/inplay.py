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

The pre-match goals (``pre_match_expectation``) are the closing odds' fair probabilities
turned into two Poisson rates when the match has odds, else our prediction's expected
goals, else the competition's averages with home advantage only where it is real.

``win_probability`` is pure (numbers in, numbers out). ``pre_match_expectation`` reads the
database at most once beside the odds the page has loaded; ``probability_series`` works on
event rows already loaded (the match page's key events, ``matches.fragments``) and makes
no query.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
from django.db.models import Avg, OuterRef, Subquery

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
    source: str  # "odds", "prediction", "competition" or "default"
    note: str = ""  # which prior, for the page: "closing odds, Pinnacle, margin removed (Shin)"


# Share of a match's goals the side at home scores where home advantage is real: the
# league-typical 1.45 of 2.6 (DEFAULT_HOME_GOALS / total); 0.5 at a neutral ground.
HOME_SHARE = DEFAULT_HOME_GOALS / (DEFAULT_HOME_GOALS + DEFAULT_AWAY_GOALS)
DEFAULT_TOTAL_GOALS = DEFAULT_HOME_GOALS + DEFAULT_AWAY_GOALS
# Independent Poisson goals cannot meet a book's draw and its over/under price at once
# (real draws are likelier than they allow: a book whose over 2.5 says 2.7 goals prices the
# draw as if 2.2). The 1X2 is what the page shows at kick-off, so it is met first (within
# about half a percentage point on real books); the over/under price leans the total its
# way at this weight, and without one a weaker pull keeps the total near the typical.
OVER_UNDER_WEIGHT = 0.15
TOTAL_PULL = 0.01


def expectation_from_odds(home: float, draw: float, away: float, over: float | None = None,
                          typical_total: float = DEFAULT_TOTAL_GOALS) -> tuple[float, float]:
    """The two Poisson goal expectations whose 90-minute 1X2 (and over 2.5) best reproduce fair probabilities.

    Least squares on the log-rates, the 1X2 first (see ``OVER_UNDER_WEIGHT``). The 1X2
    alone says little about the total (only the draw does): the over/under price, else a
    weak pull towards ``typical_total``, keeps the fit from wandering.
    """
    from scipy.optimize import least_squares

    for name, value in (("home", home), ("draw", draw), ("away", away), ("over", over)):
        if value is not None and not 0.0 < value < 1.0:
            raise ValueError(f"fair probability {name} must be between 0 and 1, got {value!r}")

    def residuals(log_rates):
        rate_home, rate_away = np.exp(log_rates)
        result = win_probability(rate_home, rate_away, 0.0, 0, 0)
        errors = [result[0] - home, result[1] - draw, result[2] - away]
        if over is not None:
            errors.append(OVER_UNDER_WEIGHT * (_over_2_5(rate_home + rate_away) - over))
        else:
            errors.append(TOTAL_PULL * np.log((rate_home + rate_away) / typical_total))
        return errors

    start = np.log([typical_total * HOME_SHARE, typical_total * (1 - HOME_SHARE)])
    fit = least_squares(residuals, start, bounds=(np.log(0.05), np.log(8.0)))
    rate_home, rate_away = np.exp(fit.x)
    return float(rate_home), float(rate_away)


def _over_2_5(total_rate: float) -> float:
    # The sum of two independent Poissons is Poisson with the summed rate.
    return 1.0 - float(poisson_pmf(total_rate, 2).sum())


def _fair_from_summary(summary: Mapping | None) -> tuple[list[float], float | None, str] | None:
    """(1X2 fair probabilities, over 2.5 fair probability or None, where from) from ``odds_summary``."""
    if not summary:
        return None
    board = summary.get("match_odds")
    if board is None:
        return None
    pinnacle = next((row for row in board.bookmakers if row.bookmaker.code == PINNACLE and row.fair), None)
    if pinnacle is not None:
        fair, who, phase = pinnacle.fair, "Pinnacle", pinnacle.fair_from
    elif board.consensus:
        rows = [row for row in board.bookmakers if row.fair] or [row for row in board.aggregates if row.fair]
        fair = board.consensus
        who = f"market average of {board.consensus_books} bookmaker{'s' if board.consensus_books != 1 else ''}"
        phase = "closing" if any(row.fair_from == "closing" for row in rows) else "opening"
    else:
        return None
    over = None
    totals = next((b for b in summary.get("boards", []) if b.market == "over_under"), None)
    if totals is not None:
        line_pinnacle = next((row for row in totals.bookmakers if row.bookmaker.code == PINNACLE and row.fair), None)
        if line_pinnacle is not None:
            over = line_pinnacle.fair[0]
        elif totals.consensus:
            over = totals.consensus[0]
    method = summary.get("method_label", "")
    note = f"{phase} odds, {who}, margin removed" + (f" ({method})" if method else "")
    return list(fair), over, note


PINNACLE = "PS"


def pre_match_expectation(match, odds: Mapping | None = None) -> Expectation:
    """The pre-match goal expectations the in-play model starts from, in order of trust:

    1. the closing odds' fair probabilities (``odds``: ``markets.match_odds.odds_summary``,
       which the match page has already loaded), turned into two Poisson rates;
    2. our model's latest stored prediction;
    3. the competition's finished matches (else league-typical goals), with home advantage
       only where it is real: none at a neutral ground or in an international tournament,
       and to the side whose country the ground is in, listed home or away.

    One query (none when the odds have an over/under price): the prediction and the
    averages come as subqueries beside the match's venue and teams.
    """
    fair = _fair_from_summary(odds)
    if fair is not None and fair[1] is not None:
        (home, draw, away), over, note = fair
        return Expectation(*expectation_from_odds(home, draw, away, over), "odds", note)
    row = _expectation_row(match)
    if fair is not None:
        (home, draw, away), _, note = fair
        typical = (row["average_home"] + row["average_away"]) if row.get("average_home") and row.get("average_away") \
            else DEFAULT_TOTAL_GOALS
        return Expectation(*expectation_from_odds(home, draw, away, None, float(typical)), "odds",
                           f"{note}; goals total league-typical")
    if row.get("predicted_home") is not None and row.get("predicted_away") is not None:
        return Expectation(row["predicted_home"], row["predicted_away"], "prediction", "our Dixon-Coles prediction")
    if row.get("average_home") and row.get("average_away"):
        home_goals, away_goals, source = float(row["average_home"]), float(row["average_away"]), "competition"
        what = "competition averages"
    else:
        home_goals, away_goals, source = DEFAULT_HOME_GOALS, DEFAULT_AWAY_GOALS, "default"
        what = "league-typical goals"
    at_home = _side_at_home(match, row)
    if at_home == "listed":
        return Expectation(home_goals, away_goals, source, f"{what}, {match.home_team.display_name} at home")
    total = home_goals + away_goals  # the averages' home/away split is the listed home side's advantage
    ground = _ground_name(row)
    if at_home == "away":
        return Expectation(total * (1 - HOME_SHARE), total * HOME_SHARE, source,
                           f"{what}, {match.away_team.display_name} at home{f' in {ground}' if ground else ''}")
    if at_home == "home":
        return Expectation(total * HOME_SHARE, total * (1 - HOME_SHARE), source,
                           f"{what}, {match.home_team.display_name} at home{f' in {ground}' if ground else ''}")
    return Expectation(total / 2, total / 2, source, f"{what}, neutral ground: no home advantage")


def _expectation_row(match) -> dict:
    from markets.models import Prediction
    from matches.models import Match

    latest = (Prediction.objects.filter(match_id=OuterRef("pk"), expected_home_goals__isnull=False,
                                        expected_away_goals__isnull=False)
              .order_by("-created_at", "-pk"))
    finished = (Match.objects.filter(competition_id=OuterRef("competition_id"), status=Match.Status.FINISHED,
                                     home_score__isnull=False).exclude(pk=OuterRef("pk"))
                .order_by().values("competition_id"))
    return (
        Match.objects.filter(pk=match.pk)
        .annotate(
            predicted_home=Subquery(latest.values("expected_home_goals")[:1]),
            predicted_away=Subquery(latest.values("expected_away_goals")[:1]),
            average_home=Subquery(finished.annotate(value=Avg("home_score")).values("value")[:1]),
            average_away=Subquery(finished.annotate(value=Avg("away_score")).values("value")[:1]),
        )
        .values("predicted_home", "predicted_away", "average_home", "average_away", "competition__kind",
                "venue_id", "venue__name", "venue__city", "venue__country", "home_team__kind",
                "away_team__kind", "home_team__country", "away_team__country", "home_team__venue_id",
                "away_team__venue_id")
        .first()
    ) or {}


def _ground_name(row: Mapping) -> str:
    return row.get("venue__city") or row.get("venue__name") or ""


def _venue_country(row: Mapping) -> str:
    """The ground's country as stored, else as the grounds catalog knows it (by name and city)."""
    if row.get("venue__country"):
        return row["venue__country"]
    if not row.get("venue__name"):
        return ""
    from matches.grounds import find_ground

    ground = find_ground(row["venue__name"], row.get("venue__city") or "")
    return ground.country if ground else ""


def _side_at_home(match, row: Mapping) -> str:
    """"listed" (the home side is at home, as in a league), "home", "away" (that side is, named
    because it may not be the listed one) or "neutral"."""
    from matches.models import normalize_name

    country = normalize_name(_venue_country(row))
    home_country = normalize_name(row.get("home_team__country") or "")
    away_country = normalize_name(row.get("away_team__country") or "")
    international = (row.get("competition__kind") == "international"
                     or (row.get("home_team__kind") == "national" and row.get("away_team__kind") == "national"))
    if country and (home_country == country) != (away_country == country):
        # The ground is in one team's country: Italy in Rome, listed home or away.
        return "home" if home_country == country else "away"
    venue = row.get("venue_id")
    if venue is not None and not international:
        if venue == row.get("home_team__venue_id"):
            return "listed"
        if venue == row.get("away_team__venue_id"):
            return "away"
        if row.get("home_team__venue_id") is not None:
            return "neutral"  # a cup final at a third club's ground or a national stadium
    return "neutral" if international else "listed"


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
        "prior": expectation.note,
        "series": {"home_name": match.home_team.display_name, "away_name": match.away_team.display_name, "t": t, "home": home, "draw": draw, "away": away, "goals": marks,
                   "end": max(REGULATION_MINUTES if match.status == "finished" else now, t[-1] if t else 0.0)},
    }


def _apply(change: tuple[float, str, str], goals: dict, reds: dict) -> None:
    _, side, what = change
    (goals if what == "goal" else reds)[side] += 1
