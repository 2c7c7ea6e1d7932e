"""Teams' season aggregates, and the per-match figures they and the team page are made of.

``match_figures`` gives both sides' shots, shots on target, possession and xG in each match
asked about, in two queries (the match reports, then shots and passes counted per match and
team); the team page's results table and chart show these per match. ``recompute_team_seasons``
sums them, with the results, per (team, season) and writes each season with one bulk upsert
into ``TeamSeasonStats``, which the team page's statistics read: the page's season totals and
its per-match rows come from the same figures, so they never disagree.

Counting rules:

- Only finished matches with a score count (a live match counts once it finishes).
- Won, drawn, lost and goals from the score (shoot-outs decide nothing here); a clean sheet
  is a match without a goal against.
- A match's shots, shots on target and possession come from its events when it has a feed
  (shot or pass events), as on the match page, else from its report (``TeamMatchStats``).
  Possession from a feed is the share of the two teams' passes. Shoot-outs are no shots.
- A side's xG in a match: the sum of its shots' xG (the provider's, else our model's) when
  any shot of the match is rated, else the report's xG, else unknown.
- A season figure (shots, shots on target, possession, xG) sums, or for possession averages,
  the matches where the team's own figure is known, and counts them; the opponents' figure
  is summed over the same matches (unknown counts 0). Empty when no match gives it.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from matches.fragments import ON_TARGET_OUTCOMES
from matches.models import Match, MatchEvent, Season, TeamMatchStats, TeamSeasonStats

logger = logging.getLogger(__name__)

Kind = MatchEvent.Kind
SHOOTOUT = 5  # MatchEvent.period of a penalty shoot-out: it scores no goals and takes no shots
SCORED = (Kind.GOAL, Kind.PENALTY_SCORED)
FEED_KINDS = (Kind.SHOT, Kind.PASS)  # a match with these has an event feed, not only key events
FINISHED = Match.Status.FINISHED


# Each match's figures: shots, shots on target, possession, xG, for both sides


@dataclass(frozen=True, slots=True)
class SideFigures:
    """One side's figures in one match; None when the match gives no way to know."""

    shots: int | None = None
    on_target: int | None = None
    possession: float | None = None
    xg: float | None = None


def side_figures(side_ids: tuple[int, int], report: dict[int, dict], events: dict[int, dict]
                 ) -> dict[int, SideFigures]:
    """Both sides' figures in one match from its report rows and its event counts (team id -> row)."""
    feed = any(row["feed"] for row in events.values())
    rated = any(row["rated"] for row in events.values())
    passes = sum(row["passes"] for row in events.values())
    figures = {}
    for team_id in side_ids:
        counted, reported = events.get(team_id, {}), report.get(team_id, {})
        if feed:
            shots, on_target = counted.get("shots", 0), counted.get("on_target", 0)
        else:
            shots, on_target = reported.get("shots"), reported.get("shots_on_target")
        if feed and passes:
            possession = 100 * counted.get("passes", 0) / passes
        else:
            possession = reported.get("possession")
        xg = (counted.get("xg") or 0.0) if rated else reported.get("xg")
        figures[team_id] = SideFigures(shots, on_target, possession, xg)
    return figures


def match_figures(matches: list[dict], *, season_ids: Sequence[int] | None = None
                  ) -> dict[int, dict[int, SideFigures]]:
    """Match id -> team id -> figures, for the given matches (value rows with id, home_team_id,
    away_team_id): two queries.

    The reports and events are found by match id; with ``season_ids`` (a batch of whole seasons,
    the matches being these seasons' finished matches) by season instead, which keeps a big
    batch's queries short.
    """
    ids = [row["id"] for row in matches]
    if not ids:
        return {}
    if season_ids is None:
        where = Q(match_id__in=ids)
    else:
        # A subquery, not a join: the (match, kind) index then finds the events of these matches.
        where = Q(match__in=Match.objects.filter(season_id__in=list(season_ids), status=FINISHED).values("id"))
    report: dict[int, dict[int, dict]] = defaultdict(dict)
    for row in TeamMatchStats.objects.filter(where).values(
            "match_id", "team_id", "shots", "shots_on_target", "possession", "xg").order_by():
        report[row["match_id"]][row["team_id"]] = row
    shot = Q(kind__in=MatchEvent.SHOT_KINDS)
    counted: dict[int, dict[int, dict]] = defaultdict(dict)
    rows = (
        # The (match, kind) index finds these; the rest of a feed (carries, pressures …) is never read.
        MatchEvent.objects.filter(where, period__lt=SHOOTOUT,
                                  kind__in=(*MatchEvent.SHOT_KINDS, Kind.PASS), team_id__isnull=False)
        .values("match_id", "team_id")
        .annotate(
            feed=Count("pk", filter=Q(kind__in=FEED_KINDS)),
            shots=Count("pk", filter=shot),
            on_target=Count("pk", filter=shot & (Q(kind__in=SCORED) | Q(outcome__in=ON_TARGET_OUTCOMES))),
            rated=Count("pk", filter=shot & (Q(xg__isnull=False) | Q(model_xg__isnull=False))),
            xg=Sum(Coalesce("xg", "model_xg"), filter=shot),
            passes=Count("pk", filter=Q(kind=Kind.PASS)),
        )
        .order_by()
    )
    for row in rows:
        counted[row["match_id"]][row["team_id"]] = row
    return {
        row["id"]: side_figures((row["home_team_id"], row["away_team_id"]), report[row["id"]], counted[row["id"]])
        for row in matches
    }


