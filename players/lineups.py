"""Line-ups on a pitch: where each starter stands in his team's formation, and average positions.

Pure functions over plain values. A formation string ("4-2-3-1") gives the outfield lines from
the back; the starters (their positions named as StatsBomb does: "Left Center Back", "Right
Defensive Midfield", "Center Forward") are sorted from the back by ``position_depth`` and across
by ``position_across``, and fill the lines in turn, like FotMob's line-up pitch. A formation that
is missing or does not add up to the outfield starters falls back to one row per position rank
(``matches.fragments.position_rank``: goalkeeper, defenders, defensive midfield, midfield, wings,
forwards).

Coordinates are percentages of the whole pitch from the team's own point of view: ``along`` from
its own goal line (0) to the halfway line (50), ``across`` from its left touchline (0) to its
right (100), as StatsBomb's y runs for a team attacking towards x = 100.
"""

from __future__ import annotations

import re
from collections import defaultdict

from matches.fragments import position_rank

# How far from his own goal a position plays: 0 goalkeeper ... 5 centre forward.
DEPTH_WORDS = (
    ("goalkeeper", 0.0), ("wing back", 1.5), ("back", 1.0), ("defender", 1.0),
    ("defensive midfield", 2.0), ("attacking midfield", 4.0), ("midfield", 3.0),
    ("secondary striker", 4.8), ("wing", 4.5), ("forward", 5.0), ("striker", 5.0),
)
# One-letter codes some feeds send (API-Football: G, D, M, F).
DEPTH_CODES = {"G": 0.0, "GK": 0.0, "D": 1.0, "DF": 1.0, "M": 3.0, "MF": 3.0, "F": 5.0, "FW": 5.0}

GOAL_LINE = 7.5  # the goalkeeper, % of the pitch's length from his goal line (room for his name)
FIRST_LINE = 17.0
LAST_LINE = 45.0  # forwards just inside their own half
MAX_LINES = 5


def position_depth(position: str | None) -> float | None:
    """0 (goalkeeper) to 5 (centre forward); None when the position says nothing we know."""
    text = (position or "").strip()
    if not text:
        return None
    if text.upper() in DEPTH_CODES:
        return DEPTH_CODES[text.upper()]
    folded = text.casefold()
    for words, depth in DEPTH_WORDS:
        if words in folded:
            return depth
    rank = position_rank(text)
    return None if rank == 6 else float(rank)


def position_across(position: str | None) -> float:
    """0 (the team's left touchline) to 100 (its right): "Left Back" 10, "Left Center Back" 35, centre 50."""
    folded = (position or "").casefold()
    left, right = "left" in folded, "right" in folded
    if not (left or right):
        return 50.0
    inside = "center" in folded or "centre" in folded
    wide = "wing back" in folded
    offset = 15.0 if inside else 45.0 if wide else 40.0
    return 50.0 - offset if left else 50.0 + offset


def formation_lines(formation: str | None, outfield: int) -> list[int] | None:
    """ "4-2-3-1" -> [4, 2, 3, 1] when it adds up to the outfield starters, else None."""
    text = (formation or "").strip()
    if not re.fullmatch(r"\d(?:\s*-\s*\d){1,5}", text):
        return None
    lines = [int(part) for part in re.split(r"\s*-\s*", text)]
    if sum(lines) != outfield or 0 in lines or len(lines) > MAX_LINES:
        return None
    return lines


def formation_rows(starters: list[dict], formation: str | None) -> tuple[list[list[dict]], bool]:
    """The starters as rows from the goal outwards, each row from the team's left to its right.

    Each starter is a dict with at least ``position`` and ``number``. Returns (rows, by formation):
    the goalkeeper's row first when there is one; False when the formation did not fit.
    """
    def across_key(player):
        return (position_across(player.get("position")), player.get("number") or 999)

    keepers = [p for p in starters if position_depth(p.get("position")) == 0.0]
    keeper = keepers[:1]
    outfield = [p for p in starters if p not in keeper]
    lines = formation_lines(formation, len(outfield)) if keeper else None
    if lines:
        ordered = sorted(outfield, key=lambda p: (_depth_or_last(p), *across_key(p)))
        rows, start = [], 0
        for count in lines:
            rows.append(sorted(ordered[start:start + count], key=across_key))
            start += count
        return [keeper, *rows], True
    by_rank: dict[float, list[dict]] = defaultdict(list)
    for player in starters:
        by_rank[_rank(player)].append(player)
    rows = [sorted(by_rank[rank], key=across_key) for rank in sorted(by_rank)]
    return rows, False


