"""Team ratings and match forecasts: Elo, a time-decayed Dixon-Coles Poisson model, and
market-informed ratings that learn from the closing prices of earlier matches.

Pure computation, as ``matches/standings.py``: plain ``Result`` values in, fitted models and
``MatchForecast`` values out, no ORM. ``markets/predictions.py`` loads results from the
database, stores fitted models (``RatingModel``) and their forecasts (``Prediction``), and
runs the walk-forward evaluation.

**Elo** (World Football Elo, eloratings.net, as clubelo.com applies it to clubs). Before a
match the home side expects ``We = 1 / (10^(-dr/400) + 1)`` of the points, with
``dr = home rating + home advantage - away rating``; after it both ratings move by
``K * G * (W - We)`` in opposite directions (W is 1, 0.5 or 0), so every update is
zero-sum. ``G`` grows with the margin: 1 for a draw or a one-goal win, 1.5 for two goals,
``(11 + N) / 8`` for N >= 3. A team seen for the first time (a promoted club) starts at
the mean rating of the ``newcomers_like`` lowest-rated teams so far: promoted clubs
replace the relegated ones and play like them far more often than like the average
club (everyone starts at 1500 on the first day of the data).

Elo gives a rating difference, not three probabilities. We map the difference
``d = (home + home advantage - away) / 400`` to home/draw/away with an **ordered logit**
(proportional odds) fitted by maximum likelihood on the training matches:
``P(away) = s(c_away - b*d)``, ``P(away or draw) = s(c_draw - b*d)`` with ``s`` the logistic
function and ``c_away < c_draw``. It is the standard way of turning one strength gap into
ordered outcomes (the draw band between two cut points widens and narrows with the
gap), needs three parameters, and is monotone by construction. The first training season
only warms the ratings up (all teams start equal, so its differences say little); with a
single training season the first half does that job. ``K`` and the home advantage are
chosen on the training matches alone (``ELO_GRID``) by the ordered logit's log loss.

**Dixon-Coles** (Dixon & Coles 1997, as penaltyblog implements it): home goals are
Poisson with rate ``lambda = exp(home_advantage + attack[home] + defence[away])``, away goals
with ``mu = exp(attack[away] + defence[home])``, and the four low scores 0-0, 1-0, 0-1 and
1-1 are corrected by ``tau`` (``1 - lambda*mu*rho``, ``1 + mu*rho``, ``1 + lambda*rho``,
``1 - rho``), which leaves the total probability unchanged. Each match's log-likelihood is
weighted by ``exp(-xi * days before the fit date)`` (penaltyblog's ``dixon_coles_weights``,
xi per day). Identifiability: penaltyblog pins the mean attack to 1 with an equality
constraint under SLSQP; we pin the attack ratings to sum to 0 by substitution (the last
team's attack is minus the sum of the others), which is the same model (a shift of the
attacks is absorbed by the defences), holds exactly, and lets L-BFGS-B with an analytic
gradient do the fit in milliseconds. A refit may start from the previous fit's parameters.

A small Gaussian penalty ``ridge/2 * sum(attack^2 + (defence - mean defence)^2)`` keeps
a team with one or two matches in the window (a promoted side in August) from running to
an infinite rating after a 0-4. ``DEFAULT_RIDGE`` = 1 weighs about as much as one match
(a match adds about lambda ~ 1.4 to an attack rating's curvature); it was fixed before any
evaluation and is not tuned. A team absent from the fit gets the mean attack and defence
of the ``newcomers_like`` weakest teams (by attack - defence), the same rule as Elo's.

**Shots on target** (optional, ``shots_weight``; at 0 the likelihood is penaltyblog's): the
Poisson part may count ``(1 - s) * goals + s * r * shots on target`` instead of goals, with
``r`` the window's time-weighted goals per shot on target, so the counts stay in goals.
Shots on target are a steadier sign of strength than goals, which are fewer and noisier,
which is why analysts blend them in; the rho correction still reads the real score. The walk
forward tunes ``s`` with xi on the training seasons.

From a fitted model, a match's score matrix (0..``MAX_GOALS`` each side, renormalised
after truncation) gives P(home/draw/away), P(over 2.5 goals) and the most likely scores.

**Market-informed ratings** (``MarketRatings``; they learn from bookmakers' prices, and are
named so wherever they are shown). A finished match's closing 1X2 and over/under 2.5
prices, margin removed, imply the expected goals of both sides (``implied_goals``: the two
Dixon-Coles rates whose score matrix reproduces those probabilities). Fitting team ratings
to the prices of EARLIER matches is a known, legitimate technique: the prices sum up what
the market knew then (injuries, transfers, form), and none of it comes from the match being
forecast. The ratings are the Dixon-Coles log-linear ones (home advantage, attack,
defence), followed by a Kalman filter rather than refitted: each day of play the filter
takes in the log expected goals its matches' prices implied (mixed with a little of the
shots-blended score, ``results_weight``), and between days every rating drifts, so the
latest prices weigh most and a team's rating follows the market's as it moves. A team seen
for the first time starts at the weakest teams' mean, uncertain enough to be placed by its
first prices. ``stretch`` widens the forecast's log gap between the sides (the filter's
ratings are slightly shrunk towards each other). The walk forward tunes drift, results
weight, shots weight and stretch on the training seasons.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from itertools import product
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, gammaln

from markets.scoring import outcome_index

MAX_GOALS = 10
LIKELY_SCORES = 5
NEWCOMERS_LIKE = 3
DEFAULT_XI = 0.0018  # penaltyblog's default; evaluate_predictions tunes it on the training seasons
XI_GRID = (0.0005, 0.001, 0.0015, 0.002, 0.003, 0.004)
DEFAULT_RIDGE = 1.0
ELO_GRID = {"k": (10.0, 15.0, 20.0, 25.0, 30.0, 40.0), "home_advantage": (40.0, 60.0, 80.0)}
SECONDS_PER_DAY = 86400.0
TAU_FLOOR = 1e-10  # keeps log(tau) finite should an iterate push a corrected score below 0


@dataclass(frozen=True, slots=True)
class Result:
    """A finished match, as the models see it."""

    kickoff: dt.datetime
    home_id: int
    away_id: int
    home_goals: int
    away_goals: int
    season: str = ""
    match_id: int | None = None
    home_shots_on_target: int | None = None
    away_shots_on_target: int | None = None
    # The goals the match's closing odds implied (``implied_goals``): known at its kick-off,
    # so only forecasts of LATER days may read them (the market-informed ratings do).
    home_market_goals: float | None = None
    away_market_goals: float | None = None

    @property
    def outcome(self) -> int:
        return outcome_index(self.home_goals, self.away_goals)


@dataclass(frozen=True, slots=True)
class MatchForecast:
    """What a model says about one match. ``likely_scores`` holds (home goals, away goals, p)."""

    home: float
    draw: float
    away: float
    over_2_5: float | None = None
    likely_scores: tuple[tuple[int, int, float], ...] = ()
    expected_goals: tuple[float, float] | None = None

    @property
    def triple(self) -> tuple[float, float, float]:
        return (self.home, self.draw, self.away)


def weakest_mean(values: Mapping[Any, float], count: int = NEWCOMERS_LIKE) -> float | None:
    """Mean of the ``count`` lowest values (None when there are none): the newcomer rule."""
    lowest = sorted(values.values())[:count]
    return sum(lowest) / len(lowest) if lowest else None


# --------------------------------------------------------------------------- Elo


@dataclass(frozen=True, slots=True)
class EloSettings:
    k: float = 20.0
    home_advantage: float = 60.0
    initial: float = 1500.0
    newcomers_like: int = NEWCOMERS_LIKE


def goal_difference_multiplier(goal_difference: int) -> float:
    """eloratings.net's G: 1 up to a one-goal margin, 1.5 for two goals, (11 + N) / 8 beyond."""
    margin = abs(goal_difference)
    if margin <= 1:
        return 1.0
    if margin == 2:
        return 1.5
    return (11.0 + margin) / 8.0


