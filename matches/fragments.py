"""The live match page's regions: one partial each, for the page, the push and the poll.

Every region (matches/regions.py: this app's own, registered by ``register()``, and those of
the apps built on it) is one template whose top-level element carries the region's stable
id, the ``seq`` it shows and, when pushed or polled, ``hx-swap-oob``. The page draws them
(``page_regions``); the live broadcast and the polling view send ``render_regions(...)``.
One template, three uses, so the first render, the push and the fallback never disagree.

Queries are fixed whatever the number of events: the key events and shots of a match
(a few dozen rows) come in one query shared by every region through ``MatchState``;
statistics are database aggregates over all events, grouped by team.
"""

from __future__ import annotations

import math
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, F, Q, Sum
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.safestring import mark_safe

from matches import regions
from matches.models import LineupEntry, Match, MatchEvent, TeamMatchStats

Kind = MatchEvent.Kind

# Kinds a goal scorer is credited with (own goals are credited to the other side).
SCORER_KINDS = frozenset({Kind.GOAL, Kind.PENALTY_SCORED})
# Kinds on the shot map: every shot, and own goals (drawn distinctly).
MAP_KINDS = MatchEvent.SHOT_KINDS | {Kind.OWN_GOAL}
# One query serves every region that lists or draws single events.
LISTED_KINDS = MatchEvent.KEY_KINDS | MatchEvent.SHOT_KINDS
CARD_KINDS = frozenset({Kind.YELLOW_CARD, Kind.SECOND_YELLOW, Kind.RED_CARD})
# Shot outcomes that reached the goal (StatsBomb names; "On Target" for feeds that say so).
ON_TARGET_OUTCOMES = ("Goal", "Saved", "Saved to Post", "Saved To Post", "On Target")
# Sources that send a corner as an event of its own rather than as a pass type.
CORNER_RAW_TYPES = ("Corner", "corner", "Corner Kick", "corner_kick")
SHOOTOUT = 5

# Football minute at which each period's regular time ends: added time is counted past it.
PERIOD_END_MINUTE = {1: 45, 2: 90, 3: 105, 4: 120, 5: 120}
PERIOD_START_LABELS = {3: "Extra time", 5: "Penalty shoot-out"}

# Shot map: the pitch is drawn in metres (105 x 68); the 0-100 frame scales onto it.
PITCH_LENGTH = 105.0
PITCH_WIDTH = 68.0
SHOT_RADIUS_PER_ROOT_XG = 3.6  # area grows with xG: r = k * sqrt(xg)
SHOT_MIN_RADIUS = 0.75
SHOT_RADIUS_NO_XG = 1.1
OWN_GOAL_SIZE = 1.6


# Loading and rendering


def load_match(match_id: int) -> Match:
    """The match with everything the regions show about it in the same row (one query)."""
    return Match.objects.select_related("competition", "season", "venue", "home_team", "away_team").get(pk=match_id)


class MatchState:
    """One render of the match page's regions: the match, and what several regions share, loaded once.

    Every region's context takes this (matches/regions.py). ``listed`` (key events and shots, a
    few dozen rows) serves the timeline, lineups, shot map, xG race, win probability and values;
    ``events`` (every on-ball event with its locations) the ratings and momentum; ``memo`` keeps
    anything else two regions need (the odds for the odds board and the prediction).
    """

    def __init__(self, match: Match, request=None):
        self.match = match
        self.request = request  # the page's reader (None in a push or poll): for per-reader regions
        self._memo: dict[str, Any] = {}

    def memo(self, key: str, compute):
        """Computed once per render."""
        if key not in self._memo:
            self._memo[key] = compute()
        return self._memo[key]

    def cached(self, key, compute):
        """Computed once per version of the match (its seq and row), in this process: for what several
        regions read (the events, the ratings); a single region's context is kept by ``draw_region``."""
        return self.memo(key, lambda: _per_version.get(self.match, key, compute))

    @property
    def listed(self) -> list[dict]:
        return self.memo("listed", lambda: _listed_events(self.match))

    @property
    def events(self) -> list[dict]:
        return self.cached("events", lambda: _all_events(self.match))

    @property
    def shots(self) -> list[dict]:
        return self.memo("shots", lambda: [event for event in self.listed
                                           if event["kind"] in MAP_KINDS and event["period"] < SHOOTOUT])


