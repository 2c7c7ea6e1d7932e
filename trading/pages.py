"""What the backtest pages show, in plain values: who sees which backtest, a strategy in words, the
report's cards, the equity chart's geometry, the bet log's page and its CSV rows.

The views only read requests and render; everything a page computes from a stored backtest is
here, so the full page, its polled fragment and the CSV read the same things the same way.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from markets.models import OddsQuote
from matches.models import Competition, Match, Season
from trading.metrics import MARKET_LABELS, thin
from quantfoot.ownership import owned_by_site_or
from trading.models import Backtest, BacktestBet, Strategy

BETS_PER_PAGE = 50
BACKTESTS_LISTED = 50
# Backtests run on the task workers: a visitor without an account shares the site's few slots, a
# signed-in user has his own; a request beyond them is refused with the reason, nothing is queued.
ANONYMOUS_ACTIVE_LIMIT = 3
USER_ACTIVE_LIMIT = 5
ACTIVE = (Backtest.Status.QUEUED, Backtest.Status.RUNNING)

MODEL_LABELS = {"dixon_coles": "Dixon-Coles", "elo": "Elo"}
METHOD_NOTES = {
    "probability": "each bet wins with its own probability (our model's, else the sharp book's fair one, else the "
                   "price's) at its own price: what the strategy would do if those probabilities were right.",
    "bootstrap": "the season's own bets redrawn at random with replacement, each with its realised return: "
                 "assumes nothing about probabilities, only that the future looks like this sample.",
}


# ------------------------------------------------------------------------------------------- who sees what
def visible_backtests(user) -> QuerySet:
    """The site's backtests and the user's own; another user's are not found (404)."""
    return Backtest.objects.filter(owned_by_site_or(user))


def visible_strategies(user) -> QuerySet:
    return Strategy.objects.filter(owned_by_site_or(user)).prefetch_related("versions")


def backtest_list(user) -> list[Backtest]:
    """The newest backtests the user may see, without the heavy JSON a list does not show."""
    return list(visible_backtests(user).select_related("strategy_version__strategy")
                .prefetch_related("competitions", Prefetch("seasons", queryset=Season.objects.order_by("name")))
                .defer("equity", "monte_carlo", "windows", "data_seen")[:BACKTESTS_LISTED])


def backtest_rows(user) -> list[dict]:
    rows = []
    for backtest in backtest_list(user):
        report = backtest.report or {}
        rows.append({"backtest": backtest, "name": backtest_name(backtest), "bets": report.get("bets"),
                     "profit": signed(report.get("profit")), "roi": percent(report.get("roi"), 2),
                     "tone": _tone(report.get("profit"))})
    return rows


def strategy_list(user) -> list[dict]:
    rows = []
    for strategy in visible_strategies(user):
        versions = sorted(strategy.versions.all(), key=lambda version: version.version)
        if versions:
            rows.append({"strategy": strategy, "version": versions[-1], "versions": len(versions),
                         "summary": describe(versions[-1].definition)})
    return rows


def queue_refusal(user) -> str | None:
    """Why a new backtest cannot be queued for this user now, or None."""
    if user is not None and user.is_authenticated:
        active = Backtest.objects.filter(owner=user, status__in=ACTIVE).count()
        if active >= USER_ACTIVE_LIMIT:
            return (f"You have {active} backtests queued or running (at most {USER_ACTIVE_LIMIT} at once): "
                    "wait for one to finish.")
        return None
    active = Backtest.objects.filter(owner__isnull=True, status__in=ACTIVE).count()
    if active >= ANONYMOUS_ACTIVE_LIMIT:
        return (f"Visitors share {ANONYMOUS_ACTIVE_LIMIT} backtest slots and all are taken: try again in a "
                "minute, or sign in to run your own.")
    return None


