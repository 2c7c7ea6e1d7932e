"""Venues from the grounds catalog: coordinates for the venues that lack them, a home ground
for the clubs that have none, and that ground for their league matches stored without a venue.

``assign_venues`` is the one writer; every import runs it at its end
(``ingestion/imports.py``), so the demo, the file commands and the provider jobs all leave
their matches at a located ground. It only fills what is blank: coordinates, a team's
ground or a match's venue a curator entered in the admin are never overwritten, and a
second run changes nothing.

Only league matches get the home team's ground: tournaments (Euro 2020) are played at
neutral grounds, and a cup final is too; their venues come from the sources or the admin,
else, for the Euro 2020 matches, from the catalog's fixture list (``grounds.tournament_ground``).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.db.models.functions import Now
from django.utils import timezone

from matches import grounds
from matches.models import Competition, Match, Team, Venue

logger = logging.getLogger(__name__)


@dataclass
class VenuesAssigned:
    located: int = 0  # venues given coordinates
    grounds_created: int = 0  # catalog grounds stored as venues
    teams: int = 0  # clubs given their home ground
    matches: int = 0  # matches given their home team's ground (or their tournament ground)
    unknown: list[str] = field(default_factory=list)  # venues without coordinates the catalog does not know

    def __str__(self):
        return (f"venues: {self.located} located, {self.grounds_created} grounds added, {self.teams} clubs given "
                f"a ground, {self.matches} matches given a venue")


@transaction.atomic
def assign_venues(season_ids=None) -> VenuesAssigned:
    """Fill blank venues, coordinates and home grounds from the catalog (``season_ids``: the
    seasons whose matches may get a venue; None for every season). A few queries whatever
    the number of matches."""
    done = VenuesAssigned()
    venues = list(Venue.objects.all())
    _locate(venues, done)
    _home_grounds(venues, done)

    unplaced = Match.objects.filter(venue__isnull=True, home_team__venue__isnull=False,
                                    competition__kind=Competition.Kind.LEAGUE)
    if season_ids is not None:
        unplaced = unplaced.filter(season_id__in=list(season_ids))
    home_venue = Team.objects.filter(pk=OuterRef("home_team_id")).values("venue_id")[:1]
    done.matches = Match.objects.filter(pk__in=unplaced.values("pk")).update(venue=Subquery(home_venue),
                                                                            updated_at=Now())
    _tournament_grounds(venues, season_ids, done)
    if done.located or done.teams or done.matches:
        logger.info("%s", done)
    return done


def _locate(venues: list[Venue], done: VenuesAssigned) -> None:
    """Coordinates (and a blank capacity or country) for the venues the catalog knows."""
    located = []
    for venue in venues:
        if venue.latitude is not None:
            continue  # entered by a curator or located before: kept
        ground = grounds.find_ground(venue.name, venue.city)
        if ground is None:
            done.unknown.append(str(venue))
            continue
        venue.latitude, venue.longitude = ground.latitude, ground.longitude
        venue.capacity = venue.capacity or ground.capacity
        venue.country = venue.country or ground.country
        located.append(venue)
    Venue.objects.bulk_update(located, ["latitude", "longitude", "capacity", "country"])
    done.located = len(located)


def _tournament_grounds(venues: list[Venue], season_ids, done: VenuesAssigned) -> None:
    """International matches stored without a venue: the ground the catalog lists for the fixture."""
    unplaced = Match.objects.filter(venue__isnull=True, competition__kind=Competition.Kind.INTERNATIONAL)
    if season_ids is not None:
        unplaced = unplaced.filter(season_id__in=list(season_ids))
    found = []
    for match in unplaced.select_related("home_team", "away_team").only("kickoff", "home_team__name",
                                                                          "away_team__name"):
        ground = grounds.tournament_ground(match.kickoff.date().isoformat(), match.home_team.name,
                                           match.away_team.name)
        if ground is not None:
            found.append((match, ground))
    if not found:
        return
    venue_of = _GroundVenues(venues, done)
    now = timezone.now()
    for match, ground in found:
        match.venue, match.updated_at = venue_of(ground), now
    Match.objects.bulk_update([match for match, _ in found], ["venue", "updated_at"])
    done.matches += len(found)


def _home_grounds(venues: list[Venue], done: VenuesAssigned) -> None:
    """Give each club the catalog lists its home ground, stored once as a Venue."""
    teams = [team for team in Team.objects.filter(venue__isnull=True, kind=Team.Kind.CLUB)
             if grounds.home_ground(team.name)]
    if not teams:
        return
    venue_of = _GroundVenues(venues, done)
    for team in teams:
        team.venue = venue_of(grounds.home_ground(team.name))
    Team.objects.bulk_update(teams, ["venue"])
    done.teams = len(teams)


class _GroundVenues:
    """A catalog ground's stored Venue: one a source stored already (under any of its names), else a new one."""

    def __init__(self, venues: list[Venue], done: VenuesAssigned):
        self.done = done
        self.by_ground: dict[str, Venue] = {}
        for venue in venues:
            ground = grounds.find_ground(venue.name, venue.city)
            if ground is not None:
                self.by_ground.setdefault(ground.name, venue)

    def __call__(self, ground) -> Venue:
        venue = self.by_ground.get(ground.name)
        if venue is None:
            venue, created = Venue.objects.get_or_create(
                name=ground.name, city=ground.city,
                defaults={"country": ground.country, "capacity": ground.capacity,
                          "latitude": ground.latitude, "longitude": ground.longitude})
            self.done.grounds_created += created
            self.by_ground[ground.name] = venue
        return venue