def expected_home_score(home_rating: float, away_rating: float, home_advantage: float) -> float:
    """The share of the points (win 1, draw 0.5) the home side expects."""
    return 1.0 / (10.0 ** (-(home_rating + home_advantage - away_rating) / 400.0) + 1.0)


class EloRatings:
    """Ratings that update match by match; ``update`` returns the pre-match scaled difference."""

    def __init__(self, settings: EloSettings = EloSettings(), ratings: Mapping[int, float] | None = None):
        self.settings = settings
        self.ratings: dict[int, float] = dict(ratings or {})

    def rating(self, team_id: int) -> float:
        """The team's rating; a team seen for the first time is given the newcomer rating."""
        if team_id not in self.ratings:
            newcomer = weakest_mean(self.ratings, self.settings.newcomers_like)
            self.ratings[team_id] = self.settings.initial if newcomer is None else newcomer
        return self.ratings[team_id]

    def difference(self, home_id: int, away_id: int) -> float:
        """(home + home advantage - away) / 400: the input of the ordered logit."""
        return (self.rating(home_id) + self.settings.home_advantage - self.rating(away_id)) / 400.0

    def update(self, result: Result) -> float:
        """Apply one result; returns the pre-match difference. The two changes cancel out."""
        difference = self.difference(result.home_id, result.away_id)
        expected = 1.0 / (10.0 ** -difference + 1.0)
        actual = (1.0, 0.5, 0.0)[result.outcome]
        change = self.settings.k * goal_difference_multiplier(result.home_goals - result.away_goals) * (
            actual - expected)
        self.ratings[result.home_id] += change
        self.ratings[result.away_id] -= change
        return difference


