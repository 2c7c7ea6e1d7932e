import signal
import time

from django.core.management.base import BaseCommand, CommandError

from matches.models import Match, MatchExternalId
from matches.replay import BREAK_SECONDS, NothingToReplay, Progress, ReplayResult, replay


class Command(BaseCommand):
    help = ("Replay a stored match's events through the live pipeline as if it were being played now "
            "(demo, tests, benchmarks). The match ends as it was stored.")

    def add_arguments(self, parser):
        parser.add_argument("match", metavar="MATCH", help="our match id, or SOURCE:EXTERNAL_ID (statsbomb:3788741)")
        parser.add_argument("--speed", type=float, default=1.0,
                            help="match time per real time: 10 plays 90 minutes in 9 (default 1)")
        parser.add_argument("--start-delay", type=float, default=0.0, metavar="SECONDS",
                            help="after emptying the match, show it as not started this long before kick-off")
        parser.add_argument("--loop", action="store_true", help="replay again and again until stopped (demo)")

    def handle(self, *args, **options):
        match = self.find_match(options["match"])
        speed, start_delay = options["speed"], options["start_delay"]
        if speed <= 0:
            raise CommandError("--speed must be positive")
        if start_delay < 0:
            raise CommandError("--start-delay cannot be negative")
        self.verbosity = options["verbosity"]
        # bin/run stops its children with TERM: stop as cleanly as on Ctrl-C.
        previous = signal.signal(signal.SIGTERM, _interrupt)
        try:
            while True:
                try:
                    result = replay(match, speed=speed, start_delay=start_delay, on_progress=self.report)
                except NothingToReplay as exc:
                    raise CommandError(str(exc)) from exc
                except Exception as exc:  # --loop survives a bad round (e.g. the database was busy)
                    if not options["loop"]:
                        raise
                    self.stderr.write(self.style.ERROR(f"replay failed: {exc!r}; trying again in 5 s"))
                    time.sleep(5)
                    continue
                self.summary(result, speed)
                if result.stopped_at or not options["loop"]:
                    return
                time.sleep(max(start_delay, BREAK_SECONDS / speed))  # the final whistle, held a moment
        except KeyboardInterrupt:  # between rounds, or a second Ctrl-C while the rest was being stored
            self.stdout.write(self.style.WARNING("replay stopped"))
        finally:
            signal.signal(signal.SIGTERM, previous)

    def find_match(self, given: str) -> Match:
        if given.isdigit():
            match = Match.objects.select_related("home_team", "away_team").filter(pk=int(given)).first()
        elif ":" in given:
            source, external_id = given.split(":", 1)
            link = MatchExternalId.objects.select_related("match__home_team", "match__away_team").filter(
                source=source, external_id=external_id).first()
            match = link.match if link else None
        else:
            raise CommandError(f"MATCH must be a match id or SOURCE:EXTERNAL_ID, not {given!r}")
        if match is None:
            raise CommandError(f"no match {given}")
        return match

    def report(self, progress: Progress) -> None:
        if self.verbosity >= 1:
            self.stderr.write(f"{progress.minute:>7} {progress.home_score}-{progress.away_score}"
                              f"  ({progress.events}/{progress.total} events)")

    def summary(self, result: ReplayResult, speed: float) -> None:
        match = result.match
        ht = f" (HT {match.home_ht_score}-{match.away_ht_score})" if match.home_ht_score is not None else ""
        line = f"{match.home_team} {match.score_display} {match.away_team}{ht}: "
        stop = result.stopped_at
        if stop is not None:
            self.stdout.write(self.style.WARNING(
                line + f"stopped at {stop.minute} ({stop.home_score}-{stop.away_score}) after {stop.events} of "
                f"{stop.total} events; the rest was stored at once, so the match is whole again"))
            return
        line += f"replayed {result.recorded} events in {_duration(result.seconds)} at {speed:g}x"
        if result.skipped:
            line += f" ({result.skipped} were stored already)"
        self.stdout.write(self.style.SUCCESS(line))


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def _duration(seconds: float) -> str:
    minutes, seconds = divmod(round(seconds), 60)
    return f"{minutes}m {seconds:02d}s" if minutes else f"{seconds}s"
