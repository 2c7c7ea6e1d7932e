"""manage.py evaluate_ratings: how our ratings behave over every stored StatsBomb match."""

import math
import statistics
import time

from django.core.management.base import BaseCommand, CommandError

from matches.fragments import MatchState
from matches.models import MatchEvent, Source
from players.rating_store import rated_matches
from players.ratings import MIN_MINUTES, appearances_of, current_grid, rate_events


def pearson(xs: list[float], ys: list[float]) -> float:
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    return sxy / math.sqrt(sxx * syy) if sxx and syy else float("nan")


class Command(BaseCommand):
    help = ("Rate every finished StatsBomb match with events and print the player-matches rated, the mean and "
            "spread of the ratings, the share in 5.5-8.5, the slowest match's rating time, and the Pearson "
            "correlation between rating and (goals + assists + xG + xA) per 90. Last line: "
            "'ratings corr=<r> mean=<m> sd=<s> player_matches=<n> matches=<n>'.")

    def handle(self, *args, **options):
        statsbomb = MatchEvent.objects.filter(source=Source.STATSBOMB).values("match_id")
        matches = list(rated_matches().filter(pk__in=statsbomb).select_related("home_team", "away_team"))
        if not matches:
            raise CommandError("no finished StatsBomb match with events is stored (manage.py import_statsbomb)")
        grid = current_grid()
        ratings, involvement, totals, timings, most_events = [], [], [], [], 0
        potm_goal_involved = 0
        for match in matches:
            events = MatchState(match).events
            entries, _ = appearances_of(match)
            started = time.perf_counter()
            rated = rate_events(events, entries, grid)
            timings.append(time.perf_counter() - started)
            most_events = max(most_events, len(events))
            for rating in rated.values():
                ratings.append(rating.rating)
                total = rating.goals + rating.assists + rating.xg + rating.xa
                involvement.append(total * 90 / rating.minutes)
                totals.append(total)
                if rating.player_of_the_match and (rating.goals or rating.assists):
                    potm_goal_involved += 1
        if len(ratings) < 2:
            raise CommandError("fewer than two player-matches rated")
        within = sum(5.5 <= value <= 8.5 for value in ratings) / len(ratings)
        corr = pearson(ratings, involvement)
        mean, sd = statistics.fmean(ratings), statistics.pstdev(ratings)
        self.stdout.write(f"grid: {'fitted v%d' % grid.version if grid.fitted else 'distance formula (none fitted)'}")
        self.stdout.write(f"{len(ratings)} player-matches ({MIN_MINUTES}+ minutes) in {len(matches)} StatsBomb matches")
        self.stdout.write(f"rating mean {mean:.2f}, sd {sd:.2f}, min {min(ratings):.1f}, max {max(ratings):.1f}, "
                          f"{within:.0%} within 5.5-8.5")
        self.stdout.write(f"player of the match scored or assisted in {potm_goal_involved} of {len(matches)} matches")
        self.stdout.write(f"correlation with the match totals (not per 90): {pearson(ratings, totals):.3f}")
        self.stdout.write(f"time to rate a match: median {statistics.median(timings) * 1000:.1f} ms, slowest "
                          f"{max(timings) * 1000:.1f} ms (most events in a match: {most_events})")
        self.stdout.write(f"ratings corr={corr:.3f} mean={mean:.2f} sd={sd:.2f} player_matches={len(ratings)} "
                          f"matches={len(matches)}")