# Season rows


def _add(row: TeamSeasonStats, name: str, ours, theirs) -> None:
    """Add one match's figure (ours known) and the opponents' (unknown counts 0) to a season row."""
    setattr(row, name, (getattr(row, name) or 0) + ours)
    against = f"{name}_against"
    setattr(row, against, (getattr(row, against) or 0) + (theirs or 0))


def season_rows(matches: Iterable[dict], figures: dict[int, dict[int, SideFigures]]
                ) -> dict[int, dict[int, TeamSeasonStats]]:
    """Season id -> team id -> unsaved row, summed from finished matches (value rows) and their figures."""
    seasons: dict[int, dict[int, TeamSeasonStats]] = {}
    possession: dict[tuple[int, int], float] = defaultdict(float)
    for match in matches:
        sides = figures.get(match["id"], {})
        rows = seasons.setdefault(match["season_id"], {})
        home, away = match["home_team_id"], match["away_team_id"]
        for team_id, opponent_id, scored, conceded in (
                (home, away, match["home_score"], match["away_score"]),
                (away, home, match["away_score"], match["home_score"])):
            row = rows.get(team_id)
            if row is None:
                row = rows[team_id] = TeamSeasonStats(team_id=team_id, season_id=match["season_id"])
            row.played += 1
            row.won += scored > conceded
            row.drawn += scored == conceded
            row.lost += scored < conceded
            row.goals_for += scored
            row.goals_against += conceded
            row.clean_sheets += conceded == 0
            ours, theirs = sides.get(team_id, SideFigures()), sides.get(opponent_id, SideFigures())
            if ours.shots is not None:
                _add(row, "shots", ours.shots, theirs.shots)
                row.shots_matches += 1
            if ours.on_target is not None:
                _add(row, "shots_on_target", ours.on_target, theirs.on_target)
                row.shots_on_target_matches += 1
            if ours.possession is not None:
                possession[match["season_id"], team_id] += ours.possession
                row.possession_matches += 1
            if ours.xg is not None:
                row.xg_for = (row.xg_for or 0.0) + ours.xg
                row.xg_against = (row.xg_against or 0.0) + (theirs.xg or 0.0)
                row.xg_matches += 1
    for season_id, rows in seasons.items():
        for team_id, row in rows.items():
            if row.possession_matches:
                row.possession = round(possession[season_id, team_id] / row.possession_matches, 4)
            if row.xg_for is not None:
                row.xg_for, row.xg_against = round(row.xg_for, 4), round(row.xg_against, 4)
    return seasons


UPDATED_FIELDS = [f.name for f in TeamSeasonStats._meta.concrete_fields if f.name not in ("id", "team", "season")]


def recompute_team_seasons(seasons_or_matches: Iterable[Season | Match] | QuerySet) -> dict[int, int]:
    """Recompute every team's row of the seasons given (or of the seasons of the matches given).

    Four queries to read (the finished matches, their reports, their shots and passes, the
    stored rows), then per season one transaction: stale rows deleted, one bulk upsert.
    Idempotent: a second run writes the same values. Returns season id -> rows stored.
    Rows without a finished match behind them any more (a result corrected, teams merged) go.
    """
    season_ids = sorted(season_ids_of(seasons_or_matches))
    if not season_ids:
        return {}
    matches = list(
        Match.objects.filter(season_id__in=season_ids, status=FINISHED,
                             home_score__isnull=False, away_score__isnull=False)
        .values("id", "season_id", "home_team_id", "away_team_id", "home_score", "away_score")
        .order_by()
    )
    computed = season_rows(matches, match_figures(matches, season_ids=season_ids))
    stored: dict[int, dict[int, int]] = defaultdict(dict)
    for pk, season, team in TeamSeasonStats.objects.filter(season_id__in=season_ids).values_list(
            "pk", "season_id", "team_id"):
        stored[season][team] = pk
    written = {}
    for season_id in season_ids:
        rows = computed.get(season_id, {})
        stale = [pk for team, pk in stored[season_id].items() if team not in rows]
        with transaction.atomic():
            if stale:
                TeamSeasonStats.objects.filter(pk__in=stale).delete()
            TeamSeasonStats.objects.bulk_create(
                rows.values(), update_conflicts=True, unique_fields=["team", "season"],
                update_fields=UPDATED_FIELDS)
        written[season_id] = len(rows)
    logger.info("team season stats: %s rows in %s seasons", sum(written.values()), len(written))
    return written


def season_ids_of(items: Iterable[Season | Match] | QuerySet) -> set[int]:
    """The ids of the seasons given, or of the seasons of the matches given."""
    if isinstance(items, QuerySet):
        if items.model is Season:
            return set(items.values_list("pk", flat=True))
        if items.model is Match:
            return set(items.values_list("season_id", flat=True))
        raise TypeError(f"expected seasons or matches, not {items.model.__name__}")
    ids = set()
    for item in items:
        if isinstance(item, Season):
            ids.add(item.pk)
        elif isinstance(item, Match):
            ids.add(item.season_id)
        else:
            raise TypeError(f"expected seasons or matches, not {type(item).__name__}")
    return ids
