"""A stored backtest in words: the command's text and the contract's last line (DESIGN.md §4)."""

from __future__ import annotations

from trading.models import Backtest
from trading.pages import setting_text, walk_forward_totals


def _money(value) -> str:
    return "-" if value is None else f"{value:+.2f}"


def _share(value) -> str:
    return "-" if value is None else f"{value:+.2%}"


def contract_line(report: dict) -> str:
    clv = report.get("clv")
    roi = report.get("roi")
    return (f"backtest bets={report.get('bets', 0)} staked={report.get('staked', 0.0):.2f} "
            f"profit={report.get('profit', 0.0):.2f} roi={0.0 if roi is None else roi:.4f} "
            f"clv={0.0 if clv is None else clv:.4f} max_drawdown={report.get('max_drawdown', 0.0):.2f}")


def text(backtest: Backtest) -> list[str]:
    report, seen = backtest.report, backtest.data_seen
    lines = [f"{backtest}: {', '.join(seen.get('seasons', []))}, "
             f"{seen.get('priced_matches', 0)} of {seen.get('matches', 0)} matches priced",
             f"  bets {report['bets']}, staked {report['staked']:.2f}, profit {_money(report['profit'])}, "
             f"ROI {_share(report['roi'])}, hit rate {_share(report['hit_rate'])}, "
             f"average price {report['average_price'] or 0:.2f}",
             f"  bankroll {report['start_bankroll']:.2f} -> {report['final_bankroll']:.2f} "
             f"({_share(report['growth'])}); max drawdown {report['max_drawdown']:.2f} over "
             f"{report['drawdown_bets']} bets ({report['drawdown_days']} days); longest losing run "
             f"{report['longest_losing_run']}",
             f"  closing-line value {_share(report['clv'])}, beat the close {_share(report['beat_close'])} "
             f"of {report['clv_bets']} bets"]
    for market in report.get("markets", []):
        lines.append(f"  {market['label']}: {market['bets']} bets, profit {_money(market['profit'])}, "
                     f"ROI {_share(market['roi'])}")
    for method, risk in (backtest.monte_carlo or {}).items():
        if not risk.get("bets"):
            continue
        final = risk["final"]
        lines.append(f"  Monte Carlo ({method}, {risk['paths']:,} seasons): final bankroll 5% {final['5']:.2f}, "
                     f"median {final['50']:.2f}, 95% {final['95']:.2f}; P(profit) {risk['profit_probability']:.1%}, "
                     f"P(ruin) {risk['ruin_probability']:.1%}, max drawdown median "
                     f"{risk['max_drawdown']['50']:.2f}, 95% {risk['max_drawdown']['95']:.2f}")
    for window in backtest.windows or []:
        inside, outside = window["in_sample"], window["out_of_sample"]
        lines.append(f"  walk-forward {'+'.join(map(str, window['train']))} -> {window['test']}: "
                     f"{setting_text(window['setting'])}; in sample {inside['bets']} bets ROI {_share(inside['roi'])}, "
                     f"out of sample {outside['bets']} bets ROI {_share(outside['roi'])}")
    totals = walk_forward_totals(backtest.windows or [])
    if totals:
        inside, outside = totals["in_sample"], totals["out_of_sample"]
        lines.append(f"  walk-forward in sample {inside['bets']} bets ROI {_share(inside['roi'])} profit "
                     f"{_money(inside['profit'])}; out of sample {outside['bets']} bets ROI {_share(outside['roi'])} "
                     f"profit {_money(outside['profit'])}")
    return lines
