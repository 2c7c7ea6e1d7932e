"""A small live match built in the database for the match page's tests.

Northside (home) 1-2 Southside (away), 67th minute, second half:
  12'  Nine scores for Northside (recorded late: seq 11, after the events below)
  20'  Ten scores for Southside, assisted by Eight
  30'  Four (Northside) is booked
  45+2 half-time (1-1)
  50'  Four scores an own goal (1-2)
  60'  Northside: Fourteen on, Seven off
plus shots with xG and locations (10' Nine saved, 62' Ten off target) and a few passes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from matches.models import (
    Competition, Lineup, LineupEntry, Match, MatchEvent, Season, Source, Team, TeamMatchStats, Venue,
)
from players.models import Player

KICKOFF = dt.datetime(2024, 5, 4, 14, 0, tzinfo=dt.UTC)


@dataclass
class BuiltMatch:
    match: Match
    home: Team
    away: Team
    players: dict[str, Player]


def event(match: Match, seq: int, kind: str, team: Team | None, **fields) -> MatchEvent:
    fields.setdefault("period", 1)
    fields.setdefault("minute", 1)
    return MatchEvent(
        match=match, seq=seq, source=Source.MANUAL, external_id=f"{match.pk}-{seq}", kind=kind, team=team,
        raw_type=fields.pop("raw_type", kind), **fields,
    )


def build_match(*, extra_passes: int = 0, status: str = Match.Status.LIVE, name: str = "Test League") -> BuiltMatch:
    competition = Competition.objects.create(name=name)
    season = Season.objects.create(competition=competition, name="2023/24")
    venue = Venue.objects.create(name="North Park", city="Northtown")
    home = Team.objects.create(name=f"Northside FC {name}", short_name="Northside")
    away = Team.objects.create(name=f"Southside United {name}", short_name="Southside")
    players = {key: Player.objects.create(name=f"{key} Player", known_as=key) for key in (
        "One", "Four", "Seven", "Nine", "Fourteen", "Keeper", "Three", "Eight", "Ten", "Twenty",
    )}
    match = Match.objects.create(
        competition=competition, season=season, round="Matchday 34", kickoff=KICKOFF, venue=venue,
        home_team=home, away_team=away, status=status, referee="A Referee",
        period=Match.Period.SECOND_HALF if status == Match.Status.LIVE else Match.Period.NONE,
        clock_minute=67 if status == Match.Status.LIVE else None, home_score=1, away_score=2,
    )
    for team, starters, bench in (
        (home, (("One", 1, "Goalkeeper"), ("Four", 4, "Center Back"), ("Seven", 7, "Right Wing"),
                ("Nine", 9, "Center Forward")), (("Fourteen", 14, "Left Wing"),)),
        (away, (("Keeper", 1, "Goalkeeper"), ("Three", 3, "Left Back"), ("Eight", 8, "Center Midfield"),
                ("Ten", 10, "Center Forward")), (("Twenty", 20, "Center Back"),)),
    ):
        lineup = Lineup.objects.create(match=match, team=team, formation="4-3-3")
        for key, number, position in starters:
            LineupEntry.objects.create(lineup=lineup, player=players[key], shirt_number=number, position=position,
                                       is_starter=True)
        for key, number, position in bench:
            LineupEntry.objects.create(lineup=lineup, player=players[key], shirt_number=number, position=position)
    p = players
    events = [
        event(match, 1, "period_start", home, minute=1),
        event(match, 2, "pass", home, player=p["Four"], minute=2, outcome=""),
        event(match, 3, "pass", home, player=p["Four"], minute=3, outcome="Incomplete"),
        event(match, 4, "pass", away, player=p["Eight"], minute=4, outcome=""),
        event(match, 5, "shot", home, player=p["Nine"], minute=10, x=85, y=40, xg=0.12, outcome="Saved"),
        event(match, 6, "goal", away, player=p["Ten"], related_player=p["Eight"], minute=20, x=90, y=55, xg=0.45,
              outcome="Goal"),
        event(match, 7, "yellow_card", home, player=p["Four"], minute=30),
        event(match, 8, "period_end", home, minute=45, added_minute=2),
        event(match, 9, "own_goal", home, player=p["Four"], period=2, minute=50, x=4, y=50),
        event(match, 10, "substitution", home, player=p["Seven"], related_player=p["Fourteen"], period=2, minute=60),
        # Recorded late: a later seq than everything above, but the 12th minute.
        event(match, 11, "goal", home, player=p["Nine"], minute=12, second=30, x=92, y=48, xg=0.6, outcome="Goal"),
        event(match, 12, "shot", away, player=p["Ten"], period=2, minute=62, x=80, y=30, xg=0.05, outcome="Off T"),
    ]
    for n in range(extra_passes):
        events.append(event(match, 13 + n, "pass", (home, away)[n % 2], player=p["Four"] if n % 2 == 0 else p["Eight"],
                            period=2, minute=63 + n // 100, outcome=""))
    MatchEvent.objects.bulk_create(events)
    match.last_seq = len(events)
    match.save(update_fields=["last_seq"])
    return BuiltMatch(match=match, home=home, away=away, players=players)


def build_report_match() -> Match:
    """A finished match known only from a results file: team statistics, no events, no lineups."""
    competition = Competition.objects.create(name="Report League")
    season = Season.objects.create(competition=competition, name="2023/24")
    home = Team.objects.create(name="Burnley Test")
    away = Team.objects.create(name="Man City Test")
    match = Match.objects.create(
        competition=competition, season=season, kickoff=KICKOFF, home_team=home, away_team=away,
        status=Match.Status.FINISHED, home_score=0, away_score=3, home_ht_score=0, away_ht_score=2,
    )
    TeamMatchStats.objects.create(match=match, team=home, shots=6, shots_on_target=1, corners=6, fouls=11,
                                  yellow_cards=0, red_cards=1)
    TeamMatchStats.objects.create(match=match, team=away, shots=17, shots_on_target=8, corners=5, fouls=8,
                                  yellow_cards=0, red_cards=0)
    return match
