"""players' regions of the match page (matches/regions.py): attack momentum and the line-ups on a pitch.

(The ratings and player-of-the-match regions are players/rating_regions.py.)

Both read what the page's ``MatchState`` has loaded once for every region: ``events`` (every
on-ball event) and ``listed`` (key events); the line-ups add their own entries (one query, in
``matches.fragments.lineups``). Ratings come from ``players.ratings.match_ratings(state)``,
memoised on the state, so the ratings region and the line-ups share one computation.
"""

from __future__ import annotations

from matches import fragments, regions
from players import lineups as layout
from players import momentum, rating_regions
from players.ratings import match_ratings

# Momentum chart geometry, in the SVG's own units: one bar per minute, a gap between periods. The
# chart is stretched to the card's width (preserveAspectRatio="none"); goal balls and minute labels
# are HTML laid over it at % positions, so they keep their shape at any width.
BAR_STEP = 10
BAR_WIDTH = 8
PERIOD_GAP = 16
CHART_HEIGHT = 240
CENTRE = CHART_HEIGHT / 2
BAR_MAX = 104  # leaves room above and below for the goal balls
MIN_SCALE = 0.2  # a quiet match's bars stay small rather than blown up to full height
PERIOD_NAMES = {1: "first half", 2: "second half", 3: "first half of extra time", 4: "second half of extra time"}
BOUNDARY_LABELS = {1: "HT", 2: "90'", 3: "ET HT", 4: "120'"}

ON_BALL = frozenset({"pass", "carry", "shot", "goal", "penalty_scored", "penalty_missed", "dribble", "ball_receipt"})


def momentum_context(state) -> dict | None:
    """None when the match has no located on-ball events (a feed of key events only, or not started)."""
    events = state.events
    if not any(event["kind"] in ON_BALL and event["x"] is not None for event in events):
        return None
    minutes = momentum.momentum(events)
    if not minutes:
        return None
    return {"momentum": momentum_chart(state.match, minutes)}


def momentum_chart(match, minutes: list[momentum.Minute]) -> dict:
    """Bars, half-time lines, goal markers and labels for the template, in viewBox units and %."""
    scale = max(MIN_SCALE, max((abs(minute.value) for minute in minutes), default=0.0))
    bars, goals, dividers, labels = [], [], [], []
    x, period = 0.0, minutes[0].period
    names = {"home": match.home_team.display_name, "away": match.away_team.display_name}
    labels.append({"text": minutes[0].label, "x": 0.0, "anchor": "start"})
    for minute in minutes:
        if minute.period != period:
            dividers.append(round(x + PERIOD_GAP / 2, 1))
            labels.append({"text": BOUNDARY_LABELS.get(period, ""), "x": dividers[-1], "anchor": "middle"})
            x += PERIOD_GAP
            period = minute.period
        height = round(BAR_MAX * min(1.0, abs(minute.value) / scale), 1)
        if height >= 0.5:
            side = "home" if minute.value > 0 else "away"
            bars.append({"x": round(x + (BAR_STEP - BAR_WIDTH) / 2, 1),
                         "y": round(CENTRE - height, 1) if side == "home" else CENTRE,
                         "height": height, "side": side, "minute": minute.label,
                         "title": f"{minute.label} {names[side]} on top"})
        for side in minute.goals:
            goals.append({"x": round(x + BAR_STEP / 2, 1), "side": side, "minute": minute.label,
                          "title": f"{minute.label} goal: {names[side]}"})
        x += BAR_STEP
    width = round(x, 1)
    labels.append({"text": minutes[-1].label, "x": width, "anchor": "end"})
    for item in (*labels, *goals):
        item["left"] = round(100 * item["x"] / width, 2) if width else 0
    return {
        "width": width, "height": CHART_HEIGHT, "centre": CENTRE, "bar_width": BAR_WIDTH, "bars": bars,
        "goals": goals, "dividers": dividers, "labels": labels, "summary": momentum_summary(match, minutes),
    }


