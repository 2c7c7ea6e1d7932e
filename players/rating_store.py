"""Stored ratings and the stored expected-threat grid: what the player page's match log and the fit read.

The match page computes ratings live from the events (``players.ratings.match_ratings``); the
player's match log lists dozens of matches, so computing each there would load every match's
events. Instead a finished match's ratings are written once into ``PlayerMatchRating`` — at the
final whistle (``services.after_finish``), after an import (``ingestion.imports``) and by
``fit_threat`` (a new grid re-rates every match) — and the log reads them in one query.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet

from matches.models import Match, MatchEvent, Season
from players.models import PlayerMatchRating, ThreatModel
from players.threat import Grid, fit_threat


# Only these fields are read for the fit (a few hundred thousand short rows over every stored match).
FIT_FIELDS = ("kind", "x", "y", "end_x", "end_y", "outcome", "xg", "situation")
BATCH = 20_000


def rated_matches(seasons_or_matches: Iterable[Season | Match] | QuerySet | None = None) -> QuerySet:
    """Finished matches with on-ball events (only event feeds can be rated) among those given (None: all)."""
    on_ball = MatchEvent.objects.filter(match=OuterRef("pk"), kind__in=("pass", "carry"))
    matches = Match.objects.filter(Exists(on_ball), status=Match.Status.FINISHED)
    if seasons_or_matches is None:
        return matches
    if isinstance(seasons_or_matches, QuerySet):
        items = seasons_or_matches
        if items.model is Season:
            return matches.filter(season__in=items)
        return matches.filter(pk__in=items.values("pk"))
    items = list(seasons_or_matches)
    season_ids = {item.pk for item in items if isinstance(item, Season)}
    match_ids = {item.pk for item in items if isinstance(item, Match)}
    return matches.filter(season_id__in=season_ids) | matches.filter(pk__in=match_ids)


def rate_matches(seasons_or_matches: Iterable[Season | Match] | QuerySet | None = None) -> int:
    """(Re)write the stored ratings of the finished, event-fed matches given; returns the rows written.

    Per match: the events and the line-ups (two queries) and one write.
    """
    from matches.fragments import MatchState
    from players.ratings import match_ratings

    written = 0
    for match in rated_matches(seasons_or_matches).select_related("home_team", "away_team").order_by("pk"):
        state = MatchState(match)
        ratings = match_ratings(state)
        version = state.memo("ratings_grid", lambda: None)
        with transaction.atomic():
            PlayerMatchRating.objects.filter(match=match).delete()
            PlayerMatchRating.objects.bulk_create(
                PlayerMatchRating(match=match, player_id=rating.player_id, team_id=rating.team_id,
                                  rating=rating.rating, minutes=rating.minutes,
                                  player_of_the_match=rating.player_of_the_match,
                                  threat_version=version.version if version else 0)
                for rating in ratings.values()
            )
        written += len(ratings)
    return written


def rate_finished(matches: list[Match]) -> None:
    """``services.after_finish`` hook: the match just finished gets its stored ratings."""
    rate_matches([match for match in matches if match.pk])


def fit_stored_events() -> tuple[Grid, int]:
    """Fit the grid over every stored event with a location; returns it and the number of matches read."""
    events = (MatchEvent.objects.filter(kind__in=("pass", "carry", "shot", "goal", "penalty_scored",
                                                  "penalty_missed"), x__isnull=False, period__lt=5)
              .values(*FIT_FIELDS).iterator(chunk_size=BATCH))
    grid = fit_threat(events)
    matches = MatchEvent.objects.filter(kind__in=("pass", "carry"), x__isnull=False).values("match_id").distinct()
    return grid, matches.count()


def store_grid(grid: Grid, matches: int) -> ThreatModel:
    latest = ThreatModel.objects.order_by("-version").values_list("version", flat=True).first() or 0
    return ThreatModel.objects.create(version=latest + 1, grid=grid.to_json(), events=grid.events, matches=matches)