class _VersionCache:
    """Per process, for each (match, figure): the value at the latest version of the match it was asked for.

    A newer version replaces the older value (a live match keeps one copy of its events, not one per
    seq); least recently used pairs go first beyond ``size`` (a match page holds about 30: events,
    ratings, and each kept region's context and its two elements; so about twenty matches).
    """

    def __init__(self, size: int = 640):
        self.size = size
        self.entries: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, match: Match, key, compute, *, extra=None):
        slot, version = (match.pk, key), (match.last_seq, match.updated_at, extra)
        with self.lock:
            hit = self.entries.get(slot)
            if hit is not None and hit[0] == version:
                self.entries.move_to_end(slot)
                return hit[1]
        value = compute()
        with self.lock:
            self.entries[slot] = (version, value)
            self.entries.move_to_end(slot)
            while len(self.entries) > self.size:
                self.entries.popitem(last=False)
        return value


_per_version = _VersionCache()


def live_regions() -> tuple[str, ...]:
    """The match page's regions that change while the match is played, in page order."""
    return regions.refreshed_by("state")


def render_regions(match: Match, names: Iterable[str], *, seq: int, oob: bool = True,
                   state: MatchState | None = None) -> str:
    """Each region's partial once, in the order given, concatenated: what the push and the poll send."""
    state = state or MatchState(match)
    return "".join(draw_region(state, regions.region("match", name), seq=seq, oob=oob)[1] for name in _checked(names))


def draw_region(state: MatchState, region: regions.Region, *, seq: int, oob: bool) -> tuple[bool, str]:
    """(whether it has something to show, its element). A region drawn from the match alone keeps its
    context once per version of the match and its HTML per version and swap (the push's oob element,
    the page's plain one): a page view of an unchanged match, or the push after it, recomputes nothing."""
    if not region.from_match_alone:
        return _draw(state.match, region, region.context_for(state, state.request), seq=seq, oob=oob)
    version = (seq, region.model_version() if region.model_version else None)
    context = _per_version.get(state.match, ("context", region.name),
                               lambda: region.context_for(state, state.request), extra=version)
    return _per_version.get(state.match, ("region", region.name, oob),
                            lambda: _draw(state.match, region, context, seq=seq, oob=oob), extra=version)


def _draw(match: Match, region: regions.Region, context: dict | None, *, seq: int, oob: bool) -> tuple[bool, str]:
    if context is None:  # an empty hidden element, which a later push can fill
        swap = ' hx-swap-oob="true"' if oob else ""
        return False, mark_safe(f'<div id="{region.name}" data-seq="{seq}" hidden{swap}></div>')
    values = {**context, "match": match, "seq": seq, "oob": oob}
    return True, mark_safe(render_to_string(region.template, values))


def page_regions(state: MatchState) -> dict[str, Any]:
    """The whole page: the score bar's regions, and each tab with its sections (empty tabs left out).

    A live region with nothing to show yet is drawn hidden, so that the push can fill it (the
    line-ups an hour before kick-off); a region drawn with the page only is left out.
    """
    seq = state.match.last_seq
    header: dict[str, str] = {}
    tabs = {key: {"key": key, "label": label, "sections": [], "shown": False} for key, label in regions.TABS.items()}
    for region in regions.regions_of("match"):
        shown, html = draw_region(state, region, seq=seq, oob=False)
        if not shown and not region.refresh:
            continue
        if region.tab == regions.HEADER:
            header[region.name] = html
            continue
        tab = tabs[region.tab]
        tab["sections"].append({"name": region.name, "title": region.title, "html": html, "shown": shown})
        tab["shown"] = tab["shown"] or shown
    listed = [tab for tab in tabs.values() if tab["sections"]]
    return {"header": header, "tabs": listed, "first_tab": next((tab["key"] for tab in listed if tab["shown"]), "summary")}


def _checked(names: Iterable[str]) -> list[str]:
    ordered = list(dict.fromkeys(names))
    known = {region.name for region in regions.regions_of("match")}
    unknown = set(ordered) - known
    if unknown:
        raise ValueError(f"unknown regions: {', '.join(sorted(unknown))}")
    return ordered


# matches' own regions: the score bar, the timeline, statistics, shot map and xG race (players/ draws the line-ups).

EVERY_CHANGE = regions.LIVE_KINDS
ON_PLAY = frozenset({"score_update", "match_event", "shot", "stats_update", "match_status"})


