"""Expected goals (xG): our own shot model, fitted on StatsBomb open data, versioned in ``XgModel``.

Everything above "Storage" works on plain values and files, without the ORM: the commands
``train_xg``/``evaluate_xg``, tasks and views share it. ``predict`` and ``apply_xg_model``
price stored shots with the active ``XgModel``; ``MatchEvent.model_xg`` keeps our value
beside the provider's ``xg``.

**Geometry.** Shots arrive in our 0-100 pitch frame (``MatchEvent``: the shooter attacks
the goal at x=100; y runs across). We turn the frame back into StatsBomb yards (x * 1.2,
y * 0.8: StatsBomb's 120x80) and then into metres (1 yd = 0.9144 m). StatsBomb draws the
goal and the boxes at their true size in yards (posts at y 36 and 44, 8 yd = 7.32 m apart;
the penalty spot 12 yd out), so near goal these are real metres. A 105x68 m conversion
would shrink the goal mouth to 6.8 m and the box to 15.75 m, so we do not use it.
Features per shot:

- ``distance``: metres from the centre of the goal line (frame 100, 50);
- ``angle``: the angle (radians) the goal mouth subtends at the shot, post to post;
- ``header``: body part head (StatsBomb "Head"); foot and "Other" are 0;
- ``free_kick``: a direct free-kick shot (StatsBomb shot type "Free Kick");
- ``set_piece``: any other shot in a corner or free-kick move (play pattern "From Corner"/
  "From Free Kick", or a shot straight from a corner);
- ``counter``: play pattern "From Counter" (a fast break);
- ``first_time``: struck without a touch to control (StatsBomb ``shot.first_time``);
- ``under_pressure``: the shooter was pressed (StatsBomb ``under_pressure``);
- ``log_distance``, ``angle_x_distance``: the bends a straight line in distance and angle
  misses (xG falls steeply over the first metres, then slowly; a wide angle is worth more
  close in);
- ``one_on_one``, ``open_goal``, ``aerial_won`` (a header won in a duel), ``follows_dribble``:
  StatsBomb's own annotations of the chance, before the strike;
- from the **freeze frame** (where every visible player stood as the ball was struck; see
  ``frame_features``): ``keeper_distance`` (metres from the ball), ``keeper_off_line``
  (metres in front of his line), ``keeper_off_shot_line`` (metres aside from the line ball ->
  goal centre), ``defenders_in_cone`` (outfield opponents inside the triangle ball-post-post),
  ``defenders_close`` (outfield opponents within 2.5 m of the ball), ``nearest_defender``
  (metres, capped at 10). Teammates in the triangle and the keeper being inside it were
  tried and dropped: no gain by cross-validation.

All but distance and angle come from ``details`` as ``ingestion.statsbomb`` stores it
(``play_pattern``, ``first_time``, ``under_pressure``, the shot's own flags and its
``freeze_frame`` as ``[{"x", "y", "teammate", "keeper"}, ...]`` in our frame); the reader of
raw files here builds the same ``details``, so a stored shot and a file's shot get the same
features. A provider that gives none of the flags has 0s. StatsBomb's ``deflected`` is
left out on purpose: it says what happened after the strike (7 of its 18 shots went in).

**Shots without a freeze frame** (other providers; a few StatsBomb shots) cannot read the
frame features. A model that reads them carries a **fallback**: the same regression without
the frame features, fitted on the same training shots (all of them; the frame model on those
with a frame). ``predict`` uses the fallback for a shot without a frame, so every located shot
gets an xG. ``XgModel.coefficients`` stores it under ``"without_freeze_frame"``.

**Penalties** are not in the regression (a fixed spot says nothing about distance or
angle). Their rate is the in-game conversion of the training penalties shrunk toward the
long-run rate: ``(scored + 0.775 * 200) / (taken + 200)``, a Beta prior worth 200 penalties at
77.5% (top-flight conversion runs at 76-79%). Shoot-out kicks (period 5) are left out of
training and evaluation alike.

**Fitting.** Logistic regression on the non-penalty shots: features standardised on the
training set, log loss summed over shots plus ``l2 / 2 * |w|^2`` on the standardised
coefficients (not the intercept; ``l2=1`` is a standard-normal prior), minimised by
Newton steps in a trust region (scipy ``trust-exact``, exact Hessian) from zeros
(deterministic). Unless the caller fixes them, the feature set (``FEATURE_SETS``: ``base``
= the first eight, ``frameless`` = + shape and chance flags, ``full`` = + freeze frame) and
``l2`` (``L2_GRID``) are chosen together by cross-validated log loss over the *training*
matches (10 folds by match), so the held-out matches play no part in the choice. On the
seven shared matches (187 shots) that picks ``base``: twenty features do not pay on so few
shots. On the 40 Premier League 2015/16 matches it picks ``full`` at l2=10. Coefficients are
stored on the raw feature scale, so a prediction is ``sigmoid(intercept + features @ coefficients)``.

**Held-out matches.** Shots are split by match, never within one: match ids are ordered by
``sha256("<seed>:<match id>")`` and the first ``round(fraction * matches)`` (at least one,
never all) are held out. ``evaluate_xg`` scores the matches of a folder that the model was
not fitted on (not among ``training_data["match_ids"]``): on the training folder that is the
same held-out split, on any other folder every match. Several folders can be pooled for
training (``train_xg PATH PATH``); the split is then over all their matches together.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit

from matches.records import Origin, RecordError

YARD = 0.9144  # metres
FRAME_X_YARDS = 120 / 100  # our 0-100 frame -> StatsBomb yards, along the pitch
FRAME_Y_YARDS = 80 / 100  # ... and across it
GOAL_X, GOAL_Y = 100.0, 50.0  # centre of the goal line in our frame
GOAL_WIDTH = 8 * YARD  # 7.32 m
MIN_DISTANCE = 0.5  # metres: a shot "on" the goal line still has a direction

# What every provider's shot gives (location, body part, situation, and StatsBomb's context flags).
BASE_FEATURES = ("distance", "angle", "header", "free_kick", "set_piece", "counter", "first_time", "under_pressure")
# Bends of the distance/angle curve that a straight logistic line misses (still a logistic regression).
SHAPE_FEATURES = ("log_distance", "angle_x_distance")
# StatsBomb's annotations of the chance itself, read from ``details`` (0 when a provider has none).
CHANCE_FEATURES = ("one_on_one", "open_goal", "aerial_won", "follows_dribble")
# From the shot's freeze frame (where everyone stood as the ball was struck): NaN without one.
FRAME_FEATURES = ("keeper_distance", "keeper_off_line", "keeper_off_shot_line", "defenders_in_cone",
                  "defenders_close", "nearest_defender")
FRAMELESS_FEATURES = BASE_FEATURES + SHAPE_FEATURES + CHANCE_FEATURES
FEATURES = FRAMELESS_FEATURES + FRAME_FEATURES  # everything this code computes, in column order
# The models train_xg weighs against each other by cross-validation (a small folder may not carry the big one).
FEATURE_SETS = {"base": BASE_FEATURES, "frameless": FRAMELESS_FEATURES, "full": FEATURES}
CLOSE_DEFENDER = 2.5  # metres from the ball: an opponent this near can block or hurry the shot
NEAREST_DEFENDER_CAP = 10.0  # metres: farther than this, nobody is in the way any more

LONG_RUN_PENALTY_RATE = 0.775
PENALTY_PRIOR_WEIGHT = 200  # penalties' worth of belief in the long-run rate
DEFAULT_L2 = 1.0
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
SHOOTOUT_PERIOD = 5
MIN_FRAMED_SHOTS = 100  # fewer non-penalty shots with a freeze frame: no frame model, the frameless one only


@dataclass(frozen=True)
class Shot:
    """One shot as the model sees it. ``MatchEvent`` and ``EventRecord`` have the same fields.

    ``goal``, ``provider_xg`` and ``match_id`` are known for training and evaluation only.
    """

    x: float | None
    y: float | None
    body_part: str = ""
    situation: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    kind: str = ""
    goal: bool | None = None
    provider_xg: float | None = None
    match_id: int | None = None


# Features


def goal_geometry(x, y) -> tuple[np.ndarray, np.ndarray]:
    """(distance in metres to the goal centre, angle in radians subtended by the goal mouth) of frame points."""
    dx = (GOAL_X - np.asarray(x, dtype=float)) * FRAME_X_YARDS * YARD
    dy = (np.asarray(y, dtype=float) - GOAL_Y) * FRAME_Y_YARDS * YARD
    distance = np.maximum(np.hypot(dx, dy), MIN_DISTANCE)
    half = GOAL_WIDTH / 2
    # Angle between the lines to the two posts: atan2(|cross|, dot) of the two vectors.
    ax, ay, bx, by = dx, -half - dy, dx, half - dy
    angle = np.abs(np.arctan2(ax * by - ay * bx, ax * bx + ay * by))
    return distance, angle


def _flag(details: Mapping[str, Any] | None, key: str) -> bool:
    return bool((details or {}).get(key))


def _play_pattern(shot) -> str:
    return str((getattr(shot, "details", None) or {}).get("play_pattern") or "").casefold()


def is_penalty(shot) -> bool:
    """StatsBomb's shot type "Penalty", a provider's "penalty" situation, or a penalty kind."""
    return (str(getattr(shot, "situation", "") or "").casefold() == "penalty"
            or getattr(shot, "kind", "") in ("penalty_scored", "penalty_missed"))


def has_location(shot) -> bool:
    return getattr(shot, "x", None) is not None and getattr(shot, "y", None) is not None


def freeze_frame(shot) -> list | None:
    """The shot's freeze frame as ``details`` keeps it (``[{"x", "y", "teammate", "keeper"}, ...]`` in our
    frame), or None when the provider sent none."""
    frame = (getattr(shot, "details", None) or {}).get("freeze_frame")
    return frame if isinstance(frame, list) and frame else None


def _metres(x, y) -> tuple[float, float]:
    """A frame point as (metres in front of the goal line, metres across from the goal's centre)."""
    return (GOAL_X - x) * FRAME_X_YARDS * YARD, (y - GOAL_Y) * FRAME_Y_YARDS * YARD


def _in_cone(point, ball) -> bool:
    """Is the point inside the triangle between the ball and the two posts (edges included)?"""
    corners = (ball, (0.0, -GOAL_WIDTH / 2), (0.0, GOAL_WIDTH / 2))
    signs = []
    for (ax, ay), (bx, by) in zip(corners, corners[1:] + corners[:1]):
        signs.append((bx - ax) * (point[1] - ay) - (by - ay) * (point[0] - ax))
    return all(v >= 0 for v in signs) or all(v <= 0 for v in signs)


def frame_features(x: float, y: float, frame: Sequence[Mapping[str, Any]]) -> list[float]:
    """FRAME_FEATURES of a shot from (x, y) with this freeze frame (both in our frame).

    - ``keeper_distance``: metres from the ball to the defending goalkeeper;
    - ``keeper_off_line``: metres he stands in front of his goal line (0 on it);
    - ``keeper_off_shot_line``: metres he stands aside from the line from the ball to the goal's centre;
    - ``defenders_in_cone``: opponents other than the keeper inside the triangle ball-post-post;
    - ``defenders_close``: opponents other than the keeper within CLOSE_DEFENDER metres of the ball;
    - ``nearest_defender``: metres to the nearest opponent other than the keeper, capped at NEAREST_DEFENDER_CAP.

    A frame without the defending keeper (StatsBomb: 4 shots in 1,000; he was off camera) puts him on his
    line at the centre of the goal, where a keeper starts. Players stored without a location are skipped.
    """
    ball = _metres(x, y)
    keeper, outfield = None, []
    for player in frame:
        if player.get("teammate") or player.get("x") is None or player.get("y") is None:
            continue  # a teammate is no defender; a player without a location tells nothing
        where = _metres(float(player["x"]), float(player["y"]))
        if player.get("keeper") and keeper is None:
            keeper = where
        else:
            outfield.append(where)
    keeper = keeper or (0.0, 0.0)
    along, across = ball
    keeper_distance = math.hypot(keeper[0] - along, keeper[1] - across)
    # Distance of the keeper from the line ball -> goal centre: |cross product| / length.
    off_shot_line = abs(along * keeper[1] - across * keeper[0]) / max(math.hypot(along, across), MIN_DISTANCE)
    distances = [math.hypot(px - along, py - across) for px, py in outfield]
    return [
        keeper_distance, max(keeper[0], 0.0), off_shot_line,
        float(sum(_in_cone(point, ball) for point in outfield)),
        float(sum(d < CLOSE_DEFENDER for d in distances)),
        min(min(distances, default=NEAREST_DEFENDER_CAP), NEAREST_DEFENDER_CAP),
    ]


def feature_row(shot) -> list[float]:
    """The FEATURES of one located shot (a ``Shot``, ``MatchEvent`` or ``EventRecord``); the frame
    features are NaN when the shot has no freeze frame."""
    distance, angle = goal_geometry(shot.x, shot.y)
    distance, angle = float(distance), float(angle)
    situation = str(shot.situation or "").casefold()
    pattern = _play_pattern(shot)
    details = shot.details or {}
    free_kick = situation in ("free kick", "direct free kick")
    set_piece = not free_kick and (situation in ("corner", "set piece")
                                   or pattern in ("from corner", "from free kick"))
    frame = freeze_frame(shot)
    return [
        distance, angle,
        float(str(shot.body_part or "").casefold().startswith("head")),
        float(free_kick), float(set_piece),
        float(pattern == "from counter" or situation in ("counter", "fast break")),
        float(_flag(details, "first_time")), float(_flag(details, "under_pressure")),
        math.log(distance), angle * distance,
        *(float(_flag(details, name)) for name in CHANCE_FEATURES),
        *(frame_features(float(shot.x), float(shot.y), frame) if frame else [math.nan] * len(FRAME_FEATURES)),
    ]


def feature_matrix(shots: Sequence) -> np.ndarray:
    """FEATURES of located shots, one row per shot (shape: shots x features)."""
    if not shots:
        return np.zeros((0, len(FEATURES)))
    return np.array([feature_row(shot) for shot in shots], dtype=float)


# Fitting


def fit_logistic(X, y, l2: float = DEFAULT_L2) -> tuple[float, np.ndarray]:
    """(intercept, coefficients) of an L2-penalised logistic regression, on X's own scale.

    Columns are standardised for the fit (so one penalty suits metres and flags alike) and the
    coefficients mapped back. A column that never varies gets coefficient 0.
    """
    X = np.asarray(X, dtype=float)
    y = np.asarray(y, dtype=float)
    if X.ndim != 2 or len(X) != len(y):
        raise ValueError("X must be shots x features, with one outcome per shot")
    if not (0 < y.sum() < len(y)):
        raise ValueError(f"cannot fit on {len(y)} shots with {int(y.sum())} goals: need both goals and misses")
    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    constant = scale == 0
    scale[constant] = 1.0
    A = np.column_stack([np.ones(len(X)), (X - mean) / scale])

    def loss_and_gradient(w):
        z = A @ w
        loss = np.sum(np.logaddexp(0.0, z) - y * z) + 0.5 * l2 * np.dot(w[1:], w[1:])
        gradient = A.T @ (expit(z) - y)
        gradient[1:] += l2 * w[1:]
        return loss, gradient

    def hessian(w):
        p = expit(A @ w)
        H = A.T @ (A * (p * (1 - p))[:, None])
        H[1:, 1:] += l2 * np.eye(A.shape[1] - 1)
        return H

    # Newton steps inside a trust region: a handful of iterations where L-BFGS needed hundreds.
    result = minimize(loss_and_gradient, np.zeros(A.shape[1]), jac=True, hess=hessian, method="trust-exact",
                      options={"maxiter": 500, "gtol": 1e-8})
    if not np.all(np.isfinite(result.x)):
        raise ValueError(f"logistic fit failed: {result.message}")
    coefficients = result.x[1:] / scale
    coefficients[constant] = 0.0
    intercept = float(result.x[0] - coefficients @ mean)
    return intercept, coefficients


def shrunk_penalty_rate(scored: int, taken: int) -> float:
    """Penalty conversion shrunk toward the long-run rate (a Beta prior worth PENALTY_PRIOR_WEIGHT kicks)."""
    return (scored + LONG_RUN_PENALTY_RATE * PENALTY_PRIOR_WEIGHT) / (taken + PENALTY_PRIOR_WEIGHT)


@dataclass(frozen=True)
class XgFit:
    """A fitted model: what ``XgModel`` stores, able to predict.

    ``feature_names`` are the columns it reads (a subset of FEATURES; older versions read fewer).
    When they include frame features, ``fallback`` prices the shots that have no freeze frame
    (other providers, or StatsBomb shots without one): the same regression fitted on the same
    shots without the frame features.
    """

    intercept: float
    coefficients: dict[str, float]
    penalty_rate: float
    feature_names: tuple[str, ...] = FEATURES
    fallback: XgFit | None = None

    def uses_frame(self) -> bool:
        return any(name in FRAME_FEATURES for name in self.feature_names)

    def regression(self, X: np.ndarray) -> np.ndarray:
        """sigmoid(intercept + features @ coefficients) on rows of FEATURES."""
        unknown = set(self.feature_names) - set(FEATURES)
        if unknown:
            raise ValueError(f"the model uses features this code does not compute: {sorted(unknown)}")
        columns = [FEATURES.index(name) for name in self.feature_names]
        beta = np.array([self.coefficients.get(name, 0.0) for name in self.feature_names])
        return expit(self.intercept + X[:, columns] @ beta)

    def predict(self, shots: Sequence) -> np.ndarray:
        """xG of each shot: the penalty rate for penalties, the regression for located shots (the
        fallback's for those without a freeze frame), NaN otherwise."""
        return self.predict_table(ShotTable.of(shots))

    def predict_table(self, table: ShotTable, rows: np.ndarray | None = None) -> np.ndarray:
        """``predict`` on the table's shots (or the given rows of it)."""
        rows = np.arange(len(table.goals)) if rows is None else np.asarray(rows)
        result = np.full(len(rows), np.nan)
        result[table.penalty[rows]] = self.penalty_rate
        priced = table.open_play[rows]
        if not self.uses_frame():
            result[priced] = self.regression(table.X[rows[priced]])
            return result
        framed, frameless = priced & table.framed[rows], priced & ~table.framed[rows]
        if framed.any():
            result[framed] = self.regression(table.X[rows[framed]])
        if frameless.any():
            if self.fallback is None:
                raise ValueError("the model needs freeze frames and has no fallback for shots without one")
            result[frameless] = self.fallback.regression(table.X[rows[frameless]])
        return result


@dataclass(frozen=True)
class ShotTable:
    """Shots as arrays, features computed once (cross-validation fits many models on the same shots)."""

    X: np.ndarray  # FEATURES, one row per shot (NaN where not computable)
    goals: np.ndarray  # bool
    penalty: np.ndarray  # bool: priced by the penalty rate
    open_play: np.ndarray  # bool: located non-penalty shots, priced by the regression
    framed: np.ndarray  # bool: has a freeze frame

    @classmethod
    def of(cls, shots: Sequence) -> ShotTable:
        shots = list(shots)
        penalty = np.array([is_penalty(shot) for shot in shots], dtype=bool)
        open_play = np.array([not penalty[i] and has_location(shot) for i, shot in enumerate(shots)], dtype=bool)
        X = np.full((len(shots), len(FEATURES)), np.nan)
        where = np.flatnonzero(open_play)
        if len(where):
            X[where] = feature_matrix([shots[i] for i in where])
        framed = open_play & ~np.isnan(X[:, FEATURES.index(FRAME_FEATURES[0])])
        goals = np.array([bool(getattr(shot, "goal", False)) for shot in shots], dtype=bool)
        return cls(X, goals, penalty, open_play, framed)


def _regression(table: ShotTable, rows: np.ndarray, names: Sequence[str], l2: float) -> tuple[float, dict[str, float]]:
    columns = [FEATURES.index(name) for name in names]
    intercept, beta = fit_logistic(table.X[np.ix_(rows, columns)], table.goals[rows], l2)
    return intercept, {name: float(b) for name, b in zip(names, beta)}


def fit(shots: Sequence[Shot], l2: float = DEFAULT_L2, features: Sequence[str] = FEATURES) -> XgFit:
    """Fit the regression on the located non-penalty shots and the penalty rate on the penalties.

    When ``features`` include frame features and at least MIN_FRAMED_SHOTS shots have a freeze frame
    (goals and misses among them), the model reads ``features`` and is fitted on the shots with a
    frame; its fallback reads the same features less the frame ones and is fitted on all of them.
    Otherwise that frameless regression is the model.
    """
    return fit_table(ShotTable.of(shots), l2=l2, features=features)


def fit_table(table: ShotTable, rows: np.ndarray | None = None, l2: float = DEFAULT_L2,
              features: Sequence[str] = FEATURES) -> XgFit:
    """``fit`` on the table's shots (or the given rows of it)."""
    rows = np.arange(len(table.goals)) if rows is None else np.asarray(rows)
    features = tuple(features)
    without_frame = tuple(name for name in features if name not in FRAME_FEATURES)
    penalties = rows[table.penalty[rows]]
    rate = shrunk_penalty_rate(int(table.goals[penalties].sum()), len(penalties))
    open_rows = rows[table.open_play[rows]]
    frameless = XgFit(*_regression(table, open_rows, without_frame, l2), rate, without_frame)
    framed = rows[table.framed[rows]]
    goals = int(table.goals[framed].sum())
    if features == without_frame or len(framed) < MIN_FRAMED_SHOTS or not 0 < goals < len(framed):
        return frameless
    return XgFit(*_regression(table, framed, features, l2), rate, features, fallback=frameless)


# Evaluation

EPSILON = 1e-15


def brier_score(predicted, goals) -> float:
    p, y = np.asarray(predicted, dtype=float), np.asarray(goals, dtype=float)
    return float(np.mean((p - y) ** 2))


def log_loss(predicted, goals) -> float:
    p = np.clip(np.asarray(predicted, dtype=float), EPSILON, 1 - EPSILON)
    y = np.asarray(goals, dtype=float)
    return float(-np.mean(y * np.log(p) + (1 - y) * np.log(1 - p)))


def calibration_table(predicted, goals, bins: int = 10) -> list[dict]:
    """Equal-count bins (deciles) of the predictions, lowest first: shots, mean xG, goal rate."""
    p, y = np.asarray(predicted, dtype=float), np.asarray(goals, dtype=float)
    order = np.argsort(p, kind="stable")
    rows = []
    for number, part in enumerate(np.array_split(order, min(bins, len(p))), start=1):
        rows.append({"bin": number, "shots": int(len(part)), "mean_xg": float(p[part].mean()),
                     "goal_rate": float(y[part].mean()), "goals": int(y[part].sum())})
    return rows


def compare(shots: Sequence[Shot], predicted) -> dict:
    """Our predictions beside the provider's xG on the shots that have one."""
    predicted = np.asarray(predicted, dtype=float)
    keep = [i for i, shot in enumerate(shots) if shot.provider_xg is not None and not np.isnan(predicted[i])]
    if not keep:
        raise ValueError("no shot to compare: none has both our prediction and the provider's xG")
    ours = predicted[keep]
    theirs = np.array([shots[i].provider_xg for i in keep], dtype=float)
    goals = np.array([bool(shots[i].goal) for i in keep], dtype=float)
    return {
        "shots": len(keep), "goals": int(goals.sum()), "skipped": len(shots) - len(keep),
        "brier": brier_score(ours, goals), "log_loss": log_loss(ours, goals), "xg": float(ours.sum()),
        "provider_brier": brier_score(theirs, goals), "provider_log_loss": log_loss(theirs, goals),
        "provider_xg": float(theirs.sum()),
        "calibration": calibration_table(ours, goals), "provider_calibration": calibration_table(theirs, goals),
    }


# Matches: the held-out split and cross-validation folds


def _match_order(match_ids: Iterable[int], seed: int) -> list[int]:
    return sorted(set(match_ids), key=lambda match_id: hashlib.sha256(f"{seed}:{match_id}".encode()).hexdigest())


def split_matches(match_ids: Iterable[int], fraction: float = 0.2, seed: int = 0) -> tuple[list[int], list[int]]:
    """(training, held-out) match ids, each sorted; see the module docstring for the rule."""
    if not 0 < fraction < 1:
        raise ValueError("the held-out fraction must be between 0 and 1")
    order = _match_order(match_ids, seed)
    if len(order) < 2:
        raise ValueError(f"need at least two matches to hold some out, found {len(order)}")
    held = min(len(order) - 1, max(1, int(fraction * len(order) + 0.5)))
    return sorted(order[held:]), sorted(order[:held])


def _out_of_fold(shots: Sequence[Shot], folds: int, seed: int, l2: float, table: ShotTable | None = None,
                 features: Sequence[str] = FEATURES) -> tuple[np.ndarray, int, int] | None:
    """Each shot predicted by a model fitted without its match: (predictions, folds, matches), or None
    with fewer than three matches (or a fold whose complement cannot be fitted). ``table``: the shots'
    ``ShotTable`` when the caller has it already."""
    order = _match_order((shot.match_id for shot in shots), seed)
    if len(order) < 3:
        return None
    folds = min(folds, len(order))
    fold_of = {match_id: position % folds for position, match_id in enumerate(order)}
    table = table or ShotTable.of(shots)
    fold = np.array([fold_of[shot.match_id] for shot in shots])
    predicted = np.full(len(shots), np.nan)
    for number in range(folds):
        inside, outside = np.flatnonzero(fold == number), np.flatnonzero(fold != number)
        try:
            model = fit_table(table, outside, l2, features)
        except ValueError:  # e.g. the other folds have no goal
            return None
        predicted[inside] = model.predict_table(table, inside)
    return predicted, folds, len(order)


def cross_validate(shots: Sequence[Shot], folds: int = 10, seed: int = 0, l2: float = DEFAULT_L2,
                   features: Sequence[str] = FEATURES) -> dict | None:
    """Out-of-fold predictions (matches dealt into ``folds`` folds) beside the provider's xG; None when
    there are too few matches."""
    found = _out_of_fold(shots, folds, seed, l2, features=features)
    if found is None:
        return None
    predicted, folds, matches = found
    try:
        result = compare(shots, predicted)
    except ValueError:  # no provider xG to compare with
        return None
    result["folds"], result["matches"], result["l2"] = folds, matches, l2
    return result


def choose_settings(shots: Sequence[Shot], seed: int = 0, grid: Sequence[float] = L2_GRID,
                    feature_sets: Mapping[str, Sequence[str]] = FEATURE_SETS) -> tuple[str, float, dict]:
    """The feature set and ``grid`` value with the lowest out-of-fold log loss on these shots (ties: the
    earlier set, the smaller l2), and every pair's log loss (``{set: {l2: log loss}}``). The last set
    and DEFAULT_L2 (or the grid's only value) when there are too few matches to cross-validate."""
    scores: dict[str, dict[float, float]] = {}
    table = ShotTable.of(shots)
    for name, features in feature_sets.items():
        scores[name] = {}
        for l2 in grid:
            found = _out_of_fold(shots, 10, seed, l2, table, features)
            if found is None:  # too few matches: the fullest set, and the caller's l2 if it gave one
                return list(feature_sets)[-1], grid[0] if len(grid) == 1 else DEFAULT_L2, {}
            predicted, _, _ = found
            keep = ~np.isnan(predicted)
            scores[name][l2] = log_loss(predicted[keep], table.goals[keep])
    names = list(feature_sets)
    best_name, best_l2 = min(((name, l2) for name in names for l2 in grid),
                             key=lambda pair: (round(scores[pair[0]][pair[1]], 12), names.index(pair[0]), pair[1]))
    return best_name, best_l2, {name: {str(l2): score for l2, score in by_l2.items()} for name, by_l2 in scores.items()}


# Reading StatsBomb open data (the raw events files: only shots are needed)


def events_folder(root: str | Path) -> Path:
    """``root/events``, or ``root/data/events`` for a clone of the open-data repository."""
    root = Path(root)
    for candidate in (root / "events", root / "data" / "events"):
        if candidate.is_dir():
            return candidate
    raise RecordError(str(root), "no events folder (expected the StatsBomb open-data layout: events/<match_id>.json)")


def events_files(root: str | Path) -> dict[int, Path]:
    """Match id -> events file, for every ``events/<match_id>.json`` under the root."""
    folder = events_folder(root)
    files = {int(path.stem): path for path in folder.glob("*.json") if path.stem.isdigit()}
    if not files:
        raise RecordError(str(folder), "no events files (<match_id>.json) in this folder")
    return dict(sorted(files.items()))


def _name(value: Any) -> str:
    return (value.get("name") or "") if isinstance(value, dict) else ""


def shots_from_events(events: Any, match_id: int, path: str) -> list[Shot]:
    """The in-game shots of one StatsBomb events list, in our frame, named as ``ingestion.statsbomb`` names them."""
    if not isinstance(events, list):
        raise RecordError(path, "expected a list of events")
    shots = []
    for position, event in enumerate(events):
        if not isinstance(event, dict):
            raise RecordError(Origin(path, record=f"events[{position}]"), "an event is not an object")
        if _name(event.get("type")) != "Shot" or event.get("period") == SHOOTOUT_PERIOD:
            continue
        where = Origin(path, record=f"event {event.get('index', f'[{position}]')} ({event.get('id', 'no id')})")
        shot = event.get("shot")
        location = event.get("location")
        if not isinstance(shot, dict) or not _name(shot.get("outcome")):
            raise RecordError(where, "shot has no outcome")
        if (not isinstance(location, list) or len(location) < 2
                or not all(isinstance(v, (int, float)) for v in location[:2])):
            raise RecordError(where, "shot has no location [x, y]")
        provider_xg = shot.get("statsbomb_xg")
        if provider_xg is not None and not (isinstance(provider_xg, (int, float)) and 0 <= provider_xg <= 1):
            raise RecordError(where, f"statsbomb_xg {provider_xg!r} is not a probability")
        details = {"play_pattern": _name(event.get("play_pattern"))}
        for key in ("first_time", "under_pressure", *CHANCE_FEATURES):
            if shot.get(key) or event.get(key):
                details[key] = True
        if _name(shot.get("technique")):
            details["technique"] = _name(shot.get("technique"))
        if isinstance(shot.get("freeze_frame"), list):
            details["freeze_frame"] = frozen_frame(shot["freeze_frame"], where)
        shots.append(Shot(
            x=location[0] * 100 / 120, y=location[1] * 100 / 80,  # as ingestion.statsbomb.to_frame
            body_part=_name(shot.get("body_part")), situation=_name(shot.get("type")), details=details,
            goal=_name(shot.get("outcome")) == "Goal", provider_xg=provider_xg, match_id=match_id,
        ))
    return shots


def frozen_frame(items: list, where) -> list[dict]:
    """A StatsBomb freeze frame as ``ingestion.statsbomb`` stores it: our frame to 2 d.p., teammate, keeper."""
    frame = []
    for number, item in enumerate(items):
        location = item.get("location") if isinstance(item, dict) else None
        if (not isinstance(location, list) or len(location) < 2
                or not all(isinstance(v, (int, float)) for v in location[:2])):
            raise RecordError(where, f"freeze_frame[{number}] has no location [x, y]")
        frame.append({"x": round(location[0] * 100 / 120, 2), "y": round(location[1] * 100 / 80, 2),
                      "teammate": bool(item.get("teammate")),
                      "keeper": _name(item.get("position")) == "Goalkeeper"})
    return frame


Roots = str | Path | Sequence[str | Path]


def _roots(roots: Roots) -> list[Path]:
    return [Path(roots)] if isinstance(roots, (str, Path)) else [Path(root) for root in roots]


def match_files(roots: Roots) -> dict[int, Path]:
    """Match id -> events file over one or more roots, in match id order (a match in two roots: the first)."""
    files: dict[int, Path] = {}
    for root in _roots(roots):
        for match_id, path in events_files(root).items():
            files.setdefault(match_id, path)
    return dict(sorted(files.items()))


def read_statsbomb_shots(roots: Roots, match_ids: Iterable[int] | None = None,
                         on_progress: Callable[[int, int], None] | None = None) -> list[Shot]:
    """In-game shots of the roots' events files (all, or the given matches), in match id order.

    A missing folder, a file that is not JSON or a shot without outcome or location raises
    RecordError naming the file (and the event).
    """
    files = match_files(roots)
    wanted = files if match_ids is None else {m: files[m] for m in sorted(set(match_ids)) if m in files}
    shots: list[Shot] = []
    for done, (match_id, path) in enumerate(wanted.items(), start=1):
        try:
            events = json.loads(path.read_bytes())
        except json.JSONDecodeError as error:
            raise RecordError(Origin(str(path), line=error.lineno),
                              f"not valid JSON (truncated or damaged?): {error.msg} at column {error.colno}") from None
        except (OSError, UnicodeDecodeError) as error:
            raise RecordError(str(path), f"cannot read: {error}") from None
        shots += shots_from_events(events, match_id, str(path))
        if on_progress:
            on_progress(done, len(wanted))
    return shots


# Training and evaluating on folders


@dataclass
class TrainingResult:
    model: XgFit
    training_data: dict
    metrics: dict


def _counts(shots: Sequence[Shot]) -> dict:
    penalties = [shot for shot in shots if is_penalty(shot)]
    return {"shots": len(shots), "goals": sum(bool(shot.goal) for shot in shots),
            "penalties": len(penalties), "penalties_scored": sum(bool(shot.goal) for shot in penalties),
            "with_freeze_frame": sum(freeze_frame(shot) is not None for shot in shots)}


def train(roots: Roots, holdout_fraction: float = 0.2, seed: int = 0, l2: float | None = None,
          on_progress: Callable[[int, int], None] | None = None, features: str | None = None) -> TrainingResult:
    """Fit on the training matches of one or more StatsBomb folders; measure on the held-out matches
    (the split is over all their matches together).

    ``l2=None`` and ``features=None`` (a FEATURE_SETS name) are chosen by cross-validation on the
    training matches (``choose_settings``); the held-out matches play no part in the choice.
    """
    roots = _roots(roots)
    all_matches = match_files(roots)
    try:
        train_ids, held_ids = split_matches(all_matches, holdout_fraction, seed)
    except ValueError as error:
        raise RecordError(", ".join(str(events_folder(root)) for root in roots), str(error)) from None
    shots = read_statsbomb_shots(roots, on_progress=on_progress)
    held = set(held_ids)
    train_shots = [shot for shot in shots if shot.match_id not in held]
    held_shots = [shot for shot in shots if shot.match_id in held]
    if l2 is None or features is None:
        sets = FEATURE_SETS if features is None else {features: FEATURE_SETS[features]}
        features, l2, scores = choose_settings(train_shots, seed, L2_GRID if l2 is None else (l2,), sets)
    else:
        scores = {}
    try:
        model = fit(train_shots, l2, FEATURE_SETS[features])
    except ValueError as error:
        raise RecordError(", ".join(map(str, roots)), f"training matches: {error}") from None
    paths = [str(root.resolve()) for root in roots]
    training_data = {
        "source": "statsbomb", "path": paths[0], "paths": paths, "holdout_fraction": holdout_fraction,
        "seed": seed, "l2": l2, "feature_set": features, "settings_log_loss": scores,
        "matches": len(train_ids), "match_ids": train_ids, "held_out_match_ids": held_ids, **_counts(train_shots),
        "penalty_prior": {"rate": LONG_RUN_PENALTY_RATE, "weight": PENALTY_PRIOR_WEIGHT},
    }
    try:
        held_out = {"matches": len(held_ids), **compare(held_shots, model.predict(held_shots))}
    except ValueError:  # no held-out shot, or none with the provider's xG
        held_out = None
    metrics = {"held_out": held_out,
               "cross_validated": cross_validate(shots, seed=seed, l2=l2, features=FEATURE_SETS[features])}
    return TrainingResult(model, training_data, metrics)


def is_training_folder(root: str | Path, training_data: Mapping[str, Any]) -> bool:
    """Was this folder (one of) the model's training folder(s)?"""
    paths = training_data.get("paths") or [training_data.get("path")]
    return str(Path(root).resolve()) in paths


def unseen_shots(root: str | Path, training_data: Mapping[str, Any],
                 on_progress: Callable[[int, int], None] | None = None) -> tuple[list[int], list[Shot]]:
    """The matches of a folder that the model was not fitted on, and their shots.

    On the training folder these are its held-out split (DESIGN.md §4); on any other folder every
    match in it, less any the model saw under the same StatsBomb match id (a copy of a training match).
    """
    trained_on = set(training_data.get("match_ids", ()))
    unseen = [match_id for match_id in events_files(root) if match_id not in trained_on]
    return unseen, read_statsbomb_shots(root, unseen, on_progress) if unseen else []


def comparison_lines(comparison: Mapping[str, Any], provider: str = "StatsBomb") -> list[str]:
    """A comparison from ``compare`` as text: scores side by side, then the calibration deciles."""
    c = comparison
    lines = [
        f"  {'':<10}{'ours':>9}{provider:>12}",
        f"  {'Brier':<10}{c['brier']:>9.4f}{c['provider_brier']:>12.4f}",
        f"  {'log loss':<10}{c['log_loss']:>9.4f}{c['provider_log_loss']:>12.4f}",
        f"  {'xG total':<10}{c['xg']:>9.2f}{c['provider_xg']:>12.2f}   ({c['goals']} goals from {c['shots']} shots)",
        "  Calibration, deciles of each model's own predictions (lowest first; scored = share of goals):",
        f"  {'decile':>6} {'shots':>5}  {'ours xG':>8} {'scored':>6}  {provider + ' xG':>13} {'scored':>6}",
    ]
    for ours, theirs in zip(c["calibration"], c["provider_calibration"]):
        lines.append(f"  {ours['bin']:>6} {ours['shots']:>5}  {ours['mean_xg']:>8.3f} {ours['goal_rate']:>6.3f}"
                     f"  {theirs['mean_xg']:>13.3f} {theirs['goal_rate']:>6.3f}")
    return lines


# Storage (the ORM from here on)


FALLBACK_KEY = "without_freeze_frame"  # in ``XgModel.coefficients``: the fallback's intercept and coefficients


def _stored(model: XgFit) -> dict:
    return {"intercept": model.intercept, **model.coefficients}


def to_fit(model) -> XgFit:
    """An ``XgModel`` row as an ``XgFit``.

    ``coefficients`` is ``{"intercept": b0, "<feature>": b, ..., "without_freeze_frame": {"intercept": c0,
    "<feature>": c, ...}}``: the last entry, present when the model reads frame features, is the fallback
    (its feature names are its keys, in order).
    """
    coefficients = dict(model.coefficients)
    intercept = coefficients.pop("intercept")
    fallback = coefficients.pop(FALLBACK_KEY, None)
    if fallback is not None:
        fallback = dict(fallback)
        fallback_intercept = fallback.pop("intercept")
        fallback = XgFit(fallback_intercept, fallback, model.penalty_rate, tuple(fallback))
    return XgFit(intercept, coefficients, model.penalty_rate, tuple(model.feature_names), fallback)


def save_model(result: TrainingResult):
    """Store a fitted model as the next version and make it the active one."""
    from django.db import transaction
    from django.db.models import Max

    from matches.models import XgModel

    coefficients = _stored(result.model)
    if result.model.fallback is not None:
        coefficients[FALLBACK_KEY] = _stored(result.model.fallback)
    with transaction.atomic():
        XgModel.objects.filter(is_active=True).update(is_active=False)
        version = (XgModel.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        return XgModel.objects.create(
            version=version, is_active=True, feature_names=list(result.model.feature_names),
            coefficients=coefficients, penalty_rate=result.model.penalty_rate,
            training_data=result.training_data, metrics=result.metrics,
        )


def active_model():
    """The active ``XgModel``, or None before the first ``train_xg``."""
    from matches.models import XgModel

    return XgModel.objects.filter(is_active=True).first()


def predict(shots: Sequence, model=None) -> np.ndarray:
    """xG of each shot (``Shot``, ``MatchEvent`` or ``EventRecord``) under a model (default: the active one).

    NaN for a non-penalty shot without a location. LookupError when no model is active.
    """
    if model is None:
        model = active_model()
        if model is None:
            raise LookupError("no active xG model: run `manage.py train_xg PATH` first")
    if not isinstance(model, XgFit):
        model = to_fit(model)
    return model.predict(shots)


def apply_xg_model(events: Iterable, model=None) -> int:
    """Store our xG in ``MatchEvent.model_xg`` for the shots among ``events``; returns how many were set.

    Meant for providers that send no xG of their own, but it works on any shot. A shot our
    model cannot price (no location and not a penalty) is left empty.
    """
    from matches.models import Match, MatchEvent

    shots = [event for event in events if event.kind in MatchEvent.SHOT_KINDS]
    values = predict(shots, model) if shots else []
    changed = []
    for event, value in zip(shots, values):
        event.model_xg = None if math.isnan(value) else round(float(value), 4)
        changed.append(event)
    MatchEvent.objects.bulk_update(changed, ["model_xg"], batch_size=500)
    Match.touch({event.match_id for event in changed})
    return sum(event.model_xg is not None for event in changed)
