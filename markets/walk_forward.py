"""Walk-forward forecasting: predict a season match by match from what was known before each one.

Pure, like ``markets/ratings.py``: ``Result`` values in, forecasts out. The evaluation
command, ``fit_ratings`` (for its stored metrics) and the tuning all use ``walk_forward``.

No looking ahead. A match is forecast from results that kicked off before the start of
its kick-off day (00:00 UTC): nothing played the same day, let alone later, reaches the
model, even a 12:30 result before a 17:30 kick-off. Dixon-Coles is refitted at most once a
day of play (``refit_days`` = 1, i.e. per matchday; 7 refits weekly), only when new results
have come in, each refit warm-started from the previous one and weighted from that day
(``as_of`` = the day's midnight). Elo is fitted on the history (K and home advantage
chosen there, the ordered logit mapping too) and then updated after every result, day by
day, with the mapping kept as fitted.

Tuning (``tune_dixon_coles``) never sees the season to be forecast: each training season
after the first is walked with the training seasons before it as history, and the
setting with the lowest mean RPS over those walks wins (time decay ``xi`` and the weight
of shots on target, ``TUNING_GRID``). Those walks are also the out-of-sample figures a
stored model carries in its metrics. The same walks choose the Elo weight of the
results-only blend (``tune_elo_weight``: Dixon-Coles and Elo probabilities averaged).

The market-informed ratings (``ratings.MarketRatings``, ``market=`` below) read the
expected goals implied by the closing prices of matches of EARLIER days only: the walk
hands a day's results (prices included) to the filter after that day's forecasts.
``tune_market_ratings`` chooses their settings (``MARKET_GRID``) on the training seasons,
the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import groupby, product

import numpy as np

from markets import ratings
from markets.ratings import DixonColes, MarketRatings, MarketSettings, Result
from markets.scoring import summary

REFIT_DAYS = 1
TUNING_GRID = {"xi": (0.001, 0.0018, 0.003, 0.005, 0.0075), "shots_weight": (0.0, 0.5)}
ELO_WEIGHTS = tuple(round(0.1 * step, 1) for step in range(11))
MARKET_GRID = {"drift": (1e-4, 3e-4, 1e-3), "results_weight": (0.0, 0.1, 0.2), "shots_weight": (0.5, 1.0),
               "stretch": (1.0, 1.05, 1.1, 1.15, 1.2)}

Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DixonColesSettings:
    xi: float = ratings.DEFAULT_XI
    shots_weight: float = 0.0
    ridge: float = ratings.DEFAULT_RIDGE

    def as_dict(self) -> dict[str, float]:
        return {"xi": self.xi, "shots_weight": self.shots_weight, "ridge": self.ridge}

    @classmethod
    def chosen(cls, xi: float | None, shots_weight: float | None) -> DixonColesSettings | None:
        """The settings a user fixed on the command line, or None to tune them; ValueError if out of range."""
        if xi is None and shots_weight is None:
            return None
        settings = cls(xi=cls.xi if xi is None else xi, shots_weight=shots_weight or 0.0)
        if settings.xi < 0 or not 0 <= settings.shots_weight <= 1:
            raise ValueError("--xi must be >= 0 and --shots-weight between 0 and 1")
        return settings


def day_start(kickoff: dt.datetime) -> dt.datetime:
    """00:00 UTC of the kick-off's day: the cut-off for what a forecast may know."""
    day = kickoff.astimezone(dt.UTC).date()
    return dt.datetime.combine(day, dt.time(0), tzinfo=dt.UTC)


def by_kickoff(results: Iterable[Result]) -> list[Result]:
    return sorted(results, key=lambda result: (result.kickoff, result.match_id or 0))


