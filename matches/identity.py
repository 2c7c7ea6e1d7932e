"""Find the row a source's reference means, or create it: one identity for every source.

Order of evidence, strongest first: the source's own external id; a known alias
(ours in the database, then the catalog's); for matches, the same two teams within
a day and a half of the same kick-off. A ``Resolver`` caches what it found for the
length of one import run, so a 380-match file asks for each team once.
"""

from __future__ import annotations

import datetime as dt
from functools import cache

from matches import catalog
from matches.models import (
    Competition,
    CompetitionExternalId,
    Match,
    MatchExternalId,
    Season,
    Team,
    TeamAlias,
    TeamExternalId,
    Venue,
    VenueExternalId,
    normalize_name,
)
from matches.records import CompetitionRef, MatchRecord, RecordError, TeamRef, VenueRef

# Two sources may disagree on a kick-off time (football-data.co.uk 12:30, openfootball
# 13:00 for the same game) or on the date around midnight UTC; a team never plays the
# same opponent at home twice within this window.
SAME_MATCH_WINDOW = dt.timedelta(hours=36)
UNKNOWN_COMPETITION = "Unknown competition"


class UnknownTeamError(RecordError):
    """Strict mode: the source names a team that is neither in the database nor in the catalog."""


@cache
def catalog_team_names() -> dict[str, str]:
    """Folded alias -> canonical name, from the catalog."""
    names = {}
    for canonical, aliases in catalog.TEAM_ALIASES.items():
        for name in (canonical, *aliases):
            names[normalize_name(name)] = canonical
    return names


def stored_team_id(name: str) -> int | None:
    """The stored team a name means (our aliases, then the catalog's spelling), or None; creates nothing."""
    folded = normalize_name(name)
    found = TeamAlias.objects.filter(normalized=folded).values_list("team_id", flat=True).first()
    canonical = catalog_team_names().get(folded)
    if found is None and canonical:
        found = (TeamAlias.objects.filter(normalized=normalize_name(canonical)).values_list("team_id", flat=True)
                 .first() or Team.objects.filter(name=canonical).values_list("pk", flat=True).first())
    if found is None:
        found = Team.objects.filter(name=name).values_list("pk", flat=True).first()
    return found


def season_name_for(start: dt.date, split_year: bool = True) -> str:
    """"2023/24" for a season whose first match is in August 2023; "2024" for calendar-year seasons."""
    if not split_year:
        return str(start.year)
    first = start.year if start.month >= 7 else start.year - 1
    return f"{first}/{(first + 1) % 100:02d}"