# ------------------------------------------------------------------------------------------- what can be run
def priced_competitions() -> QuerySet:
    """Competitions with at least one finished match that has a price: what a backtest can read."""
    priced = OddsQuote.objects.filter(match__competition=OuterRef("pk"), match__status=Match.Status.FINISHED)
    return Competition.objects.filter(Exists(priced)).order_by("name")


def priced_seasons(competition: Competition | None) -> QuerySet:
    if competition is None:
        return Season.objects.none()
    priced = OddsQuote.objects.filter(match__season=OuterRef("pk"), match__status=Match.Status.FINISHED)
    return Season.objects.filter(Exists(priced), competition=competition).order_by("-name")


# ------------------------------------------------------------------------------------------- words
def _share(value: float) -> str:
    return f"{value * 100:g}%"


def stake_text(stake: str) -> str:
    kind, _, rest = stake.partition(":")
    parts = [part for part in rest.split(":") if part]
    if kind == "flat":
        units = float(parts[0]) if parts else 1.0
        return f"flat {units:g} unit{'' if units == 1 else 's'}"
    if kind == "proportional":
        return f"{_share(float(parts[0]))} of the bankroll"
    fraction = float(parts[0]) if parts else 1.0
    cap = f", at most {_share(float(parts[1]))} a bet" if len(parts) > 1 else ""
    return f"{'full' if fraction == 1 else f'{fraction:g} ×'} Kelly{cap}"


def price_text(price: str) -> str:
    if price.startswith("snapshot:"):
        return f"price {price.partition(':')[2]} min before kick-off"
    return f"{price} price"


def rule_text(definition: dict) -> str:
    rule = definition.get("rule", "")
    markets = ", ".join(MARKET_LABELS.get(m, m) for m in definition.get("markets", []))
    if rule == "back":
        return f"back {selection_name(definition.get('selection', ''))}"
    if rule == "value":
        return (f"value: {MODEL_LABELS.get(definition.get('model'), definition.get('model'))} edge "
                f"{_share(definition.get('edge', 0))} ({markets})")
    if rule == "closing_line":
        return f"closing line: beat {definition.get('sharp', 'PS')}'s fair price by {_share(definition.get('edge', 0))} ({markets})"
    if rule == "favourite_longshot":
        return f"back the {'favourite' if definition.get('side') == 'favourite' else 'long shot'}"
    if rule == "market_move":
        return f"market move: {_share(definition.get('move', 0))} shorter than the opening ({markets})"
    return rule


def selection_name(selection: str) -> str:
    names = {"home": "home sides", "draw": "draws", "away": "away sides", "ah_home": "home sides on the Asian handicap",
             "ah_away": "away sides on the Asian handicap"}
    if selection in names:
        return names[selection]
    for side in ("over", "under"):
        if selection.startswith(side):
            return f"{side.capitalize()} {selection[len(side):]}"
    return selection


def describe(definition: dict) -> str:
    """A strategy in one line: "value: Dixon-Coles edge 5% (Match result); 0.25 × Kelly …; closing price; best"."""
    parts = [rule_text(definition), stake_text(definition.get("stake", "flat:1")),
             price_text(definition.get("price", "closing")),
             "best bookmaker" if definition.get("bookmaker", "best") == "best" else definition["bookmaker"]]
    low, high = definition.get("min_price", 1.01), definition.get("max_price", 1000.0)
    if low > 1.01 or high < 1000:
        parts.append(f"odds {low:g}–{high:g}")
    if definition.get("commission"):
        parts.append(f"{_share(definition['commission'])} commission")
    return "; ".join(parts)


def definition_fields(definition: dict) -> str:
    """The stored definition as the command would take it: "rule=value edge=0.05 markets=1x2,over_under …"."""
    def shown(value):
        return ",".join(map(str, value)) if isinstance(value, (list, tuple)) else f"{value:g}" if isinstance(value, float) else value

    return " ".join(f"{key}={shown(value)}" for key, value in definition.items() if value not in ("", None))


