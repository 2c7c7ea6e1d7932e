"""backtest --competition ID --seasons S[,S...] --rule RULE [...]: DESIGN.md §4's contract.

The last line is ``backtest bets=<n> staked=<units> profit=<units> roi=<profit/staked>
clv=<mean price/close-1> max_drawdown=<units>``; the lines above it are the report a bettor reads.
The run is stored (a ``Backtest`` of the site), so its page shows it again.
"""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from markets.predictions import PredictionError, resolve_competition, resolve_season
from trading import reports
from trading.models import Strategy
from trading.services import MONTE_CARLO_PATHS, create_backtest, run_backtest, save_strategy, stored_run
from trading.strategy import StrategyError, StrategySpec
from trading.walkforward import DEFAULT_GRID


class Command(BaseCommand):
    help = "Backtest a betting rule or a stored strategy over stored seasons, with Monte Carlo risk."

    def add_arguments(self, parser):
        parser.add_argument("--competition", required=True, help="Competition id or name.")
        parser.add_argument("--seasons", required=True, help='Seasons by name or id, comma-separated: "2023/24".')
        parser.add_argument("--rule", required=True,
                            help="back:home|draw|away|over2.5|under2.5|ah_home|ah_away, value, closing_line, "
                                 "favourite_longshot, market_move, or a stored strategy's name.")
        parser.add_argument("--price", help="opening, closing (default) or snapshot:MINUTES before kick-off.")
        parser.add_argument("--bookmaker", help='A bookmaker code (PS = Pinnacle, B365, BFE) or "best" (default).')
        parser.add_argument("--stake", help="flat[:UNITS] (default flat:1), proportional:SHARE, kelly[:FRACTION[:CAP]].")
        parser.add_argument("--edge", type=float, help="value/closing_line: the expected value a bet must beat (0.05).")
        parser.add_argument("--commission", type=float, help="Share of each market's net winnings (Betfair: 0.05).")
        parser.add_argument("--markets", help="value/closing_line/market_move: 1x2,over_under,asian_handicap.")
        parser.add_argument("--model", help="dixon_coles (default) or elo.")
        parser.add_argument("--min-price", type=float, dest="min_price")
        parser.add_argument("--max-price", type=float, dest="max_price")
        parser.add_argument("--bankroll", type=float, help="Starting bankroll in units (100).")
        parser.add_argument("--walk-forward", action="store_true", dest="walk_forward",
                            help="Refit a parameter grid on each season and bet the next one with the best setting.")
        parser.add_argument("--grid", help=f"Walk-forward grid as JSON (default {json.dumps(DEFAULT_GRID)}).")
        parser.add_argument("--paths", type=int, default=MONTE_CARLO_PATHS, help="Monte Carlo seasons (10000).")
        parser.add_argument("--save-as", dest="save_as", help="Store the definition as the site's strategy of this "
                                                               "name (a new version only when it changed).")
        parser.add_argument("--reuse", action="store_true",
                            help="Show the stored run of the same definition and seasons instead of running again.")

    def handle(self, *args, **options):
        self.verbosity = options["verbosity"]
        try:
            competition = resolve_competition(options["competition"])
            seasons = [resolve_season(competition, name.strip()) for name in options["seasons"].split(",") if name.strip()]
        except PredictionError as exc:
            raise CommandError(str(exc)) from exc
        if not seasons:
            raise CommandError("--seasons: name at least one season")
        fields = {name: options[name] for name in ("price", "bookmaker", "stake", "edge", "commission", "markets",
                                                   "model", "min_price", "max_price", "bankroll")}
        version = None
        try:
            rule = options["rule"]
            name = rule.partition(":")[0]
            if name in ("back", "value", "closing_line", "favourite_longshot", "market_move"):
                spec = StrategySpec.from_rule(rule, **fields)
            else:
                strategy = Strategy.objects.filter(name=rule, owner__isnull=True).first()
                version = strategy.latest_version() if strategy else None
                if version is None:
                    raise CommandError(f"--rule {rule!r}: not a rule and no site strategy has that name")
                spec = version.spec.replace(**{key: value for key, value in fields.items() if value is not None})
            grid = json.loads(options["grid"]) if options["grid"] else DEFAULT_GRID
        except StrategyError as exc:
            raise CommandError(f"--{exc.field.replace('_', '-')}: {exc}") from exc
        except json.JSONDecodeError as exc:
            raise CommandError(f"--grid: not JSON ({exc})") from exc
        if options["paths"] < 1:
            raise CommandError("--paths: at least 1")
        if options["save_as"]:
            with transaction.atomic():
                version = save_strategy(None, options["save_as"], spec)
        grid = grid if options["walk_forward"] else None
        backtest = stored_run(spec, competition, seasons, grid) if options["reuse"] else None
        if backtest is None:
            backtest = create_backtest(spec, [competition], seasons, strategy_version=version, walk_forward_grid=grid)
            try:
                backtest = run_backtest(backtest, paths=options["paths"], on_progress=self._progress)
            except StrategyError as exc:
                raise CommandError(str(exc)) from exc
        for line in reports.text(backtest):
            self.stdout.write(line)
        self.stdout.write(reports.contract_line(backtest.report))

    def _progress(self, percent: int, message: str) -> None:
        if self.verbosity >= 2:
            self.stderr.write(f"{percent:3d}% {message}")
