"""The lineup and squad optimizer: exact integer programmes solved by HiGHS (``highspy``).

Why HiGHS: it is an exact MILP solver shipped as a pip wheel (no external binary, unlike PuLP's
CBC, which PuLP runs as a subprocess through files for every solve), and a model stays in
memory between solves, so N daily-fantasy lineups are one model plus one "differ from lineup k"
row per lineup instead of N models written out and read back.

Pure functions on plain dataclasses, no database: the pages, tasks, commands and the benchmark
call the same code. ``best_fpl_squad`` and ``best_fpl_transfers`` for Fantasy Premier League,
``dk_lineups`` for DraftKings soccer classic. An impossible request raises ``OptimizerError``
naming the rule that makes it impossible.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Callable, Hashable, Iterable, Sequence

import highspy
import numpy as np

from fantasy.rules import DK_CLASSIC, FPL, DfsRules, FplRules

INFINITY = highspy.kHighsInf
EPSILON = 1e-6


class OptimizerError(ValueError):
    """No squad or lineup satisfies the rules asked for; the message says which rule."""


# ------------------------------------------------------------------ the players


@dataclass(frozen=True)
class FplCandidate:
    id: Hashable
    name: str
    position: str  # GK, DEF, MID, FWD
    club: str
    price: float  # £m
    points: float  # projected points this gameweek


@dataclass(frozen=True)
class DfsCandidate:
    id: Hashable
    name: str
    positions: tuple[str, ...]  # ("M", "F") for a player listed M/F
    team: str
    salary: int
    points: float
    opponent: str = ""  # the other team of his match, for the goalkeeper rule


# ------------------------------------------------------------------ results


@dataclass(frozen=True)
class FplSquad:
    squad: tuple[FplCandidate, ...]  # by position, then points
    starting: tuple[FplCandidate, ...]
    captain: FplCandidate
    points: float  # the XI's points plus the captain's once more
    cost: float

    @property
    def bench(self) -> tuple[FplCandidate, ...]:
        ids = {player.id for player in self.starting}
        return tuple(player for player in self.squad if player.id not in ids)


@dataclass(frozen=True)
class GameweekPick:
    gameweek: Hashable
    starting: tuple[FplCandidate, ...]
    captain: FplCandidate
    points: float


@dataclass(frozen=True)
class TransferPlan:
    transfers_out: tuple[FplCandidate, ...]
    transfers_in: tuple[FplCandidate, ...]
    squad: tuple[FplCandidate, ...]
    picks: tuple[GameweekPick, ...]  # the XI and captain each gameweek of the horizon
    points: float  # the picks' points over the horizon, before hits
    hit_points: int  # points paid for transfers beyond the free ones
    bank: float  # £m left

    @property
    def net_points(self) -> float:
        return self.points - self.hit_points


@dataclass(frozen=True)
class DfsLineup:
    slots: tuple[tuple[str, DfsCandidate], ...]  # ("GK", player), ("D", player) … in the rules' slot order
    points: float  # projected (the noise of randomness left out)
    salary: int

    @property
    def players(self) -> tuple[DfsCandidate, ...]:
        return tuple(player for _, player in self.slots)

    @property
    def ids(self) -> frozenset:
        return frozenset(player.id for _, player in self.slots)


# ------------------------------------------------------------------ the solver


class Milp:
    """A maximisation over binary (or small integer) columns, built row by row, then solved by HiGHS.

    After the first ``solve`` the model lives in HiGHS: rows added later and changed costs or
    bounds go straight to it, so the next solve starts from what HiGHS already holds.
    """

    def __init__(self):
        self.costs: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.rows: list[tuple[float, float, dict[int, float]]] = []
        self.highs: highspy._Highs | None = None

    def column(self, cost: float = 0.0, upper: float = 1.0, lower: float = 0.0) -> int:
        self.costs.append(cost)
        self.lower.append(lower)
        self.upper.append(upper)
        return len(self.costs) - 1

    def row(self, terms: dict[int, float], lower: float = -INFINITY, upper: float = INFINITY) -> int:
        """Adds lower <= sum(coef * column) <= upper; returns the row's index."""
        terms = {column: coef for column, coef in terms.items() if coef}
        self.rows.append((lower, upper, terms))
        if self.highs is not None:
            columns = np.fromiter(terms, dtype=np.int32, count=len(terms))
            values = np.fromiter(terms.values(), dtype=np.float64, count=len(terms))
            self.highs.addRow(lower, upper, len(terms), columns, values)
        return len(self.rows) - 1

    def set_row_bounds(self, index: int, lower: float, upper: float) -> None:
        self.rows[index] = (lower, upper, self.rows[index][2])
        if self.highs is not None:
            self.highs.changeRowBounds(index, lower, upper)

    def _build(self) -> highspy._Highs:
        # The bare solver (exported by highspy): its Python subclass installs callbacks and prints a banner.
        highs = highspy._Highs()
        highs.setOptionValue("output_flag", False)
        highs.setOptionValue("mip_rel_gap", 0.0)  # exact: the best lineup, not one within 0.01% of it
        count = len(self.costs)
        highs.addVars(count, np.array(self.lower, dtype=np.float64), np.array(self.upper, dtype=np.float64))
        every = np.arange(count, dtype=np.int32)
        highs.changeColsIntegrality(count, every, np.full(count, highspy.HighsVarType.kInteger, dtype=np.uint8))
        highs.changeColsCost(count, every, np.array(self.costs, dtype=np.float64))
        highs.changeObjectiveSense(highspy.ObjSense.kMaximize)
        starts, indices, values = [], [], []
        for _, _, terms in self.rows:
            starts.append(len(indices))
            indices += terms.keys()
            values += terms.values()
        highs.addRows(len(self.rows), np.array([row[0] for row in self.rows], dtype=np.float64),
                      np.array([row[1] for row in self.rows], dtype=np.float64), len(indices),
                      np.array(starts, dtype=np.int32), np.array(indices, dtype=np.int32),
                      np.array(values, dtype=np.float64))
        return highs

    def set_costs(self, costs: Sequence[float]) -> None:
        self.costs = list(costs)
        if self.highs is not None:
            count = len(costs)
            self.highs.changeColsCost(count, np.arange(count, dtype=np.int32), np.array(costs, dtype=np.float64))

    def set_upper(self, column: int, upper: float) -> None:
        self.upper[column] = upper
        if self.highs is not None:
            self.highs.changeColsBounds(1, np.array([column], dtype=np.int32),
                                        np.array([self.lower[column]]), np.array([upper], dtype=np.float64))

    def set_lower(self, column: int, lower: float) -> None:
        self.lower[column] = lower
        if self.highs is not None:
            self.highs.changeColsBounds(1, np.array([column], dtype=np.int32), np.array([lower], dtype=np.float64),
                                        np.array([self.upper[column]]))

    def solve(self) -> list[float] | None:
        """The columns' values at the optimum, or None when nothing satisfies the rows."""
        if self.highs is None:
            self.highs = self._build()
        self.highs.run()
        status = self.highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            if status in (highspy.HighsModelStatus.kInfeasible, highspy.HighsModelStatus.kUnboundedOrInfeasible):
                return None
            raise OptimizerError(f"the solver stopped without an answer ({self.highs.modelStatusToString(status)})")
        return list(self.highs.getSolution().col_value)