def backtest_name(backtest: Backtest) -> str:
    version = backtest.strategy_version
    return str(version) if version else rule_text(backtest.definition)


def signed(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:+.{digits}f}".replace("-", "−")


def percent(value: float | None, digits: int = 1, sign: bool = True) -> str:
    if value is None:
        return "–"
    return (f"{value * 100:+.{digits}f}%" if sign else f"{value * 100:.{digits}f}%").replace("-", "−")


def line_text(line: float) -> str:
    return "0" if line == 0 else f"{line:+g}".replace("-", "−")


def selection_label(bet: BacktestBet) -> str:
    """What was backed, as a bettor says it: the team's name, "Draw", "Over 2.5", "Arsenal −0.75"."""
    match = bet.match
    team = {"home": match.home_team.display_name, "away": match.away_team.display_name}
    line = float(bet.line)
    if bet.market == "1x2":
        return team.get(bet.selection, "Draw")
    if bet.market == "over_under":
        return f"{bet.selection.capitalize()} {line:g}"
    if bet.market == "asian_handicap":
        return f"{team.get(bet.selection, bet.selection)} {line_text(line if bet.selection == 'home' else -line)}"
    return bet.selection


# ------------------------------------------------------------------------------------------- the report
@dataclass(frozen=True)
class Figure:
    label: str
    value: str
    note: str = ""
    tone: str = ""  # "up", "down" or ""


def _tone(value: float | None) -> str:
    return "" if not value else ("up" if value > 0 else "down")


def figures(report: dict) -> list[Figure]:
    r = report
    share = r.get("max_drawdown_share")
    return [
        Figure("Bets", f"{r['bets']:,}"),
        Figure("Staked", f"{r['staked']:,.2f}", "units"),
        Figure("Profit", signed(r["profit"]), "units", _tone(r["profit"])),
        Figure("ROI", percent(r["roi"], 2), "profit / staked", _tone(r["roi"])),
        Figure("Hit rate", percent(r["hit_rate"], 1, sign=False), "bets in profit"),
        Figure("Average price", "–" if r["average_price"] is None else f"{r['average_price']:.2f}"),
        Figure("Final bankroll", f"{r['final_bankroll']:,.2f}", f"from {r['start_bankroll']:,.2f}: "
                                                                f"{percent(r['growth'])}", _tone(r["growth"])),
        Figure("Max drawdown", f"{r['max_drawdown']:,.2f}",
               (f"{percent(share, 1, sign=False)} of the peak; " if share else "")
               + f"{r['drawdown_bets']} bets, {r['drawdown_days']} days"),
        Figure("Longest losing run", f"{r['longest_losing_run']}", "bets"),
        Figure("Closing-line value", percent(r["clv"], 2), "mean price / close − 1", _tone(r["clv"])),
        Figure("Beat the close", percent(r["beat_close"], 1, sign=False), f"of {r['clv_bets']:,} bet{'' if r['clv_bets'] == 1 else 's'} with a close"),
        Figure("Commission", f"{r['commission']:,.2f}", "units"),
    ]


def table_rows(groups: list[dict], label_key: str) -> list[dict]:
    return [{"label": group[label_key], "bets": group["bets"], "staked": f"{group['staked']:,.2f}",
             "profit": signed(group["profit"]), "roi": percent(group["roi"], 2), "hit_rate": percent(group["hit_rate"], 1, sign=False),
             "clv": percent(group["clv"], 2), "tone": _tone(group["profit"])} for group in groups]


def risk_rows(monte_carlo: dict) -> list[dict]:
    rows = []
    for method in ("probability", "bootstrap"):
        risk = monte_carlo.get(method) or {}
        if not risk.get("bets"):
            continue
        final, worst = risk["final"], risk["max_drawdown"]
        rows.append({"method": method, "note": METHOD_NOTES[method], "paths": f"{risk['paths']:,}",
                     "final": [(p, f"{final[p]:,.2f}") for p in ("5", "25", "50", "75", "95")],
                     "profit_probability": percent(risk["profit_probability"], 1, sign=False),
                     "ruin_probability": percent(risk["ruin_probability"], 1, sign=False),
                     "drawdown": [(p, f"{worst[p]:,.2f}") for p in ("50", "90", "95", "99")]})
    return rows