@dataclass
class SeasonForecasts:
    """Forecasts for the matches of one season, in kick-off order (rows match ``results``)."""

    results: list[Result]
    dixon_coles: np.ndarray | None = None  # (n, 3) home/draw/away
    elo: np.ndarray | None = None
    refits: int = 0
    last_fit: DixonColes | None = field(default=None, repr=False)
    market: np.ndarray | None = None  # the market-informed ratings' home/draw/away
    market_rates: np.ndarray | None = None  # (n, 2) their expected goals, before the stretch
    # With ``keep_forecasts``: each match's whole forecast (score matrix figures too), to store them.
    dixon_coles_forecasts: list[ratings.MatchForecast] | None = field(default=None, repr=False)
    elo_forecasts: list[ratings.MatchForecast] | None = field(default=None, repr=False)
    last_elo: ratings.EloModel | None = field(default=None, repr=False)

    @property
    def outcomes(self) -> np.ndarray:
        return np.array([result.outcome for result in self.results], dtype=int)

    def results_blend(self, elo_weight: float) -> np.ndarray:
        """Dixon-Coles and Elo probabilities averaged, Elo weighing ``elo_weight``."""
        return (1.0 - elo_weight) * self.dixon_coles + elo_weight * self.elo

    @staticmethod
    def join(parts: Sequence[SeasonForecasts]) -> SeasonForecasts:
        """Several seasons' forecasts as one (for figures over all validation seasons)."""
        def stack(name):
            arrays = [getattr(part, name) for part in parts]
            return None if any(array is None for array in arrays) else np.vstack(arrays)
        return SeasonForecasts([result for part in parts for result in part.results], stack("dixon_coles"),
                               stack("elo"), sum(part.refits for part in parts), market=stack("market"),
                               market_rates=stack("market_rates"))


def walk_forward(history: Sequence[Result], season: Sequence[Result], *,
                 dixon_coles: DixonColesSettings | None = DixonColesSettings(), elo: bool = True,
                 market: MarketSettings | None = None, refit_days: int = REFIT_DAYS,
                 keep_forecasts: bool = False, on_progress: Progress | None = None) -> SeasonForecasts:
    """Forecast every match of ``season`` from ``history`` plus the season's results before its day.

    With ``market``, also the market-informed ratings, fed each day's results (and their
    closing-price goals) only after that day's forecasts. ``season`` may span several
    seasons (``markets.predictions.predict_history`` walks them all in one go).
    """
    history = by_kickoff(history)
    season = by_kickoff(season)
    if not season:
        return SeasonForecasts([], np.empty((0, 3)) if dixon_coles else None, np.empty((0, 3)) if elo else None,
                               market=np.empty((0, 3)) if market else None,
                               market_rates=np.empty((0, 2)) if market else None)
    if not history:
        raise ValueError("walk-forward needs history to fit on before the first match")
    if history[-1].kickoff >= day_start(season[0].kickoff):
        raise ValueError("the history must end before the first forecast day")
    known = list(history)
    dc_rows, elo_rows = [], []
    dc_kept: list[ratings.MatchForecast] = []
    elo_kept: list[ratings.MatchForecast] = []
    fit: DixonColes | None = None
    fitted_day: dt.datetime | None = None
    fitted_count = 0
    refits = 0
    elo_model = ratings.fit_elo(history) if elo else None
    elo_applied = len(history)  # results of ``known`` already in the Elo ratings
    market_model = MarketRatings(market) if market is not None else None
    market_rows, market_rates = [], []
    if market_model is not None:
        for day, matches in groupby(history, key=lambda result: day_start(result.kickoff)):
            market_model.observe(list(matches), day)

    days = [(day, list(matches)) for day, matches in groupby(season, key=lambda result: day_start(result.kickoff))]
    for number, (day, matches) in enumerate(days, start=1):
        if dixon_coles is not None:
            stale = fitted_day is None or (day - fitted_day).days >= refit_days
            if stale and len(known) > fitted_count:
                fit = ratings.fit_dixon_coles(known, as_of=day, xi=dixon_coles.xi,
                                              shots_weight=dixon_coles.shots_weight, ridge=dixon_coles.ridge,
                                              start=fit)
                fitted_day, fitted_count = day, len(known)
                refits += 1
            day_forecasts = [fit.forecast(result.home_id, result.away_id) for result in matches]
            dc_rows.extend(forecast.triple for forecast in day_forecasts)
            if keep_forecasts:
                dc_kept.extend(day_forecasts)
        if elo_model is not None:
            for result in known[elo_applied:]:
                elo_model.update(result)
            elo_applied = len(known)
            day_forecasts = [elo_model.forecast(result.home_id, result.away_id) for result in matches]
            elo_rows.extend(forecast.triple for forecast in day_forecasts)
            if keep_forecasts:
                elo_kept.extend(day_forecasts)
        if market_model is not None:
            for result in matches:
                market_rates.append(market_model.rates(result.home_id, result.away_id, stretch=1.0))
                market_rows.append(market_model.forecast(result.home_id, result.away_id).triple)
            market_model.observe(matches, day)  # after the day's forecasts: its prices are not theirs
        known.extend(matches)  # known from the next day on
        if on_progress and (number % 20 == 0 or number == len(days)):
            on_progress(f"  {day:%Y-%m-%d}: {number}/{len(days)} days of play forecast, {refits} refits")
    return SeasonForecasts(
        results=season,
        dixon_coles=np.array(dc_rows) if dixon_coles is not None else None,
        elo=np.array(elo_rows) if elo_model is not None else None,
        refits=refits, last_fit=fit,
        market=np.array(market_rows) if market_model is not None else None,
        market_rates=np.array(market_rates) if market_model is not None else None,
        dixon_coles_forecasts=dc_kept if keep_forecasts and dixon_coles is not None else None,
        elo_forecasts=elo_kept if keep_forecasts and elo_model is not None else None,
        last_elo=elo_model,
    )


