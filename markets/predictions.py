"""Team ratings and match predictions against the database: fit, store, evaluate.

The models and the walk are pure (``markets.ratings``, ``markets.walk_forward``); this
module reads their inputs in a few queries (results with shots on target, closing odds)
and writes what they produce: a ``RatingModel`` version per kind with its metrics, and a
``Prediction`` per upcoming match. ``fit_ratings`` is what the ``fit_ratings`` command and
the django-q2 task ``markets.tasks.refit_ratings`` run; ``evaluate`` is
``evaluate_predictions``.

The market we are judged against is the closing 1X2 book: Pinnacle's where quoted (the
sharpest closing line football-data.co.uk carries), else the market average's, with the
margin removed multiplicatively (``markets.odds.multiplicative``: p_i = (1/o_i) / sum 1/o_j).

``evaluate`` scores three of our models beside it: Dixon-Coles and Elo (results only), their
blend (results only), and the market-informed ratings (``ratings.MarketRatings``), which
learn from the goals the closing prices of EARLIER matches implied (1X2 and over/under
2.5, ``market_goals``) and never from the forecast match's own prices. The last is the
model ``evaluate_predictions`` presents as ours; the results-only figures are printed beside it.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import transaction
from django.db.models import Max, Min

from markets import odds, ratings
from markets.models import OddsQuote, Prediction, RatingModel
from markets.ratings import DixonColes, EloModel, Result
from markets.scoring import summary
from markets.walk_forward import (
    REFIT_DAYS, TUNING_GRID, DixonColesSettings, MarketTuning, Progress, SeasonForecasts, Tuning, day_start,
    split_seasons, tune_dixon_coles, tune_elo_weight, tune_market_ratings, walk_forward,
)
from matches.models import Competition, Match, Season, TeamMatchStats

CLOSING_BOOKMAKERS = ("PS", "Avg")  # in order of preference
BOOKMAKER_LABELS = {"PS": "Pinnacle", "Avg": "market average"}
DEFAULT_TRAINING_SEASONS = 3


class PredictionError(ValueError):
    """What the user asked for cannot be fitted or evaluated (the message says why)."""


# --------------------------------------------------------------------------- reading


def resolve_competition(value: str | int) -> Competition:
    """A competition by id, or by its name or short name (case-insensitive)."""
    text = str(value).strip()
    if text.isdigit():
        found = Competition.objects.filter(pk=int(text)).first()
    else:
        found = (Competition.objects.filter(name__iexact=text).first()
                 or Competition.objects.filter(short_name__iexact=text).first())
    if found is None:
        raise PredictionError(f"no competition {text!r} (give its id or name)")
    return found


def resolve_season(competition: Competition, value: str | int) -> Season:
    """A season of the competition by name as stored ("2023/24") or by id."""
    text = str(value).strip()
    found = Season.objects.filter(competition=competition, name=text).first()
    if found is None and text.isdigit():
        found = Season.objects.filter(competition=competition, pk=int(text)).first()
    if found is None:
        names = ", ".join(competition.seasons.order_by("name").values_list("name", flat=True)) or "none"
        raise PredictionError(f"{competition} has no season {text!r} (its seasons: {names})")
    return found


def load_results(competition: Competition, seasons: Sequence[Season], *, with_market_goals: bool = False
                 ) -> list[Result]:
    """The finished matches of those seasons with their shots on target, in kick-off order (two queries;
    two more ``with_market_goals``: each match's closing-price goals, for the market-informed ratings)."""
    names = {season.pk: season.name for season in seasons}
    rows = (Match.objects.filter(competition=competition, season__in=list(names), status=Match.Status.FINISHED,
                                 home_score__isnull=False)
            .order_by("kickoff", "pk")
            .values_list("pk", "kickoff", "season_id", "home_team_id", "away_team_id", "home_score", "away_score"))
    shots = {(match_id, team_id): on_target for match_id, team_id, on_target in TeamMatchStats.objects.filter(
        match__competition=competition, match__season__in=list(names), shots_on_target__isnull=False,
    ).values_list("match_id", "team_id", "shots_on_target")}
    priced = market_goals([row[0] for row in rows]) if with_market_goals else {}
    return [Result(kickoff, home, away, home_score, away_score, names[season_id], pk,
                   shots.get((pk, home)), shots.get((pk, away)), *priced.get(pk, (None, None)))
            for pk, kickoff, season_id, home, away, home_score, away_score in rows]


def closing_probabilities(match_ids: Sequence[int]) -> dict[int, tuple[tuple[float, float, float], str]]:
    """Per match: the closing 1X2 book without its margin, and the bookmaker code it came from (one query)."""
    return {match_id: (tuple(probabilities), code) for match_id, (probabilities, code) in _closing_books(
        match_ids, OddsQuote.Market.MATCH_ODDS, 0, ("home", "draw", "away")).items()}


def closing_over_probabilities(match_ids: Sequence[int]) -> dict[int, float]:
    """Per match: P(over 2.5 goals) from the closing over/under 2.5 book without its margin, Pinnacle's where
    quoted, else the market average's (one query)."""
    return {match_id: probabilities[0] for match_id, (probabilities, _) in _closing_books(
        match_ids, OddsQuote.Market.OVER_UNDER, 2.5, ("over", "under")).items()}


def _closing_books(match_ids: Sequence[int], market: str, line: float, selections: tuple[str, ...]
                   ) -> dict[int, tuple[list[float], str]]:
    """Per match: the first of CLOSING_BOOKMAKERS with a whole closing book, its margin removed."""
    books: dict[int, dict[str, tuple]] = {}
    quotes = OddsQuote.objects.filter(
        match_id__in=list(match_ids), market=market, phase=OddsQuote.Phase.CLOSING, line=line,
        bookmaker__code__in=CLOSING_BOOKMAKERS,
    ).values_list("match_id", "bookmaker__code", *selections)
    for match_id, code, *prices in quotes:
        books.setdefault(match_id, {})[code] = tuple(prices)
    found = {}
    for match_id, by_code in books.items():
        for code in CLOSING_BOOKMAKERS:
            prices = by_code.get(code)
            if prices is None or None in prices:
                continue
            try:
                found[match_id] = (list(odds.multiplicative(prices)), code)
            except odds.OddsError:
                continue
            break
    return found


def market_goals(match_ids: Sequence[int]) -> dict[int, tuple[float, float]]:
    """Per match with closing 1X2 odds: the expected goals (home, away) its closing prices imply
    (``ratings.implied_goals`` on the margin-free 1X2 and, where quoted, over/under 2.5 book).

    Known at that match's kick-off; the walk forward lets only later days' forecasts read them.
    """
    books = closing_probabilities(match_ids)
    if not books:
        return {}
    over = closing_over_probabilities(list(books))
    ids = list(books)
    goals = ratings.implied_goals([books[match_id][0] for match_id in ids],
                                  [over.get(match_id, float("nan")) for match_id in ids])
    return {match_id: (float(home), float(away)) for match_id, (home, away) in zip(ids, goals)}


def recent_seasons(competition: Competition, count: int = DEFAULT_TRAINING_SEASONS) -> list[Season]:
    """The competition's latest ``count`` seasons that have results, oldest first."""
    seasons = (Season.objects.filter(competition=competition, matches__status=Match.Status.FINISHED)
               .annotate(first_kickoff=Min("matches__kickoff")).order_by("-first_kickoff"))
    return list(seasons[:count])[::-1]


# --------------------------------------------------------------------------- figures


def market_figures(forecasts: SeasonForecasts, market: dict, *, elo_weight: float | None = None) -> dict:
    """Every model's and the closing odds' RPS / log loss / Brier over the matches the market priced
    (``results_blend`` with ``elo_weight``; ``market_ratings`` when the walk ran them)."""
    rows = [i for i, result in enumerate(forecasts.results) if result.match_id in market]
    outcomes = forecasts.outcomes[rows]
    figures = {"matches": len(rows), "unpriced": len(forecasts.results) - len(rows)}
    if forecasts.dixon_coles is not None:
        figures["dixon_coles"] = summary(forecasts.dixon_coles[rows], outcomes)
    if forecasts.elo is not None:
        figures["elo"] = summary(forecasts.elo[rows], outcomes)
    if elo_weight is not None and forecasts.dixon_coles is not None and forecasts.elo is not None:
        figures["results_blend"] = summary(forecasts.results_blend(elo_weight)[rows], outcomes)
    if forecasts.market is not None:
        figures["market_ratings"] = summary(forecasts.market[rows], outcomes)
    closing = np.array([market[forecasts.results[i].match_id][0] for i in rows]).reshape(-1, 3)
    figures["market"] = summary(closing, outcomes)
    figures["market_sources"] = dict(Counter(market[forecasts.results[i].match_id][1] for i in rows))
    return figures


# --------------------------------------------------------------------------- fitting and storing


@dataclass
class FitReport:
    dixon_coles: RatingModel
    elo: RatingModel
    predictions: int
    seasons: list[Season]
    settings: DixonColesSettings
    tuning: Tuning | None = None
    validation: dict = field(default_factory=dict)


def fit_ratings(competition: Competition, seasons: Sequence[Season] | None = None, *,
                settings: DixonColesSettings | None = None, refit_days: int = REFIT_DAYS,
                on_progress: Progress | None = None) -> FitReport:
    """Fit Dixon-Coles and Elo on the seasons' results, store both as new versions with their metrics,
    and predict the competition's upcoming matches.

    With two seasons or more, every season after the first is walked forward from the ones
    before it (``tune_dixon_coles``): without ``settings`` that tunes xi and the shots
    weight; either way those walks, beside the closing odds, are the metrics stored with
    the model.
    """
    seasons = list(seasons) if seasons else recent_seasons(competition)
    results = load_results(competition, seasons)
    if len(results) < 20:
        raise PredictionError(f"{competition}: {len(results)} finished matches in "
                              f"{', '.join(s.name for s in seasons) or 'no season'}; the models need 20 or more")
    by_season = split_seasons(results)
    tuned = settings is None and len(by_season) >= 2
    tuning, validation = None, {}
    if len(by_season) >= 2:  # walk the later seasons forward: to tune, or just to measure a fixed setting
        grid = TUNING_GRID if settings is None else {"xi": (settings.xi,), "shots_weight": (settings.shots_weight,)}
        ridge = settings.ridge if settings else ratings.DEFAULT_RIDGE
        walked = tune_dixon_coles(by_season, grid=grid, ridge=ridge, refit_days=refit_days, on_progress=on_progress)
        settings = walked.best
        tuning = walked if tuned else None
        priced = closing_probabilities([result.match_id for result in walked.validation.results])
        if priced:
            validation = market_figures(walked.validation, priced)
        else:  # no odds in the data (the Bundesliga's football-datasets files): our scores alone, no NaN to store
            outcomes = walked.validation.outcomes
            validation = {"matches": len(outcomes), "unpriced": len(outcomes), "market": None, "market_sources": {},
                          "dixon_coles": summary(walked.validation.dixon_coles, outcomes),
                          "elo": summary(walked.validation.elo, outcomes)}
        validation["seasons"] = walked.seasons
    settings = settings or DixonColesSettings()

    last_kickoff = results[-1].kickoff
    dixon_coles = ratings.fit_dixon_coles(results, as_of=day_start(last_kickoff) + dt.timedelta(days=1),
                                          xi=settings.xi, shots_weight=settings.shots_weight, ridge=settings.ridge)
    elo = ratings.fit_elo(results)
    upcoming = list(Match.objects.filter(competition=competition, status=Match.Status.SCHEDULED,
                                         kickoff__gt=last_kickoff).order_by("kickoff")
                    .values_list("pk", "home_team_id", "away_team_id"))
    with transaction.atomic():
        stored_dc = _store(competition, RatingModel.Kind.DIXON_COLES, dixon_coles.parameters(),
                           _dixon_coles_metrics(dixon_coles, settings, tuning, validation), seasons, results)
        stored_elo = _store(competition, RatingModel.Kind.ELO, elo.parameters(),
                            _elo_metrics(elo, validation), seasons, results)
        Prediction.objects.bulk_create(
            [_prediction(stored_dc, pk, dixon_coles.forecast(home, away)) for pk, home, away in upcoming]
            + [_prediction(stored_elo, pk, elo.forecast(home, away)) for pk, home, away in upcoming])
    return FitReport(stored_dc, stored_elo, len(upcoming), seasons, settings, tuning, validation)


def _store(competition, kind, parameters, metrics, seasons, results) -> RatingModel:
    latest = RatingModel.objects.filter(competition=competition, kind=kind).aggregate(Max("version"))["version__max"]
    model = RatingModel.objects.create(
        competition=competition, kind=kind, version=(latest or 0) + 1, trained_through=results[-1].kickoff,
        training_matches=len(results), parameters=parameters, metrics=metrics,
    )
    model.training_seasons.set(seasons)
    return model


def _prediction(model: RatingModel, match_id: int, forecast: ratings.MatchForecast) -> Prediction:
    expected = forecast.expected_goals or (None, None)
    return Prediction(
        match_id=match_id, model=model, home=forecast.home, draw=forecast.draw, away=forecast.away,
        over_2_5=forecast.over_2_5, expected_home_goals=expected[0], expected_away_goals=expected[1],
        likely_scores=[[home, away, round(p, 6)] for home, away, p in forecast.likely_scores],
    )


def _validation_for(validation: dict, key: str) -> dict | None:
    if not validation or key not in validation:
        return None
    return {"seasons": validation["seasons"], "matches": validation["matches"], "model": validation[key],
            "market": validation["market"], "market_sources": validation["market_sources"]}


def _dixon_coles_metrics(model: DixonColes, settings: DixonColesSettings, tuning: Tuning | None,
                         validation: dict) -> dict:
    return {
        "validation": _validation_for(validation, "dixon_coles"),
        "settings": settings.as_dict(),
        "tuning": [{**candidate.as_dict(), "rps": rps} for candidate, rps in tuning.scores] if tuning else None,
        "training": {"matches": model.matches, "log_likelihood": model.log_likelihood,
                     "converged": model.converged},
    }


def _elo_metrics(model: EloModel, validation: dict) -> dict:
    return {
        "validation": _validation_for(validation, "elo"),
        "training": {"mapping_matches": model.fitted_on, "mapping_log_loss": model.training_log_loss},
    }


# --------------------------------------------------------------------------- the past, walked forward

# Results a competition must have before its first forecast: about a season. The seasons before
# that are history only (in the demo: Premier League 2015/16's 40 StatsBomb matches and 2020/21,
# the Bundesliga's 2018/19), so no match is forecast from a handful of games.
MIN_HISTORY_MATCHES = 200


@dataclass
class HistoryReport:
    competition: Competition
    history: list[str]  # seasons only learned from
    walked: list[str]  # seasons forecast match by match
    predicted: int = 0  # matches given a prediction now (per model kind, the larger count)
    already: int = 0  # walked matches that had a prediction of each kind already
    models: list[RatingModel] = field(default_factory=list)
    refits: int = 0
    seconds: float = 0.0
    figures: dict = field(default_factory=dict)


def predict_history(competition: Competition, *, settings: DixonColesSettings | None = None,
                    min_history: int = MIN_HISTORY_MATCHES, on_progress: Progress | None = None) -> HistoryReport:
    """Give every finished match that has none the prediction we would have made before it.

    The competition's results are walked forward (``walk_forward``: each match from the results
    before its kick-off day; Dixon-Coles refitted each day of play, Elo updated after each
    result), after a first stretch of whole seasons holding at least ``min_history`` results,
    which are only learned from. Dixon-Coles runs with ``settings`` fixed in advance (the defaults unless
    given), never tuned on the seasons it forecasts. The forecasts are stored as one new
    ``RatingModel`` version per kind (parameters: where the walk ended; metrics: the walk's
    RPS, log loss and Brier beside the closing odds) and a ``Prediction`` per match that had
    none of that kind: a prediction made before kick-off is never replaced, so a second run
    changes nothing. One transaction.
    """
    started = time.perf_counter()
    settings = settings or DixonColesSettings()
    seasons = list(Season.objects.filter(competition=competition, matches__status=Match.Status.FINISHED)
                   .annotate(first_kickoff=Min("matches__kickoff")).order_by("first_kickoff"))
    results = load_results(competition, seasons)
    history: list[Result] = []
    walked: list[Result] = []
    for season_results in split_seasons(results):
        (walked if walked or len(history) >= min_history else history).extend(season_results)
    report = HistoryReport(competition, _season_names(history), _season_names(walked))
    if not walked:
        report.seconds = time.perf_counter() - started
        return report
    ids = [result.match_id for result in walked]
    predicted = {kind: set(Prediction.objects.filter(match_id__in=ids, model__kind=kind)
                           .values_list("match_id", flat=True)) for kind in RatingModel.Kind.values}
    missing = {kind: [i for i, result in enumerate(walked) if result.match_id not in predicted[kind]]
               for kind in RatingModel.Kind.values}
    report.already = len(walked) - max(len(rows) for rows in missing.values())
    if not any(missing.values()):
        report.seconds = time.perf_counter() - started
        return report
    if on_progress:
        on_progress(f"{competition}: walking {', '.join(report.walked)} forward from {', '.join(report.history)}")
    forecasts = walk_forward(history, walked, dixon_coles=settings, keep_forecasts=True, on_progress=on_progress)
    report.refits = forecasts.refits
    outcomes = forecasts.outcomes
    report.figures = {"matches": len(walked), "dixon_coles": summary(forecasts.dixon_coles, outcomes),
                      "elo": summary(forecasts.elo, outcomes)}
    priced = closing_probabilities(ids)
    against_market = {**market_figures(forecasts, priced), "seasons": report.walked} if priced else {}
    if against_market:
        report.figures["market"] = against_market["market"]
        report.figures["priced"] = against_market["matches"]
    walk = {"history": report.history, "seasons": report.walked, "matches": len(walked),
            "refits": forecasts.refits, "settings": settings.as_dict(), "from": walked[0].kickoff.isoformat(),
            "rule": "each match forecast from the results before its kick-off day (00:00 UTC)"}
    stored = {
        RatingModel.Kind.DIXON_COLES: (forecasts.last_fit.parameters(), forecasts.dixon_coles_forecasts),
        RatingModel.Kind.ELO: (forecasts.last_elo.parameters(), forecasts.elo_forecasts),
    }
    with transaction.atomic():
        for kind, (parameters, match_forecasts) in stored.items():
            if not missing[kind]:
                continue
            key = "dixon_coles" if kind == RatingModel.Kind.DIXON_COLES else "elo"
            model = _store(competition, kind, parameters,
                           {"walk_forward": walk, "scores": {"matches": len(walked), **report.figures[key]},
                            "validation": _validation_for(against_market, key)}, seasons, results)
            Prediction.objects.bulk_create([_prediction(model, walked[i].match_id, match_forecasts[i])
                                            for i in missing[kind]], batch_size=500)
            report.models.append(model)
    report.predicted = max(len(rows) for rows in missing.values())
    report.seconds = time.perf_counter() - started
    return report


def _season_names(results: Sequence[Result]) -> list[str]:
    return list(dict.fromkeys(result.season for result in results))


def competitions_to_refit() -> list[Competition]:
    """Competitions with upcoming matches and results to fit on."""
    with_upcoming = Match.objects.filter(status=Match.Status.SCHEDULED).values("competition_id")
    with_results = Match.objects.filter(status=Match.Status.FINISHED).values("competition_id")
    return list(Competition.objects.filter(pk__in=with_upcoming).filter(pk__in=with_results).order_by("pk"))


# --------------------------------------------------------------------------- evaluation


@dataclass
class Evaluation:
    competition: Competition
    train: list[Season]
    test: Season
    training_matches: int
    settings: DixonColesSettings
    tuning: Tuning | None
    forecasts: SeasonForecasts
    figures: dict
    seconds: float
    elo_weight: float = 0.0  # Elo's share in the results-only blend (chosen on the training walks)
    elo_weights: list[tuple[float, float]] = field(default_factory=list)  # every weight's validation RPS
    market_settings: ratings.MarketSettings | None = None
    market_tuning: MarketTuning | None = None

    @property
    def presented(self) -> str:
        """The key in ``figures`` of the model we present as ours: the market-informed ratings when they ran."""
        return "market_ratings" if "market_ratings" in self.figures else "dixon_coles"

    def gap(self, key: str) -> float:
        """A model's RPS relative to the closing odds': +0.05 is 5% worse."""
        return self.figures[key]["rps"] / self.figures["market"]["rps"] - 1.0

    @property
    def rps_gap(self) -> float:
        """Ours (``presented``) relative to the closing odds: +0.05 is 5% worse."""
        return self.gap(self.presented)


def evaluate(competition: Competition, train: Sequence[Season], test: Season, *,
             settings: DixonColesSettings | None = None, refit_days: int = REFIT_DAYS,
             market_settings: ratings.MarketSettings | None = None, on_progress: Progress | None = None
             ) -> Evaluation:
    """Forecast the test season match by match from the training seasons (and the test results before
    each match's day), and score the forecasts beside the closing odds.

    Results only: Dixon-Coles, Elo and their blend. Market-informed: ``ratings.MarketRatings``
    on the closing-price goals of earlier matches. Every setting (``settings``,
    ``market_settings``, the blend's Elo weight) not given is chosen by walking the training
    seasons alone; with a single training season the defaults are used.
    """
    started = time.perf_counter()
    train = list(train)
    if test in train:
        raise PredictionError(f"{test.name} cannot be both a training and the test season")
    history = load_results(competition, train, with_market_goals=True)
    season = load_results(competition, [test], with_market_goals=True)
    if not history:
        raise PredictionError(f"{competition}: no finished matches in {', '.join(s.name for s in train)}")
    if not season:
        raise PredictionError(f"{competition}: no finished matches in {test.name} to forecast")
    if history[-1].kickoff >= day_start(season[0].kickoff):
        raise PredictionError(f"training season {history[-1].season} is not over before {test.name} starts "
                              f"({history[-1].kickoff:%Y-%m-%d} >= {season[0].kickoff:%Y-%m-%d}): "
                              "train on earlier seasons only")
    tuning, market_tuning, elo_weight, elo_weights = None, None, 0.5, []
    by_season = split_seasons(history)
    if len(by_season) >= 2:
        if on_progress:
            on_progress(f"tuning on {', '.join(s[0].season for s in by_season[1:])}")
        grid = TUNING_GRID if settings is None else {"xi": (settings.xi,), "shots_weight": (settings.shots_weight,)}
        walked = tune_dixon_coles(by_season, grid=grid, ridge=settings.ridge if settings else ratings.DEFAULT_RIDGE,
                                  refit_days=refit_days, on_progress=on_progress)
        tuning = walked if settings is None else None
        settings = walked.best
        elo_weight, elo_weights = tune_elo_weight(walked.validation)
        if market_settings is None:
            market_tuning = tune_market_ratings(by_season, on_progress=on_progress)
            market_settings = market_tuning.best
    settings = settings or DixonColesSettings()
    market_settings = market_settings or ratings.MarketSettings()
    if on_progress:
        on_progress(f"forecasting {test.name}: {len(season)} matches")
    forecasts = walk_forward(history, season, dixon_coles=settings, market=market_settings, refit_days=refit_days,
                             on_progress=on_progress)
    figures = market_figures(forecasts, closing_probabilities([result.match_id for result in season]),
                             elo_weight=elo_weight)
    if not figures["matches"]:
        raise PredictionError(f"{competition} {test.name}: no match has closing 1X2 odds "
                              f"({' or '.join(CLOSING_BOOKMAKERS)}) to compare with")
    return Evaluation(competition, train, test, len(history), settings, tuning, forecasts, figures,
                      time.perf_counter() - started, elo_weight, elo_weights, market_settings, market_tuning)
