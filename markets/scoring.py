"""Scoring rules for match-result forecasts: ranked probability score, log loss, Brier.

Pure functions on plain values. A forecast is a triple (home win, draw, away win) in that
order, which is also the order the ranked probability score needs: the three outcomes are
ordered (a draw is "between" a home and an away win), so a forecast that misses a home win
by predicting a draw is penalised less than one that predicted an away win.

- Ranked probability score (Epstein 1969; Constantinou & Fenton 2012, "Solving the problem
  of inadequate scoring rules for assessing probabilistic football forecast models"):
  ``sum over k of (cumulative forecast_k - cumulative outcome_k)^2 / (r - 1)`` with r = 3
  outcomes. 0 is perfect; a certain forecast of the opposite result scores 1.
- Log loss: ``-ln p(observed outcome)``, the probability clipped at 1e-15.
- Brier: the multi-class Brier score, ``sum over outcomes of (p - observed)^2`` (0 to 2).

Lower is better for all three. ``summary`` averages them over many matches.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

HOME, DRAW, AWAY = 0, 1, 2
OUTCOME_NAMES = ("home", "draw", "away")
MIN_PROBABILITY = 1e-15


def outcome_index(home_goals: int, away_goals: int) -> int:
    """0 for a home win, 1 for a draw, 2 for an away win."""
    if home_goals > away_goals:
        return HOME
    return DRAW if home_goals == away_goals else AWAY


def _as_arrays(forecasts, outcomes) -> tuple[np.ndarray, np.ndarray]:
    probabilities = np.atleast_2d(np.asarray(forecasts, dtype=float))
    observed = np.atleast_1d(np.asarray(outcomes, dtype=int))
    if probabilities.shape[1:] != (3,) or len(probabilities) != len(observed):
        raise ValueError(f"need one (home, draw, away) forecast per outcome, got {probabilities.shape} "
                         f"for {len(observed)} outcomes")
    return probabilities, observed


def ranked_probability_scores(forecasts, outcomes) -> np.ndarray:
    """Each forecast's RPS; ``forecasts`` is (n, 3) home/draw/away, ``outcomes`` n indices."""
    probabilities, observed = _as_arrays(forecasts, outcomes)
    truth = np.zeros_like(probabilities)
    truth[np.arange(len(observed)), observed] = 1.0
    gaps = np.cumsum(probabilities, axis=1)[:, :-1] - np.cumsum(truth, axis=1)[:, :-1]
    return (gaps ** 2).sum(axis=1) / (probabilities.shape[1] - 1)


def ranked_probability_score(forecast: Sequence[float], outcome: int) -> float:
    """One forecast's RPS: ``ranked_probability_score((0.6, 0.25, 0.15), HOME)``."""
    return float(ranked_probability_scores([forecast], [outcome])[0])


def log_losses(forecasts, outcomes) -> np.ndarray:
    probabilities, observed = _as_arrays(forecasts, outcomes)
    return -np.log(np.clip(probabilities[np.arange(len(observed)), observed], MIN_PROBABILITY, 1.0))


def brier_scores(forecasts, outcomes) -> np.ndarray:
    probabilities, observed = _as_arrays(forecasts, outcomes)
    truth = np.zeros_like(probabilities)
    truth[np.arange(len(observed)), observed] = 1.0
    return ((probabilities - truth) ** 2).sum(axis=1)


def summary(forecasts, outcomes) -> dict[str, float]:
    """Mean RPS, log loss and Brier over the forecasts, and how many there were."""
    probabilities, observed = _as_arrays(forecasts, outcomes)
    if not len(observed):
        return {"rps": float("nan"), "log_loss": float("nan"), "brier": float("nan"), "matches": 0}
    return {
        "rps": float(ranked_probability_scores(probabilities, observed).mean()),
        "log_loss": float(log_losses(probabilities, observed).mean()),
        "brier": float(brier_scores(probabilities, observed).mean()),
        "matches": int(len(observed)),
    }
