"""The fantasy games' roster rules as data: what a squad or lineup must hold, read by the optimizer.

Two games. Fantasy Premier League is season-long: a 15-man squad within a budget, at most three
players of a club, and each gameweek a starting XI in a legal formation with a captain whose
points count twice. DraftKings soccer classic is one slate: eight players under a salary cap in
fixed slots (GK, D, D, M, M, F, F and a UTIL any outfield player may fill), from at least three
teams, as pydfs-lineup-optimizer's ``DraftKingsSoccerSettings`` encodes it (PROVENANCE.md). A
player DraftKings lists ``M/F`` may fill an M, an F or the UTIL slot.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class FplRules:
    squad: dict[str, int]  # position -> players in the 15
    budget_tenths: int  # £0.1m units, so prices add up exactly
    max_per_club: int
    starters: int
    starting_min: dict[str, int]  # the formation's floor per position (the ceiling is the squad's count)
    starting_max: dict[str, int]
    captain_multiplier: int
    positions: tuple[str, ...] = ("GK", "DEF", "MID", "FWD")

    @property
    def squad_size(self) -> int:
        return sum(self.squad.values())

    @property
    def budget(self) -> float:
        return self.budget_tenths / 10


FPL = FplRules(
    squad={"GK": 2, "DEF": 5, "MID": 5, "FWD": 3},
    budget_tenths=1000,
    max_per_club=3,
    starters=11,
    starting_min={"GK": 1, "DEF": 3, "MID": 2, "FWD": 1},
    starting_max={"GK": 1, "DEF": 5, "MID": 5, "FWD": 3},
    captain_multiplier=2,
)


@dataclass(frozen=True)
class Slot:
    name: str  # as the site's upload file heads the column: "GK", "D", "UTIL"
    eligible: frozenset[str]  # the listed positions that may fill it


@dataclass(frozen=True)
class DfsRules:
    slots: tuple[Slot, ...]
    salary_cap: int
    min_teams: int
    max_per_team: int | None = None  # the site's own limit (DraftKings soccer has none)
    positions: frozenset[str] = field(default_factory=frozenset)
    attacker_positions: frozenset[str] = frozenset()  # whom a goalkeeper should not face in one lineup

    @property
    def size(self) -> int:
        return len(self.slots)

    def slot_counts(self) -> dict[str, int]:
        """{"GK": 1, "D": 2, ...}: how many slots of each name, in the slots' order."""
        counts: dict[str, int] = {}
        for slot in self.slots:
            counts[slot.name] = counts.get(slot.name, 0) + 1
        return counts

    def eligible(self, slot_name: str) -> frozenset[str]:
        return next(slot.eligible for slot in self.slots if slot.name == slot_name)


def _slots(*specs: tuple[str, tuple[str, ...]]) -> tuple[Slot, ...]:
    return tuple(Slot(name, frozenset(eligible)) for name, eligible in specs)


DK_CLASSIC = DfsRules(
    slots=_slots(("GK", ("GK",)), ("D", ("D",)), ("D", ("D",)), ("M", ("M",)), ("M", ("M",)),
                 ("F", ("F",)), ("F", ("F",)), ("UTIL", ("D", "M", "F"))),
    salary_cap=50_000,
    min_teams=3,
    positions=frozenset({"GK", "D", "M", "F"}),
    attacker_positions=frozenset({"M", "F"}),
)


def listed_positions(text: str) -> tuple[str, ...]:
    """DraftKings' Position column -> its positions: "M/F" -> ("M", "F")."""
    return tuple(part.strip().upper() for part in text.split("/") if part.strip())
