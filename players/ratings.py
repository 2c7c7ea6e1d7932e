"""Player ratings 0-10 per match from the events, as SofaScore and FotMob show them, live.

``match_ratings(state)`` takes the match page's ``matches.fragments.MatchState`` and returns
player id -> PlayerRating for everyone who has played 10 minutes or more (so far, in a live
match); memoised on the state under "ratings". It costs one query on top of ``state.events``
(the line-ups, which also bring the current expected-threat grid's version); the grid itself is
cached per process by version (``current_grid``). ``rate_events`` is the pure part.

How a rating is made (our own weights and calibration, in goal-equivalent units):

1. Ball progression, by expected threat (``players.threat``, Karun Singh's xT on a 16 x 12 grid
   fitted on our stored events): a successful pass (outcome "") or a carry adds
   ``xT(end) - xT(start)`` (``W_XT`` = 1; backwards moves cost a little); a failed pass loses
   ``W_FAILED_XT`` = 0.5 of ``xT(start)`` plus 0.01; being dispossessed or a miscontrol loses the
   whole ``xT(start)`` plus 0.03. Each completed pass also adds 0.003 (keeping the ball counts).
2. Shooting: 0.25 x the shot's xG, +0.02 on target, +1.0 a goal (+0.6 a penalty goal, -0.4 a
   missed penalty). Creating: +0.6 an assist (the goal's related player), 0.3 x xA (the xG of the
   shot a pass set up: the last completed pass of the shooter's side to the shooter, with no
   opponent on the ball in between) and +0.03 per key pass.
3. Defending: +0.05 a won tackle (a duel won / "Success…", or a "tackle"), -0.02 a lost one;
   +0.05 an interception (+0.01 when lost); +0.04 a block; +0.025 a clearance; +0.03 a ball
   recovery; +0.03 a completed dribble, -0.01 a failed one; -0.03 a foul, +0.02 a foul won,
   -0.02 offside.
4. Goalkeeping: each saved shot on target (outcome "Saved"/"Saved to Post"/"On Target", not a goal)
   gives its keeper 0.8 x its xG + 0.05; each goal conceded -0.1 (the side's goalkeeper on the
   pitch: lineup position "Goalkeeper", else the side's player with most goalkeeper events).
5. The team while he is on the pitch: +0.06 per goal his side scores, -0.08 per goal it concedes.
6. Discipline and errors: -0.15 a yellow card, -1.0 a second yellow, -1.2 a straight red; -0.6 an
   own goal; losing the ball in his own half (failed pass, dispossessed, miscontrol) before the
   opponents' next shot with his side not on the ball in between: -0.1, -0.3 more if it is a goal.

The raw sum R maps onto 0-10 around a base of 6.3 with soft ends, so that one more goal matters
less for a player already at 9 than at 6:
``rating = 6.3 + 3.7 tanh(1.5 R / 3.7)`` for R >= 0, ``6.3 - 3.3 tanh(1.5 |R| / 3.3)`` below,
clipped to [3.0, 10.0] and rounded to one decimal. A quiet full match (sideways passes, nothing
else) rates 6.3; one open-play goal takes it to 7.9, a yellow card to 6.1, a straight red to 4.7.
Over the 47 StatsBomb matches of the demo (``manage.py evaluate_ratings``, fitted grid) the 1,234
player-matches average 6.82 with a standard deviation of 0.74, 96% of them within 5.5-8.5,
and correlate 0.61 with goals + assists + xG + xA per 90 (0.73 with the
match totals). Fewer than ``MIN_MINUTES`` = 10 minutes: no rating, as SofaScore. Player of the
match: the highest rating (ties: more minutes, then more raw points).

The weights are ours, set by hand so that the spread lands in the bands SofaScore's scale uses
(most players 6-8, a scorer 7.5-9); they are not fitted to any provider's ratings.
"""

from __future__ import annotations

import math
import threading
import time
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from players.threat import Grid, fallback_grid

BASE = 6.3
SCALE = 1.5
TOP, BOTTOM = 10.0, 3.0
MIN_MINUTES = 10

