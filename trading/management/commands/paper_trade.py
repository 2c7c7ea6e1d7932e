"""paper_trade --portfolio NAME --strategy NAME [--competition ID --from DATE --to DATE]

Switches a site strategy on for a site paper portfolio (made if new), and with a date range
paper-trades the finished matches in it as they happened: each at its kick-off with the prices
known then, settled at its final score (``trading.paper.replay_past``). Without a range the
strategy simply stays on and bets on prices as they arrive. Running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from markets.predictions import PredictionError, resolve_competition
from matches.models import Match
from trading import paper
from trading.models import PaperPortfolio, PaperStrategy, Strategy


class Command(BaseCommand):
    help = "Switch a site strategy on for a site paper portfolio, and optionally replay past matches through it."

    def add_arguments(self, parser):
        parser.add_argument("--portfolio", required=True, help="The site portfolio's name (made if new).")
        parser.add_argument("--strategy", required=True, help="A site strategy's name (its latest version).")
        parser.add_argument("--bankroll", type=float, default=100.0, help="A new portfolio's bankroll (100).")
        parser.add_argument("--competition", help="With --from/--to: whose finished matches to replay.")
        parser.add_argument("--from", dest="start", type=dt.date.fromisoformat, help="First day (YYYY-MM-DD).")
        parser.add_argument("--to", dest="end", type=dt.date.fromisoformat, help="Last day (YYYY-MM-DD).")

    def handle(self, *args, **options):
        strategy = Strategy.objects.filter(owner__isnull=True, name=options["strategy"]).first()
        version = strategy.latest_version() if strategy else None
        if version is None:
            raise CommandError(f"--strategy {options['strategy']!r}: no site strategy has that name "
                               "(backtest --save-as NAME stores one)")
        if not options["bankroll"] > 0:
            raise CommandError("--bankroll: above 0")
        with transaction.atomic():
            portfolio, created = PaperPortfolio.objects.get_or_create(
                owner=None, name=options["portfolio"], defaults={"bankroll": options["bankroll"]})
            PaperStrategy.objects.update_or_create(portfolio=portfolio, strategy_version=version,
                                                   defaults={"active": True})
        self.stdout.write(f"{portfolio} ({'created' if created else 'kept'}): {version} switched on")
        if not options["start"] and not options["end"]:
            return
        if not (options["start"] and options["end"] and options["competition"]):
            raise CommandError("--competition, --from and --to go together")
        try:
            competition = resolve_competition(options["competition"])
        except PredictionError as exc:
            raise CommandError(str(exc)) from exc
        matches = Match.objects.filter(competition=competition, status=Match.Status.FINISHED,
                                       kickoff__date__gte=options["start"], kickoff__date__lte=options["end"])
        ids = list(matches.values_list("pk", flat=True))
        with transaction.atomic():
            placed, settled = paper.replay_past(portfolio, ids)
        summary = paper.portfolio_summary(portfolio)
        self.stdout.write(f"{len(ids)} matches replayed: {placed} bets placed, {settled} settled; "
                          f"profit {summary['profit']:+.2f}, balance {summary['balance']:.2f}")