def _score_context(state: MatchState) -> dict:
    match = state.match
    return {"ht_score": _ht_score(match, state.listed if _half_time_from_events(match) else [])}


def _clock_context(state: MatchState) -> dict:
    return {"clock": clock_display(state.match)}


def _events_context(state: MatchState) -> dict | None:
    timeline = _timeline(state.match, state.listed)
    return {"timeline": timeline, "last_goal": _last_goal(state.match, state.listed)} if timeline else None


def _stats_context(state: MatchState) -> dict | None:
    stats = _stats(state.match, _event_totals(state.match))
    return {"stats": stats} if stats["rows"] else None


def _shotmap_context(state: MatchState) -> dict | None:
    shotmap = _shotmap(state.match, state.shots)
    return {"shotmap": shotmap} if shotmap["count"] or shotmap["unplaced"] else None


def _xg_race_context(state: MatchState) -> dict | None:
    race = _xg_race(state.match, state.shots)
    return {"xg_race": race} if race["has_shots"] else None


def register() -> None:
    """matches' regions of the match page (MatchesConfig.ready); players/ draws the line-ups from ``lineups``."""
    for region in (
        regions.Region("score", "matches/partials/_score.html", _score_context, order=1, tab=regions.HEADER,
                       refresh=frozenset({"score_update", "match_status"}), from_match_alone=True),
        regions.Region("clock", "matches/partials/_clock.html", _clock_context, order=2, tab=regions.HEADER,
                       refresh=EVERY_CHANGE),
        regions.Region("status", "matches/partials/_status.html", _clock_context, order=3, tab=regions.HEADER,
                       refresh=EVERY_CHANGE),
        regions.Region("events", "matches/partials/_events.html", _events_context, order=10, title="Timeline",
                       refresh=frozenset({"score_update", "match_event", "match_status"}), from_match_alone=True),
        regions.Region("stats", "matches/partials/_stats.html", _stats_context, order=10, tab="stats",
                       title="Team statistics", refresh=ON_PLAY, from_match_alone=True),
        regions.Region("shotmap", "matches/partials/_shotmap.html", _shotmap_context, order=10, tab="shots",
                       title="Shot map", refresh=frozenset({"score_update", "shot", "match_status"}), from_match_alone=True),
        regions.Region("xg-race", "matches/partials/_xg_race.html", _xg_race_context, order=20, tab="shots",
                       title="xG race", refresh=frozenset({"score_update", "shot", "match_status"}), from_match_alone=True),
    ):
        regions.register_region("match", region)



# Events in match order


def match_order() -> list:
    """Period, football minute, added time, second, then the source's and our own order."""
    return [
        "period", "minute", F("added_minute").asc(nulls_first=True), "second",
        F("source_index").asc(nulls_last=True), "seq",
    ]


def _listed_events(match: Match) -> list[dict]:
    """Key events and shots (a few dozen rows, never the whole feed), in match order."""
    rows = list(
        MatchEvent.objects.filter(match=match, kind__in=LISTED_KINDS)
        .order_by(*match_order())
        .values(
            "id", "seq", "kind", "period", "minute", "added_minute", "second", "team_id",
            "player_id", "player__name", "player__known_as",
            "related_player_id", "related_player__name", "related_player__known_as",
            "x", "y", "xg", "model_xg", "outcome", "body_part", "situation",
        )
    )
    for row in rows:
        row["side"] = side_of(match, row["team_id"])
        row["player"] = row["player__known_as"] or row["player__name"] or ""
        row["related"] = row["related_player__known_as"] or row["related_player__name"] or ""
        row["minute_display"] = minute_display(row["minute"], row["added_minute"])
    return rows


# What every on-ball event needs for ratings and momentum (players/), a few thousand short rows.
EVENT_FIELDS = ("seq", "kind", "period", "minute", "added_minute", "second", "team_id", "player_id",
                "related_player_id", "x", "y", "end_x", "end_y", "xg", "outcome", "situation")


def _all_events(match: Match) -> list[dict]:
    """Every event of the match in match order, with ``side`` ("home", "away" or None)."""
    rows = list(MatchEvent.objects.filter(match=match).order_by(*match_order()).values(*EVENT_FIELDS))
    for row in rows:
        row["side"] = side_of(match, row["team_id"])
    return rows


def side_of(match: Match, team_id: int | None) -> str | None:
    if team_id == match.home_team_id:
        return "home"
    if team_id == match.away_team_id:
        return "away"
    return None