def momentum_summary(match, minutes: list[momentum.Minute]) -> str:
    """The text alternative: who had the upper hand in each period played, and the goals marked."""
    names = {"home": match.home_team.display_name, "away": match.away_team.display_name}
    parts = []
    for period in sorted({minute.period for minute in minutes}):
        side, share = momentum.upper_hand(minutes, period)
        name = PERIOD_NAMES.get(period, f"period {period}")
        if side is None:
            parts.append(f"{name}: evenly matched")
        else:
            parts.append(f"{name}: {names[side]} on top ({round(100 * share)}% of the threat)")
    sentences = [f"Attack momentum, {names['home']} up, {names['away']} down"]
    sentences += [part[0].upper() + part[1:] for part in parts]
    goals = sum(len(minute.goals) for minute in minutes)
    if goals:
        sentences.append(f"{goals} goal{'s' if goals != 1 else ''} marked")
    return ". ".join(sentences) + "."


# Line-ups

RATING_CLASSES = ((8.0, "top"), (7.0, "good"), (6.0, "fair"), (0.0, "poor"))
# Marks drawn around the shirt circle on the pitch: which corner each kind of mark sits at.
CORNERS = {"goal": "goals", "og": "goals", "assist": "goals", "yellow-card": "cards", "second-yellow": "cards",
           "red-card": "cards", "on": "sub", "off": "sub"}


def lineups_context(state) -> dict | None:
    """Both teams' XIs placed on the pitch, benches, ratings and average positions; None before line-ups."""
    teams = fragments.lineups(state.match, state.listed)
    if not teams:
        return None
    ratings = match_ratings(state)
    starters = {row["player_id"] for team in teams for row in team["starters"]}
    averages = layout.average_positions(state.events, starters) if starters else {}
    sides = []
    for team in teams:
        side = team["side"]
        rows, by_formation = layout.formation_rows(team["starters"], team["formation"])
        placed = [_pitch_player(player, side, ratings) for player in layout.place(rows)]
        located = [_average_player(row, averages[row["player_id"]])
                   for row in team["starters"] if row["player_id"] in averages]
        sides.append({
            "side": side, "team": team["team"], "formation": team["formation"], "by_formation": by_formation,
            "players": placed, "bench": [_bench_player(row, ratings) for row in team["bench"]],
            "averages": located,
        })
    return {"lineups": sides, "has_averages": any(team["averages"] for team in sides), "has_ratings": bool(ratings)}


def _rating(player_id: int, ratings: dict) -> dict | None:
    rating = ratings.get(player_id)
    if rating is None:
        return None
    cls = next(name for floor, name in RATING_CLASSES if rating.rating >= floor)
    return {"value": f"{rating.rating:.1f}", "cls": cls, "best": rating.player_of_the_match}


def _pitch_player(player: dict, side: str, ratings: dict) -> dict:
    corners: dict[str, list[dict]] = {"goals": [], "cards": [], "sub": []}
    for mark in player["marks"]:
        corners[CORNERS.get(mark["cls"], "goals")].append(mark)
    placed = {
        **player, **layout.on_pitch(player["along"], player["across"], side),
        "surname": layout.surname(player["name"]), "rating": _rating(player["player_id"], ratings),
        "corners": corners,
    }
    placed["right_edge"] = placed["v_left"] >= 80  # standing pitch: marks that go right would leave it
    return placed


def _average_player(row: dict, average: dict) -> dict:
    return {**row, "left": average["x"], "top": average["y"], "events": average["events"],
            "surname": layout.surname(row["name"])}


def _bench_player(row: dict, ratings: dict) -> dict:
    return {**row, "rating": _rating(row["player_id"], ratings)}


def register() -> None:
    """PlayersConfig.ready: momentum on the Summary tab, the line-ups (replacing matches' list) on Lineups."""
    for region in (
        regions.Region("momentum", "players/partials/_momentum.html", momentum_context, order=15, title="Momentum",
                       refresh=frozenset({"score_update", "match_event", "shot", "stats_update", "match_status"}),
                       from_match_alone=True),
        regions.Region("lineups", "players/partials/_lineups.html", lineups_context, order=10, tab="lineups",
                       title="Line-ups", refresh=frozenset({"score_update", "match_event", "match_status", "stats_update"}),
                       from_match_alone=True, model_version=rating_regions.grid_version),
    ):
        regions.register_region("match", region)