W_XT = 1.0
W_FAILED_XT = 0.5
PASS_COMPLETED = 0.003
PASS_FAILED = 0.01
BALL_LOST = 0.03
W_SHOT_XG = 0.25
ON_TARGET = 0.02
GOAL = 1.0
PENALTY_GOAL = 0.6
PENALTY_MISSED = -0.4
ASSIST = 0.6
W_XA = 0.3
KEY_PASS = 0.03
TACKLE_WON, TACKLE_LOST = 0.05, -0.02
INTERCEPTION, INTERCEPTION_LOST = 0.05, 0.01
BLOCK, CLEARANCE, RECOVERY = 0.04, 0.025, 0.03
DRIBBLE_WON, DRIBBLE_LOST = 0.03, -0.01
FOUL, FOUL_WON, OFFSIDE = -0.03, 0.02, -0.02
W_SAVE_XG, SAVE = 0.8, 0.05
GK_CONCEDED = -0.1
TEAM_SCORED, TEAM_CONCEDED = 0.06, -0.08
YELLOW, SECOND_YELLOW, RED = -0.15, -1.0, -1.2
OWN_GOAL = -0.6
ERROR_SHOT, ERROR_GOAL = -0.1, -0.3

SHOT_KINDS = frozenset({"shot", "goal", "penalty_scored", "penalty_missed"})
GOAL_KINDS = frozenset({"goal", "penalty_scored"})
ON_TARGET_OUTCOMES = frozenset({"Goal", "Saved", "Saved to Post", "Saved To Post", "On Target"})
SAVED_OUTCOMES = frozenset({"Saved", "Saved to Post", "Saved To Post", "On Target"})
WON_OUTCOMES = frozenset({"Won", "Success", "Success In Play", "Success Out"})
LOST_OUTCOMES = frozenset({"Lost", "Lost In Play", "Lost Out"})
# Kinds where the acting side has the ball (an opponent's one ends a pass's claim to set up a shot).
ON_BALL = frozenset({"pass", "carry", "dribble", "shot", "goal", "penalty_scored", "penalty_missed", "clearance",
                     "interception", "ball_recovery", "goalkeeper", "miscontrol", "dispossessed"})
SHOOTOUT = 5
# Every kind the rating reads (the rest are skipped at once).
COUNTED = ON_BALL | SHOT_KINDS | frozenset({
    "own_goal", "duel", "tackle", "block", "foul", "foul_won", "offside", "yellow_card", "second_yellow", "red_card"})


@dataclass(frozen=True)
class PlayerRating:
    player_id: int
    side: str | None  # "home" or "away"
    rating: float  # 0-10, one decimal
    player_of_the_match: bool = False
    minutes: int = 0
    name: str = ""
    team_id: int | None = None
    raw: float = 0.0  # the points before the 0-10 mapping
    goals: int = 0
    assists: int = 0
    xg: float = 0.0
    xa: float = 0.0
    key_passes: int = 0
    xt: float = 0.0  # expected threat added by his passes and carries (net of what he lost)
    defensive: int = 0  # tackles won, interceptions, blocks, clearances, recoveries
    saves: int = 0
    cards: str = ""  # "yellow", "red"

    @property
    def band(self) -> str:
        """SofaScore's colour bands: under 6, 6-6.9, 7-7.9, 8 and up."""
        return "low" if self.rating < 6 else "mid" if self.rating < 7 else "good" if self.rating < 8 else "top"

    @property
    def highlights(self) -> list[str]:
        """The two or three things that made his rating, in words ("1 goal, 0.45 xG, 3 key passes")."""
        items: list[tuple[float, str]] = []
        if self.goals:
            items.append((10 + self.goals, f"{self.goals} goal{'s' if self.goals > 1 else ''}"))
        if self.assists:
            items.append((9 + self.assists, f"{self.assists} assist{'s' if self.assists > 1 else ''}"))
        if self.saves:
            items.append((self.saves * 0.6, f"{self.saves} save{'s' if self.saves > 1 else ''}"))
        if self.xg >= 0.05:
            items.append((self.xg * 4, f"{self.xg:.2f} xG"))
        if self.key_passes:
            items.append((self.key_passes * 0.8, f"{self.key_passes} key pass{'es' if self.key_passes > 1 else ''}"))
        if self.xt >= 0.05:
            items.append((self.xt * 6, f"{self.xt:.2f} xT added"))
        if self.defensive >= 3:
            items.append((self.defensive * 0.3, f"{self.defensive} defensive actions"))
        items.sort(key=lambda item: -item[0])
        return [text for _, text in items[:3]]


