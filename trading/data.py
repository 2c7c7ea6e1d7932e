"""What a backtest sees, read from the database: each finished match's priced selections at bet time.

For every finished match of the chosen competition and seasons and every market the strategy
trades, one candidate per selection and line with:

- the price taken: the chosen bookmaker's quote (``best``: the highest among real bookmakers,
  never an aggregate) at the chosen moment: its opening (pre-match) quote, its closing quote, or
  its latest snapshot at least N minutes before kick-off (``snapshot:N``);
- the opening price of the same bookmaker (for ``market_move``), and the closing price of the same
  selection and line by the same rule (for closing-line value; read after the bet, never to pick it);
- our probability: the match's prediction by the chosen model kind. Every stored prediction of a
  finished match was made before it: by the daily refit before kick-off, or by the walk forward
  (``markets.predictions.predict_history``) from the results before its kick-off day. Asian
  handicap and other goal lines come from the Dixon-Coles score matrix of its expected goals;
- the sharp book's fair probability at the same moment (Pinnacle's book with Shin's margin removal);
- the settlement from the final score.

Three queries whatever the number of matches: the matches, their quotes, their predictions.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db.models import QuerySet

from markets import odds as implied
from markets.models import OddsQuote, Prediction
from markets.ratings import score_matrix
from markets.value_bets import latest_per_kind
from matches.models import Competition, Match, Season
from trading.engine import Candidates
from trading.settlement import SELECTIONS, settle, split_line
from trading.strategy import StrategySpec

PHASE = {"opening": OddsQuote.Phase.PRE_MATCH, "closing": OddsQuote.Phase.CLOSING}


@dataclass
class DataSeen:
    """What a backtest read, stored with its result so a page can say what it was run on."""

    competitions: list[str]
    seasons: list[str]
    matches: int
    priced_matches: int
    candidates: int
    first_kickoff: str | None
    last_kickoff: str | None
    prediction_models: list[str]

    def as_dict(self) -> dict:
        return dict(self.__dict__)


def finished_matches(competitions: list[Competition], seasons: list[Season]) -> QuerySet:
    return (Match.objects.filter(competition__in=competitions, season__in=seasons, status=Match.Status.FINISHED,
                                 home_score__isnull=False, away_score__isnull=False)
            .order_by("kickoff", "pk"))


def load(competitions: list[Competition], seasons: list[Season], spec: StrategySpec) -> tuple[Candidates, DataSeen]:
    matches = list(finished_matches(competitions, seasons).values_list(
        "pk", "kickoff", "competition_id", "season_id", "home_score", "away_score"))
    ids = [row[0] for row in matches]
    markets = set(spec.markets_needed)
    quotes = defaultdict(list)
    for quote in (OddsQuote.objects.filter(match_id__in=ids, market__in=markets)
                  .values("match_id", "bookmaker__code", "bookmaker__is_aggregate", "market", "line", "phase",
                          "taken_at", "home", "draw", "away", "over", "under")
                  .order_by("match_id", "market", "line", "bookmaker__code", "phase", "taken_at")):
        quotes[quote["match_id"]].append(quote)
    predictions = {}
    models = set()
    for prediction in latest_per_kind(Prediction.objects.filter(match_id__in=ids, model__kind=spec.model)
                                      ).select_related("model__competition"):
        predictions[prediction.match_id] = prediction
        models.add(str(prediction.model))
    rows = []
    for match_id, kickoff, competition_id, season_id, home_goals, away_goals in matches:
        match_rows = candidates_of(quotes.get(match_id, []), predictions.get(match_id), kickoff, spec)
        for row in match_rows:
            settled = settle(row["market"], row["selection"], row["line"], home_goals, away_goals)
            row.update(match_id=match_id, kickoff=np.datetime64(kickoff.replace(tzinfo=None), "s"),
                       competition_id=competition_id, season_id=season_id,
                       win=settled.win, void=settled.void, lose=settled.lose)
        rows.extend(match_rows)
    candidates = Candidates.from_rows(rows)
    seen = DataSeen(
        competitions=[str(c) for c in competitions], seasons=[s.name for s in seasons], matches=len(matches),
        priced_matches=len({row["match_id"] for row in rows}), candidates=len(rows),
        first_kickoff=matches[0][1].isoformat() if matches else None,
        last_kickoff=matches[-1][1].isoformat() if matches else None, prediction_models=sorted(models))
    return candidates, seen


def _at_moment(quotes: list[dict], price: str, kickoff: dt.datetime) -> list[dict]:
    """Each bookmaker's book (per market and line) as it stood at the bet's moment."""
    if price in PHASE:
        return [quote for quote in quotes if quote["phase"] == PHASE[price]]
    minutes = int(price.split(":")[1])
    cutoff = kickoff - dt.timedelta(minutes=minutes)
    latest = {}
    for quote in quotes:
        if quote["phase"] == OddsQuote.Phase.SNAPSHOT and quote["taken_at"] <= cutoff:
            key = (quote["bookmaker__code"], quote["market"], quote["line"])
            if key not in latest or quote["taken_at"] > latest[key]["taken_at"]:
                latest[key] = quote
    return list(latest.values())


def _prices(books: list[dict], bookmaker: str) -> dict[tuple, tuple[float, str]]:
    """(market, line, selection) -> (price, bookmaker code) by the bookmaker rule."""
    found: dict[tuple, tuple[float, str]] = {}
    for book in books:
        code = book["bookmaker__code"]
        if bookmaker == "best":
            if book["bookmaker__is_aggregate"]:
                continue
        elif code != bookmaker:
            continue
        for selection in SELECTIONS[book["market"]]:
            value = book[selection]
            key = (book["market"], float(book["line"]), selection)
            if value is not None and (key not in found or value > found[key][0]):
                found[key] = (value, code)
    return found


def _fair(books: list[dict], sharp: str) -> dict[tuple, float]:
    found = {}
    for book in books:
        if book["bookmaker__code"] != sharp:
            continue
        selections = SELECTIONS[book["market"]]
        prices = [book[s] for s in selections]
        if any(p is None for p in prices):
            continue
        try:
            fair = implied.fair_probabilities(prices)
        except implied.OddsError:
            continue
        for selection, probability in zip(selections, fair):
            found[(book["market"], float(book["line"]), selection)] = probability
    return found


def _model_probability(prediction: Prediction | None, market: str, line: float, selection: str,
                       matrix_of) -> float:
    if prediction is None:
        return np.nan
    if market == "1x2":
        return getattr(prediction, selection)
    if market == "over_under" and line == 2.5 and prediction.over_2_5 is not None:
        return prediction.over_2_5 if selection == "over" else 1.0 - prediction.over_2_5
    matrix = matrix_of()
    if matrix is None:
        return np.nan
    home, away = np.indices(matrix.shape)
    if market == "over_under":
        margin = (home + away) if selection == "over" else -(home + away)
        target = line if selection == "over" else -line
    else:  # Asian handicap, line = the home side's handicap
        margin = (home - away) if selection == "home" else (away - home)
        target = -line if selection == "home" else line
    return _line_probability(matrix, margin, target)


def _line_probability(matrix: np.ndarray, margin: np.ndarray, target: float) -> float:
    """The probability of winning a line bet, pushes left out: P(win) / (P(win) + P(lose)), halves averaged
    on quarter lines; staking and ``value`` compare it with the price as if the line could not push."""
    wins = loses = 0.0
    for part in split_line(target):
        wins += float(matrix[margin > part].sum())
        loses += float(matrix[margin < part].sum())
    return wins / (wins + loses) if wins + loses > 0 else np.nan


def candidates_of(quotes: list[dict], prediction: Prediction | None, kickoff: dt.datetime,
                  spec: StrategySpec) -> list[dict]:
    """One match's candidates (without the match's own columns, which ``load`` adds)."""
    if not quotes:
        return []
    taken = _prices(_at_moment(quotes, spec.price, kickoff), spec.bookmaker)
    if not taken:
        return []
    opening = _prices(_at_moment(quotes, "opening", kickoff), spec.bookmaker)
    closing = _prices(_at_moment(quotes, "closing", kickoff), spec.bookmaker)
    fair = _fair(_at_moment(quotes, spec.price, kickoff), spec.sharp) if spec.rule == "closing_line" else {}
    cache = []

    def matrix_of():
        if not cache:
            rates = (prediction.expected_home_goals, prediction.expected_away_goals)
            rho = (prediction.model.parameters or {}).get("rho", 0.0)
            cache.append(score_matrix(*rates, rho) if all(r and r > 0 for r in rates) else None)
        return cache[0]

    ranks = {}
    result = sorted((price, selection) for (market, _, selection), (price, _) in taken.items() if market == "1x2")
    if len(result) == 3:
        ranks = {selection: rank for rank, (_, selection) in enumerate(result)}
    rows = []
    for (market, line, selection), (price, code) in taken.items():
        rows.append({
            "market": market, "selection": selection, "line": line, "price": price, "bookmaker": code,
            "opening": opening.get((market, line, selection), (np.nan,))[0],
            "closing": closing.get((market, line, selection), (np.nan,))[0],
            "model": _model_probability(prediction, market, line, selection, matrix_of),
            "fair": fair.get((market, line, selection), np.nan),
            "favourite_rank": ranks.get(selection, -1) if market == "1x2" else -1,
        })
    return rows