def other(side: str | None) -> str | None:
    return {"home": "away", "away": "home"}.get(side)


def credited_side(event: dict) -> str | None:
    """The side a scoring event counts for: an own goal counts for the opponents."""
    return other(event["side"]) if event["kind"] == Kind.OWN_GOAL else event["side"]


def minute_display(minute: int | None, added: int | None) -> str:
    if minute is None:
        return ""
    return f"{minute}+{added}'" if added else f"{minute}'"


# Score, clock, status


def clock_display(match: Match) -> dict[str, str]:
    """What the clock shows: the minute while play is on, else the state in words."""
    status, period = match.status, match.period
    if status == Match.Status.LIVE:
        if period == Match.Period.HALF_TIME:
            return {"text": "", "state": "ht"}
        if period == Match.Period.PENALTIES:
            return {"text": "Penalties", "state": "live"}
        if match.clock_minute:
            return {"text": minute_display(match.clock_minute, match.clock_added), "state": "live"}
        return {"text": "", "state": "live"}
    if status == Match.Status.FINISHED:
        if match.home_penalty_score is not None:
            return {"text": "After penalties", "state": "ft"}
        if period in (Match.Period.EXTRA_TIME, Match.Period.PENALTIES):
            return {"text": "After extra time", "state": "ft"}
        return {"text": "", "state": "ft"}
    if status == Match.Status.SCHEDULED:
        return {"text": "", "state": "scheduled"}
    return {"text": "", "state": status}


def _half_time_from_events(match: Match) -> bool:
    """The half-time score is not stored but the events can tell it."""
    if match.home_ht_score is not None or match.last_seq == 0:
        return False
    return match.status == Match.Status.FINISHED or match.period not in (Match.Period.NONE, Match.Period.FIRST_HALF)


def _last_goal(match: Match, listed: list[dict]) -> str:
    """What a screen reader says when a goal is pushed: "Goal! Turkey 0, Italy 1: Immobile 66'"."""
    score = {"home": 0, "away": 0}
    last = None
    for event in listed:
        if event["kind"] in MatchEvent.SCORING_KINDS and event["period"] < SHOOTOUT:
            score[credited_side(event)] += 1
            last = (event, dict(score))
    if last is None:
        return ""
    event, after = last
    who = event["player"] or "unknown player"
    scorer = f"{who} (own goal)" if event["kind"] == Kind.OWN_GOAL else who
    return (f"Goal! {match.home_team.display_name} {after['home']}, {match.away_team.display_name} {after['away']}: "
            f"{scorer} {event['minute_display']}")


def _ht_score(match: Match, listed: list[dict]) -> tuple[int, int] | None:
    if match.home_ht_score is not None:
        return match.home_ht_score, match.away_ht_score
    if not _half_time_from_events(match):
        return None
    goals = Counter(
        credited_side(event) for event in listed if event["period"] == 1 and event["kind"] in MatchEvent.SCORING_KINDS
    )
    return goals["home"], goals["away"]


# Timeline


def _timeline(match: Match, listed: list[dict]) -> list[dict]:
    """Key events in match order with the running score; period ends as dividers."""
    rows = []
    score = {"home": 0, "away": 0}
    shootout = {"home": 0, "away": 0}
    last_period = max((event["period"] for event in listed), default=0)
    for event in listed:
        kind = event["kind"]
        if kind not in MatchEvent.KEY_KINDS:
            continue
        row = {**event, "icon": kind, "score": None, "divider": None}
        if kind == Kind.PERIOD_START:
            label = PERIOD_START_LABELS.get(event["period"])
            if not label:
                continue
            row["divider"] = label
        elif kind == Kind.PERIOD_END:
            row["divider"] = _period_end_label(match, event["period"], last_period)
            row["score"] = f"{score['home']}–{score['away']}" if event["period"] < SHOOTOUT else (
                f"{shootout['home']}–{shootout['away']}"
            )
        elif event["period"] == SHOOTOUT and kind in (Kind.PENALTY_SCORED, Kind.PENALTY_MISSED):
            if kind == Kind.PENALTY_SCORED and event["side"]:
                shootout[event["side"]] += 1
            row["label"] = "Shoot-out penalty scored" if kind == Kind.PENALTY_SCORED else "Shoot-out penalty missed"
            row["score"] = f"{shootout['home']}–{shootout['away']}"
        elif kind in MatchEvent.SCORING_KINDS:
            side = credited_side(event)
            if side:
                score[side] += 1
            row["side"] = side
            row["score"] = f"{score['home']}–{score['away']}"
            row["label"] = {Kind.GOAL: "Goal", Kind.PENALTY_SCORED: "Penalty", Kind.OWN_GOAL: "Own goal"}[kind]
        else:
            row["label"] = _event_label(event)
        rows.append(row)
    return rows