def _chosen(values: Sequence[float], columns: dict) -> list:
    return [key for key, column in columns.items() if values[column] > 0.5]


# ------------------------------------------------------------------ Fantasy Premier League


def _tenths(price: float) -> int:
    return round(price * 10)


def _check_fpl_pool(players: Iterable[FplCandidate], rules: FplRules) -> list[FplCandidate]:
    pool = list(players)
    ids = [player.id for player in pool]
    if len(set(ids)) != len(ids):
        raise OptimizerError("a player is in the pool twice")
    for player in pool:
        if player.position not in rules.squad:
            raise OptimizerError(f"{player.name}: unknown position {player.position!r} "
                                 f"(expected one of {', '.join(rules.positions)})")
    for position, needed in rules.squad.items():
        have = sum(player.position == position for player in pool)
        if have < needed:
            raise OptimizerError(f"the squad needs {needed} {position} and the pool has {have}")
    return pool


def _add_squad_rules(milp: Milp, pool: list[FplCandidate], squad: dict, rules: FplRules,
                     budget_tenths: int) -> None:
    for position, needed in rules.squad.items():
        milp.row({squad[p.id]: 1 for p in pool if p.position == position}, needed, needed)
    milp.row({squad[p.id]: _tenths(p.price) for p in pool}, upper=budget_tenths)
    for club in {p.club for p in pool}:
        milp.row({squad[p.id]: 1 for p in pool if p.club == club}, upper=rules.max_per_club)


