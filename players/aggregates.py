"""Players' season aggregates: computed from lineups and key events, stored in PlayerSeasonStats.

``match_lines`` sums a player's match (his "line": minutes, goals, assists, shots, xG,
cards) for every player and finished match it is asked about, in three grouped queries
whatever the number of players or matches. ``recompute_player_seasons`` adds the lines
up per (player, season, team) and writes each season with one bulk upsert; the player
page's match log shows the same lines, so the season table and the log never disagree.

Counting rules:

- Only finished matches count (a live match is counted once it finishes).
- Appearance: starting, a lineup's minutes above 0, coming on (lineup or substitution
  event), or, without such information, a shot, goal, own goal, assist or being
  substituted off. An unused substitute (0 minutes) has not appeared.
- Minutes: the lineup's ``minutes_played``; unknown minutes add 0.
- Goals: goals and scored penalties before a shoot-out; own goals are not the player's
  goals. Scored and taken penalties are also counted on their own.
- Assists: the ``related_player`` of a goal or scored penalty (sources put the assister
  there; a pass's related player, its recipient, is not an assist).
- Shots: goals, penalties and other shots before a shoot-out. On target: goals and the
  outcomes in ``matches.fragments.ON_TARGET_OUTCOMES``; unknown (None) when a match with
  his shots gives no outcome for any of them.
- xG: per shot, the provider's xG, else our model's (``MatchEvent.model_xg``); None when
  he shot and no shot has either.
- Cards: yellow cards; red cards and second yellows as red cards.
- Team: the lineup's; without a lineup entry, the team of his events.
- A stored match line (``PlayerMatchStats``: FPL's gameweek rows, API-Football's player
  statistics) wins over what the events say for the same player and match: its team,
  minutes, start, goals, assists, own goals and cards; its xG when it gives one. Shots,
  penalties and on-target stay the events' (no such line gives them). It appeared when its
  minutes are above 0. Expected assists, clean sheets, goals conceded and saves come only
  from such lines: a season row's is empty when none of its lines gives it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce

from matches.aggregates import season_ids_of
from matches.fragments import ON_TARGET_OUTCOMES
from matches.models import LineupEntry, Match, MatchEvent, Season
from players.models import PlayerMatchStats, PlayerSeasonStats

logger = logging.getLogger(__name__)

Kind = MatchEvent.Kind
SHOOTOUT = 5
SCORED = (Kind.GOAL, Kind.PENALTY_SCORED)
PENALTIES = (Kind.PENALTY_SCORED, Kind.PENALTY_MISSED)
RED = (Kind.RED_CARD, Kind.SECOND_YELLOW)
# Events a player does (shots, goals, cards, going off) and events that name him second
# (his assist, his coming on): the few kinds a line needs, never the whole feed.
ACTOR_KINDS = tuple(MatchEvent.SHOT_KINDS | {Kind.OWN_GOAL, Kind.YELLOW_CARD, *RED, Kind.SUBSTITUTION})
RELATED_KINDS = (*SCORED, Kind.SUBSTITUTION)

# Counts a season row sums from its match lines as they are.
EVENT_COUNTS = ("goals", "penalty_goals", "penalty_attempts", "assists", "shots", "yellow_cards", "red_cards")


@dataclass
class MatchLine:
    """One player's figures in one finished match."""

    player_id: int
    match_id: int
    season_id: int
    team_id: int | None = None
    in_lineup: bool = False
    position: str = ""  # as the lineup names it: "Center Forward"
    started: bool = False
    appeared: bool = False
    minutes: int | None = None
    goals: int = 0
    penalty_goals: int = 0
    penalty_attempts: int = 0
    own_goals: int = 0
    assists: int = 0
    shots: int = 0
    shots_on_target: int | None = 0
    xg: float | None = None
    yellow_cards: int = 0
    red_cards: int = 0
    # Only from a stored match line (None: no source says).
    xa: float | None = None
    clean_sheet: bool | None = None
    goals_conceded: int | None = None
    saves: int | None = None
    rating: float | None = None  # our 0-10 rating (players.ratings), stored for event-fed matches
    stored: bool = False  # a PlayerMatchStats row gave this line
    start_unknown: bool = False  # its source does not say whether he started (FPL 2022/23 before gameweek 16)

    @property
    def shots_known(self) -> bool:
        """Whether his shots and penalties in this match are known: events or a lineup describe
        the match for him. A stored line alone (FPL's) says nothing about shots."""
        return not self.stored or self.in_lineup or self.shots > 0

    @property
    def counts(self) -> bool:
        """Whether this line belongs in his season: he played, or something he did counts."""
        return self.appeared or any(
            getattr(self, name) for name in ("goals", "assists", "shots", "yellow_cards", "red_cards"))