def _period_end_label(match: Match, period: int, last_period: int) -> str:
    if period == 1:
        return "Half-time"
    if period == 2:
        return "End of normal time" if last_period > 2 else "Full-time"
    if period == 3:
        return "Extra time half-time"
    if period == 4:
        return "End of extra time"
    return "End of shoot-out"


def _event_label(event: dict) -> str:
    kind = event["kind"]
    if kind == Kind.PENALTY_MISSED:
        return f"Penalty missed ({event['outcome'].lower()})" if event["outcome"] else "Penalty missed"
    if kind == Kind.VAR:
        return f"VAR: {event['outcome']}" if event["outcome"] else "VAR decision"
    return Kind(kind).label


# Lineups

POSITION_ORDER = (("goalkeeper", 0), ("back", 1), ("defender", 1), ("defensive", 2), ("midfield", 3),
                  ("wing", 4), ("forward", 5), ("striker", 5), ("attack", 5))


def position_rank(position: str) -> int:
    folded = position.casefold()
    for word, rank in POSITION_ORDER:
        if word in folded:
            return rank
    return 6


def position_abbr(position: str) -> str:
    """ "Right Center Back" -> "RCB", "Goalkeeper" -> "GK"; short codes stay as they are."""
    if len(position) <= 3:
        return position.upper()
    if position.casefold() == "goalkeeper":
        return "GK"
    return "".join(word[0] for word in position.split()).upper()


def lineups(match: Match, listed: list[dict]) -> list[dict]:
    """Each side's starters (goalkeeper first) and bench, with their marks from the key events (one query).

    players/ draws them (the line-ups region, on a pitch); a row is the player's id, page url,
    name, shirt number, position (and its abbreviation), minutes played when known, marks
    (goals, assists, cards, substitutions) and whether he played.
    """
    entries = (
        LineupEntry.objects.filter(lineup__match=match)
        .order_by()
        .values(
            "lineup__team_id", "lineup__formation", "player_id", "player__name", "player__known_as",
            "shirt_number", "position", "is_starter", "subbed_on_minute", "subbed_off_minute", "minutes_played",
        )
    )
    marks = _player_marks(listed)
    subs_from_events = any(event["kind"] == Kind.SUBSTITUTION for event in listed)
    teams: dict[str, dict] = {}
    for entry in entries:
        side = side_of(match, entry["lineup__team_id"])
        if side is None:
            continue
        team = teams.setdefault(side, {
            "side": side, "team": match.home_team if side == "home" else match.away_team,
            "formation": entry["lineup__formation"], "starters": [], "bench": [],
        })
        player_marks = list(marks.get(entry["player_id"], ()))
        if not subs_from_events:
            if entry["subbed_on_minute"]:
                player_marks.append({"cls": "on", "text": f"{entry['subbed_on_minute']}'", "title": "Came on"})
            if entry["subbed_off_minute"]:
                player_marks.append({"cls": "off", "text": f"{entry['subbed_off_minute']}'", "title": "Went off"})
        row = {
            "player_id": entry["player_id"],
            "url": reverse("players:player", args=[entry["player_id"]]),
            "name": entry["player__known_as"] or entry["player__name"],
            "number": entry["shirt_number"],
            "position": entry["position"],
            "pos": position_abbr(entry["position"]),
            "minutes": entry["minutes_played"],
            "marks": player_marks,
            "played": entry["is_starter"] or any(mark["cls"] == "on" for mark in player_marks),
        }
        team["starters" if entry["is_starter"] else "bench"].append((entry, row))
    result = []
    for side in ("home", "away"):
        if side not in teams:
            continue
        team = teams[side]
        team["starters"] = [row for entry, row in sorted(
            team["starters"], key=lambda pair: (position_rank(pair[0]["position"]), pair[0]["shirt_number"] or 999))]
        team["bench"] = [row for entry, row in sorted(
            team["bench"], key=lambda pair: (not pair[1]["played"], pair[0]["shirt_number"] or 999))]
        team["groups"] = [group for group in (
            {"role": "starters", "title": "", "players": team["starters"]},
            {"role": "bench", "title": "Substitutes", "players": team["bench"]},
        ) if group["players"]]
        result.append(team)
    return result