@dataclass
class Tuning:
    """The chosen Dixon-Coles setting, every setting's validation RPS, and the chosen one's walks."""

    best: DixonColesSettings
    scores: list[tuple[DixonColesSettings, float]]
    validation: SeasonForecasts  # the best setting's forecasts (and Elo's) over the validation seasons
    seasons: list[str]

    def lines(self) -> list[str]:
        return [f"  xi={settings.xi:<7g} shots_weight={settings.shots_weight:<4g} rps={rps:.4f}"
                + ("  <- chosen" if settings == self.best else "") for settings, rps in self.scores]


def split_seasons(results: Iterable[Result]) -> list[list[Result]]:
    """Results grouped by season, seasons in the order of their first kick-off."""
    groups: dict[str, list[Result]] = {}
    for result in by_kickoff(results):
        groups.setdefault(result.season, []).append(result)
    return list(groups.values())


def tune_dixon_coles(seasons: Sequence[Sequence[Result]], *, grid: dict[str, Sequence[float]] = TUNING_GRID,
                     ridge: float = ratings.DEFAULT_RIDGE, refit_days: int = REFIT_DAYS,
                     on_progress: Progress | None = None) -> Tuning:
    """Choose xi and the shots weight by walking each season after the first from the ones before it.

    ``seasons``: the training results, one list per season, oldest first (``split_seasons``).
    """
    if len(seasons) < 2:
        raise ValueError("tuning needs at least two training seasons (one to fit on, one to forecast)")
    candidates = [DixonColesSettings(xi, shots_weight, ridge)
                  for xi, shots_weight in product(grid["xi"], grid["shots_weight"])]
    walks: dict[DixonColesSettings, list[SeasonForecasts]] = {candidate: [] for candidate in candidates}
    elo_walks: list[SeasonForecasts] = []
    for position in range(1, len(seasons)):
        history = [result for season in seasons[:position] for result in season]
        target = seasons[position]
        elo_walks.append(walk_forward(history, target, dixon_coles=None, elo=True, refit_days=refit_days))
        for candidate in candidates:
            walks[candidate].append(walk_forward(history, target, dixon_coles=candidate, elo=False,
                                                 refit_days=refit_days))
        if on_progress:
            on_progress(f"  tuning: walked {target[0].season or 'season'} ({len(target)} matches) "
                        f"for {len(candidates)} settings")
    scores = []
    for candidate in candidates:
        joined = SeasonForecasts.join(walks[candidate])
        scores.append((candidate, summary(joined.dixon_coles, joined.outcomes)["rps"]))
    best = min(scores, key=lambda item: item[1])[0]
    validation = SeasonForecasts.join(walks[best])
    validation.elo = SeasonForecasts.join(elo_walks).elo
    return Tuning(best, scores, validation, [season[0].season for season in seasons[1:]])