def match_lines(*, season_ids: Iterable[int] | None = None, player_id: int | None = None
                ) -> dict[tuple[int, int], MatchLine]:
    """(player id, match id) -> line, for finished matches of the given seasons and/or player.

    Four queries: lineup entries, events the players did, events that name them second, and
    the stored match lines (which win over the events for the figures they give).
    """
    entry_filter = Q(lineup__match__status=Match.Status.FINISHED)
    event_filter = Q(match__status=Match.Status.FINISHED)
    if season_ids is not None:
        season_ids = list(season_ids)
        entry_filter &= Q(lineup__match__season_id__in=season_ids)
        event_filter &= Q(match__season_id__in=season_ids)
    actor, related, stored = event_filter, event_filter, event_filter
    if player_id is not None:
        entry_filter &= Q(player_id=player_id)
        actor &= Q(player_id=player_id)
        related &= Q(related_player_id=player_id)
        stored &= Q(player_id=player_id)

    lines: dict[tuple[int, int], MatchLine] = {}

    def line(player: int, match: int, season: int) -> MatchLine:
        key = (player, match)
        if key not in lines:
            lines[key] = MatchLine(player_id=player, match_id=match, season_id=season)
        return lines[key]

    entries = LineupEntry.objects.filter(entry_filter).values_list(
        "player_id", "lineup__match_id", "lineup__match__season_id", "lineup__team_id",
        "is_starter", "minutes_played", "subbed_on_minute", "position",
    ).order_by()
    for player, match, season, team, starter, minutes, subbed_on, position in entries:
        current = line(player, match, season)
        current.in_lineup, current.team_id, current.started, current.minutes = True, team, starter, minutes
        current.position = position
        current.appeared = starter or bool(minutes) or subbed_on is not None

    shot = Q(kind__in=MatchEvent.SHOT_KINDS, period__lt=SHOOTOUT)
    own = ~Q(kind=Kind.OWN_GOAL)  # some sources file an own goal under the side it counts for
    done = (
        MatchEvent.objects.filter(actor, kind__in=ACTOR_KINDS, player_id__isnull=False)
        .values("player_id", "match_id", "match__season_id")
        .annotate(
            team=Coalesce(Max("team_id", filter=own), Max("team_id")),
            goals=Count("pk", filter=Q(kind__in=SCORED, period__lt=SHOOTOUT)),
            penalty_goals=Count("pk", filter=Q(kind=Kind.PENALTY_SCORED, period__lt=SHOOTOUT)),
            penalty_attempts=Count("pk", filter=Q(kind__in=PENALTIES, period__lt=SHOOTOUT)),
            own_goals=Count("pk", filter=Q(kind=Kind.OWN_GOAL)),
            shots=Count("pk", filter=shot),
            with_outcome=Count("pk", filter=shot & ~Q(outcome="")),
            on_target=Count("pk", filter=shot & (Q(kind__in=SCORED) | Q(outcome__in=ON_TARGET_OUTCOMES))),
            xg=Sum(Coalesce("xg", "model_xg"), filter=shot),
            yellow=Count("pk", filter=Q(kind=Kind.YELLOW_CARD)),
            red=Count("pk", filter=Q(kind__in=RED)),
            went_off=Count("pk", filter=Q(kind=Kind.SUBSTITUTION)),
        )
        .order_by()
    )
    for row in done:
        current = line(row["player_id"], row["match_id"], row["match__season_id"])
        current.team_id = current.team_id or row["team"]
        current.goals, current.penalty_goals, current.penalty_attempts = (
            row["goals"], row["penalty_goals"], row["penalty_attempts"])
        current.own_goals, current.shots, current.xg = row["own_goals"], row["shots"], row["xg"]
        current.shots_on_target = row["on_target"] if row["with_outcome"] or not row["shots"] else None
        current.yellow_cards, current.red_cards = row["yellow"], row["red"]
        current.appeared = current.appeared or bool(row["shots"] or row["own_goals"] or row["went_off"])

    named = (
        MatchEvent.objects.filter(related, kind__in=RELATED_KINDS, related_player_id__isnull=False)
        .values("related_player_id", "match_id", "match__season_id")
        .annotate(
            team=Max("team_id"),
            assists=Count("pk", filter=Q(kind__in=SCORED, period__lt=SHOOTOUT)),
            came_on=Count("pk", filter=Q(kind=Kind.SUBSTITUTION)),
        )
        .order_by()
    )
    for row in named:
        current = line(row["related_player_id"], row["match_id"], row["match__season_id"])
        current.team_id = current.team_id or row["team"]
        current.assists = row["assists"]
        current.appeared = current.appeared or bool(row["assists"] or row["came_on"])

    rows = PlayerMatchStats.objects.filter(stored).values_list(
        "player_id", "match_id", "match__season_id", "team_id", "minutes", "started", "goals", "assists",
        "own_goals", "xg", "xa", "clean_sheet", "goals_conceded", "saves", "yellow_cards", "red_cards",
    ).order_by()
    for (player, match, season, team, minutes, started, goals, assists, own_goals, xg, xa, clean_sheet,
         conceded, saves, yellow, red) in rows:
        current = line(player, match, season)
        current.stored, current.team_id, current.minutes = True, team, minutes
        if started is not None:
            current.started = started
        current.start_unknown = started is None and not current.in_lineup
        current.appeared = minutes > 0
        current.goals, current.assists, current.own_goals = goals, assists, own_goals
        current.yellow_cards, current.red_cards = yellow, red
        current.xg = xg if xg is not None else current.xg
        current.xa, current.clean_sheet, current.goals_conceded, current.saves = xa, clean_sheet, conceded, saves

    for current in lines.values():
        if current.stored:
            continue  # the source's own figures, as it gave them
        if current.shots and current.xg is None:
            continue  # he shot, nobody rated the shots
        current.xg = current.xg or 0.0
    return lines