def _player_marks(listed: list[dict]) -> dict[int, list[dict]]:
    """Per player, in match order: goals, own goals, assists, cards, substitutions."""
    goals: Counter = Counter()
    own_goals: Counter = Counter()
    assists: Counter = Counter()
    marks: dict[int, list[dict]] = defaultdict(list)
    for event in listed:
        kind, player, related = event["kind"], event["player_id"], event["related_player_id"]
        if event["period"] == SHOOTOUT:
            continue
        if kind in SCORER_KINDS and player:
            goals[player] += 1
            if related:
                assists[related] += 1
        elif kind == Kind.OWN_GOAL and player:
            own_goals[player] += 1
        elif kind in CARD_KINDS and player:
            title = f"{Kind(kind).label} {event['minute_display']}"
            marks[player].append({"cls": kind.replace("_", "-"), "text": "", "title": title})
        elif kind == Kind.SUBSTITUTION:
            if player:
                marks[player].append({"cls": "off", "text": event["minute_display"], "title": "Went off"})
            if related:
                marks[related].append({"cls": "on", "text": event["minute_display"], "title": "Came on"})
    ordered: dict[int, list[dict]] = defaultdict(list)
    for cls, counts, short, word in (("goal", goals, "", "goal"), ("og", own_goals, "OG", "own goal"),
                                     ("assist", assists, "A", "assist")):
        for player, count in counts.items():
            text = short if count == 1 else f"{short}×{count}" if short else str(count)
            ordered[player].append({"cls": cls, "text": text, "title": _plural(count, word)})
    for player, player_marks in marks.items():
        ordered[player].extend(player_marks)
    return ordered


def _plural(count: int, word: str) -> str:
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


# Statistics


def _stats(match: Match, aggregates: dict[int, dict]) -> dict[str, Any]:
    """Team statistics from the events when the feed has them (``_event_totals``), else from the match report."""
    empty: dict[str, Any] = {}
    home = aggregates.get(match.home_team_id, empty)
    away = aggregates.get(match.away_team_id, empty)
    has_feed = any(row["feed"] for row in aggregates.values())
    if has_feed:
        return {"source": "events", "rows": _event_stat_rows(home, away)}
    report = {row.team_id: row for row in TeamMatchStats.objects.filter(match=match)}
    if report:
        rows = _report_stat_rows(report.get(match.home_team_id), report.get(match.away_team_id))
        return {"source": "report", "rows": rows}
    if aggregates:  # key events only (a live feed without passes and shots): the cards are right
        rows = [_stat_row(key, label, home.get(key, 0), away.get(key, 0))
                for key, label in (("yellow_cards", "Yellow cards"), ("red_cards", "Red cards"))]
        return {"source": "events", "rows": rows}
    return {"source": None, "rows": []}


def _event_totals(match: Match) -> dict[int, dict]:
    """Team id -> the events' counts (shots, passes, cards ...): one aggregate query over the whole feed."""
    in_play = MatchEvent.objects.filter(match=match, period__lt=SHOOTOUT)
    shots = Q(kind__in=MatchEvent.SHOT_KINDS)
    passes = Q(kind=Kind.PASS)
    return {
        row["team_id"]: row
        for row in in_play.order_by().values("team_id").annotate(
            events=Count("id"),
            feed=Count("id", filter=~Q(kind__in=MatchEvent.KEY_KINDS)),
            shots=Count("id", filter=shots),
            on_target=Count("id", filter=shots & (Q(kind__in=SCORER_KINDS) | Q(outcome__in=ON_TARGET_OUTCOMES))),
            xg=Sum("xg", filter=shots),
            passes=Count("id", filter=passes),
            passes_complete=Count("id", filter=passes & Q(outcome="")),
            corners=Count("id", filter=(passes & Q(details__type="Corner")) | Q(raw_type__in=CORNER_RAW_TYPES)),
            fouls=Count("id", filter=Q(kind=Kind.FOUL) | Q(kind__in=CARD_KINDS, raw_type="Foul Committed")),
            offsides=Count("id", filter=Q(kind=Kind.OFFSIDE) | (passes & Q(outcome="Pass Offside"))),
            yellow_cards=Count("id", filter=Q(kind=Kind.YELLOW_CARD)),
            red_cards=Count("id", filter=Q(kind__in=(Kind.SECOND_YELLOW, Kind.RED_CARD))),
        )
    }


