"""A small world for the public API's tests (/api/v1/): every resource has a row to show.

Test League 2023/24: Northside 1-2 Southside (finished, with events, lineups, xG, odds, an Elo and
a Dixon-Coles prediction) and Southside v Northside a week later (scheduled, Dixon-Coles says home
60%, Bet365 offers 2.20: a value bet). Nine has a season line and two market values.
"""

import datetime as dt
from dataclasses import dataclass

from markets.models import Bookmaker, OddsQuote, PlayerValue, Prediction, RatingModel, ValuationModel
from matches.models import Match, Source
from matches.tests.builders import KICKOFF, BuiltMatch, build_match
from players.models import PlayerSeasonStats

NEXT_KICKOFF = KICKOFF + dt.timedelta(days=7)


@dataclass
class World:
    built: BuiltMatch
    upcoming: Match
    dixon_coles: RatingModel

    @property
    def match(self) -> Match:
        return self.built.match


def build_world() -> World:
    built = build_match(status=Match.Status.FINISHED)
    match = built.match
    match.home_ht_score, match.away_ht_score = 1, 1
    match.save(update_fields=["home_ht_score", "away_ht_score"])
    match.events.filter(seq=5).update(model_xg=0.1)
    match.events.filter(seq=11).update(model_xg=0.55)
    upcoming = Match.objects.create(competition=match.competition, season=match.season, kickoff=NEXT_KICKOFF,
                                    home_team=built.away, away_team=built.home, round="Matchday 35")

    bet365 = Bookmaker.objects.create(code="B365", name="Bet365")
    pinnacle = Bookmaker.objects.create(code="PS", name="Pinnacle")
    for bookmaker, prices in ((bet365, (2.2, 3.4, 3.5)), (pinnacle, (1.9, 3.6, 4.2))):
        for game in (match, upcoming):
            OddsQuote.objects.create(match=game, bookmaker=bookmaker, market=OddsQuote.Market.MATCH_ODDS,
                                     phase=OddsQuote.Phase.PRE_MATCH, home=prices[0], draw=prices[1],
                                     away=prices[2], source=Source.MANUAL)
    OddsQuote.objects.create(match=match, bookmaker=bet365, market=OddsQuote.Market.OVER_UNDER, line="2.5",
                             phase=OddsQuote.Phase.SNAPSHOT, over=1.8, under=2.0, source=Source.MANUAL,
                             taken_at=KICKOFF - dt.timedelta(hours=1))

    elo = RatingModel.objects.create(competition=match.competition, kind=RatingModel.Kind.ELO, version=1,
                                     parameters={})
    dixon_coles = RatingModel.objects.create(competition=match.competition, kind=RatingModel.Kind.DIXON_COLES,
                                             version=2, parameters={}, trained_through=KICKOFF)
    Prediction.objects.create(match=match, model=elo, home=0.45, draw=0.3, away=0.25)
    Prediction.objects.create(match=match, model=dixon_coles, home=0.5, draw=0.27, away=0.23, over_2_5=0.55,
                              expected_home_goals=1.6, expected_away_goals=1.1, likely_scores=[[1, 1, 0.12]])
    Prediction.objects.create(match=upcoming, model=dixon_coles, home=0.6, draw=0.22, away=0.18)

    nine = built.players["Nine"]
    PlayerSeasonStats.objects.create(player=nine, season=match.season, team=built.home, appearances=1, starts=1,
                                     minutes=90, goals=1, shots=2, shots_matches=1, xg=0.72)
    valuation = ValuationModel.objects.create(version=1, parameters={})
    for day, value, current in ((dt.date(2024, 4, 29), 12_000_000, False), (dt.date(2024, 5, 6), 12_500_000, True)):
        PlayerValue.objects.create(player=nine, model=valuation, as_of=day, kind=PlayerValue.Kind.WEEKLY,
                                   value_eur=value, inputs={}, terms=[], team=built.home,
                                   competition=match.competition, position="FW", age=24, is_current=current)
    return World(built, upcoming, dixon_coles)