def _add_pick(milp: Milp, pool: list[FplCandidate], squad: dict, points: dict, rules: FplRules,
              weight: float = 1.0) -> tuple[dict, dict]:
    """The XI and captain columns of one gameweek, each starter scoring ``points[id]``, the captain twice."""
    starting = {p.id: milp.column(weight * points.get(p.id, 0.0)) for p in pool}
    captain = {p.id: milp.column(weight * (rules.captain_multiplier - 1) * points.get(p.id, 0.0)) for p in pool}
    for p in pool:
        milp.row({starting[p.id]: 1, squad[p.id]: -1}, upper=0)
        milp.row({captain[p.id]: 1, starting[p.id]: -1}, upper=0)
    milp.row({column: 1 for column in starting.values()}, rules.starters, rules.starters)
    milp.row({column: 1 for column in captain.values()}, 1, 1)
    for position in rules.positions:
        milp.row({starting[p.id]: 1 for p in pool if p.position == position},
                 rules.starting_min[position], rules.starting_max[position])
    return starting, captain


def _order(players: Iterable[FplCandidate], rules: FplRules, points: dict) -> tuple[FplCandidate, ...]:
    rank = {position: index for index, position in enumerate(rules.positions)}
    return tuple(sorted(players, key=lambda p: (rank[p.position], -points.get(p.id, 0.0), str(p.name))))


def best_fpl_squad(players: Iterable[FplCandidate], *, budget: float | None = None, bench_weight: float = 0.0,
                   rules: FplRules = FPL) -> FplSquad:
    """The 15-man squad, XI and captain with the most projected points: the XI's plus the captain's again.

    ``bench_weight`` counts each substitute's points at that share (0.1: a little insurance),
    in the choice only; ``points`` is always the XI's plus the captain's.
    """
    pool = _check_fpl_pool(players, rules)
    budget_tenths = rules.budget_tenths if budget is None else _tenths(budget)
    milp = Milp()
    squad = {p.id: milp.column(bench_weight * p.points) for p in pool}
    _add_squad_rules(milp, pool, squad, rules, budget_tenths)
    points = {p.id: p.points for p in pool}
    # A starter's points count fully: his squad column already carries bench_weight of them.
    starting, captain = _add_pick(milp, pool, squad, {key: value * (1 - bench_weight) for key, value in points.items()},
                                  rules)
    for p in pool:  # the captain's extra is his whole points, not (1 - bench_weight) of them
        milp.costs[captain[p.id]] = (rules.captain_multiplier - 1) * p.points
    values = milp.solve()
    if values is None:
        cheapest = _cheapest_squad_tenths(pool, rules)
        if cheapest > budget_tenths:
            raise OptimizerError(f"no squad fits the budget of {budget_tenths / 10:.1f}: "
                                 f"the cheapest legal squad costs {cheapest / 10:.1f}")
        raise OptimizerError(f"no squad of {rules.squad_size} fits the budget of {budget_tenths / 10:.1f} "
                             f"with at most {rules.max_per_club} players per club")
    by_id = {p.id: p for p in pool}
    chosen = [by_id[key] for key in _chosen(values, squad)]
    starters = [by_id[key] for key in _chosen(values, starting)]
    skipper = by_id[_chosen(values, captain)[0]]
    total = sum(p.points for p in starters) + (rules.captain_multiplier - 1) * skipper.points
    return FplSquad(squad=_order(chosen, rules, points), starting=_order(starters, rules, points), captain=skipper,
                    points=round(total, 6), cost=sum(_tenths(p.price) for p in chosen) / 10)


