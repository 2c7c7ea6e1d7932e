"""Standings benchmark: a competition's season page with 20 seasons of a league loaded.

Target (issue 5): under 30 ms at p95 with a fixed number of queries. The shared data hold
four Premier League seasons, and importing them again under other names would land on the
same matches, so each repetition synthesizes the league instead, with bulk_create: 20
seasons (2004/05 to 2023/24) of 20 clubs drawn from 30, a double round robin of 380
matches each (7,600 in all), seeded random scores, a goal event per goal with its scorer
(about 20,000 events, for the top scorers), and two points deductions. The latest season
is 30 matchdays in, with 80 fixtures to come, as a season page mostly is.

It then requests /competitions/<id>/ (the latest season, by default) and the standings CSV
RENDERS times each with the test client (the whole Django stack, no network). "total" is
the page's p95.
"""

import datetime as dt
import random
import statistics
from pathlib import Path
from time import perf_counter

from django.test import Client

RENDERS = 60
SEASONS = 20
CLUBS = 30
PLAYED_MATCHDAYS = 30  # of 38 in the latest season


def benchmarks(data: Path) -> list[tuple[str, str, float, object]]:
    return [("standings_page_render",
             f"/competitions/<id>/, 20 seasons x 380 matches loaded, {RENDERS} renders (and of the CSV)", 0.03,
             standings_page)]


def double_round_robin(teams: list) -> list[list[tuple]]:
    """38 matchdays of (home, away) for 20 teams: the circle method, then the same with venues swapped."""
    teams = list(teams)
    half = len(teams) // 2
    first = []
    for day in range(len(teams) - 1):
        pairs = [(teams[i], teams[-1 - i]) for i in range(half)]
        first.append([(a, b) if (day + i) % 2 else (b, a) for i, (a, b) in enumerate(pairs)])
        teams = [teams[0], teams[-1], *teams[1:-1]]
    return first + [[(away, home) for home, away in day] for day in first]


def build_league(rng: random.Random) -> int:
    from matches.models import Competition, Match, MatchEvent, PointsAdjustment, Season, Source, Team
    from players.models import Player

    competition = Competition.objects.create(name="Bench League", country="England", timezone="Europe/London")
    clubs = Team.objects.bulk_create(Team(name=f"Bench Club {number:02d}") for number in range(1, CLUBS + 1))
    squads = {club.pk: Player.objects.bulk_create(Player(name=f"Player {club.pk}-{shirt}") for shirt in range(1, 26))
              for club in clubs}
    seasons = Season.objects.bulk_create(
        Season(competition=competition, name=f"{year}/{(year + 1) % 100:02d}") for year in range(2004, 2004 + SEASONS)
    )
    matches = []
    for season in seasons:
        year = int(season.name[:4])
        teams = rng.sample(clubs, 20)
        first_day = dt.datetime(year, 8, 10, 14, 0, tzinfo=dt.UTC)
        latest = season is seasons[-1]
        for day_number, day in enumerate(double_round_robin(teams), start=1):
            for slot, (home, away) in enumerate(day):
                played = not latest or day_number <= PLAYED_MATCHDAYS
                matches.append(Match(
                    competition=competition, season=season, kickoff=first_day + dt.timedelta(days=7 * day_number,
                                                                                              hours=slot % 4),
                    home_team=home, away_team=away,
                    status=Match.Status.FINISHED if played else Match.Status.SCHEDULED,
                    home_score=min(int(rng.expovariate(1 / 1.5)), 7) if played else None,
                    away_score=min(int(rng.expovariate(1 / 1.2)), 7) if played else None,
                ))
    matches = Match.objects.bulk_create(matches, batch_size=2000)
    events = []
    for match in matches:
        seq = 0
        for team, goals in ((match.home_team, match.home_score), (match.away_team, match.away_score)):
            for _ in range(goals or 0):
                seq += 1
                kind = MatchEvent.Kind.PENALTY_SCORED if rng.random() < 0.1 else MatchEvent.Kind.GOAL
                events.append(MatchEvent(
                    match=match, seq=seq, source=Source.MANUAL, external_id=f"bench-{match.pk}-{seq}", kind=kind,
                    period=1 + (seq % 2), minute=rng.randint(1, 90), team=team,
                    player=rng.choice(squads[team.pk][12:]), raw_type=kind,
                ))
    MatchEvent.objects.bulk_create(events, batch_size=2000)
    for season, team in ((seasons[-1], matches[-1].home_team), (seasons[-2], matches[-400].away_team)):
        PointsAdjustment.objects.create(season=season, team=team, points=-6, reason="Bench deduction")
    return competition.pk


def timed(client: Client, url: str) -> list[float]:
    client.get(url)  # templates compiled, caches warm
    seconds = []
    for _ in range(RENDERS):
        started = perf_counter()
        response = client.get(url)
        seconds.append(perf_counter() - started)
        assert response.status_code == 200, response.status_code
    return seconds


def standings_page() -> dict[str, float]:
    from django.urls import reverse

    competition_id = build_league(random.Random(5))
    client = Client()
    page = timed(client, reverse("matches:competition", args=[competition_id]))
    sheet = timed(client, reverse("matches:competition-standings-csv", args=[competition_id]))
    p95 = statistics.quantiles(page, n=20)[-1]
    return {"p50": statistics.median(page), "p95": p95, "csv_p95": statistics.quantiles(sheet, n=20)[-1],
            "total": p95}