def _depth_or_last(player: dict) -> float:
    depth = position_depth(player.get("position"))
    return 9.0 if depth is None else depth


def _rank(player: dict) -> float:
    """Fallback rows: matches' position rank, one-letter codes understood; unknown positions last."""
    depth = position_depth(player.get("position"))
    if depth is None:
        return 6.0
    return float(position_rank(player["position"])) if position_rank(player["position"]) != 6 else depth


def place(rows: list[list[dict]]) -> list[dict]:
    """Each player of the rows with ``along``, ``across`` (see the module docstring) and ``line``.

    ``line`` is 0 for the goalkeeper, then 1, 2 ... from the back (1, 2 ... when there is no keeper).
    Players of a line are spread evenly across the pitch, in the row's order (left to right).
    """
    placed = []
    has_keeper = bool(rows) and len(rows[0]) == 1 and position_depth(rows[0][0].get("position")) == 0.0
    lines = rows[1:] if has_keeper else rows
    if has_keeper:
        placed.append({**rows[0][0], "along": GOAL_LINE, "across": 50.0, "line": 0})
    for index, row in enumerate(lines):
        if len(lines) == 1:
            along = (FIRST_LINE + LAST_LINE) / 2
        else:
            along = FIRST_LINE + (LAST_LINE - FIRST_LINE) * index / (len(lines) - 1)
        for slot, player in enumerate(row):
            placed.append({**player, "along": round(along, 2), "across": round(100 * (slot + 0.5) / len(row), 2),
                           "line": index + 1})
    return placed


def on_pitch(along: float, across: float, side: str) -> dict[str, float]:
    """Where a player stands on the page's two pitches, in % of the pitch box.

    Wide screens draw the pitch lying down, home on the left attacking right (``h_left``,
    ``h_top``: a team's left is at the top, as on the shot map); phones draw it standing up, home
    at the top attacking down (``v_left``, ``v_top``: the wide picture turned a quarter clockwise).
    """
    if side == "home":
        return {"h_left": along, "h_top": across, "v_left": round(100 - across, 2), "v_top": along}
    return {"h_left": round(100 - along, 2), "h_top": round(100 - across, 2), "v_left": across,
            "v_top": round(100 - along, 2)}


ON_BALL_SKIP = frozenset({"substitution", "period_start", "period_end", "var", "yellow_card", "second_yellow",
                          "red_card"})


def average_positions(events: list[dict], player_ids: set[int]) -> dict[int, dict]:
    """Per player: the mean (x, y) of his located on-ball events, in his team's attacking frame, and how many."""
    sums: dict[int, list[float]] = {}
    for event in events:
        player, x, y = event.get("player_id"), event.get("x"), event.get("y")
        if player not in player_ids or x is None or y is None or event["period"] >= 5 or event["kind"] in ON_BALL_SKIP:
            continue
        total = sums.setdefault(player, [0.0, 0.0, 0])
        total[0] += x
        total[1] += y
        total[2] += 1
    return {player: {"x": round(sx / n, 2), "y": round(sy / n, 2), "events": int(n)}
            for player, (sx, sy, n) in sums.items()}


PARTICLES = frozenset({"de", "da", "di", "do", "dos", "das", "del", "della", "van", "von", "der", "den", "le", "la",
                       "ter", "ten", "mac", "al", "el", "bin"})


def surname(name: str) -> str:
    """ "Ciro Immobile" -> "Immobile", "Virgil van Dijk" -> "van Dijk", "Jorginho" -> "Jorginho"."""
    words = name.split()
    if len(words) <= 1:
        return name
    last = [words[-1]]
    for word in reversed(words[1:-1]):
        if word.casefold() not in PARTICLES:
            break
        last.insert(0, word)
    return " ".join(last)