@dataclass(frozen=True)
class Appearance:
    """One line-up entry, as the ratings need it."""

    player_id: int
    side: str | None
    is_starter: bool = True
    subbed_on_minute: int | None = None
    subbed_off_minute: int | None = None
    position: str = ""
    name: str = ""
    team_id: int | None = None


@dataclass
class _Tally:
    side: str | None = None
    team_id: int | None = None
    raw: float = 0.0
    goals: int = 0
    assists: int = 0
    xg: float = 0.0
    xa: float = 0.0
    key_passes: int = 0
    xt: float = 0.0
    defensive: int = 0
    saves: int = 0
    cards: str = ""
    sent_off: int | None = None
    events: int = 0
    keeper_events: int = 0


def to_rating(raw: float) -> float:
    """Raw points -> 0-10 (see the module docstring)."""
    if raw >= 0:
        value = BASE + (TOP - BASE) * math.tanh(SCALE * raw / (TOP - BASE))
    else:
        value = BASE - (BASE - BOTTOM) * math.tanh(SCALE * -raw / (BASE - BOTTOM))
    return round(min(max(value, BOTTOM), TOP), 1)


def _other(side):
    return {"home": "away", "away": "home"}.get(side)


def _minute(event: dict) -> int:
    return event.get("minute") or 0


