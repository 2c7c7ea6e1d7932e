"""The demo that `make run` loads into an empty database: every feature README names, from real data.

Each step is one of the project's own commands (the same ones a user runs), so the demo can
never show something the commands would not produce. A step whose data is missing is skipped
with the path it looked for; a step that fails warns and the rest still run (the site starts
with what loaded); the command exits non-zero at the end if any failed. Every step is
idempotent, so running the demo again changes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.management import call_command, get_commands
from django.core.management.base import BaseCommand, CommandError

# The competitions whose ratings are fitted and walked forward (both have several seasons in the data).
RATED_COMPETITIONS = ("Premier League", "Bundesliga")
# Euro 2020 Turkey v Italy: its events and lineups carry no date and the demo folder has no
# matches file for it, so the demo gives its kick-off (and competition) explicitly.
TURKEY_ITALY = ("--match", "3788741", "--competition", "55", "--season", "43", "--date", "2021-06-11T21:00")
# The betting desk's demo: our Dixon-Coles value bets at the best opening price, quarter Kelly, at most 5% a bet
# (a bettor places them days before; the close later says whether the price was good).
VALUE_STRATEGY = "Value bets, match result"
VALUE_BETS = ("--competition", "Premier League", "--rule", "value", "--edge", "0.05", "--price", "opening",
              "--stake", "kelly:0.25:0.05")


@dataclass(frozen=True)
class Step:
    label: str
    run: Callable[[], None]
    needs: tuple[Path, ...] = ()  # skipped, and said, when one is missing


DEMO_GAMEWEEK = 38


class Command(BaseCommand):
    help = ("Load the demo: Premier League 2020/21-2023/24 (football-data.co.uk), openfootball 2023/24, the "
            "Bundesliga (football-datasets), the StatsBomb folders, FPL 2022/23 and 2023/24, the points "
            "rulings; then fit the ratings, walk them forward over every finished match, value the players, fit "
            "the expected-threat grid that rates the players of every event-fed match, import a Betfair Exchange "
            "recording, backtest value bets (with a walk-forward) and paper-trade them over the last matchdays. "
            "DATA_DIR defaults to QUANTFOOT_DATA (../shared/data). Each step prints its time; one that fails "
            "warns and the others still run.")

    def add_arguments(self, parser):
        parser.add_argument("data_dir", nargs="?", default=None, metavar="DATA_DIR")

    def handle(self, *args, **options):
        data = Path(options["data_dir"] or settings.QUANTFOOT_DATA)
        if not data.is_dir():
            raise CommandError(f"{data}: no such folder (give the demo data folder, or set QUANTFOOT_DATA)")
        steps = self.steps(data)
        started = time.perf_counter()
        failed = []
        for number, step in enumerate(steps, start=1):
            missing = [path for path in step.needs if not path.exists()]
            if missing:
                self.stdout.write(f"-- [{number}/{len(steps)}] {step.label}: skipped, {missing[0]} not found")
                continue
            self.stdout.write(f"-- [{number}/{len(steps)}] {step.label}")
            self.stdout.flush()
            step_started = time.perf_counter()
            try:
                step.run()
            except Exception as error:  # noqa: BLE001 - one bad step must not keep the site from starting
                failed.append(step.label)
                self.stderr.write(f"WARNING: {step.label} failed: {error}")
            self.stdout.write(f"   {step.label}: {time.perf_counter() - step_started:.1f} s")
        self.stdout.write(f"demo loaded in {time.perf_counter() - started:.1f} s"
                          + (f"; {len(failed)} step(s) failed: {', '.join(failed)}" if failed else ""))
        if failed:
            raise CommandError(f"{len(failed)} demo step(s) failed: {', '.join(failed)} (see above)")

    def steps(self, data: Path) -> list[Step]:
        def command(*args):
            return lambda: call_command(*args, stdout=self.stdout, stderr=self.stderr)

        def each_competition(name):
            return lambda: self.for_rated_competitions(name)

        e0, bundesliga = data / "football-data" / "E0", data / "football-datasets" / "bundesliga"
        openfootball = [data / "openfootball" / "2023-24" / name for name in ("en.1.json", "de.1.json")]
        statsbomb, pl1516 = data / "statsbomb", data / "statsbomb-pl1516"
        fpl = [data / "fpl" / season for season in ("2022-23", "2023-24")]
        betfair = data / "betfair" / "flumine" / "1.200806927"
        steps = [
            Step("Premier League 2020/21-2023/24 (football-data.co.uk)", command("import_football_data", str(e0)),
                 (e0,)),
            Step("Premier League and Bundesliga 2023/24 (openfootball)",
                 command("import_openfootball", *map(str, openfootball)), tuple(openfootball)),
            Step("Bundesliga 2018/19-2022/23 (football-datasets)", command("import_football_data", str(bundesliga)),
                 (bundesliga,)),
            Step("StatsBomb: Bundesliga 2023/24 matches", command("import_statsbomb", str(statsbomb)), (statsbomb,)),
            Step("StatsBomb: Euro 2020 Turkey v Italy", command("import_statsbomb", str(statsbomb), *TURKEY_ITALY),
                 (statsbomb / "events" / "3788741.json",)),
            Step("StatsBomb: Premier League 2015/16, 40 matches", command("import_statsbomb", str(pl1516)), (pl1516,)),
        ]
        for folder in fpl:
            steps.append(Step(f"Fantasy Premier League {folder.name.replace('-', '/')}", self.fpl(folder), (folder,)))
        steps += [
            Step("Points deductions (matches/data/points_adjustments.csv)", command("load_points_adjustments")),
            Step("Ratings: Elo and Dixon-Coles fitted", each_competition("fit")),
            Step("Predictions: every finished match, walked forward", each_competition("history")),
            Step("Market values", self.market_values),
            Step("Expected threat fitted, player ratings of every event-fed match", self.threat),
            Step("Betfair Exchange: a stream recording (flumine)", command("import_betfair", str(betfair)), (betfair,)),
            Step("Backtest: value bets, Premier League 2023/24, with Monte Carlo risk",
                 command("backtest", *VALUE_BETS, "--seasons", "2023/24", "--save-as", VALUE_STRATEGY, "--reuse"),
                 (e0,)),
            Step("Walk-forward: value bets over the predicted Premier League seasons", self.walk_forward, (e0,)),
            Step("Paper trading: value bets over the season's last two matchdays",
                 command("paper_trade", "--portfolio", "Value bets, last matchdays", "--strategy", VALUE_STRATEGY,
                         "--competition", "Premier League", "--from", "2024-05-11", "--to", "2024-05-19"), (e0,)),
            Step(f"Fantasy: FPL 2023/24 gameweek {DEMO_GAMEWEEK} projected, its best squad, and a practice "
                 "DraftKings slate with 20 lineups", self.fantasy, (fpl[1],)),
        ]
        return steps

    def fpl(self, folder: Path) -> Callable[[], None]:
        def run():
            # import_fpl is young: say so plainly where it is not there yet rather than fail the demo.
            if "import_fpl" not in get_commands():
                raise CommandError("this checkout has no import_fpl command")
            call_command("import_fpl", str(folder), stdout=self.stdout, stderr=self.stderr)
        return run

    def for_rated_competitions(self, what: str) -> None:
        from markets import tasks
        from markets.ratings import DEFAULT_XI
        from matches.models import Competition

        for name in RATED_COMPETITIONS:
            competition = Competition.objects.filter(name=name).first()
            if competition is None:
                self.stdout.write(f"   {name}: not in the database, skipped")
                continue
            if what == "fit":
                if tasks.is_current(competition):  # fitted on the latest result already: no new version
                    self.stdout.write(f"   {name}: ratings up to date")
                    continue
                # Settings fixed in advance (the defaults): tuning them (fit_ratings without --xi) takes
                # about 40 s a competition, too long for a first start.
                call_command("fit_ratings", "--competition", str(competition.pk), "--xi", str(DEFAULT_XI),
                             stdout=self.stdout, stderr=self.stderr)
            else:
                call_command("predict_history", "--competition", str(competition.pk),
                             stdout=self.stdout, stderr=self.stderr)

    def fantasy(self) -> None:
        """Our projections of the season's last gameweek, the best squad on them, and a slate of its matches
        (salaries from FPL prices: there is no DraftKings file among the data) optimised 20 times."""
        slate = f"FPL 2023/24 GW{DEMO_GAMEWEEK} (practice: salaries from FPL prices)"
        for args in (("project_gameweek", "--season", "2023/24", "--gameweek", str(DEMO_GAMEWEEK)),
                     ("optimize", "--season", "2023/24", "--gameweek", str(DEMO_GAMEWEEK)),
                     ("import_salaries", "--from-fpl", "2023/24", "--gameweek", str(DEMO_GAMEWEEK), "--slate", slate),
                     ("optimize", "--slate", slate, "--lineups", "20", "--max-exposure", "0.6")):
            call_command(*args, stdout=self.stdout, stderr=self.stderr)

    def walk_forward(self) -> None:
        """Over the seasons the predictions cover (2021/22-2023/24 in the full demo): each fitted on the one before."""
        from markets.models import Prediction

        seasons = sorted(set(Prediction.objects.filter(match__competition__name="Premier League")
                             .values_list("match__season__name", flat=True)))
        if len(seasons) < 2:
            self.stdout.write("   fewer than two predicted Premier League seasons: no walk-forward")
            return
        call_command("backtest", *VALUE_BETS, "--seasons", ",".join(seasons), "--walk-forward", "--reuse",
                     "--save-as", VALUE_STRATEGY,
                     stdout=self.stdout, stderr=self.stderr)

    def threat(self) -> None:
        """fit_threat needs on-ball events (the StatsBomb steps): without them, say so rather than fail."""
        from matches.models import MatchEvent

        if not MatchEvent.objects.filter(kind__in=("pass", "carry"), x__isnull=False).exists():
            self.stdout.write("   no stored passes or carries (no StatsBomb folder): ratings use the distance formula")
            return
        call_command("fit_threat", stdout=self.stdout, stderr=self.stderr)

    def market_values(self) -> None:
        """Valued as of the day after the latest stored result: the demo's data ends in May 2024, and a
        value "today" would age every player by the years since (one value per player and day: a rerun
        rewrites the same rows)."""
        from matches.models import Match

        latest = Match.objects.filter(status=Match.Status.FINISHED).order_by("-kickoff").values_list(
            "kickoff", flat=True).first()
        args = ["--date", (latest.date() + dt.timedelta(days=1)).isoformat()] if latest else []
        call_command("recompute_market_values", *args, stdout=self.stdout, stderr=self.stderr)