def setting_text(setting: dict | None) -> str:
    if setting is None:
        return "not bet: no setting bet often enough in training"
    return ", ".join(f"{key} {value:g}" if isinstance(value, (int, float)) else f"{key} {value}"
                     for key, value in setting.items())


def walk_forward_totals(windows: list[dict]) -> dict | None:
    """In sample (the chosen settings on their training windows) beside out of sample, over all windows."""
    if not windows:
        return None
    totals = {}
    for side in ("in_sample", "out_of_sample"):
        bets = sum(window[side]["bets"] for window in windows)
        staked = sum(window[side]["staked"] for window in windows)
        profit = sum(window[side]["profit"] for window in windows)
        totals[side] = {"bets": bets, "staked": staked, "profit": profit, "roi": profit / staked if staked else None}
    return totals


def _window_side(figures: dict) -> dict:
    return {"bets": figures["bets"], "roi": percent(figures["roi"], 2), "profit": signed(figures["profit"]),
            "tone": _tone(figures["profit"])}


def window_total_rows(windows: list[dict]) -> dict | None:
    totals = walk_forward_totals(windows)
    return {"inside": _window_side(totals["in_sample"]), "outside": _window_side(totals["out_of_sample"])} \
        if totals else None


def window_rows(windows: list[dict]) -> list[dict]:
    side = _window_side

    return [{"train": " + ".join(map(str, window["train"])), "test": window["test"],
             "setting": setting_text(window["setting"]),
             "inside": side(window["in_sample"]), "outside": side(window["out_of_sample"])} for window in windows]


# ------------------------------------------------------------------------------------------- the equity chart
CHART_WIDTH, CHART_HEIGHT = 1000, 300  # the SVG's own units; it stretches to the card (non-scaling strokes)
Y_TICKS = 4  # intervals: five labels, at the chart's top, quarters and bottom


def _points(xs: list[float], ys: list[float], x_max: float, low: float, high: float) -> str:
    span = (high - low) or 1.0
    return " ".join(f"{x / (x_max or 1) * CHART_WIDTH:.1f},{(high - y) / span * CHART_HEIGHT:.1f}"
                    for x, y in zip(xs, ys))


def nice_range(low: float, high: float, intervals: int) -> tuple[float, float, float]:
    """A range covering [low, high] in ``intervals`` equal steps of 1, 2, 2.5 or 5 × a power of ten."""
    span = max(high - low, abs(high) * 1e-3, 1e-6)
    rough = span / intervals
    power = 10 ** math.floor(math.log10(rough))
    while True:
        for multiple in (1, 2, 2.5, 5, 10):
            step = multiple * power
            bottom = math.floor(low / step) * step
            if bottom + step * intervals >= high:
                return bottom, bottom + step * intervals, step
        power *= 10


def _decimals(step: float) -> int:
    """The decimals a tick label needs to show the steps exactly (2.5 -> 1, 20 -> 0, 0.05 -> 2)."""
    decimals = max(0, -math.floor(math.log10(step)))
    while round(step, decimals) != round(step, decimals + 3) and decimals < 6:
        decimals += 1
    return decimals