def tune_elo_weight(validation: SeasonForecasts, weights: Sequence[float] = ELO_WEIGHTS
                    ) -> tuple[float, list[tuple[float, float]]]:
    """The Elo weight of the results-only blend with the lowest RPS over the validation walks, and every
    weight's RPS."""
    scores = [(weight, summary(validation.results_blend(weight), validation.outcomes)["rps"]) for weight in weights]
    return min(scores, key=lambda item: item[1])[0], scores


def market_probabilities(rates: np.ndarray, stretch: float) -> np.ndarray:
    """(n, 3) home/draw/away of the market-informed ratings' expected goals at a stretch."""
    if not len(rates):
        return np.empty((0, 3))
    stretched = ratings.stretch_rates(rates, stretch)
    return ratings.outcome_probabilities(stretched[:, 0], stretched[:, 1], ratings.MARKET_RHO)[:, :3]


@dataclass
class MarketTuning:
    """The chosen market-informed setting, every setting's validation RPS, and the chosen one's walks."""

    best: MarketSettings
    scores: list[tuple[MarketSettings, float]]
    validation: SeasonForecasts
    seasons: list[str]

    def lines(self, top: int = 5) -> list[str]:
        ranked = sorted(self.scores, key=lambda item: item[1])[:top]
        return [f"  drift={settings.drift:<7g} results_weight={settings.results_weight:<4g} "
                f"shots_weight={settings.shots_weight:<4g} stretch={settings.stretch:<5g} rps={rps:.4f}"
                + ("  <- chosen" if settings == self.best else "") for settings, rps in ranked]


def tune_market_ratings(seasons: Sequence[Sequence[Result]], *, grid: dict[str, Sequence[float]] = MARKET_GRID,
                        on_progress: Progress | None = None) -> MarketTuning:
    """Choose the market-informed ratings' drift, results weight, shots weight and stretch by walking each
    training season after the first from the ones before it (as ``tune_dixon_coles``)."""
    if len(seasons) < 2:
        raise ValueError("tuning needs at least two training seasons (one to fit on, one to forecast)")
    walked: dict[tuple[float, float, float], SeasonForecasts] = {}
    for drift, results_weight, shots_weight in product(grid["drift"], grid["results_weight"], grid["shots_weight"]):
        settings = MarketSettings(drift=drift, results_weight=results_weight, shots_weight=shots_weight, stretch=1.0)
        parts = []
        for position in range(1, len(seasons)):
            history = [result for season in seasons[:position] for result in season]
            parts.append(walk_forward(history, seasons[position], dixon_coles=None, elo=False, market=settings))
        walked[(drift, results_weight, shots_weight)] = SeasonForecasts.join(parts)
    if on_progress:
        on_progress(f"  tuning the market-informed ratings: walked {len(seasons) - 1} seasons "
                    f"for {len(walked) * len(grid['stretch'])} settings")
    scores = []
    for (drift, results_weight, shots_weight), joined in walked.items():
        for stretch in grid["stretch"]:
            settings = MarketSettings(drift=drift, results_weight=results_weight, shots_weight=shots_weight,
                                      stretch=stretch)
            scores.append((settings, summary(market_probabilities(joined.market_rates, stretch),
                                             joined.outcomes)["rps"]))
    best = min(scores, key=lambda item: item[1])[0]
    validation = walked[(best.drift, best.results_weight, best.shots_weight)]
    validation.market = market_probabilities(validation.market_rates, best.stretch)
    return MarketTuning(best, scores, validation, [season[0].season for season in seasons[1:]])