def rate_events(events: Sequence[dict], appearances: Iterable[Appearance] = (), grid: Grid | None = None, *,
                finished: bool = True, now_minute: int | None = None) -> dict[int, PlayerRating]:
    """Ratings of everyone who has played ``MIN_MINUTES`` or more, from the match's events in match order.

    ``appearances`` are the line-ups (players in the events but not in them count as starters, or
    as coming on when a substitution names them). A live match (``finished`` False) counts minutes
    up to ``now_minute`` (default: the last event's minute).
    """
    grid = grid or fallback_grid()
    tallies: dict[int, _Tally] = defaultdict(_Tally)
    lineup = {entry.player_id: entry for entry in appearances}
    on_minute: dict[int, int] = {pid: (0 if e.is_starter else e.subbed_on_minute or 0) for pid, e in lineup.items()
                                 if e.is_starter or e.subbed_on_minute is not None}
    off_minute: dict[int, int] = {pid: e.subbed_off_minute for pid, e in lineup.items()
                                  if e.subbed_off_minute is not None}
    keepers: dict[str, list[int]] = defaultdict(list)
    for entry in lineup.values():
        tally = tallies[entry.player_id]
        tally.side, tally.team_id = entry.side, entry.team_id
        if "goalkeeper" in entry.position.casefold() and entry.side:
            keepers[entry.side].append(entry.player_id)

    last_minute, last_period = 0, 1
    for event in events:
        period = event.get("period", 1)
        if period < SHOOTOUT:
            last_period = max(last_period, period)
            last_minute = max(last_minute, event.get("minute") or 0)  # football minutes: 90+4 counts as 90
    if finished:
        end_minute = max(last_minute, 120 if last_period >= 3 else 90)
    else:
        end_minute = now_minute if now_minute is not None else last_minute

    def on_pitch(player_id: int, minute: int) -> bool:
        start = on_minute.get(player_id)
        if start is None:
            return False
        stop = off_minute.get(player_id, end_minute)
        sent = tallies[player_id].sent_off if player_id in tallies else None
        return start <= minute <= (min(stop, sent) if sent is not None else stop)

    # First pass: who played (events name players the line-ups may not), substitutions, keepers.
    for event in events:
        player_id, side = event.get("player_id"), event.get("side")
        if event.get("kind") == "substitution":
            if player_id is not None:
                off_minute.setdefault(player_id, _minute(event))
                on_minute.setdefault(player_id, 0)
            coming = event.get("related_player_id")
            if coming is not None:
                on_minute.setdefault(coming, _minute(event))
                if tallies[coming].side is None:
                    tallies[coming].side, tallies[coming].team_id = side, event.get("team_id")
            continue
        if player_id is None:
            continue
        tally = tallies[player_id]
        if tally.side is None:
            tally.side, tally.team_id = side, event.get("team_id")
        on_minute.setdefault(player_id, 0)
        if event.get("kind") == "goalkeeper":
            tally.keeper_events += 1
    for side in ("home", "away"):
        if not keepers[side]:
            busiest = max((pid for pid, t in tallies.items() if t.side == side and t.keeper_events),
                          key=lambda pid: tallies[pid].keeper_events, default=None)
            if busiest is not None:
                keepers[side].append(busiest)

    def keeper_of(side: str | None, minute: int) -> int | None:
        candidates = keepers.get(side) or []
        for player_id in candidates:
            if on_pitch(player_id, minute):
                return player_id
        return candidates[0] if candidates else None

    def team_goal(scoring_side: str | None, minute: int) -> None:
        for player_id, tally in tallies.items():
            if tally.side is None or not on_pitch(player_id, minute):
                continue
            if tally.side == scoring_side:
                tally.raw += TEAM_SCORED
            else:
                tally.raw += TEAM_CONCEDED
        keeper = keeper_of(_other(scoring_side), minute)
        if keeper is not None:
            tallies[keeper].raw += GK_CONCEDED

    last_pass: dict[str | None, dict | None] = {"home": None, "away": None}
    ball_lost: dict[str | None, tuple[int, float] | None] = {"home": None, "away": None}
    at = grid.at
    for event in events:
        kind = event.get("kind")
        if kind not in COUNTED:
            continue  # ball receipts, pressures, period marks: nothing to rate (a third of the feed)
        if event.get("period", 1) >= SHOOTOUT:
            continue  # a shoot-out is not part of the match's play
        player_id, side, outcome = event.get("player_id"), event.get("side"), event.get("outcome") or ""
        minute = _minute(event)
        if kind in ON_BALL and side in last_pass:
            opponents = _other(side)
            last_pass[opponents] = None
            if kind not in ("miscontrol", "dispossessed") and not (kind == "pass" and outcome):
                ball_lost[side] = None
        if player_id is None:
            continue
        tally = tallies[player_id]
        tally.events += 1
        x, y = event.get("x"), event.get("y")
        if kind == "pass":
            if not outcome:
                tally.raw += PASS_COMPLETED
                gain = at(event.get("end_x"), event.get("end_y")) - at(x, y) if event.get("end_x") is not None else 0.0
                tally.raw += W_XT * gain
                tally.xt += gain
                last_pass[side] = event
            else:
                loss = W_FAILED_XT * at(x, y)
                tally.raw -= loss + PASS_FAILED
                tally.xt -= loss
                last_pass[side] = None
                if x is not None and x < 50:
                    ball_lost[side] = (player_id, x)
        elif kind == "carry":
            if event.get("end_x") is not None:
                gain = at(event.get("end_x"), event.get("end_y")) - at(x, y)
                tally.raw += W_XT * gain
                tally.xt += gain
        elif kind in ("dispossessed", "miscontrol"):
            loss = at(x, y)
            tally.raw -= loss + BALL_LOST
            tally.xt -= loss
            if x is None or x < 50:
                ball_lost[side] = (player_id, x if x is not None else 0.0)
        elif kind in SHOT_KINDS:
            xg = float(event.get("xg") or 0.0)
            tally.xg += xg
            tally.raw += W_SHOT_XG * xg
            goal = kind in GOAL_KINDS
            if goal or outcome in ON_TARGET_OUTCOMES:
                tally.raw += ON_TARGET
            if kind == "goal":
                tally.raw += GOAL
            elif kind == "penalty_scored":
                tally.raw += PENALTY_GOAL
            elif kind == "penalty_missed":
                tally.raw += PENALTY_MISSED
            if goal:
                tally.goals += 1
            # Who set it up: the goal's named assister, else the last completed pass to the shooter.
            creator = event.get("related_player_id") if goal else None
            setup = last_pass.get(side)
            if creator is None and setup is not None and setup.get("related_player_id") == player_id:
                creator = setup.get("player_id")
            if creator is not None and creator != player_id and not kind.startswith("penalty"):
                maker = tallies[creator]
                if maker.side is None:
                    maker.side, maker.team_id = side, event.get("team_id")
                maker.xa += xg
                maker.key_passes += 1
                maker.raw += W_XA * xg + KEY_PASS
                if goal and event.get("related_player_id") == creator:
                    maker.assists += 1
                    maker.raw += ASSIST
            last_pass[side] = None
            error = ball_lost.get(_other(side))
            if error is not None:
                tallies[error[0]].raw += ERROR_SHOT + (ERROR_GOAL if goal else 0.0)
                ball_lost[_other(side)] = None
            if not goal and outcome in SAVED_OUTCOMES:
                keeper = keeper_of(_other(side), minute)
                if keeper is not None:
                    tallies[keeper].saves += 1
                    tallies[keeper].raw += W_SAVE_XG * xg + SAVE
            if goal:
                team_goal(side, minute)
        elif kind == "own_goal":
            tally.raw += OWN_GOAL
            team_goal(_other(side), minute)
        elif kind in ("duel", "tackle"):
            if kind == "tackle" or outcome in WON_OUTCOMES:
                tally.raw += TACKLE_WON
                tally.defensive += 1
            elif outcome in LOST_OUTCOMES:
                tally.raw += TACKLE_LOST
        elif kind == "interception":
            if outcome in LOST_OUTCOMES:
                tally.raw += INTERCEPTION_LOST
            else:
                tally.raw += INTERCEPTION
                tally.defensive += 1
        elif kind in ("block", "clearance", "ball_recovery"):
            tally.raw += {"block": BLOCK, "clearance": CLEARANCE, "ball_recovery": RECOVERY}[kind]
            tally.defensive += 1
        elif kind == "dribble":
            tally.raw += DRIBBLE_WON if outcome in ("Complete", "") else DRIBBLE_LOST
        elif kind == "foul":
            tally.raw += FOUL
        elif kind == "foul_won":
            tally.raw += FOUL_WON
        elif kind == "offside":
            tally.raw += OFFSIDE
        elif kind == "yellow_card":
            tally.raw += YELLOW
            tally.cards = tally.cards or "yellow"
        elif kind in ("second_yellow", "red_card"):
            tally.raw += SECOND_YELLOW if kind == "second_yellow" else RED
            tally.cards = "red"
            tally.sent_off = minute

    ratings: dict[int, PlayerRating] = {}
    for player_id, tally in tallies.items():
        start = on_minute.get(player_id)
        if start is None:
            continue
        stop = off_minute.get(player_id, end_minute)
        if tally.sent_off is not None:
            stop = min(stop, tally.sent_off)
        minutes = max(min(stop, end_minute) - start, 0)
        if minutes < MIN_MINUTES:
            continue
        entry = lineup.get(player_id)
        ratings[player_id] = PlayerRating(
            player_id=player_id, side=tally.side, rating=to_rating(tally.raw), minutes=minutes,
            name=entry.name if entry else "", team_id=tally.team_id, raw=round(tally.raw, 4),
            goals=tally.goals, assists=tally.assists, xg=round(tally.xg, 2), xa=round(tally.xa, 2),
            key_passes=tally.key_passes, xt=round(tally.xt, 3), defensive=tally.defensive, saves=tally.saves,
            cards=tally.cards,
        )
    best = player_of_the_match(ratings.values())
    if best is not None:
        ratings[best.player_id] = replace(best, player_of_the_match=True)
    return ratings