def _event_stat_rows(home: dict, away: dict) -> list[dict]:
    def value(row: dict, key: str):
        return row.get(key) or 0

    rows = []
    home_passes, away_passes = value(home, "passes"), value(away, "passes")
    if home_passes + away_passes:
        rows.append(_stat_row("possession", "Possession", round(100 * home_passes / (home_passes + away_passes)),
                              round(100 * away_passes / (home_passes + away_passes)), suffix="%"))
    if home.get("xg") is not None or away.get("xg") is not None:
        rows.append(_stat_row("xg", "Expected goals (xG)", value(home, "xg"), value(away, "xg"), decimals=2))
    rows.append(_stat_row("shots", "Shots", value(home, "shots"), value(away, "shots")))
    rows.append(_stat_row("on_target", "Shots on target", value(home, "on_target"), value(away, "on_target")))
    if home_passes + away_passes:
        rows.append(_stat_row("passes", "Passes", home_passes, away_passes))
        rows.append(_stat_row(
            "pass_accuracy", "Pass accuracy",
            round(100 * value(home, "passes_complete") / home_passes) if home_passes else 0,
            round(100 * value(away, "passes_complete") / away_passes) if away_passes else 0,
            suffix="%",
        ))
    for key, label in (("corners", "Corners"), ("fouls", "Fouls"), ("offsides", "Offsides"),
                       ("yellow_cards", "Yellow cards"), ("red_cards", "Red cards")):
        rows.append(_stat_row(key, label, value(home, key), value(away, key)))
    return rows


REPORT_STATS = (
    ("possession", "Possession"), ("xg", "Expected goals (xG)"), ("shots", "Shots"),
    ("shots_on_target", "Shots on target"), ("corners", "Corners"), ("fouls", "Fouls"),
    ("offsides", "Offsides"), ("yellow_cards", "Yellow cards"), ("red_cards", "Red cards"),
)


def _report_stat_rows(home: TeamMatchStats | None, away: TeamMatchStats | None) -> list[dict]:
    rows = []
    for key, label in REPORT_STATS:
        home_value = getattr(home, key, None) if home else None
        away_value = getattr(away, key, None) if away else None
        if home_value is None and away_value is None:
            continue
        rows.append(_stat_row(
            "on_target" if key == "shots_on_target" else key, label, home_value or 0, away_value or 0,
            suffix="%" if key == "possession" else "", decimals=2 if key == "xg" else 0,
        ))
    return rows


def _stat_row(key: str, label: str, home: float, away: float, *, suffix: str = "", decimals: int = 0) -> dict:
    total = home + away
    share = 50.0 if not total else round(100 * home / total, 1)
    return {
        "key": key, "label": label, "home": home, "away": away,
        "home_display": f"{home:.{decimals}f}{suffix}", "away_display": f"{away:.{decimals}f}{suffix}",
        "home_share": share, "away_share": round(100 - share, 1),
        "leader": "home" if home > away else "away" if away > home else "",
    }


# Shot map


def _shotmap(match: Match, shots: list[dict]) -> dict[str, Any]:
    """Both teams on one pitch: home attacks right, away attacks left (its frame turned 180°)."""
    marks = []
    totals = {side: {"shots": 0, "goals": 0, "xg": 0.0} for side in ("home", "away")}
    unplaced = 0
    for shot in shots:
        side = shot["side"]
        if side is None:
            continue
        own_goal = shot["kind"] == Kind.OWN_GOAL
        goal = shot["kind"] in SCORER_KINDS
        credited = credited_side(shot)
        if not own_goal:
            totals[side]["shots"] += 1
            totals[side]["xg"] += shot["xg"] or 0.0
        if goal or own_goal:
            totals[credited]["goals"] += 1
        if shot["x"] is None or shot["y"] is None:
            unplaced += 1
            continue
        x, y = (shot["x"], shot["y"]) if side == "home" else (100 - shot["x"], 100 - shot["y"])
        radius = OWN_GOAL_SIZE if own_goal else shot_radius(shot["xg"])
        marks.append({
            "seq": shot["seq"], "side": credited if own_goal else side, "goal": goal, "own_goal": own_goal,
            "cx": round(x * PITCH_LENGTH / 100, 2), "cy": round(y * PITCH_WIDTH / 100, 2), "r": round(radius, 2),
            "title": _shot_title(shot, goal, own_goal),
        })
        if own_goal:  # a diamond: a square of side 2r turned about its centre
            marks[-1].update(x0=round(marks[-1]["cx"] - radius, 2), y0=round(marks[-1]["cy"] - radius, 2),
                             size=round(2 * radius, 2))
    # Big chances underneath, goals on top, so that nothing small hides behind a large circle.
    marks.sort(key=lambda mark: (mark["goal"] or mark["own_goal"], -mark["r"]))
    for side in totals.values():
        side["xg"] = round(side["xg"], 2)
    return {"marks": marks, "totals": totals, "unplaced": unplaced, "count": len(marks)}