@dataclass(frozen=True, slots=True)
class OrderedLogit:
    """P(away) = s(away_cut - slope*d), P(away or draw) = s(draw_cut - slope*d)."""

    slope: float
    away_cut: float
    draw_cut: float

    def probabilities(self, differences) -> np.ndarray:
        """(n, 3) home/draw/away for an array of differences (one row for a scalar)."""
        d = np.atleast_1d(np.asarray(differences, dtype=float))
        away = expit(self.away_cut - self.slope * d)
        away_or_draw = expit(self.draw_cut - self.slope * d)
        return np.column_stack([1.0 - away_or_draw, away_or_draw - away, away])

    @classmethod
    def fit(cls, differences: Sequence[float], outcomes: Sequence[int]) -> OrderedLogit:
        """Maximum likelihood; the cut points are kept ordered by writing draw_cut = away_cut + exp(gap)."""
        d = np.asarray(differences, dtype=float)
        y = np.asarray(outcomes, dtype=int)
        if len(d) < 3:
            raise ValueError("the ordered logit needs at least three matches")

        def loss(theta):
            model = cls(theta[0], theta[1], theta[1] + math.exp(theta[2]))
            p = model.probabilities(d)[np.arange(len(y)), y]
            return -np.log(np.clip(p, 1e-15, None)).sum()

        start = np.array([1.0, -1.0, math.log(1.0)])
        best = minimize(loss, start, method="L-BFGS-B", bounds=[(-20, 20), (-10, 10), (-10, 3)])
        slope, away_cut, gap = best.x
        return cls(float(slope), float(away_cut), float(away_cut + math.exp(gap)))

    def as_dict(self) -> dict[str, float]:
        return {"slope": self.slope, "away_cut": self.away_cut, "draw_cut": self.draw_cut}