class Resolver:
    """Resolves references to rows for one import run. ``strict`` refuses unknown teams."""

    def __init__(self, *, strict: bool = False):
        self.strict = strict
        self._competitions: dict[tuple[str, str, str], Competition] = {}
        self._seasons: dict[tuple[int, str], Season] = {}
        self._teams: dict[tuple[str, str | None, str], Team] = {}
        # Filled by prefetch_matches for a batch: stored matches by source id and by fixture.
        self._matches_by_id: dict[tuple[str, str], Match] | None = None
        self._matches_by_fixture: dict[tuple[int, int], list[Match]] = {}
        self._first_sources: dict[int, str] = {}

    def forget(self) -> None:
        """Drop cached rows, e.g. after a unit of work rolled back and took new rows with it."""
        self._competitions.clear()
        self._seasons.clear()
        self._teams.clear()
        self._matches_by_id = None
        self._matches_by_fixture = {}
        self._first_sources = {}

    # Competitions and seasons

    def competition(self, ref: CompetitionRef) -> Competition:
        key = (ref.source, ref.external_id, ref.name)
        if key not in self._competitions:
            self._competitions[key] = self._find_or_create_competition(ref)
        return self._competitions[key]

    def _find_or_create_competition(self, ref: CompetitionRef) -> Competition:
        if ref.external_id:
            found = CompetitionExternalId.objects.filter(source=ref.source, external_id=ref.external_id).first()
            if found:
                return found.competition
        known = catalog.known_competition(ref.source, ref.external_id) if ref.external_id else None
        if known:
            competition, _ = Competition.objects.get_or_create(
                name=known.name,
                defaults={"short_name": known.short_name, "country": known.country, "kind": known.kind,
                          "timezone": known.timezone, "tiebreak": known.tiebreak},
            )
            codes = known.codes.items()
        else:
            competition, _ = Competition.objects.get_or_create(
                name=ref.name or UNKNOWN_COMPETITION, defaults={"country": ref.country}
            )
            codes = [(ref.source, ref.external_id)] if ref.external_id else []
        for source, code in codes:
            CompetitionExternalId.objects.get_or_create(
                source=source, external_id=code, defaults={"competition": competition}
            )
        return competition

    def season(self, competition: Competition, name: str) -> Season:
        key = (competition.pk, name)
        if key not in self._seasons:
            self._seasons[key], _ = Season.objects.get_or_create(competition=competition, name=name)
        return self._seasons[key]

    # Teams and venues

    def team(self, ref: TeamRef, origin=None) -> Team:
        key = (ref.source, ref.external_id, ref.name)
        if key not in self._teams:
            self._teams[key] = self._find_or_create_team(ref, origin)
        return self._teams[key]

    def is_known_team(self, ref: TeamRef) -> bool:
        """Whether strict mode accepts this team: known by id, alias, name or the catalog."""
        folded = normalize_name(ref.name)
        return (
            (ref.external_id is not None
             and TeamExternalId.objects.filter(source=ref.source, external_id=ref.external_id).exists())
            or folded in catalog_team_names()
            or TeamAlias.objects.filter(normalized=folded).exists()
            or Team.objects.filter(name=ref.name).exists()
        )

    def _find_or_create_team(self, ref: TeamRef, origin) -> Team:
        team = None
        if ref.external_id:
            found = TeamExternalId.objects.select_related("team").filter(
                source=ref.source, external_id=ref.external_id).first()
            team = found.team if found else None
        folded = normalize_name(ref.name)
        if team is None:
            alias = TeamAlias.objects.select_related("team").filter(normalized=folded).first()
            team = alias.team if alias else None
        canonical = catalog_team_names().get(folded)
        if team is None and canonical:
            alias = TeamAlias.objects.select_related("team").filter(normalized=normalize_name(canonical)).first()
            team = alias.team if alias else Team.objects.filter(name=canonical).first()
        if team is None:
            team = Team.objects.filter(name=ref.name).first()
        if team is None:
            if self.strict and not canonical:
                raise UnknownTeamError(origin or ref.source, f"unknown team {ref.name!r} (strict mode)")
            team = Team.objects.create(
                name=canonical or ref.name, country=ref.country,
                kind=Team.Kind.NATIONAL if ref.is_national else Team.Kind.CLUB,
            )
            names = {normalize_name(name): name for name in (team.name, *catalog.TEAM_ALIASES.get(team.name, []))}
            TeamAlias.objects.bulk_create(  # bulk_create skips save(): normalized is set here
                [TeamAlias(team=team, alias=name, normalized=folded) for folded, name in names.items()],
                ignore_conflicts=True)
        elif ref.country and not team.country:
            team.country = ref.country
            team.save(update_fields=["country"])
        if not TeamAlias.objects.filter(normalized=folded).exists():
            TeamAlias.objects.create(team=team, alias=ref.name, source=ref.source)
        if ref.external_id:
            TeamExternalId.objects.get_or_create(
                source=ref.source, external_id=ref.external_id, defaults={"team": team}
            )
        return team

    def venue(self, ref: VenueRef | None) -> Venue | None:
        if ref is None or not ref.name:
            return None
        if ref.external_id:
            found = VenueExternalId.objects.select_related("venue").filter(
                source=ref.source, external_id=ref.external_id).first()
            if found:
                return found.venue
        venue, _ = Venue.objects.get_or_create(name=ref.name, city=ref.city, defaults={"country": ref.country})
        if ref.external_id:
            VenueExternalId.objects.get_or_create(source=ref.source, external_id=ref.external_id,
                                                  defaults={"venue": venue})
        return venue

    # Matches

    def prefetch_matches(self, records: list[MatchRecord]) -> list[Match]:
        """Load, in two queries, every stored match the records could mean (for batch imports)."""
        if not records:
            return []
        by_id: dict[tuple[str, str], int] = {}
        for source in {record.source for record in records}:
            ids = [record.external_id for record in records if record.source == source]
            links = MatchExternalId.objects.filter(source=source, external_id__in=ids).values_list("external_id", "match_id")
            for external_id, match_id in links:
                by_id[(source, external_id)] = match_id
        teams = {self.team(ref, record.origin).pk for record in records for ref in (record.home, record.away)}
        earliest = min(record.kickoff for record in records) - SAME_MATCH_WINDOW
        latest = max(record.kickoff for record in records) + SAME_MATCH_WINDOW
        fixtures: dict[tuple[int, int], list[Match]] = {}
        # team_stats prefetched: writing an unchanged match then asks nothing more.
        for match in Match.objects.filter(home_team__in=teams, kickoff__range=(earliest, latest)).prefetch_related(
                "team_stats"):
            fixtures.setdefault((match.home_team_id, match.away_team_id), []).append(match)
        # A match its source stored is also within the window of its own kick-off; one found only
        # by id (kick-off moved by more than the window) is loaded on its own.
        loaded = {match.pk: match for matches in fixtures.values() for match in matches}
        missing = set(by_id.values()) - set(loaded)
        loaded.update({m.pk: m for m in Match.objects.filter(pk__in=missing).prefetch_related("team_stats")})
        self._matches_by_id = {key: loaded[match_id] for key, match_id in by_id.items()}
        self._matches_by_fixture = fixtures
        for match_id, source in (MatchExternalId.objects.filter(match_id__in=loaded).order_by("-pk")
                                 .values_list("match_id", "source")):
            self._first_sources[match_id] = source  # newest first, so the oldest link is kept
        return list(loaded.values())

    def first_source(self, match: Match) -> str | None:
        """The source that stored the match first (its oldest external id)."""
        if match.pk not in self._first_sources:
            self._first_sources[match.pk] = (MatchExternalId.objects.filter(match=match).order_by("pk")
                                             .values_list("source", flat=True).first())
        return self._first_sources[match.pk]

    def existing_match(self, record: MatchRecord, home: Team, away: Team) -> tuple[Match | None, bool]:
        """The stored match this record describes, and whether the same source stored it."""
        if self._matches_by_id is not None:
            found = self._matches_by_id.get((record.source, record.external_id))
            if found:
                return found, True
            for match in self._matches_by_fixture.get((home.pk, away.pk), []):
                if abs(match.kickoff - record.kickoff) <= SAME_MATCH_WINDOW:
                    return match, False
            return None, False
        link = MatchExternalId.objects.select_related("match").filter(
            source=record.source, external_id=record.external_id).first()
        if link:
            return link.match, True
        match = Match.objects.filter(
            home_team=home, away_team=away,
            kickoff__gte=record.kickoff - SAME_MATCH_WINDOW, kickoff__lte=record.kickoff + SAME_MATCH_WINDOW,
        ).first()
        return match, False

    def remember_match(self, record: MatchRecord, match: Match, *, created: bool = False) -> None:
        """Keep a match stored during a batch findable by the rest of the batch."""
        if created:
            self._first_sources[match.pk] = record.source
        if self._matches_by_id is not None:
            self._matches_by_id[(record.source, record.external_id)] = match
            self._matches_by_fixture.setdefault((match.home_team_id, match.away_team_id), []).append(match)
