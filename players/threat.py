"""Expected threat (xT): how likely possession in each zone of the pitch is to become a goal.

The method is Karun Singh's (2019, "Introducing Expected Threat", karun.in/blog/expected-threat.html),
fitted on our own stored events. The pitch (our 0-100 frame: x towards the goal attacked, y
across) is cut into ``NX`` x ``NY`` = 16 x 12 zones. For each zone z, from every on-ball
action that starts in it:

* ``s(z)`` = shots / (shots + moves) — how often the player in z shoots;
* ``m(z)`` = moves / (shots + moves) — how often he passes or carries instead;
* ``g(z)`` = the probability a shot from z scores: the mean provider xG of the zone's shots
  (StatsBomb's, a far steadier estimate than goals/shots on a few thousand shots), shrunk
  towards the distance formula below where a zone has few shots;
* ``T(z -> z')`` = successful moves from z ending in z' / all moves from z (failed passes count in
  the denominator only: possession lost is worth nothing to the attacker).

Then xT is the fixed point of ``xT(z) = s(z) g(z) + m(z) sum_z' T(z -> z') xT(z')``, found by value
iteration from zero (each sweep looks one more action ahead; it converges in a few dozen). Moves
are successful passes (outcome "") and carries; failed passes are the other pass outcomes;
shots are every shot kind except penalties (a penalty is not open play from its zone).

With no fitted grid stored, ``fallback_grid()`` is used: xT = 0.45 exp(-d / 10 m) scaled by the
goal's visible angle, d the distance in metres from the zone's centre to the goal's centre on a
105 x 68 m pitch — a documented, monotone stand-in (about 0.16 on the penalty spot, 0.002 at the
halfway line), not a fit. ``Grid.fitted`` says which one a rating used.

Pure: event dicts in, a ``Grid`` out; no database here (``players.models.ThreatModel`` stores it).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

NX, NY = 16, 12
PITCH_LENGTH, PITCH_WIDTH = 105.0, 68.0
GOAL_WIDTH = 7.32
ITERATIONS = 200  # upper bound; stops earlier when no zone moves by more than TOLERANCE
TOLERANCE = 1e-7
SHRINK_SHOTS = 10  # a zone's scoring probability weighs its shots against this many formula "shots"

SHOT_KINDS = frozenset({"shot", "goal", "penalty_missed", "penalty_scored"})
GOAL_KINDS = frozenset({"goal", "penalty_scored"})
MOVE_KINDS = frozenset({"pass", "carry"})


@dataclass(frozen=True)
class Grid:
    """xT per zone: ``values[ix][iy]``, ix along the pitch (0: own goal line), iy across."""

    values: tuple[tuple[float, ...], ...]
    fitted: bool = True  # False: the distance formula (no fitted grid stored)
    version: int = 0
    events: int = 0  # on-ball actions the fit counted
    nx: int = field(init=False)
    ny: int = field(init=False)

    def __post_init__(self):
        object.__setattr__(self, "nx", len(self.values))
        object.__setattr__(self, "ny", len(self.values[0]) if self.values else 0)

    def at(self, x: float | None, y: float | None) -> float:
        """xT of the zone holding (x, y) in the 0-100 frame; 0 without a location."""
        if x is None or y is None:
            return 0.0
        nx, ny = self.nx, self.ny
        ix, iy = int(x * nx / 100.0), int(y * ny / 100.0)  # inlined zone_index: called for every pass
        return self.values[ix if 0 <= ix < nx else (0 if ix < 0 else nx - 1)][
            iy if 0 <= iy < ny else (0 if iy < 0 else ny - 1)]

    def to_json(self) -> list[list[float]]:
        return [[round(value, 6) for value in column] for column in self.values]

    @classmethod
    def from_json(cls, values: list[list[float]], *, version: int = 0, events: int = 0) -> Grid:
        if not values or not all(isinstance(column, list) and len(column) == len(values[0]) for column in values):
            raise ValueError("grid: a non-empty list of equal-length columns of zone values is required")
        return cls(tuple(tuple(float(value) for value in column) for column in values), fitted=True,
                   version=version, events=events)


def zone_index(coordinate: float, zones: int) -> int:
    return min(max(int(coordinate / 100.0 * zones), 0), zones - 1)


def formula_value(ix: int, iy: int, nx: int = NX, ny: int = NY) -> float:
    """The fallback's xT of a zone: 0.45 exp(-d/10) times the goal's visible angle relative to straight on."""
    x = (ix + 0.5) / nx * PITCH_LENGTH
    y = (iy + 0.5) / ny * PITCH_WIDTH
    dx, dy = PITCH_LENGTH - x, y - PITCH_WIDTH / 2
    distance = math.hypot(dx, dy)
    half = GOAL_WIDTH / 2
    angle = abs(math.atan2(half, dx) - math.atan2(-half, dx)) if dx > 0 else 0.0
    # Angle of the goal from the same distance straight in front, so that the centre keeps its value.
    frontal = 2 * math.atan2(half, max(distance, 0.5))
    ratio = math.sqrt(min(angle / frontal, 1.0)) if frontal else 0.0
    return 0.45 * math.exp(-distance / 10.0) * ratio


def fallback_grid(nx: int = NX, ny: int = NY) -> Grid:
    return Grid(tuple(tuple(formula_value(ix, iy, nx, ny) for iy in range(ny)) for ix in range(nx)), fitted=False)


def fit_threat(events: Iterable[dict], *, nx: int = NX, ny: int = NY, iterations: int = ITERATIONS) -> Grid:
    """Fit xT on event dicts (kind, x, y, end_x, end_y, outcome, xg, situation); see the module docstring."""
    zones = nx * ny
    shots = [0] * zones
    shot_xg = [0.0] * zones
    moves = [0] * zones
    transitions: list[dict[int, int]] = [{} for _ in range(zones)]
    counted = 0
    for event in events:
        kind = event.get("kind")
        x, y = event.get("x"), event.get("y")
        if x is None or y is None:
            continue
        start = zone_index(x, nx) * ny + zone_index(y, ny)
        if kind in SHOT_KINDS:
            if kind.startswith("penalty") or event.get("situation") == "Penalty":
                continue
            xg = event.get("xg")
            shots[start] += 1
            shot_xg[start] += float(xg) if xg is not None else (1.0 if kind in GOAL_KINDS else 0.0)
            counted += 1
        elif kind in MOVE_KINDS:
            moves[start] += 1
            counted += 1
            end_x, end_y = event.get("end_x"), event.get("end_y")
            successful = kind == "carry" or not event.get("outcome")
            if successful and end_x is not None and end_y is not None:
                end = zone_index(end_x, nx) * ny + zone_index(end_y, ny)
                transitions[start][end] = transitions[start].get(end, 0) + 1

    shoot, move, score = [0.0] * zones, [0.0] * zones, [0.0] * zones
    for z in range(zones):
        total = shots[z] + moves[z]
        if total:
            shoot[z], move[z] = shots[z] / total, moves[z] / total
        prior = formula_value(z // ny, z % ny, nx, ny)
        score[z] = (shot_xg[z] + SHRINK_SHOTS * prior) / (shots[z] + SHRINK_SHOTS)
        if moves[z]:
            transitions[z] = {end: count / moves[z] for end, count in transitions[z].items()}

    value = [0.0] * zones
    for _ in range(iterations):
        new = [shoot[z] * score[z] + move[z] * sum(p * value[end] for end, p in transitions[z].items())
               for z in range(zones)]
        change = max(abs(a - b) for a, b in zip(new, value, strict=True))
        value = new
        if change < TOLERANCE:
            break
    return Grid(tuple(tuple(value[ix * ny + iy] for iy in range(ny)) for ix in range(nx)), fitted=True,
                events=counted)