@dataclass
class EloModel:
    """Elo ratings as they stand after the training results, and the fitted mapping."""

    ratings: EloRatings
    mapping: OrderedLogit
    fitted_on: int = 0  # matches the mapping was fitted on
    training_log_loss: float = float("nan")

    @property
    def settings(self) -> EloSettings:
        return self.ratings.settings

    def forecast(self, home_id: int, away_id: int) -> MatchForecast:
        home, draw, away = self.mapping.probabilities(self.ratings.difference(home_id, away_id))[0]
        return MatchForecast(float(home), float(draw), float(away))

    def update(self, result: Result) -> None:
        self.ratings.update(result)

    def parameters(self) -> dict[str, Any]:
        settings = self.settings
        return {
            "k": settings.k, "home_advantage": settings.home_advantage, "initial": settings.initial,
            "newcomers_like": settings.newcomers_like, "ordered_logit": self.mapping.as_dict(),
            "ratings": {str(team): round(rating, 3) for team, rating in sorted(self.ratings.ratings.items())},
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> EloModel:
        settings = EloSettings(parameters["k"], parameters["home_advantage"], parameters["initial"],
                               parameters["newcomers_like"])
        ratings = {int(team): float(rating) for team, rating in parameters["ratings"].items()}
        return cls(EloRatings(settings, ratings), OrderedLogit(**parameters["ordered_logit"]))


def warm_up_count(results: Sequence[Result]) -> int:
    """How many of the (sorted) training results only warm the ratings up: the first season, or half of one."""
    seasons = list(dict.fromkeys(result.season for result in results))
    if len(seasons) > 1:
        return sum(1 for result in results if result.season == seasons[0])
    return len(results) // 2


def fit_elo(results: Sequence[Result], settings: EloSettings | None = None) -> EloModel:
    """Run Elo through the results (kick-off order) and fit the ordered logit on the post-warm-up ones.

    Without ``settings``, K and the home advantage are chosen from ``ELO_GRID`` by the
    mapping's log loss on those same training matches.
    """
    results = sorted(results, key=lambda result: result.kickoff)
    skip = warm_up_count(results)
    if len(results) - skip < 10:
        raise ValueError(f"Elo needs at least 10 matches after the warm-up, got {len(results) - skip}")
    candidates = [settings] if settings else [
        EloSettings(k=k, home_advantage=advantage)
        for k, advantage in product(ELO_GRID["k"], ELO_GRID["home_advantage"])]
    best: EloModel | None = None
    for candidate in candidates:
        ratings = EloRatings(candidate)
        differences = [ratings.update(result) for result in results]
        outcomes = [result.outcome for result in results]
        mapping = OrderedLogit.fit(differences[skip:], outcomes[skip:])
        probabilities = mapping.probabilities(differences[skip:])
        loss = float(-np.log(probabilities[np.arange(len(outcomes) - skip), outcomes[skip:]]).mean())
        if best is None or loss < best.training_log_loss:
            best = EloModel(ratings, mapping, len(results) - skip, loss)
    return best


# --------------------------------------------------------------------------- Dixon-Coles


def decay_weights(kickoffs: Sequence[dt.datetime], as_of: dt.datetime, xi: float) -> np.ndarray:
    """exp(-xi * days between each kick-off and ``as_of``) (penaltyblog's dixon_coles_weights)."""
    days = np.array([(as_of - kickoff).total_seconds() / SECONDS_PER_DAY for kickoff in kickoffs])
    return np.exp(-xi * np.maximum(days, 0.0))


def rho_correction(home_goals, away_goals, home_rate, away_rate, rho):
    """Dixon & Coles' tau: a factor for 0-0, 0-1, 1-0 and 1-1, 1 for every other score."""
    home_goals, away_goals = np.asarray(home_goals), np.asarray(away_goals)
    tau = np.ones(np.broadcast(home_goals, away_goals, home_rate, away_rate).shape)
    nil_nil = (home_goals == 0) & (away_goals == 0)
    nil_one = (home_goals == 0) & (away_goals == 1)
    one_nil = (home_goals == 1) & (away_goals == 0)
    one_one = (home_goals == 1) & (away_goals == 1)
    rates = np.broadcast_arrays(home_rate, away_rate, tau)
    lam, mu = rates[0], rates[1]
    tau = np.where(nil_nil, 1 - lam * mu * rho, tau)
    tau = np.where(nil_one, 1 + lam * rho, tau)
    tau = np.where(one_nil, 1 + mu * rho, tau)
    tau = np.where(one_one, 1 - rho, tau)
    return tau


def poisson_pmf(rate: float, max_goals: int = MAX_GOALS) -> np.ndarray:
    goals = np.arange(max_goals + 1)
    return np.exp(goals * math.log(rate) - rate - gammaln(goals + 1))


def score_matrix(home_rate: float, away_rate: float, rho: float = 0.0, max_goals: int = MAX_GOALS) -> np.ndarray:
    """P(home goals = i, away goals = j) for i, j in 0..max_goals, rho-corrected, summing to 1."""
    matrix = np.outer(poisson_pmf(home_rate, max_goals), poisson_pmf(away_rate, max_goals))
    matrix[0, 0] *= 1 - home_rate * away_rate * rho
    matrix[0, 1] *= 1 + home_rate * rho
    matrix[1, 0] *= 1 + away_rate * rho
    matrix[1, 1] *= 1 - rho
    matrix = np.clip(matrix, 0.0, None)
    return matrix / matrix.sum()


def forecast_from_matrix(matrix: np.ndarray, *, likely: int = LIKELY_SCORES) -> MatchForecast:
    """Home/draw/away, over 2.5 goals and the most likely scores of a score matrix."""
    home = float(np.tril(matrix, -1).sum())
    draw = float(np.trace(matrix))
    away = float(np.triu(matrix, 1).sum())
    goals = np.add.outer(np.arange(matrix.shape[0]), np.arange(matrix.shape[1]))
    over = float(matrix[goals > 2].sum())
    order = np.argsort(matrix, axis=None)[::-1][:likely]
    scores = tuple((int(i), int(j), float(matrix[i, j])) for i, j in zip(*np.unravel_index(order, matrix.shape)))
    goals_home = float((matrix.sum(axis=1) * np.arange(matrix.shape[0])).sum())
    goals_away = float((matrix.sum(axis=0) * np.arange(matrix.shape[1])).sum())
    return MatchForecast(home, draw, away, over, scores, (goals_home, goals_away))


@dataclass
class DixonColes:
    """A fitted Dixon-Coles model. ``attack``/``defence`` map team id -> rating."""

    attack: dict[int, float]
    defence: dict[int, float]
    home_advantage: float
    rho: float
    xi: float
    as_of: dt.datetime
    shots_weight: float = 0.0
    ridge: float = DEFAULT_RIDGE
    log_likelihood: float = float("nan")
    matches: int = 0
    newcomers_like: int = NEWCOMERS_LIKE
    converged: bool = True
    _newcomer: tuple[float, float] | None = field(default=None, repr=False)

    def strength(self, team_id: int) -> float:
        return self.attack[team_id] - self.defence[team_id]

    def newcomer(self) -> tuple[float, float]:
        """Attack and defence for a team the fit has not seen: the weakest teams' mean."""
        if self._newcomer is None:
            weakest = sorted(self.attack, key=self.strength)[:self.newcomers_like]
            self._newcomer = (float(np.mean([self.attack[team] for team in weakest])),
                              float(np.mean([self.defence[team] for team in weakest])))
        return self._newcomer

    def team(self, team_id: int) -> tuple[float, float]:
        if team_id in self.attack:
            return self.attack[team_id], self.defence[team_id]
        return self.newcomer()

    def rates(self, home_id: int, away_id: int) -> tuple[float, float]:
        """Expected goals (home, away)."""
        home_attack, home_defence = self.team(home_id)
        away_attack, away_defence = self.team(away_id)
        return (math.exp(self.home_advantage + home_attack + away_defence),
                math.exp(away_attack + home_defence))

    def score_matrix(self, home_id: int, away_id: int, max_goals: int = MAX_GOALS) -> np.ndarray:
        return score_matrix(*self.rates(home_id, away_id), self.rho, max_goals)

    def forecast(self, home_id: int, away_id: int) -> MatchForecast:
        return forecast_from_matrix(self.score_matrix(home_id, away_id))

    def parameters(self) -> dict[str, Any]:
        return {
            "home_advantage": self.home_advantage, "rho": self.rho, "xi": self.xi,
            "shots_weight": self.shots_weight, "ridge": self.ridge,
            "as_of": self.as_of.isoformat(), "newcomers_like": self.newcomers_like,
            "teams": {str(team): {"attack": round(self.attack[team], 6), "defence": round(self.defence[team], 6)}
                      for team in sorted(self.attack)},
        }

    @classmethod
    def from_parameters(cls, parameters: Mapping[str, Any]) -> DixonColes:
        teams = parameters["teams"]
        return cls(
            attack={int(team): values["attack"] for team, values in teams.items()},
            defence={int(team): values["defence"] for team, values in teams.items()},
            home_advantage=parameters["home_advantage"], rho=parameters["rho"], xi=parameters["xi"],
            as_of=dt.datetime.fromisoformat(parameters["as_of"]), shots_weight=parameters.get("shots_weight", 0.0),
            ridge=parameters.get("ridge", DEFAULT_RIDGE),
            newcomers_like=parameters.get("newcomers_like", NEWCOMERS_LIKE),
        )


class _Likelihood:
    """The weighted negative log-likelihood and its gradient over x = (attack[:-1], defence, home, rho)."""

    def __init__(self, home: np.ndarray, away: np.ndarray, home_goals: np.ndarray, away_goals: np.ndarray,
                 weights: np.ndarray, teams: int, ridge: float,
                 home_target: np.ndarray | None = None, away_target: np.ndarray | None = None):
        self.home, self.away, self.weights, self.n, self.ridge = home, away, weights, teams, ridge
        # The Poisson part counts the targets (the goals, or goals blended with shots on
        # target); the rho correction always looks at the real score.
        self.home_goals = home_goals if home_target is None else home_target
        self.away_goals = away_goals if away_target is None else away_target
        # Indices of the four scores the rho correction touches.
        self.nil_nil = np.flatnonzero((home_goals == 0) & (away_goals == 0))
        self.nil_one = np.flatnonzero((home_goals == 0) & (away_goals == 1))
        self.one_nil = np.flatnonzero((home_goals == 1) & (away_goals == 0))
        self.one_one_weight = float(weights[(home_goals == 1) & (away_goals == 1)].sum())
        self.constant = float((weights * (gammaln(self.home_goals + 1) + gammaln(self.away_goals + 1))).sum())

    def unpack(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, float, float]:
        n = self.n
        attack = np.append(x[:n - 1], -x[:n - 1].sum())
        return attack, x[n - 1:2 * n - 1], float(x[2 * n - 1]), float(x[2 * n])

    def __call__(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        attack, defence, advantage, rho = self.unpack(x)
        log_lam = advantage + attack[self.home] + defence[self.away]
        log_mu = attack[self.away] + defence[self.home]
        lam, mu = np.exp(log_lam), np.exp(log_mu)
        w = self.weights
        log_likelihood = float(w @ (self.home_goals * log_lam - lam + self.away_goals * log_mu - mu)) - self.constant
        # d(log-likelihood)/d(log lambda) and /d(log mu) per match, and d/d(rho) in total
        d_lam = self.home_goals - lam
        d_mu = self.away_goals - mu
        i = self.nil_nil  # tau = 1 - lambda mu rho
        product_ = lam[i] * mu[i]
        tau = np.maximum(1 - product_ * rho, TAU_FLOOR)
        log_likelihood += float(w[i] @ np.log(tau))
        d_lam[i] -= product_ * rho / tau
        d_mu[i] -= product_ * rho / tau
        d_rho = -float(w[i] @ (product_ / tau))
        i = self.nil_one  # tau = 1 + lambda rho
        tau = np.maximum(1 + lam[i] * rho, TAU_FLOOR)
        log_likelihood += float(w[i] @ np.log(tau))
        d_lam[i] += lam[i] * rho / tau
        d_rho += float(w[i] @ (lam[i] / tau))
        i = self.one_nil  # tau = 1 + mu rho
        tau = np.maximum(1 + mu[i] * rho, TAU_FLOOR)
        log_likelihood += float(w[i] @ np.log(tau))
        d_mu[i] += mu[i] * rho / tau
        d_rho += float(w[i] @ (mu[i] / tau))
        tau_one_one = max(1 - rho, TAU_FLOOR)  # 1-1
        log_likelihood += self.one_one_weight * math.log(tau_one_one)
        d_rho -= self.one_one_weight / tau_one_one

        centred = defence - defence.mean()
        penalty = 0.5 * self.ridge * (attack @ attack + centred @ centred)
        n = self.n
        g_lam, g_mu = w * d_lam, w * d_mu
        g_attack = np.bincount(self.home, g_lam, n) + np.bincount(self.away, g_mu, n) - self.ridge * attack
        g_defence = np.bincount(self.away, g_lam, n) + np.bincount(self.home, g_mu, n) - self.ridge * centred
        gradient = np.concatenate([g_attack[:-1] - g_attack[-1], g_defence, [g_lam.sum(), d_rho]])
        return -(log_likelihood - penalty), -gradient


def shots_blended_goals(results: Sequence[Result], weights: np.ndarray, shots_weight: float
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Each side's ``(1 - s) * goals + s * r * shots on target``, r = goals per shot on target in the window.

    Matches without shots on target (either side) keep their goals. ``r`` is the
    time-weighted ratio over the matches that have them, so the blend stays in goals.
    """
    home_goals = np.array([result.home_goals for result in results], dtype=float)
    away_goals = np.array([result.away_goals for result in results], dtype=float)
    home_shots = np.array([np.nan if result.home_shots_on_target is None else result.home_shots_on_target
                           for result in results], dtype=float)
    away_shots = np.array([np.nan if result.away_shots_on_target is None else result.away_shots_on_target
                           for result in results], dtype=float)
    known = ~(np.isnan(home_shots) | np.isnan(away_shots))
    shots = (weights * (home_shots + away_shots))[known].sum()
    if shots_weight <= 0 or not known.any() or shots <= 0:
        return home_goals, away_goals
    ratio = (weights * (home_goals + away_goals))[known].sum() / shots
    home = np.where(known, (1 - shots_weight) * home_goals + shots_weight * ratio * np.nan_to_num(home_shots),
                    home_goals)
    away = np.where(known, (1 - shots_weight) * away_goals + shots_weight * ratio * np.nan_to_num(away_shots),
                    away_goals)
    return home, away


def fit_dixon_coles(results: Sequence[Result], *, as_of: dt.datetime | None = None, xi: float = DEFAULT_XI,
                    shots_weight: float = 0.0, ridge: float = DEFAULT_RIDGE, start: DixonColes | None = None,
                    newcomers_like: int = NEWCOMERS_LIKE) -> DixonColes:
    """Fit on the results before ``as_of`` (default: just after the last one), weighted by time decay.

    ``shots_weight`` > 0 fits the rates to goals blended with shots on target
    (``shots_blended_goals``); 0 is penaltyblog's model exactly. ``start`` (an earlier
    fit) warm-starts the optimiser; teams it lacks start at its newcomer values.
    """
    if as_of is None:
        as_of = max(result.kickoff for result in results) + dt.timedelta(seconds=1)
    results = [result for result in results if result.kickoff < as_of]
    teams = sorted({result.home_id for result in results} | {result.away_id for result in results})
    if len(teams) < 2:
        raise ValueError(f"Dixon-Coles needs results between at least two teams, got {len(results)} results")
    index = {team: i for i, team in enumerate(teams)}
    n = len(teams)
    weights = decay_weights([result.kickoff for result in results], as_of, xi)
    home_target, away_target = shots_blended_goals(results, weights, shots_weight)
    likelihood = _Likelihood(
        home=np.array([index[result.home_id] for result in results]),
        away=np.array([index[result.away_id] for result in results]),
        home_goals=np.array([result.home_goals for result in results], dtype=float),
        away_goals=np.array([result.away_goals for result in results], dtype=float),
        weights=weights, teams=n, ridge=ridge, home_target=home_target, away_target=away_target,
    )
    mean_goals = max(float((home_target + away_target).mean()) / 2, 0.1)
    cold = np.concatenate([np.zeros(n - 1), np.full(n, math.log(mean_goals)), [0.25, -0.05]])
    if start is not None:
        attack = np.array([start.team(team)[0] for team in teams])
        defence = np.array([start.team(team)[1] for team in teams])
        attack -= attack.mean()
        warm = np.concatenate([attack[:-1], defence, [start.home_advantage, start.rho]])
    bounds = [(-4.0, 4.0)] * (2 * n - 1) + [(-2.0, 2.0), (-0.25, 0.25)]
    options = {"maxiter": 3000, "ftol": 1e-10, "gtol": 1e-6}
    fitted = minimize(likelihood, warm if start is not None else cold, jac=True, method="L-BFGS-B",
                      bounds=bounds, options=options)
    if not fitted.success and start is not None:  # a warm start far from the optimum: try cold
        fitted = minimize(likelihood, cold, jac=True, method="L-BFGS-B", bounds=bounds, options=options)
    attack, defence, advantage, rho = likelihood.unpack(fitted.x)
    return DixonColes(
        attack={team: float(attack[i]) for team, i in index.items()},
        defence={team: float(defence[i]) for team, i in index.items()},
        home_advantage=advantage, rho=rho, xi=xi, as_of=as_of, shots_weight=shots_weight, ridge=ridge,
        log_likelihood=-float(fitted.fun), matches=len(results), newcomers_like=newcomers_like,
        converged=bool(fitted.success),
    )


# --------------------------------------------------------------------------- market-informed ratings

MARKET_RHO = -0.05  # the low-score correction used to read goals out of prices, and to turn rates back into them
MARKET_NOISE = 0.01  # variance of one match's log expected goals as its closing prices say them
RESULTS_NOISE = 0.7  # variance of log goals from a result alone (a match without prices): about 1 / lambda
HOME_DRIFT = 1e-6  # variance per day of the home advantage (it moved after the empty stadiums of 2020/21)
NEWCOMER_VARIANCE = 0.1  # a team seen for the first time: its attack and defence are this uncertain
INITIAL_HOME, INITIAL_GOALS = 0.25, 1.35  # the first day of the data: every team average
GOALS_FLOOR = 0.05  # keeps the log finite for a 0-0 read from results alone


def score_matrices(home_rates, away_rates, rho: float = MARKET_RHO, max_goals: int = MAX_GOALS) -> np.ndarray:
    """``score_matrix`` for many matches at once: (n, max_goals + 1, max_goals + 1)."""
    lam = np.asarray(home_rates, dtype=float).reshape(-1)
    mu = np.asarray(away_rates, dtype=float).reshape(-1)
    goals = np.arange(max_goals + 1)
    home = np.exp(goals * np.log(lam)[:, None] - lam[:, None] - gammaln(goals + 1))
    away = np.exp(goals * np.log(mu)[:, None] - mu[:, None] - gammaln(goals + 1))
    matrices = home[:, :, None] * away[:, None, :]
    matrices[:, 0, 0] *= 1 - lam * mu * rho
    matrices[:, 0, 1] *= 1 + lam * rho
    matrices[:, 1, 0] *= 1 + mu * rho
    matrices[:, 1, 1] *= 1 - rho
    matrices = np.clip(matrices, 0.0, None)
    return matrices / matrices.sum(axis=(1, 2), keepdims=True)


def outcome_probabilities(home_rates, away_rates, rho: float = MARKET_RHO) -> np.ndarray:
    """(n, 4): P(home win), P(draw), P(away win), P(over 2.5 goals) of each match's score matrix."""
    matrices = score_matrices(home_rates, away_rates, rho)
    size = matrices.shape[1]
    home_wins = np.tril(np.ones((size, size)), -1)
    over = np.add.outer(np.arange(size), np.arange(size)) > 2
    return np.column_stack([(matrices * home_wins).sum(axis=(1, 2)), np.trace(matrices, axis1=1, axis2=2),
                            (matrices * home_wins.T).sum(axis=(1, 2)), (matrices * over).sum(axis=(1, 2))])


def implied_goals(probabilities, over=None, *, rho: float = MARKET_RHO, iterations: int = 40) -> np.ndarray:
    """The expected goals (home, away) a match's prices imply: (n, 2) from (n, 3) margin-free home/draw/away
    and, where known (NaN where not), the margin-free P(over 2.5 goals).

    The two rates are those whose Dixon-Coles score matrix (``MARKET_RHO``) comes closest, in
    least squares, to the prices' probabilities; Gauss-Newton on the log rates, every match at once.
    """
    probabilities = np.atleast_2d(np.asarray(probabilities, dtype=float))
    n = len(probabilities)
    over = np.full(n, np.nan) if over is None else np.asarray(over, dtype=float).reshape(-1)
    target = np.column_stack([probabilities, over])
    weights = (~np.isnan(target)).astype(float)
    target = np.nan_to_num(target)
    x = np.column_stack([np.full(n, math.log(1.45)), np.full(n, math.log(1.15))])
    step_size = 1e-6

    def residuals(point):
        return (outcome_probabilities(np.exp(point[:, 0]), np.exp(point[:, 1]), rho) - target) * weights

    for _ in range(iterations):
        current = residuals(x)
        jacobian = np.stack([(residuals(x + step_size * np.eye(2)[k]) - current) / step_size for k in range(2)],
                            axis=2)  # (n, 4, 2)
        normal = np.einsum("nik,nil->nkl", jacobian, jacobian) + 1e-9 * np.eye(2)
        step = np.linalg.solve(normal, np.einsum("nik,ni->nk", jacobian, current)[:, :, None])[:, :, 0]
        x = np.clip(x - step, -3.0, 2.5)
        if np.abs(step).max() < 1e-9:
            break
    return np.exp(x)


def stretch_rates(rates, stretch: float) -> np.ndarray:
    """(n, 2) expected goals with the log gap between the sides multiplied by ``stretch``, the total kept."""
    logs = np.log(np.atleast_2d(np.asarray(rates, dtype=float)))
    middle, half_gap = logs.mean(axis=1), (logs[:, 0] - logs[:, 1]) / 2 * stretch
    return np.exp(np.column_stack([middle + half_gap, middle - half_gap]))


@dataclass(frozen=True, slots=True)
class MarketSettings:
    """The market-informed ratings' settings; ``MARKET_GRID`` (walk_forward) tunes the first four."""

    drift: float = 3e-4  # variance per day of a team's attack and defence
    results_weight: float = 0.1  # share of the (shots-blended) score in what a priced match says
    shots_weight: float = 0.5  # share of shots on target in that score, as in Dixon-Coles
    stretch: float = 1.05  # the forecast's log gap between the sides, times this
    noise: float = MARKET_NOISE
    home_drift: float = HOME_DRIFT
    newcomers_like: int = NEWCOMERS_LIKE

    def as_dict(self) -> dict[str, float]:
        return {"drift": self.drift, "results_weight": self.results_weight, "shots_weight": self.shots_weight,
                "stretch": self.stretch, "noise": self.noise, "home_drift": self.home_drift}


class MarketRatings:
    """Market-informed ratings: each team's attack and defence followed by a Kalman filter, day by day,
    through the expected goals that EARLIER matches' closing prices implied.

    The state is the home advantage and every team's (attack, defence); a match says
    ``log home goals = home + attack[home] + defence[away]`` and ``log away goals = attack[away]
    + defence[home]``, where the goals are ``(1 - results_weight) * implied + results_weight *
    shots-blended score`` (the score alone, far noisier, for a match without prices). Between
    days every rating drifts (variance ``drift`` per day), so recent prices count most and a
    team's rating follows the market's as it moves. Only ``observe`` reads a result, and the
    walk calls it after the day's forecasts: a forecast never sees its own match's prices.
    """

    def __init__(self, settings: MarketSettings = MarketSettings()):
        self.settings = settings
        self.index: dict[int, int] = {}  # team id -> position of its attack in the state (defence follows)
        self.state = np.array([INITIAL_HOME])
        self.covariance = np.array([[NEWCOMER_VARIANCE / 10]])
        self.day: dt.datetime | None = None
        self.goals = 0.0  # goals and shots on target seen so far, for goals per shot on target
        self.shots = 0.0

    def team(self, team_id: int) -> tuple[float, float]:
        """Attack and defence; a team not seen yet gets the mean of the weakest teams'."""
        if team_id in self.index:
            position = self.index[team_id]
            return float(self.state[position]), float(self.state[position + 1])
        if not self.index:
            return 0.0, math.log(INITIAL_GOALS)
        teams = {team: self.team(team) for team in self.index}
        weakest = sorted(teams, key=lambda team: teams[team][0] - teams[team][1])[:self.settings.newcomers_like]
        return (float(np.mean([teams[team][0] for team in weakest])),
                float(np.mean([teams[team][1] for team in weakest])))

    def _add_team(self, team_id: int) -> None:
        attack, defence = self.team(team_id)
        size = len(self.state)
        self.index[team_id] = size
        self.state = np.append(self.state, [attack, defence])
        covariance = np.zeros((size + 2, size + 2))
        covariance[:size, :size] = self.covariance
        covariance[size, size] = covariance[size + 1, size + 1] = NEWCOMER_VARIANCE
        self.covariance = covariance

    def advance(self, day: dt.datetime) -> None:
        """Let the ratings drift from the last day seen to ``day``."""
        if self.day is not None and day > self.day:
            days = (day - self.day).total_seconds() / SECONDS_PER_DAY
            drift = np.full(len(self.state), self.settings.drift * days)
            drift[0] = self.settings.home_drift * days
            self.covariance = self.covariance + np.diag(drift)
        if self.day is None or day > self.day:
            self.day = day

    def rates(self, home_id: int, away_id: int, stretch: float | None = None) -> tuple[float, float]:
        """Expected goals (home, away), the gap stretched by ``stretch`` (default: the settings')."""
        home_attack, home_defence = self.team(home_id)
        away_attack, away_defence = self.team(away_id)
        log_home = self.state[0] + home_attack + away_defence
        log_away = away_attack + home_defence
        stretched = stretch_rates([[math.exp(log_home), math.exp(log_away)]],
                                  self.settings.stretch if stretch is None else stretch)[0]
        return float(stretched[0]), float(stretched[1])

    def forecast(self, home_id: int, away_id: int) -> MatchForecast:
        return forecast_from_matrix(score_matrix(*self.rates(home_id, away_id), MARKET_RHO))

    def _said(self, result: Result, ratio: float) -> tuple[float, float, float]:
        """What one match says: home goals, away goals and the variance of their logs."""
        s = self.settings.shots_weight
        sides = []
        for goals, shots in ((result.home_goals, result.home_shots_on_target),
                             (result.away_goals, result.away_shots_on_target)):
            sides.append(goals if shots is None or not ratio else (1 - s) * goals + s * ratio * shots)
        if result.home_market_goals is None or result.away_market_goals is None:
            return sides[0], sides[1], RESULTS_NOISE
        a = self.settings.results_weight
        return ((1 - a) * result.home_market_goals + a * sides[0],
                (1 - a) * result.away_market_goals + a * sides[1], self.settings.noise)

    def observe(self, results: Sequence[Result], day: dt.datetime) -> None:
        """Take in one day's results, all at once (they were played side by side)."""
        if not results:
            return
        self.advance(day)
        for result in results:
            for team_id in (result.home_id, result.away_id):
                if team_id not in self.index:
                    self._add_team(team_id)
            if result.home_shots_on_target is not None and result.away_shots_on_target is not None:
                self.goals += result.home_goals + result.away_goals
                self.shots += result.home_shots_on_target + result.away_shots_on_target
        ratio = self.goals / self.shots if self.shots else 0.0
        rows = np.zeros((2 * len(results), len(self.state)))
        said = np.zeros(2 * len(results))
        noise = np.zeros(2 * len(results))
        for number, result in enumerate(results):
            home, away = self.index[result.home_id], self.index[result.away_id]
            rows[2 * number, [0, home, away + 1]] = 1.0
            rows[2 * number + 1, [away, home + 1]] = 1.0
            home_goals, away_goals, variance = self._said(result, ratio)
            said[2 * number: 2 * number + 2] = np.log(np.maximum([home_goals, away_goals], GOALS_FLOOR))
            noise[2 * number: 2 * number + 2] = variance
        projected = self.covariance @ rows.T
        gain = np.linalg.solve(rows @ projected + np.diag(noise), projected.T).T
        self.state = self.state + gain @ (said - rows @ self.state)
        self.covariance = self.covariance - gain @ projected.T
        self.covariance = (self.covariance + self.covariance.T) / 2
