"""Small seasons built in the database for the aggregates' and player page's tests.

    league = League()                      # a competition with one season
    match = league.play(home, away, (2, 1), day=1,
                        lineups={home: [(striker, 90, True), (sub, 0, False)], away: [...]},
                        events=[goal(home, striker, 10, assist=winger, xg=0.4), ...])
"""

from __future__ import annotations

import datetime as dt
import itertools

from matches.models import Competition, Lineup, LineupEntry, Match, MatchEvent, Season, Source, Team
from players.models import Player

START = dt.datetime(2023, 8, 12, 14, 0, tzinfo=dt.UTC)
_ids = itertools.count(1)

Kind = MatchEvent.Kind


def team(name: str) -> Team:
    return Team.objects.create(name=name, short_name=name.split()[0])


def player(name: str, **fields) -> Player:
    return Player.objects.create(name=name, **fields)


class League:
    def __init__(self, name: str = "Test League", season: str = "2023/24"):
        self.competition = Competition.objects.get_or_create(name=name)[0]
        self.season = Season.objects.create(competition=self.competition, name=season)

    def play(self, home: Team, away: Team, score: tuple[int, int] = (0, 0), *, day: int = 1,
             lineups: dict[Team, list[tuple[Player, int | None, bool]]] | None = None,
             events: list[dict] = (), status: str = Match.Status.FINISHED) -> Match:
        """A match on day ``day`` of the season; lineups: team -> [(player, minutes, started)]."""
        finished = status == Match.Status.FINISHED
        match = Match.objects.create(
            competition=self.competition, season=self.season, kickoff=START + dt.timedelta(days=day),
            home_team=home, away_team=away, status=status,
            home_score=score[0] if finished or status == Match.Status.LIVE else None,
            away_score=score[1] if finished or status == Match.Status.LIVE else None,
        )
        for side, entries in (lineups or {}).items():
            lineup = Lineup.objects.create(match=match, team=side)
            for number, (who, minutes, started) in enumerate(entries, start=1):
                LineupEntry.objects.create(
                    lineup=lineup, player=who, shirt_number=number, is_starter=started, minutes_played=minutes,
                    position="Center Forward" if started else "", subbed_on_minute=None if started or not minutes
                    else 90 - minutes)
        MatchEvent.objects.bulk_create(
            MatchEvent(match=match, seq=seq, source=Source.MANUAL, external_id=f"built-{next(_ids)}",
                       raw_type=fields["kind"], **{"period": 1, **fields})
            for seq, fields in enumerate(events, start=1)
        )
        match.last_seq = len(events)
        match.save(update_fields=["last_seq"])
        return match


def goal(side: Team, who: Player, minute: int, *, assist: Player | None = None, xg: float | None = None,
         model_xg: float | None = None, kind: str = Kind.GOAL, **fields) -> dict:
    return {"kind": kind, "team": side, "player": who, "related_player": assist, "minute": minute, "xg": xg,
            "model_xg": model_xg, "outcome": "Goal" if kind != Kind.OWN_GOAL else "", "x": 90.0, "y": 50.0,
            **fields}


def shot(side: Team, who: Player, minute: int, *, xg: float | None = None, model_xg: float | None = None,
         outcome: str = "Saved", kind: str = Kind.SHOT, **fields) -> dict:
    return {"kind": kind, "team": side, "player": who, "minute": minute, "xg": xg, "model_xg": model_xg,
            "outcome": outcome, "x": 80.0, "y": 40.0, **fields}


def card(side: Team, who: Player, minute: int, kind: str = Kind.YELLOW_CARD) -> dict:
    return {"kind": kind, "team": side, "player": who, "minute": minute}


def substitution(side: Team, off: Player, on: Player, minute: int) -> dict:
    return {"kind": Kind.SUBSTITUTION, "team": side, "player": off, "related_player": on, "minute": minute,
            "period": 2}


def pass_to(side: Team, passer: Player, receiver: Player, minute: int) -> dict:
    return {"kind": Kind.PASS, "team": side, "player": passer, "related_player": receiver, "minute": minute}