def season_rows(lines: Iterable[MatchLine]) -> dict[int, dict[tuple[int, int], PlayerSeasonStats]]:
    """Season id -> {(player id, team id): unsaved row}, summed from match lines."""
    seasons: dict[int, dict[tuple[int, int], PlayerSeasonStats]] = {}
    rated: set[tuple[int, int, int]] = set()  # rows with a shot that has an xG
    for line in lines:
        if not line.counts or line.team_id is None:
            continue
        rows = seasons.setdefault(line.season_id, {})
        key = (line.player_id, line.team_id)
        row = rows.get(key)
        if row is None:
            row = rows[key] = PlayerSeasonStats(
                player_id=line.player_id, season_id=line.season_id, team_id=line.team_id,
                appearances=0, starts=0, minutes=0, shots_on_target=0, shots_matches=0,
                **{name: 0 for name in EVENT_COUNTS})
        row.appearances += line.appeared
        row.starts += line.started
        row.shots_matches += line.shots_known
        row.minutes += line.minutes or 0
        for name in EVENT_COUNTS:
            setattr(row, name, getattr(row, name) + getattr(line, name))
        if line.shots_on_target is None or row.shots_on_target is None:
            row.shots_on_target = None
        else:
            row.shots_on_target += line.shots_on_target
        if line.xg is not None:
            row.xg = (row.xg or 0.0) + line.xg
            if line.shots or line.stored:
                rated.add((line.season_id, *key))
        if line.xa is not None:
            row.xa = round((row.xa or 0.0) + line.xa, 4)
        if line.clean_sheet is not None:
            row.clean_sheets = (row.clean_sheets or 0) + line.clean_sheet
        for name in ("goals_conceded", "saves"):
            if getattr(line, name) is not None:
                setattr(row, name, (getattr(row, name) or 0) + getattr(line, name))
    for season_id, rows in seasons.items():
        for key, row in rows.items():
            if row.shots and (season_id, *key) not in rated:
                row.xg = None
            elif row.xg is not None:
                row.xg = round(row.xg, 4)
    return seasons


UPDATED_FIELDS = [f.name for f in PlayerSeasonStats._meta.concrete_fields
                  if f.name not in ("id", "player", "season", "team")]


def recompute_player_seasons(seasons_or_matches: Iterable[Season | Match] | QuerySet) -> dict[int, int]:
    """Recompute every player's row of the seasons given (or of the seasons of the matches given).

    Idempotent: a second run writes the same values. Returns season id -> rows stored.
    Rows that no longer have a match behind them (a match corrected, players merged) go.
    """
    season_ids = sorted(season_ids_of(seasons_or_matches))
    if not season_ids:
        return {}
    computed = season_rows(match_lines(season_ids=season_ids).values())
    stored: dict[int, dict[tuple[int, int], int]] = {}
    for pk, season, player, team in PlayerSeasonStats.objects.filter(season_id__in=season_ids).values_list(
            "pk", "season_id", "player_id", "team_id"):
        stored.setdefault(season, {})[(player, team)] = pk
    written = {}
    for season_id in season_ids:
        rows = computed.get(season_id, {})
        stale = [pk for key, pk in stored.get(season_id, {}).items() if key not in rows]
        with transaction.atomic():
            if stale:
                PlayerSeasonStats.objects.filter(pk__in=stale).delete()
            PlayerSeasonStats.objects.bulk_create(
                rows.values(), update_conflicts=True, unique_fields=["player", "season", "team"],
                update_fields=UPDATED_FIELDS)
        written[season_id] = len(rows)
    logger.info("player season stats: %s rows in %s seasons", sum(written.values()), len(written))
    return written


def player_match_log(player_id: int, *, season_ids: Iterable[int] | None = None) -> list[tuple[Match, MatchLine]]:
    """His finished matches that count (see ``MatchLine.counts``), latest first, in five queries."""
    from players.models import PlayerMatchRating

    lines = [line for line in match_lines(season_ids=season_ids, player_id=player_id).values() if line.counts]
    # His stored rating (players.rating_store, one per finished event-fed match) comes with each match row.
    rating = PlayerMatchRating.objects.filter(match=OuterRef("pk"), player_id=player_id).values("rating")[:1]
    matches = Match.objects.select_related("competition", "season", "home_team", "away_team").annotate(
        player_rating=Subquery(rating)).in_bulk([line.match_id for line in lines])
    for line in lines:
        line.rating = matches[line.match_id].player_rating
    log = [(matches[line.match_id], line) for line in lines]
    log.sort(key=lambda item: (item[0].kickoff, item[0].pk), reverse=True)
    return log
