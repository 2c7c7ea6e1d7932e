"""The simple strategies on the real Premier League 2023/24 file equal a calculation from the file itself.

The expected figures are computed here from the CSV with the csv module and plain arithmetic (Asian
handicap quarter lines split into their two halves by hand), never through trading/.
"""

import csv
import io
import re

import pytest
from django.core.management import CommandError, call_command

pytestmark = pytest.mark.django_db


def by_hand(rows, rule):
    """(bets, profit) of 1 unit on every row with a price, Pinnacle closing (PSC*, PC*, PCAH*)."""
    bets, profit = 0, 0.0
    for row in rows:
        home, away = int(row["FTHG"]), int(row["FTAG"])
        if rule.startswith("back:ah_"):
            side = rule[len("back:ah_"):]
            price, line = row["PCAHH" if side == "home" else "PCAHA"], row["AHCh"]
            if not price or not line:
                continue
            handicap = float(line) if side == "home" else -float(line)
            margin = (home - away) if side == "home" else (away - home)
            halves = [handicap] if (handicap * 4) % 2 == 0 else [handicap - 0.25, handicap + 0.25]
            result = 0.0
            for half in halves:
                ahead = margin + half
                result += ((float(price) - 1) if ahead > 0 else -1.0 if ahead < 0 else 0.0) / len(halves)
            bets += 1
            profit += result
            continue
        column, won = {
            "back:home": ("PSCH", home > away), "back:draw": ("PSCD", home == away), "back:away": ("PSCA", away > home),
            "back:over2.5": ("PC>2.5", home + away > 2), "back:under2.5": ("PC<2.5", home + away < 3),
        }[rule]
        if not row[column]:
            continue
        bets += 1
        profit += float(row[column]) - 1 if won else -1.0
    return bets, profit


def contract(output: str) -> dict:
    last = output.strip().splitlines()[-1]
    assert re.fullmatch(r"backtest bets=\d+ staked=\S+ profit=\S+ roi=\S+ clv=\S+ max_drawdown=\S+", last), last
    return {key: float(value) for key, value in re.findall(r"(\w+)=(\S+)", last)}


def test_backing_each_selection_at_pinnacles_close_equals_the_files_own_sums_to_the_cent(shared_data):
    path = shared_data("football-data", "E0", "2324.csv")
    call_command("import_football_data", str(path), stdout=io.StringIO())
    with open(path, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 380
    for rule in ("back:home", "back:draw", "back:away", "back:over2.5", "back:under2.5", "back:ah_home",
                 "back:ah_away"):
        out = io.StringIO()
        call_command("backtest", "--competition", "Premier League", "--seasons", "2023/24", "--rule", rule,
                     "--bookmaker", "PS", "--price", "closing", "--paths", "200", stdout=out)
        found = contract(out.getvalue())
        bets, profit = by_hand(rows, rule)
        assert bets >= 370, rule  # a handful of rows lack a Pinnacle closing total
        assert found["bets"] == bets, rule
        assert found["profit"] == round(profit, 2), rule
        assert found["roi"] == round(profit / bets, 4), rule
        assert found["clv"] == 0.0  # the price taken is the close
        if rule == "back:home":
            assert bets == 380
            # the formula: (sum of PSCH - 1 over home wins - losses) / 380
            assert round(found["profit"] / 380, 4) == round(profit / 380, 4)


def test_the_command_refuses_what_it_cannot_run_naming_the_argument(shared_data):
    path = shared_data("football-data", "E0", "2324.csv")
    call_command("import_football_data", str(path), stdout=io.StringIO())
    base = ["--competition", "Premier League", "--seasons", "2023/24"]
    cases = [
        (["--competition", "Martian League", "--seasons", "2023/24", "--rule", "back:home"], "Martian"),
        (["--competition", "Premier League", "--seasons", "1999/00", "--rule", "back:home"], "1999/00"),
        ([*base, "--rule", "back:corners"], "--selection"),
        ([*base, "--rule", "hunch"], "not a rule"),
        ([*base, "--rule", "back:home", "--stake", "kelly:0.5"], "--stake"),
        ([*base, "--rule", "value", "--price", "yesterday"], "--price"),
        ([*base, "--rule", "value", "--walk-forward", "--grid", "{edge"], "--grid"),
    ]
    for arguments, message in cases:
        with pytest.raises(CommandError, match=re.escape(message)):
            call_command("backtest", *arguments, stdout=io.StringIO())


def test_a_stored_run_is_shown_again_and_a_saved_strategy_keeps_its_version(shared_data):
    from trading.models import Backtest, Strategy

    path = shared_data("football-data", "E0", "2324.csv")
    call_command("import_football_data", str(path), stdout=io.StringIO())
    arguments = ["--competition", "Premier League", "--seasons", "2023/24", "--rule", "back:draw", "--bookmaker",
                 "PS", "--paths", "100", "--save-as", "Draws at the close", "--reuse"]
    first, second = io.StringIO(), io.StringIO()
    call_command("backtest", *arguments, stdout=first)
    call_command("backtest", *arguments, stdout=second)
    assert first.getvalue().splitlines()[-1] == second.getvalue().splitlines()[-1]
    assert Backtest.objects.count() == 1
    strategy = Strategy.objects.get(name="Draws at the close", owner=None)
    assert strategy.versions.count() == 1
    call_command("backtest", *arguments[:-1], "--stake", "flat:2", stdout=io.StringIO())
    assert strategy.versions.count() == 2 and Backtest.objects.count() == 2
