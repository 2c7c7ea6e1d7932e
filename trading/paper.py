"""Paper trading: strategies switched on for a portfolio bet on real prices as they arrive, with no money.

When it bets. Whenever new prices for a match arrive (an odds sync's snapshots, an exchange stream
file) and at kick-off, every active paper strategy looks at the match: the signal is read from the
prices known ``delay_seconds`` earlier, the bet is filled at the price on offer now, and only if that
price still passes the rule (an order sent after a delay misses a price that has gone). A strategy
bets a selection of a match once. Pre-match only: a match that has kicked off takes no new bets,
except at the kick-off moment itself, which is when the closing price is known (``price=closing``).

What it takes. The prices known at a moment: every opening (pre-match) quote, every snapshot taken
by then, and the closing quote once the match has kicked off. A strategy whose bookmaker is
``exchange`` takes the best back price of the match's linked Betfair Match Odds market as of the
moment (``markets.exchange.match_book_at``; at kick-off that book is also its close), filled only
up to the size on offer at that price, with the market's own commission unless the strategy sets
one; a bookmaker's price is filled in full.

Stakes come from the portfolio's balance: its bankroll plus settled profit, less what open bets
have staked (flat stakes ask no balance but never stake more than is left).

Settlement at full time, from the final score (``trading.settlement``), with the strategy's
commission on each market's net winnings. Each placement and settlement tells ``portfolio_listeners``
(accounts pushes the portfolio's fragment to its owner's open pages) after the commit.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Callable

import numpy as np
from django.db import IntegrityError, transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from markets.exchange import match_book_at, match_odds_market
from markets.models import OddsQuote, Prediction
from markets.value_bets import latest_per_kind
from matches.models import Match
from trading.data import candidates_of
from trading.engine import Candidates, select
from trading.models import PaperBet, PaperPortfolio, PaperStrategy
from trading.settlement import settle

logger = logging.getLogger(__name__)

# A strategy's bookmaker that means the linked exchange market (markets.exchange), not a bookmaker's quotes.
EXCHANGE = "exchange"
# Called with (portfolio ids) after bets were placed or settled; accounts pushes the fragments.
portfolio_listeners: list[Callable[[list[int]], None]] = []


def known_at(quotes: list[dict], kickoff: dt.datetime, moment: dt.datetime, *, kicked_off: bool) -> list[dict]:
    """The quotes a bettor could have seen at ``moment``."""
    seen = []
    for quote in quotes:
        if quote["phase"] == OddsQuote.Phase.PRE_MATCH:
            seen.append(quote)
        elif quote["phase"] == OddsQuote.Phase.CLOSING and (kicked_off or moment >= kickoff):
            seen.append(quote)
        elif quote["phase"] == OddsQuote.Phase.SNAPSHOT and quote["taken_at"] <= moment:
            seen.append(quote)
    return seen


def _quotes(match_ids: list[int]) -> dict[int, list[dict]]:
    found = defaultdict(list)
    for quote in OddsQuote.objects.filter(match_id__in=match_ids).values(
            "match_id", "bookmaker__code", "bookmaker__is_aggregate", "market", "line", "phase", "taken_at",
            "home", "draw", "away", "over", "under"):
        found[quote["match_id"]].append(quote)
    return found


def balance(portfolio: PaperPortfolio) -> float:
    settled = PaperBet.objects.filter(portfolio=portfolio, status=PaperBet.Status.SETTLED).aggregate(
        total=Sum("profit"))["total"] or 0.0
    open_stakes = PaperBet.objects.filter(portfolio=portfolio, status=PaperBet.Status.OPEN).aggregate(
        total=Sum("stake"))["total"] or 0.0
    return portfolio.bankroll + settled - open_stakes


def place_bets(match_ids: list[int], *, now: dt.datetime | None = None,
               portfolio: PaperPortfolio | None = None, at_kick_off: bool = False) -> list[PaperBet]:
    """Every active paper strategy's bets on these matches from the prices known now (see the module).

    ``at_kick_off``: a past match replayed at its kick-off (``replay_past``), whatever its status now.
    """
    now = now or timezone.now()
    active = PaperStrategy.objects.filter(active=True).select_related("strategy_version", "portfolio")
    if portfolio is not None:
        active = active.filter(portfolio=portfolio)
    active = list(active)
    if not active:
        return []
    matches = {match.pk: match for match in Match.objects.filter(pk__in=match_ids)}
    quotes = _quotes(list(matches))
    placed = []
    for paper in active:
        spec = paper.strategy_version.spec
        predictions = {p.match_id: p for p in latest_per_kind(
            Prediction.objects.filter(match_id__in=list(matches), model__kind=spec.model)).select_related("model")}
        for match in matches.values():
            if not at_kick_off and not takes_bets(match):
                continue
            kicked_off = at_kick_off or match.status == Match.Status.LIVE
            signal_at = now - dt.timedelta(seconds=paper.delay_seconds)
            if spec.bookmaker == EXCHANGE:
                signal = _chosen(_exchange_quotes(match, signal_at, kicked_off), predictions.get(match.pk), match,
                                 spec, signal_at, kicked_off)
                fill_quotes = _exchange_quotes(match, now, kicked_off)
            else:
                signal = _chosen(quotes.get(match.pk, []), predictions.get(match.pk), match, spec, signal_at,
                                 kicked_off)
                fill_quotes = quotes.get(match.pk, [])
            fill = _chosen(fill_quotes, predictions.get(match.pk), match, spec, now, kicked_off)
            wanted = {key: row for key, row in fill.items() if key in signal}
            for (market, line, selection), row in wanted.items():
                if spec.bookmaker == EXCHANGE:
                    row["size"] = fill_quotes[0]["sizes"].get(selection)
                bet = _place(paper, match, market, line, selection, row, spec, now)
                if bet is not None:
                    placed.append(bet)
    if placed:
        ids = sorted({bet.portfolio_id for bet in placed})
        transaction.on_commit(lambda: _tell(ids))
    return placed


def _exchange_quotes(match: Match, moment: dt.datetime, kicked_off: bool) -> list[dict]:
    """The linked exchange market's book at ``moment`` as one 1X2 quote (a snapshot, and the close at
    kick-off), with the size on offer at each best back price; none while the market is not open."""
    books = match_book_at(match, moment)
    if set(books) != {"home", "draw", "away"} or not all(book.takeable and book.best_back for book in books.values()):
        return []
    quote = {"bookmaker__code": EXCHANGE, "bookmaker__is_aggregate": False, "market": OddsQuote.Market.MATCH_ODDS,
             "line": 0, "phase": OddsQuote.Phase.SNAPSHOT, "taken_at": min(b.taken_at for b in books.values()),
             "over": None, "under": None, "sizes": {key: book.best_back_size for key, book in books.items()},
             **{key: book.best_back for key, book in books.items()}}
    return [quote, {**quote, "phase": OddsQuote.Phase.CLOSING}] if kicked_off else [quote]


def takes_bets(match: Match) -> bool:
    """Before kick-off, or at the kick-off itself (first half, minute 0 or 1): pre-match strategies only."""
    if match.status == Match.Status.SCHEDULED:
        return True
    return (match.status == Match.Status.LIVE and match.period == Match.Period.FIRST_HALF
            and (match.clock_minute or 0) <= 1)


def _chosen(quotes, prediction, match, spec, moment, kicked_off) -> dict[tuple, dict]:
    """The selections the rule backs on the prices known at ``moment``: (market, line, selection) -> row."""
    rows = candidates_of(known_at(quotes, match.kickoff, moment, kicked_off=kicked_off), prediction,
                         match.kickoff, spec)
    if not rows:
        return {}
    for row in rows:
        row.update(match_id=match.pk, kickoff=np.datetime64(match.kickoff.replace(tzinfo=None), "s"),
                   win=0.0, void=0.0, lose=1.0)
    candidates = Candidates.from_rows(rows)
    mask, probability = select(candidates, spec)
    chosen = {}
    for index in np.flatnonzero(mask):
        key = (str(candidates.market[index]), float(candidates.line[index]), str(candidates.selection[index]))
        chosen[key] = {"price": float(candidates.price[index]), "bookmaker": str(candidates.bookmaker[index]),
                       "probability": float(probability[index])}
    return chosen


def _stake(paper: PaperStrategy, spec, price: float, probability: float) -> float:
    plan = spec.stake_plan
    available = balance(paper.portfolio)
    if plan.kind == "flat":
        wanted = plan.amount
    else:
        wanted = float(plan.fractions(np.array([price]), np.array([probability]))[0]) * max(available, 0.0)
    return round(min(wanted, max(available, 0.0)), 2)


def _place(paper, match, market, line, selection, row, spec, now) -> PaperBet | None:
    requested = _stake(paper, spec, row["price"], row["probability"])
    size = row.get("size")
    stake = requested if size is None else round(min(requested, size), 2)  # an exchange fills what is offered
    if stake <= 0:
        return None
    try:
        with transaction.atomic():
            return PaperBet.objects.create(
                portfolio=paper.portfolio, strategy_version=paper.strategy_version, match=match, market=market,
                line=line, selection=selection, bookmaker=row["bookmaker"], price=row["price"], stake=stake,
                requested_stake=requested, price_seen_at=now, placed_at=now)
    except IntegrityError:  # this strategy has bet this selection already
        return None


def replay_past(portfolio: PaperPortfolio, match_ids: list[int]) -> tuple[int, int]:
    """Paper-trade finished matches as they happened: each at its kick-off with the prices known then,
    settled at its final score (the demo's portfolio; "how would it have traded last week").
    Returns (bets placed, bets settled); a second run places nothing new."""
    placed = settled = 0
    for match in Match.objects.filter(pk__in=match_ids, status=Match.Status.FINISHED).order_by("kickoff", "pk"):
        placed += len(place_bets([match.pk], now=match.kickoff, portfolio=portfolio, at_kick_off=True))
        settled += len(settle_bets([match.pk], at=match.kickoff + dt.timedelta(hours=2)))
    return placed, settled


def settle_bets(match_ids: list[int], *, at: dt.datetime | None = None) -> list[PaperBet]:
    """Settle the open paper bets of finished matches at their final score."""
    open_bets = list(PaperBet.objects.filter(match_id__in=match_ids, status=PaperBet.Status.OPEN,
                                             match__status=Match.Status.FINISHED)
                     .select_related("match", "strategy_version"))
    now = at or timezone.now()
    by_market = defaultdict(list)
    for bet in open_bets:
        match = bet.match
        settled = settle(bet.market, bet.selection, bet.line, match.home_score, match.away_score)
        bet.result = settled.label
        bet.profit = settled.profit(bet.stake, bet.price)
        bet.status, bet.settled_at = PaperBet.Status.SETTLED, now
        by_market[(bet.portfolio_id, bet.strategy_version_id, bet.match_id, bet.market)].append(bet)
    for bets in by_market.values():  # commission on each market's net winnings
        rate = bets[0].strategy_version.spec.commission
        if not rate and bets[0].bookmaker == EXCHANGE:  # the exchange market's own rate
            market = match_odds_market(bets[0].match)
            rate = market.market_base_rate / 100 if market and market.market_base_rate else 0.0
        net = sum(bet.profit for bet in bets)
        if rate and net > 0:
            winnings = sum(max(bet.profit, 0) for bet in bets)
            for bet in bets:
                bet.profit -= net * rate * max(bet.profit, 0) / winnings
    with transaction.atomic():
        PaperBet.objects.bulk_update(open_bets, ["result", "profit", "status", "settled_at"])
    if open_bets:
        ids = sorted({bet.portfolio_id for bet in open_bets})
        transaction.on_commit(lambda: _tell(ids))
    return open_bets


def on_match_change(kind: str, match_id: int, event) -> None:
    """matches.live's listener: bets at kick-off, settlement at full time."""
    if kind != "match_status":
        return
    status = Match.objects.filter(pk=match_id).values_list("status", flat=True).first()
    if status == Match.Status.LIVE:
        place_bets([match_id])
    elif status == Match.Status.FINISHED:
        settle_bets([match_id])


def prices_arrived(match_ids: list[int]) -> None:
    """New prices for these matches (an odds sync, an exchange file): let the paper strategies look."""
    if match_ids and PaperStrategy.objects.filter(active=True).exists():
        place_bets(list(match_ids))


def _tell(portfolio_ids: list[int]) -> None:
    for listener in portfolio_listeners:
        try:
            listener(portfolio_ids)
        except Exception:  # the bets are stored; pages catch up from the database
            logger.exception("portfolio listener %r failed for %s", listener, portfolio_ids)


def portfolio_summary(portfolio: PaperPortfolio) -> dict:
    """What the portfolio page shows: open bets, settled bets, profit, balance (three queries)."""
    bets = list(PaperBet.objects.filter(portfolio=portfolio)
                .select_related("match__home_team", "match__away_team", "strategy_version__strategy")
                .order_by("-placed_at", "-pk"))
    settled = [bet for bet in bets if bet.status == PaperBet.Status.SETTLED]
    open_bets = [bet for bet in bets if bet.status == PaperBet.Status.OPEN]
    from trading.pages import selection_label

    for bet in bets:
        bet.label = selection_label(bet)
    profit = sum(bet.profit or 0 for bet in settled)
    staked = sum(bet.stake for bet in settled)
    return {"open": open_bets, "settled": settled, "profit": profit, "staked": staked,
            "roi": profit / staked if staked else None, "roi_percent": 100 * profit / staked if staked else None, "exposure": sum(bet.stake for bet in open_bets),
            "balance": portfolio.bankroll + profit - sum(bet.stake for bet in open_bets),
            "version": max((bet.settled_at or bet.placed_at for bet in bets), default=None), "count": len(bets)}


def portfolio_version(portfolio_ids: list[int]) -> dict[int, tuple]:
    """A cheap fingerprint per portfolio (bets and settlements), for streams that catch up by polling."""
    rows = (PaperBet.objects.filter(portfolio_id__in=portfolio_ids).values("portfolio_id")
            .annotate(n=Count("pk"), settled=Count("pk", filter=Q(status=PaperBet.Status.SETTLED))))
    found = {pk: (0, 0) for pk in portfolio_ids}
    for row in rows:
        found[row["portfolio_id"]] = (row["n"], row["settled"])
    return found

