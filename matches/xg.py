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
- ``under_pressure``: the shooter was pressed (StatsBomb ``under_pressure``).

The last four come from ``details`` as ``ingestion.statsbomb`` stores it (``play_pattern``,
``first_time``, ``under_pressure``); a provider that gives none of them simply has 0s.

**Penalties** are not in the regression (a fixed spot says nothing about distance or
angle). Their rate is the in-game conversion of the training penalties shrunk toward the
long-run rate: ``(scored + 0.775 * 200) / (taken + 200)``, a Beta prior worth 200 penalties at
77.5% (top-flight conversion runs at 76-79%). Shoot-out kicks (period 5) are left out of
training and evaluation alike.

**Fitting.** Logistic regression on the non-penalty shots: features standardised on the
training set, log loss summed over shots plus ``l2 / 2 * |w|^2`` on the standardised
coefficients (not the intercept; ``l2=1`` is a standard-normal prior), minimised by
scipy's L-BFGS from zeros (deterministic). Unless the caller fixes it, ``l2`` is chosen
from ``L2_GRID`` by cross-validated log loss over the *training* matches (folds by match),
so the held-out matches play no part in it: with a few hundred shots the penalty matters
(on the shared seven-match sample the choice moves the Brier score by several thousandths),
with the full open data hardly at all. Coefficients are stored on the raw feature scale,
so a prediction is ``sigmoid(intercept + features @ coefficients)``.

**Held-out matches.** Shots are split by match, never within one: match ids are ordered by
``sha256("<seed>:<match id>")`` and the first ``round(fraction * matches)`` (at least one,
never all) are held out. The same rule gives ``evaluate_xg`` the same matches.
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

FEATURES = ("distance", "angle", "header", "free_kick", "set_piece", "counter", "first_time", "under_pressure")

LONG_RUN_PENALTY_RATE = 0.775
PENALTY_PRIOR_WEIGHT = 200  # penalties' worth of belief in the long-run rate
DEFAULT_L2 = 1.0
L2_GRID = (0.3, 1.0, 3.0, 10.0, 30.0, 100.0)
SHOOTOUT_PERIOD = 5


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