def _cheapest_squad_tenths(pool: list[FplCandidate], rules: FplRules) -> int:
    by_position = defaultdict(list)
    for p in pool:
        by_position[p.position].append(_tenths(p.price))
    return sum(sum(sorted(by_position[position])[:needed]) for position, needed in rules.squad.items())


def best_fpl_transfers(players_by_gw: dict[Hashable, Iterable[FplCandidate]], current_squad: Iterable[Hashable],
                       bank: float, free_transfers: int = 1, *, hit: int = 4, horizon: int | None = None,
                       max_transfers: int | None = None, selling_prices: dict[Hashable, float] | None = None,
                       rules: FplRules = FPL) -> TransferPlan:
    """The transfers to make now that score the most over the next ``horizon`` gameweeks, net of hits.

    ``players_by_gw`` maps each coming gameweek, in order, to its candidates (price and
    projected points that week; a player missing from a week scores nothing in it). The
    transfers are made once, before the first gameweek; the XI and captain are picked each
    week. Each transfer beyond ``free_transfers`` costs ``hit`` points. Players sold go at
    ``selling_prices`` (FPL keeps half of a rise) or else at this week's price.
    """
    gameweeks = list(players_by_gw)[:horizon] if horizon else list(players_by_gw)
    if not gameweeks:
        raise OptimizerError("no gameweeks to plan for")
    weekly = {gw: {p.id: p for p in players_by_gw[gw]} for gw in gameweeks}
    first = weekly[gameweeks[0]]
    current = list(current_squad)
    missing = [key for key in current if key not in first]
    if missing:
        raise OptimizerError(f"{', '.join(map(str, missing))} of the current squad not among gameweek "
                             f"{gameweeks[0]}'s players")
    if len(set(current)) != rules.squad_size:
        raise OptimizerError(f"the current squad has {len(set(current))} players, not {rules.squad_size}")
    pool = _check_fpl_pool(first.values(), rules)
    selling = {key: (selling_prices or {}).get(key, first[key].price) for key in current}
    budget_tenths = _tenths(bank) + sum(_tenths(price) for price in selling.values())
    # The squad's budget row counts current players at their selling price: keeping one costs what selling him raises.
    priced = [p if p.id not in selling else FplCandidate(p.id, p.name, p.position, p.club, selling[p.id], p.points)
              for p in pool]
    milp = Milp()
    squad = {p.id: milp.column() for p in priced}
    _add_squad_rules(milp, priced, squad, rules, budget_tenths)
    picks = []
    for gw in gameweeks:
        points = {key: player.points for key, player in weekly[gw].items()}
        picks.append((gw, points, *_add_pick(milp, priced, squad, points, rules)))
    kept = set(current)
    transfers = {squad[p.id]: 1 for p in priced if p.id not in kept}
    extra = milp.column(cost=-hit, upper=rules.squad_size)
    milp.row({**transfers, extra: -1}, upper=free_transfers)  # extra >= transfers - free
    if max_transfers is not None:
        milp.row(transfers, upper=max_transfers)
    values = milp.solve()
    if values is None:
        raise OptimizerError(f"no squad fits the bank of {bank:.1f} with "
                             f"{'at most %d transfers' % max_transfers if max_transfers is not None else 'any transfers'}")
    by_id = {p.id: p for p in pool}
    chosen = {key for key in _chosen(values, squad)}
    weekly_picks = []
    for gw, points, starting, captain in picks:
        starters = [by_id[key] for key in _chosen(values, starting)]
        skipper = by_id[_chosen(values, captain)[0]]
        total = sum(points.get(p.id, 0.0) for p in starters) + (rules.captain_multiplier - 1) * points.get(skipper.id, 0.0)
        weekly_picks.append(GameweekPick(gw, _order(starters, rules, points), skipper, round(total, 6)))
    first_points = {key: player.points for key, player in first.items()}
    transfers_in = _order((by_id[key] for key in chosen - kept), rules, first_points)
    transfers_out = _order((by_id[key] for key in kept - chosen), rules, first_points)
    spent = sum(_tenths(p.price) for p in priced if p.id in chosen)
    return TransferPlan(transfers_out=transfers_out, transfers_in=transfers_in,
                        squad=_order((by_id[key] for key in chosen), rules, first_points), picks=tuple(weekly_picks),
                        points=round(sum(pick.points for pick in weekly_picks), 6),
                        hit_points=hit * max(0, len(transfers_in) - free_transfers),
                        bank=(budget_tenths - spent) / 10)


