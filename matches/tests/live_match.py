"""A scheduled match for live-pipeline tests: Turkey v Italy with aliases and provider ids, no events."""

import datetime as dt

from matches.models import Competition, Match, Season, Team, TeamAlias, TeamExternalId
from matches.records import EventRecord, PlayerRef, TeamRef

SOURCE = "api_football"
HOME = TeamRef(SOURCE, "Turkey", "909")
AWAY = TeamRef(SOURCE, "Italy", "914")


def make_match(status=Match.Status.SCHEDULED, **fields) -> Match:
    competition = Competition.objects.create(name="UEFA Euro", kind=Competition.Kind.INTERNATIONAL)
    season = Season.objects.create(competition=competition, name="2020")
    teams = []
    for ref in (HOME, AWAY):
        team = Team.objects.create(name=ref.name, kind=Team.Kind.NATIONAL)
        TeamAlias.objects.create(team=team, alias=ref.name)
        TeamExternalId.objects.create(team=team, source=SOURCE, external_id=ref.external_id)
        teams.append(team)
    return Match.objects.create(
        competition=competition, season=season, home_team=teams[0], away_team=teams[1], status=status,
        kickoff=dt.datetime(2021, 6, 11, 19, tzinfo=dt.UTC), **fields)


def event(external_id: str, kind: str = "pass", minute: int = 10, *, team=AWAY, player: str = "Ciro Immobile",
          period: int = 1, **fields) -> EventRecord:
    """A live event as a provider would send it."""
    return EventRecord(SOURCE, external_id, kind, period, minute, team=team,
                       player=PlayerRef(SOURCE, player, f"p-{player}"), **fields)