def feature_row(shot) -> list[float]:
    """The FEATURES of one located shot (a ``Shot``, ``MatchEvent`` or ``EventRecord``)."""
    distance, angle = goal_geometry(shot.x, shot.y)
    situation = str(shot.situation or "").casefold()
    pattern = _play_pattern(shot)
    details = shot.details or {}
    free_kick = situation in ("free kick", "direct free kick")
    set_piece = not free_kick and (situation in ("corner", "set piece")
                                   or pattern in ("from corner", "from free kick"))
    return [
        float(distance), float(angle),
        float(str(shot.body_part or "").casefold().startswith("head")),
        float(free_kick), float(set_piece),
        float(pattern == "from counter" or situation in ("counter", "fast break")),
        float(_flag(details, "first_time")), float(_flag(details, "under_pressure")),
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

    result = minimize(loss_and_gradient, np.zeros(A.shape[1]), jac=True, method="L-BFGS-B",
                      options={"maxiter": 2000, "gtol": 1e-9})
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
    """A fitted model: what ``XgModel`` stores, able to predict."""

    intercept: float
    coefficients: dict[str, float]
    penalty_rate: float
    feature_names: tuple[str, ...] = FEATURES

    def predict(self, shots: Sequence) -> np.ndarray:
        """xG of each shot: the penalty rate for penalties, the regression for located shots, NaN otherwise."""
        shots = list(shots)
        result = np.full(len(shots), np.nan)
        penalty = np.array([is_penalty(shot) for shot in shots], dtype=bool)
        result[penalty] = self.penalty_rate
        located = [i for i, shot in enumerate(shots) if not penalty[i] and has_location(shot)]
        if located:
            unknown = set(self.feature_names) - set(FEATURES)
            if unknown:
                raise ValueError(f"the model uses features this code does not compute: {sorted(unknown)}")
            # A feature the model was fitted without weighs nothing.
            beta = np.array([self.coefficients.get(name, 0.0) for name in FEATURES])
            result[located] = expit(self.intercept + feature_matrix([shots[i] for i in located]) @ beta)
        return result


def fit(shots: Sequence[Shot], l2: float = DEFAULT_L2) -> XgFit:
    """Fit the regression on the located non-penalty shots and the penalty rate on the penalties."""
    penalties = [shot for shot in shots if is_penalty(shot)]
    open_shots = [shot for shot in shots if not is_penalty(shot) and has_location(shot)]
    intercept, beta = fit_logistic(feature_matrix(open_shots), [bool(shot.goal) for shot in open_shots], l2)
    rate = shrunk_penalty_rate(sum(bool(shot.goal) for shot in penalties), len(penalties))
    return XgFit(intercept, {name: float(b) for name, b in zip(FEATURES, beta)}, rate)


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


def _out_of_fold(shots: Sequence[Shot], folds: int, seed: int, l2: float) -> tuple[np.ndarray, int, int] | None:
    """Each shot predicted by a model fitted without its match: (predictions, folds, matches), or None
    with fewer than three matches (or a fold whose complement cannot be fitted)."""
    order = _match_order((shot.match_id for shot in shots), seed)
    if len(order) < 3:
        return None
    folds = min(folds, len(order))
    fold_of = {match_id: position % folds for position, match_id in enumerate(order)}
    predicted = np.full(len(shots), np.nan)
    for fold in range(folds):
        inside = [i for i, shot in enumerate(shots) if fold_of[shot.match_id] == fold]
        try:
            model = fit([shot for shot in shots if fold_of[shot.match_id] != fold], l2)
        except ValueError:  # e.g. the other folds have no goal
            return None
        predicted[inside] = model.predict([shots[i] for i in inside])
    return predicted, folds, len(order)


def cross_validate(shots: Sequence[Shot], folds: int = 10, seed: int = 0, l2: float = DEFAULT_L2) -> dict | None:
    """Out-of-fold predictions (matches dealt into ``folds`` folds) beside the provider's xG; None when
    there are too few matches."""
    found = _out_of_fold(shots, folds, seed, l2)
    if found is None:
        return None
    predicted, folds, matches = found
    try:
        result = compare(shots, predicted)
    except ValueError:  # no provider xG to compare with
        return None
    result["folds"], result["matches"], result["l2"] = folds, matches, l2
    return result


def choose_l2(shots: Sequence[Shot], seed: int = 0, grid: Sequence[float] = L2_GRID) -> tuple[float, dict]:
    """The ``grid`` value with the lowest out-of-fold log loss on these shots (ties: the smaller),
    and each value's log loss. DEFAULT_L2 when there are too few matches to cross-validate."""
    scores = {}
    for l2 in grid:
        found = _out_of_fold(shots, 10, seed, l2)
        if found is None:
            return DEFAULT_L2, {}
        predicted, _, _ = found
        keep = ~np.isnan(predicted)
        scores[l2] = log_loss(predicted[keep], [bool(shot.goal) for shot, k in zip(shots, keep) if k])
    best = min(grid, key=lambda l2: (round(scores[l2], 12), l2))
    return best, {str(l2): score for l2, score in scores.items()}


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
        for key in ("first_time", "under_pressure"):
            if shot.get(key) or event.get(key):
                details[key] = True
        shots.append(Shot(
            x=location[0] * 100 / 120, y=location[1] * 100 / 80,  # as ingestion.statsbomb.to_frame
            body_part=_name(shot.get("body_part")), situation=_name(shot.get("type")), details=details,
            goal=_name(shot.get("outcome")) == "Goal", provider_xg=provider_xg, match_id=match_id,
        ))
    return shots


def read_statsbomb_shots(root: str | Path, match_ids: Iterable[int] | None = None,
                         on_progress: Callable[[int, int], None] | None = None) -> list[Shot]:
    """In-game shots of the root's events files (all, or the given matches), in match id order.

    A missing folder, a file that is not JSON or a shot without outcome or location raises
    RecordError naming the file (and the event).
    """
    files = events_files(root)
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


# Training and evaluating on a folder


@dataclass
class TrainingResult:
    model: XgFit
    training_data: dict
    metrics: dict


def _counts(shots: Sequence[Shot]) -> dict:
    penalties = [shot for shot in shots if is_penalty(shot)]
    return {"shots": len(shots), "goals": sum(bool(shot.goal) for shot in shots),
            "penalties": len(penalties), "penalties_scored": sum(bool(shot.goal) for shot in penalties)}


def train(root: str | Path, holdout_fraction: float = 0.2, seed: int = 0, l2: float | None = None,
          on_progress: Callable[[int, int], None] | None = None) -> TrainingResult:
    """Fit on the training matches of a StatsBomb folder; measure on its held-out matches.

    ``l2=None`` chooses it by cross-validation on the training matches (``choose_l2``).
    """
    all_matches = events_files(root)
    try:
        train_ids, held_ids = split_matches(all_matches, holdout_fraction, seed)
    except ValueError as error:
        raise RecordError(str(events_folder(root)), str(error)) from None
    shots = read_statsbomb_shots(root, on_progress=on_progress)
    held = set(held_ids)
    train_shots = [shot for shot in shots if shot.match_id not in held]
    held_shots = [shot for shot in shots if shot.match_id in held]
    l2_scores = {}
    if l2 is None:
        l2, l2_scores = choose_l2(train_shots, seed)
    try:
        model = fit(train_shots, l2)
    except ValueError as error:
        raise RecordError(str(root), f"training matches: {error}") from None
    training_data = {
        "source": "statsbomb", "path": str(Path(root).resolve()), "holdout_fraction": holdout_fraction,
        "seed": seed, "l2": l2, "l2_log_loss": l2_scores, "matches": len(train_ids), "match_ids": train_ids,
        "held_out_match_ids": held_ids, **_counts(train_shots),
        "penalty_prior": {"rate": LONG_RUN_PENALTY_RATE, "weight": PENALTY_PRIOR_WEIGHT},
    }
    try:
        held_out = {"matches": len(held_ids), **compare(held_shots, model.predict(held_shots))}
    except ValueError:  # no held-out shot, or none with the provider's xG
        held_out = None
    metrics = {"held_out": held_out, "cross_validated": cross_validate(shots, seed=seed, l2=l2)}
    return TrainingResult(model, training_data, metrics)


def held_out_shots(root: str | Path, training_data: Mapping[str, Any],
                   on_progress: Callable[[int, int], None] | None = None) -> tuple[list[int], list[Shot]]:
    """The held-out matches of a folder under a model's split (never a match it was trained on), and their shots."""
    files = events_files(root)
    _, held_ids = split_matches(files, training_data["holdout_fraction"], training_data["seed"])
    trained_on = set(training_data.get("match_ids", ()))
    held_ids = [match_id for match_id in held_ids if match_id not in trained_on]
    return held_ids, read_statsbomb_shots(root, held_ids, on_progress) if held_ids else []


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


def to_fit(model) -> XgFit:
    """An ``XgModel`` row as an ``XgFit``."""
    coefficients = dict(model.coefficients)
    intercept = coefficients.pop("intercept")
    return XgFit(intercept, coefficients, model.penalty_rate, tuple(model.feature_names))


def save_model(result: TrainingResult):
    """Store a fitted model as the next version and make it the active one."""
    from django.db import transaction
    from django.db.models import Max

    from matches.models import XgModel

    with transaction.atomic():
        XgModel.objects.filter(is_active=True).update(is_active=False)
        version = (XgModel.objects.aggregate(last=Max("version"))["last"] or 0) + 1
        return XgModel.objects.create(
            version=version, is_active=True, feature_names=list(result.model.feature_names),
            coefficients={"intercept": result.model.intercept, **result.model.coefficients},
            penalty_rate=result.model.penalty_rate, training_data=result.training_data, metrics=result.metrics,
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
    from matches.models import MatchEvent

    shots = [event for event in events if event.kind in MatchEvent.SHOT_KINDS]
    values = predict(shots, model) if shots else []
    changed = []
    for event, value in zip(shots, values):
        event.model_xg = None if math.isnan(value) else round(float(value), 4)
        changed.append(event)
    MatchEvent.objects.bulk_update(changed, ["model_xg"], batch_size=500)
    return sum(event.model_xg is not None for event in changed)