# ------------------------------------------------------------------ DraftKings soccer classic


@dataclass(frozen=True)
class Stack:
    """At least ``count`` players of ``positions`` from one team: ``team`` or, when empty, any team."""

    count: int
    positions: frozenset[str] = frozenset()  # empty: any position
    team: str = ""

    @classmethod
    def of(cls, spec: "Stack | dict") -> "Stack":
        if isinstance(spec, Stack):
            return spec
        team = spec.get("team") or ""
        return cls(count=int(spec["count"]), positions=frozenset(spec.get("positions") or ()),
                   team="" if team == "any team" else team)

    def describe(self) -> str:
        who = "/".join(sorted(self.positions)) or "players"
        return f"{self.count} {who} of {self.team or 'one team'}"


@dataclass
class _DfsModel:
    milp: Milp
    picked: dict[Hashable, dict[int, float]] = field(default_factory=dict)  # player id -> the terms of "he plays"


def _slot_rows(rules: DfsRules) -> dict[frozenset[str], int]:
    """Hall's condition for the slots: for every set of slots, the players able to fill one of them must be
    at least that many. With as many players as slots, that is exactly "the players fill the slots"."""
    names = list(rules.slot_counts().items())
    rows: dict[frozenset[str], int] = {}
    for mask in range(1, 1 << len(names)):
        chosen = [names[i] for i in range(len(names)) if mask >> i & 1]
        eligible = frozenset().union(*(rules.eligible(name) for name, _ in chosen))
        rows[eligible] = max(rows.get(eligible, 0), sum(count for _, count in chosen))
    return rows