def equity_chart(backtest: Backtest) -> dict | None:
    """The bankroll after each bet and, behind it, the bootstrap's 5-95% band and median.

    The bootstrap band (the bets' own realised returns redrawn) is the one drawn: it says how much of the
    curve was luck. The probability method trusts our model's probabilities, which the value rule picks
    for being above the market's: its band is usually far above the curve and would flatten it.

    The stored curve is thinned with ``metrics.thin`` over the bets (the start first), so its points'
    bet numbers are that function's indexes again; the band carries its own.
    """
    equity = backtest.equity or []
    bets = (backtest.report or {}).get("bets", 0)
    if not bets or len(equity) < 2:
        return None
    index = thin(bets + 1, len(equity)).tolist() if len(thin(bets + 1, len(equity))) == len(equity) \
        else [round(i * bets / (len(equity) - 1)) for i in range(len(equity))]
    values = [point[1] for point in equity]
    band = ((backtest.monte_carlo or {}).get("bootstrap") or {}).get("band") or {}
    shown = values + band.get("p5", []) + band.get("p95", [])
    low, high, step = nice_range(min(shown), max(shown), Y_TICKS)
    start = equity[0][1]
    chart = {
        "width": CHART_WIDTH, "height": CHART_HEIGHT,
        "equity": _points(index, values, bets, low, high),
        "start_y": f"{(high - start) / (high - low) * CHART_HEIGHT:.1f}",
        "grid": [f"{CHART_HEIGHT * i / Y_TICKS:.1f}" for i in range(Y_TICKS + 1)],
        "y_labels": [f"{high - step * i:,.{_decimals(step)}f}" for i in range(Y_TICKS + 1)],
        "x_labels": list(dict.fromkeys([equity[0][0], equity[len(equity) // 2][0], equity[-1][0]])),
        "bets": bets, "start": f"{start:,.2f}", "final": f"{values[-1]:,.2f}",
    }
    if band.get("bet"):
        xs = band["bet"]
        chart["band"] = (_points(xs, band["p95"], bets, low, high) + " "
                         + _points(xs[::-1], band["p5"][::-1], bets, low, high))
        chart["median"] = _points(xs, band["p50"], bets, low, high)
    return chart


# ------------------------------------------------------------------------------------------- the bet log
def bet_pages(backtest: Backtest) -> int:
    return max(1, -(-(backtest.report or {}).get("bets", 0) // BETS_PER_PAGE))


def bet_page(backtest: Backtest, page: int = 1) -> dict:
    """One page of the log in one query (its size is the report's count, so no COUNT is needed)."""
    total = (backtest.report or {}).get("bets", 0)
    pages = bet_pages(backtest)
    first = (page - 1) * BETS_PER_PAGE
    bets = list(BacktestBet.objects.filter(backtest=backtest).select_related("match__home_team", "match__away_team")
                .order_by("pk")[first:first + BETS_PER_PAGE])
    rows = [{"bet": bet, "number": first + n, "selection": selection_label(bet),
             "market": MARKET_LABELS.get(bet.market, bet.market), "profit": signed(bet.profit),
             "tone": _tone(bet.profit)} for n, bet in enumerate(bets, start=1)]
    return {"rows": rows, "number": page, "pages": pages, "total": total,
            "previous": page - 1 if page > 1 else None, "next": page + 1 if page < pages else None}


CSV_HEADER = ("bet", "match_id", "kickoff", "home", "away", "market", "line", "selection", "backed", "bookmaker",
              "price", "closing_price", "probability", "stake", "result", "profit", "commission", "bankroll_after")


def csv_rows(backtest: Backtest):
    bets = (BacktestBet.objects.filter(backtest=backtest).select_related("match__home_team", "match__away_team")
            .order_by("pk"))
    for number, bet in enumerate(bets.iterator(chunk_size=2000), start=1):
        match = bet.match
        yield (number, match.pk, match.kickoff.isoformat(), match.home_team.name, match.away_team.name, bet.market,
               float(bet.line), bet.selection, selection_label(bet), bet.bookmaker, bet.price, bet.closing_price,
               None if bet.probability is None else round(bet.probability, 4), round(bet.stake, 4), bet.result,
               round(bet.profit, 4), round(bet.commission, 4), round(bet.bankroll_after, 4))