def player_of_the_match(ratings: Iterable[PlayerRating]) -> PlayerRating | None:
    """The highest rating among those who played; ties: more minutes, then more raw points."""
    return max(ratings, key=lambda rating: (rating.rating, rating.minutes, rating.raw), default=None)


# The fitted grid, cached per process by version (a new fit is a new version).

_GRID_LOCK = threading.Lock()
_GRID: dict[str, object] = {"grid": None, "checked": 0.0}
VERSION_RECHECK_SECONDS = 60.0  # without line-ups to bring the version along, ask at most this often


def current_grid(version: int | None = -1) -> Grid:
    """The grid of ``version`` (the latest stored: from the line-up query), loading it once per process.

    ``version`` None: no grid is stored (the fallback formula). -1: not known, look it up (at most
    once a minute).
    """
    from players.models import ThreatModel

    cached = _GRID["grid"]
    if version == -1:
        if cached is not None and time.monotonic() - _GRID["checked"] < VERSION_RECHECK_SECONDS:
            return cached
        version = ThreatModel.objects.order_by("-version").values_list("version", flat=True).first()
    with _GRID_LOCK:
        cached = _GRID["grid"]
        if cached is None or cached.version != (version or 0):
            row = ThreatModel.objects.filter(version=version).values("grid", "version", "events").first() \
                if version else None
            cached = Grid.from_json(row["grid"], version=row["version"], events=row["events"]) if row \
                else fallback_grid()
            _GRID["grid"] = cached
        _GRID["checked"] = time.monotonic()
        return cached