def _dfs_model(pool: list[DfsCandidate], points: dict, rules: DfsRules, *, locks: set, max_per_team: int | None,
               stacks: list[Stack], no_goalkeeper_against_attackers: bool, omit: frozenset[str] = frozenset()
               ) -> _DfsModel:
    """One lineup as an integer programme, a column per player; ``omit`` leaves rules out (to say which fails)."""
    milp = Milp()
    model = _DfsModel(milp)
    for p in pool:
        model.picked[p.id] = {milp.column(points[p.id]): 1}
    milp.row({column: 1 for terms in model.picked.values() for column in terms}, rules.size, rules.size)
    for eligible, needed in _slot_rows(rules).items():
        milp.row({column: 1 for p in pool if set(p.positions) & eligible for column in model.picked[p.id]},
                 lower=needed)
    if "salary" not in omit:
        milp.row({column: p.salary for p in pool for column in model.picked[p.id]}, upper=rules.salary_cap)
    by_team = defaultdict(list)
    for p in pool:
        by_team[p.team].append(p)

    def plays(players: Iterable[DfsCandidate]) -> dict[int, float]:
        return {column: 1 for p in players for column in model.picked[p.id]}

    if "min_teams" not in omit and rules.min_teams > 1:
        used = {}
        for team, players in by_team.items():
            used[team] = milp.column()
            milp.row({**plays(players), used[team]: -1}, lower=0)  # a team counts only if one of his players plays
        milp.row({column: 1 for column in used.values()}, lower=rules.min_teams)
    limit = max_per_team if max_per_team is not None else rules.max_per_team
    if "max_per_team" not in omit and limit is not None:
        for players in by_team.values():
            milp.row(plays(players), upper=limit)
    if "locks" not in omit:
        for key in locks:
            milp.row(model.picked[key], 1, 1)
    if "stacks" not in omit:
        for stack in stacks:
            def fits(p: DfsCandidate) -> bool:
                return not stack.positions or bool(set(p.positions) & stack.positions)
            if stack.team:
                milp.row(plays(p for p in by_team.get(stack.team, []) if fits(p)), lower=stack.count)
                continue
            chosen_team = {team: milp.column() for team in by_team}
            milp.row({column: 1 for column in chosen_team.values()}, lower=1)
            for team, players in by_team.items():
                milp.row({**plays(p for p in players if fits(p)), chosen_team[team]: -stack.count}, lower=0)
    if "goalkeeper" not in omit and no_goalkeeper_against_attackers:
        for keeper in pool:
            if "GK" not in keeper.positions or not keeper.opponent:
                continue
            attackers = [p for p in by_team.get(keeper.opponent, [])
                         if set(p.positions) & rules.attacker_positions and p.id != keeper.id]
            # A row per keeper and attacker, not one big-M row per keeper: the tighter relaxation solves
            # 150 lineups about a tenth faster (bench/lineups.py).
            for attacker in attackers:
                milp.row({**plays([attacker]), **plays([keeper])}, upper=1)
    return model


def _dfs_pool(players: Iterable[DfsCandidate], rules: DfsRules, excludes: set) -> list[DfsCandidate]:
    pool = []
    seen = set()
    for p in players:
        if p.id in seen:
            raise OptimizerError(f"player {p.id} ({p.name}) is in the pool twice")
        seen.add(p.id)
        unknown = set(p.positions) - rules.positions
        if unknown or not p.positions:
            raise OptimizerError(f"{p.name}: unknown position {'/'.join(p.positions) or '(none)'} "
                                 f"(expected {', '.join(sorted(rules.positions))})")
        if p.id not in excludes:
            pool.append(p)
    return pool


RULE_MESSAGES = {
    "locks": "the locks",
    "stacks": "the stacks",
    "max_per_team": "the limit per team",
    "goalkeeper": "no goalkeeper against his opponents' attackers",
    "min_teams": "players from at least {min_teams} teams",
}


def _why_infeasible(pool, points, rules, options, exposure_locks: set) -> str:
    """Which rule, left out, makes a lineup possible again: the message of an impossible request."""
    locks = options["locks"] | exposure_locks
    lock_names = ", ".join(p.name for p in pool if p.id in locks)
    if locks:
        salary = sum(p.salary for p in pool if p.id in locks)
        if salary > rules.salary_cap:
            return f"no lineup fits {rules.salary_cap:,} with these locks ({lock_names}: {salary:,})"
    for rule in ("locks", "stacks", "max_per_team", "goalkeeper", "min_teams", "salary"):
        if rule == "locks" and not locks or rule == "stacks" and not options["stacks"]:
            continue
        if _dfs_model(pool, points, rules, **{**options, "locks": locks}, omit=frozenset({rule})).milp.solve() is None:
            continue
        if rule == "locks":
            without_cap = _dfs_model(pool, points, rules, **{**options, "locks": locks}, omit=frozenset({"salary"}))
            if without_cap.milp.solve() is not None:  # the locks fit the slots: it is the money
                return f"no lineup fits {rules.salary_cap:,} with these locks ({lock_names})"
            return f"these locks cannot be in one lineup together under the other rules ({lock_names})"
        if rule == "salary":
            return f"no lineup fits {rules.salary_cap:,} under these rules"
        message = RULE_MESSAGES[rule].format(min_teams=rules.min_teams)
        return f"no lineup satisfies {message} together with the other rules"
    return "no lineup satisfies these rules together (each alone could be met)"