def shot_radius(xg: float | None) -> float:
    """A shot's circle on the pitch (metres): its area grows with xG (the player page draws it too)."""
    if xg is None:
        return SHOT_RADIUS_NO_XG
    return max(SHOT_MIN_RADIUS, SHOT_RADIUS_PER_ROOT_XG * math.sqrt(xg))


def _shot_title(shot: dict, goal: bool, own_goal: bool) -> str:
    who = shot["player"] or "Unknown player"
    if own_goal:
        return f"{who} (own goal) {shot['minute_display']}"
    xg = f"xG {shot['xg']:.2f}" if shot["xg"] is not None else "xG n/a"
    outcome = "Goal" if goal else (shot["outcome"] or "Shot")
    if shot["kind"] in (Kind.PENALTY_SCORED, Kind.PENALTY_MISSED):
        outcome = f"Penalty – {outcome}"
    return f"{who} {shot['minute_display']} · {xg} · {outcome}"


# xG race


def _xg_race(match: Match, shots: list[dict]) -> dict[str, Any]:
    """Cumulative xG per side over elapsed minutes, as a step chart's series, plus totals."""
    t, home, away, labels = [0.0], [0.0], [0.0], [""]
    goals: dict[str, list[int]] = {"home": [], "away": []}
    totals = {"home": 0.0, "away": 0.0}
    last_period = 1
    counted = 0
    for shot in shots:
        side = shot["side"]
        if side is None:
            continue
        last_period = max(last_period, shot["period"])
        counted += 1
        own_goal = shot["kind"] == Kind.OWN_GOAL
        if not own_goal and shot["xg"] is None:
            continue
        if not own_goal:
            totals[side] += shot["xg"]
        t.append(max(t[-1], elapsed_minutes(shot["period"], shot["minute"], shot["added_minute"], shot["second"])))
        home.append(round(totals["home"], 3))
        away.append(round(totals["away"], 3))
        index = len(t) - 1
        if own_goal:
            goals[credited_side(shot)].append(index)
            labels.append(f"{shot['minute_display']} {shot['player']} (own goal)")
        else:
            if shot["kind"] in SCORER_KINDS:
                goals[side].append(index)
            labels.append(f"{shot['minute_display']} {shot['player']} xG {shot['xg']:.2f}")
    end = _race_end(match, t[-1], last_period)
    t.append(max(end, t[-1]))
    home.append(home[-1])
    away.append(away[-1])
    labels.append("")
    return {
        "has_shots": len(t) > 2,
        "shots": counted,
        "totals": {side: round(value, 2) for side, value in totals.items()},
        "series": {
            "home": match.home_team.display_name, "away": match.away_team.display_name,
            "t": [round(value, 2) for value in t], "home_xg": home, "away_xg": away,
            "labels": labels, "goals": goals, "end": round(t[-1], 2),
        },
    }


def elapsed_minutes(period: int, minute: int, added: int | None, second: int) -> float:
    """Minutes elapsed on the match clock; added time is drawn at the end of its period."""
    if added:
        return float(PERIOD_END_MINUTE.get(period, minute))
    return max(0.0, minute - 1 + second / 60)


def _race_end(match: Match, last: float, last_period: int) -> float:
    if match.status == Match.Status.LIVE and match.clock_minute:
        return float(match.clock_minute)
    if match.status == Match.Status.FINISHED:
        return 120.0 if last_period >= 3 or match.period in (Match.Period.EXTRA_TIME, Match.Period.PENALTIES) else 90.0
    return last