def forget_grid() -> None:
    """Drop the cached grid (after a fit in this process; tests)."""
    _GRID["grid"] = None
    _GRID["checked"] = 0.0


def grid_note(grid: Grid) -> str:
    if grid.fitted:
        return f"Ball progression valued by expected threat (xT grid v{grid.version}, fitted on {grid.events:,} actions)."
    return ("Ball progression valued by a distance-to-goal formula: no expected-threat grid is fitted yet "
            "(manage.py fit_threat).")


def appearances_of(match) -> tuple[list[Appearance], int | None | object]:
    """The match's line-up entries, and in the same query the latest grid version (-1: no entries to say)."""
    from django.db.models import Subquery

    from matches.models import LineupEntry
    from players.models import ThreatModel

    latest = ThreatModel.objects.order_by("-version").values("version")[:1]
    rows = list(
        LineupEntry.objects.filter(lineup__match=match)
        .annotate(threat_version=Subquery(latest))
        .values("player_id", "lineup__team_id", "is_starter", "subbed_on_minute", "subbed_off_minute", "position",
                "minutes_played", "player__name", "player__known_as", "threat_version")
    )
    version = rows[0]["threat_version"] if rows else -1
    home = match.home_team_id
    entries = [
        Appearance(
            player_id=row["player_id"], side="home" if row["lineup__team_id"] == home else "away",
            # An entry with no minutes and no time on is an unused substitute.
            is_starter=row["is_starter"], subbed_on_minute=row["subbed_on_minute"],
            subbed_off_minute=row["subbed_off_minute"], position=row["position"] or "",
            name=row["player__known_as"] or row["player__name"] or "", team_id=row["lineup__team_id"],
        )
        for row in rows
    ]
    return entries, version


def match_ratings(state) -> dict[int, PlayerRating]:
    """Ratings so far of the state's match: one query (line-ups + grid version) on top of ``state.events``."""
    return state.memo("ratings", lambda: _match_ratings(state))


def ratings_grid(state) -> Grid:
    match_ratings(state)
    return state.memo("ratings_grid", fallback_grid)


def _match_ratings(state) -> dict[int, PlayerRating]:
    from matches.models import Match

    match = state.match
    events = state.events
    if not any(event.get("player_id") for event in events):
        return {}
    entries, version = appearances_of(match)
    grid = current_grid(version)
    state.memo("ratings_grid", lambda: grid)
    finished = match.status == Match.Status.FINISHED
    now = None
    if not finished and match.clock_minute:
        now = match.clock_minute
    # Rating every event is the page's dearest figure: once per version of the match, line-ups and grid.
    key = ("ratings", grid.version, hash(tuple(entries)), finished, now)
    return state.cached(key, lambda: rate_events(events, entries, grid, finished=finished, now_minute=now))