def _fill_slots(players: list[DfsCandidate], rules: DfsRules) -> list[tuple[str, DfsCandidate]] | None:
    """The players in the rules' slots (each slot once, each player once), the least flexible placed first."""
    slots = list(rules.slots)
    order = sorted(range(len(slots)), key=lambda i: len(slots[i].eligible))
    placed: dict[int, DfsCandidate] = {}

    def place(k: int, free: list[DfsCandidate]) -> bool:
        if k == len(order):
            return True
        slot = slots[order[k]]
        for index, player in enumerate(free):
            if set(player.positions) & slot.eligible:
                placed[order[k]] = player
                if place(k + 1, free[:index] + free[index + 1:]):
                    return True
        return False

    if len(players) != len(slots) or not place(0, sorted(players, key=lambda p: len(p.positions))):
        return None
    return [(slot.name, placed[i]) for i, slot in enumerate(slots)]


def _lineup(values, model: _DfsModel, by_id: dict, rules: DfsRules) -> DfsLineup:
    players = [by_id[key] for key, terms in model.picked.items() if any(values[column] > 0.5 for column in terms)]
    slots = _fill_slots(players, rules)
    if slots is None:  # Hall's rows make this impossible; a solver's rounding would be a bug to see, not hide
        raise OptimizerError(f"the solver's lineup ({', '.join(p.name for p in players)}) does not fill the slots")
    return DfsLineup(slots=tuple(slots), points=round(sum(p.points for p in players), 6),
                     salary=sum(p.salary for p in players))


def dk_lineups(players: Iterable[DfsCandidate], n: int = 1, *, locks: Iterable[Hashable] = (),
               excludes: Iterable[Hashable] = (), max_per_team: int | None = None,
               stacks: Iterable[Stack | dict] = (), no_goalkeeper_against_attackers: bool = True,
               exposure: dict[Hashable, tuple[float, float]] | None = None, max_exposure: float | None = None,
               min_difference: int = 1, randomness: float = 0.0, seed: int = 0,
               rules: DfsRules = DK_CLASSIC, on_lineup: Callable[[int, int], None] | None = None) -> list[DfsLineup]:
    """``n`` distinct lineups, best projected first, each obeying every rule.

    Each lineup is the optimum of one integer programme; after it, a row keeps every later
    lineup at least ``min_difference`` players away from it. ``exposure`` bounds the share of
    the ``n`` lineups a player is in: {id: (min, max)} (``max_exposure`` for everyone else).
    ``randomness`` (a percentage, 10 = ±10%) perturbs each player's projection uniformly
    for each lineup, seeded, to spread lineups; the lineups are still returned by their
    unperturbed projection. Fewer than ``n`` lineups come back only when no more exist.
    ``on_lineup(done, n)`` is called after each lineup (a task's progress).
    """
    locks, excludes = set(locks), set(excludes)
    exposure = dict(exposure or {})
    stacks = [Stack.of(spec) for spec in stacks]
    if n < 1:
        raise OptimizerError("ask for at least one lineup")
    if not 1 <= min_difference <= rules.size:
        raise OptimizerError(f"the minimum difference between lineups is 1 to {rules.size} players")
    both = locks & excludes
    if both:
        raise OptimizerError(f"{', '.join(map(str, sorted(both, key=str)))} both locked and excluded")
    pool = _dfs_pool(players, rules, excludes)
    by_id = {p.id: p for p in pool}
    unknown = [key for key in locks | set(exposure) if key not in by_id and key not in excludes]
    if unknown:
        raise OptimizerError(f"no player {', '.join(map(str, sorted(unknown, key=str)))} on the slate")
    if len(locks) > rules.size:
        raise OptimizerError(f"{len(locks)} locks, and a lineup holds {rules.size} players")
    for stack in stacks:
        if stack.team and stack.team not in {p.team for p in pool}:
            raise OptimizerError(f"stack: no team {stack.team} on the slate")
    bounds = {}
    for key, (low, high) in exposure.items():
        if key not in by_id:
            continue  # excluded: in no lineup whatever his share
        if not 0 <= low <= high <= 1:
            raise OptimizerError(f"exposure of {by_id[key].name}: min and max are shares, 0 <= min <= max <= 1")
        bounds[key] = (low, high)
    if max_exposure is not None:
        if not 0 <= max_exposure <= 1:
            raise OptimizerError("the maximum exposure is a share, 0 to 1")
        for key in by_id.keys() - locks:  # a lock is in every lineup by definition
            bounds.setdefault(key, (0.0, max_exposure))
    # Counts of lineups: a player with max share m is in at most floor(m * n), with min share in at least ceil.
    most = {key: int(high * n + EPSILON) for key, (_, high) in bounds.items()}
    least = {key: math.ceil(low * n - EPSILON) for key, (low, _) in bounds.items() if low > 0}
    for key in locks:
        if most.get(key, n) < n:
            raise OptimizerError(f"{by_id[key].name} is locked, and his exposure allows fewer than {n} lineups")
    points = {p.id: p.points for p in pool}
    options = dict(locks=locks, max_per_team=max_per_team, stacks=stacks,
                   no_goalkeeper_against_attackers=no_goalkeeper_against_attackers)
    model = _dfs_model(pool, points, rules, **options)
    milp = model.milp
    noise = random.Random(seed)
    used = defaultdict(int)
    lineups: list[DfsLineup] = []
    forced: set = set()
    for key, count in most.items():
        if count == 0:
            for column in model.picked[key]:
                milp.set_upper(column, 0)
    for index in range(n):
        remaining = n - index
        for key, needed in least.items():  # a minimum share left to the last lineups becomes a lock
            if key not in forced and needed - used[key] >= remaining:
                forced.add(key)
                milp.row(model.picked[key], 1, 1)
        if randomness:
            costs = list(milp.costs)
            for key, terms in model.picked.items():
                for column in terms:
                    costs[column] = points[key] * (1 + noise.uniform(-randomness, randomness) / 100)
            milp.set_costs(costs)
        values = milp.solve()
        if values is None:
            if not lineups:
                raise OptimizerError(_why_infeasible(pool, points, rules, options, forced))
            if forced:
                raise OptimizerError(f"after {len(lineups)} lineups, the minimum exposures cannot all be met")
            break  # every lineup these rules allow is out already
        lineup = _lineup(values, model, by_id, rules)
        lineups.append(lineup)
        if on_lineup:
            on_lineup(len(lineups), n)
        for key in lineup.ids:
            used[key] += 1
            if key in most and used[key] >= most[key]:
                for column in model.picked[key]:
                    milp.set_upper(column, 0)
        # Later lineups share at most size - min_difference players with this one.
        milp.row({column: 1 for key in lineup.ids for column in model.picked[key]},
                 upper=rules.size - min_difference)
    missed = [by_id[key].name for key, needed in least.items() if used[key] < needed]
    if missed:
        raise OptimizerError(f"the minimum exposure of {', '.join(missed)} cannot be met in {len(lineups)} lineups")
    lineups.sort(key=lambda lineup: -lineup.points)  # stable: ties keep the order found
    return lineups
