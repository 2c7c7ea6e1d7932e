"""evaluate_valuations: judged against market values on players held out, or says what it lacks."""

import datetime as dt
import random
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from markets.models import ValuationModel
from markets.valuation import DEFAULT_PARAMETERS, gather_inputs, value_of
from markets.valuation_eval import holdout_identity, is_held_out
from matches.aggregates import recompute_team_seasons
from players.aggregates import recompute_player_seasons
from players.tests.builders import League, goal, player, team

pytestmark = pytest.mark.django_db
DAY = dt.date(2023, 9, 30)


def run(*args) -> list[str]:
    out = StringIO()
    call_command("evaluate_valuations", *args, stdout=out, stderr=StringIO())
    return out.getvalue().strip().splitlines()


@pytest.fixture
def market(tmp_path):
    """Forty players with different minutes, goals and ages, and "market values" a scout set:
    our inputs priced with other weights (league ignored, age steeper) and ±20% noise."""
    rng = random.Random(7)
    league = League("Premier League")
    sides = [team(f"Side {n}") for n in range(4)]
    players = []
    for number in range(40):
        players.append(player(f"Player {number}", position=rng.choice(["DF", "MF", "FW"]),
                              birth_date=dt.date(rng.randint(1990, 2004), 6, 1)))
    for day in range(1, 9):
        for pair in range(2):
            home, away = sides[2 * pair], sides[2 * pair + 1]
            squad = players[pair * 20:(pair + 1) * 20]
            minutes = [(who, rng.choice([90, 90, 60, 20]), True) for who in squad]
            scorers = [who for who, _, _ in minutes if rng.random() < (0.5 if who.position == "FW" else 0.15)]
            league.play(home, away, (len(scorers), 0), day=day, lineups={home: minutes},
                        events=[goal(home, who, 10 + i, xg=0.3) for i, who in enumerate(scorers)])
    recompute_team_seasons([league.season])
    recompute_player_seasons([league.season])
    scout = {**DEFAULT_PARAMETERS, "age_old": 0.06, "term_scales": {"league": 0.0}}
    inputs = gather_inputs(DAY, scout, [who.pk for who in players])
    path = tmp_path / "players.csv"
    lines = ["player_id,name,date_of_birth,market_value_in_eur,date"]
    for who in players:
        if who.pk in inputs:
            price = value_of(inputs[who.pk], scout).value_eur * rng.uniform(0.8, 1.2)
            lines.append(f"{who.pk},{who.name},{who.birth_date},{price:.0f},{DAY}")
    lines.append("999,Somebody Else,1999-01-01,5000000,2023-09-30")  # not one of ours
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_it_says_which_data_it_lacks(settings, tmp_path):
    settings.QUANTFOOT_DATA = str(tmp_path)
    last = run()[-1]
    assert last.startswith("valuation: no market values to judge against") and "market_value_in_eur" in last


def test_held_out_spearman_is_printed_last(market):
    lines = run("--values", str(market))
    spearman, players = lines[-1].removeprefix("valuation spearman=").split(" players=")
    assert float(spearman) >= 0.7 and 8 <= int(players) < 40
    assert any("Not matched by name" in line and "Somebody Else" in line for line in lines)
    assert any("as documented" in line for line in lines) and any("fitted" in line for line in lines)


def test_save_stores_the_fitted_model_as_the_next_version(market):
    run("--values", str(market), "--save")
    fitted = ValuationModel.objects.order_by("-version").first()
    assert fitted.version == 2 and fitted.metrics["held_out"] > 0
    assert set(fitted.parameters["term_scales"]) == {"age", "minutes", "output", "team", "league", "discipline"}


def test_a_bad_line_names_the_file_line_and_field(market):
    text = market.read_text(encoding="utf-8").splitlines()
    text[3] = text[3].rsplit(",", 2)[0] + ",lots," + text[3].rsplit(",", 1)[1]
    market.write_text("\n".join(text) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match=rf"{market.name}:4: market_value_in_eur 'lots' is not a number"):
        run("--values", str(market))


def test_too_few_of_our_players_is_reported_not_guessed(tmp_path):
    path = tmp_path / "values.csv"
    path.write_text("name,market_value_in_eur\nNobody We Know,1000000\n", encoding="utf-8")
    assert run("--values", str(path))[-1].startswith("valuation: not enough data to judge: only 0 of 1")


def test_the_hold_out_is_stable_and_about_a_third_whatever_the_row_ids():
    names = [holdout_identity(f"Player {number}", None) for number in range(1000)]
    held = [name for name in names if is_held_out(name)]
    assert 250 < len(held) < 350 and held == [name for name in names if is_held_out(name)]
    # Who he is decides, not our id: a namesake born on another day is another draw.
    assert holdout_identity("Élan Müller", dt.date(2000, 1, 2)) == holdout_identity("elan muller", dt.date(2000, 1, 2))


@pytest.fixture
def fpl_prices():
    """Forty players of one season whose FPL prices follow our inputs by a known rule (a scout's
    weights, £3m plus £1m per €2m, at least £3.8m) with ±10% noise at their first fixture, and a
    price that says nothing (random) at their last: the first is the start-of-season price."""
    from fantasy.models import FplPlayerFixture

    rng = random.Random(11)
    league = League("Premier League")
    sides = [team(f"Side {n}") for n in range(4)]
    players = [player(f"Player {number}", position=rng.choice(["DF", "MF", "FW"]),
                      birth_date=dt.date(rng.randint(1990, 2004), 6, 1)) for number in range(40)]
    played = {}
    for day in range(1, 9):
        for pair in range(2):
            home, away = sides[2 * pair], sides[2 * pair + 1]
            squad = players[pair * 20:(pair + 1) * 20]
            minutes = [(who, rng.choice([90, 90, 60, 20]), True) for who in squad]
            scorers = [who for who, _, _ in minutes if rng.random() < (0.5 if who.position == "FW" else 0.15)]
            match = league.play(home, away, (len(scorers), 0), day=day, lineups={home: minutes},
                                events=[goal(home, who, 10 + i, xg=0.3) for i, who in enumerate(scorers)])
            for who in squad:
                played.setdefault(who.pk, []).append((day, match))
    recompute_team_seasons([league.season])
    recompute_player_seasons([league.season])
    scout = {**DEFAULT_PARAMETERS, "age_old": 0.06, "term_scales": {"league": 0.0}}
    inputs = gather_inputs(dt.date(2023, 12, 31), scout, [who.pk for who in players])
    for who in players:
        if who.pk not in inputs:
            continue
        value = value_of(inputs[who.pk], scout).value_eur
        start = min(25.0, max(3.8, 3.0 + value / 2_000_000 * rng.uniform(0.9, 1.1)))
        (first_day, first), (last_day, last) = played[who.pk][0], played[who.pk][-1]
        for day, match, price in ((first_day, first, start), (last_day, last, rng.uniform(4, 13))):
            FplPlayerFixture.objects.create(player=who, match=match, season=league.season, gameweek=day,
                                            price=Decimal(f"{price:.1f}"), total_points=2)
    return league


def test_fpl_start_of_season_prices_are_judged_on_held_out_players(fpl_prices, settings, tmp_path):
    settings.QUANTFOOT_DATA = str(tmp_path)  # no Transfermarkt files: FPL alone
    lines = run()
    assert any(line.startswith("Against FPL start-of-season prices, Premier League 2023/24 (£m)") and
               "at the season's end" in line for line in lines), lines
    assert any("as documented; one unit factor fitted" in line for line in lines)
    spearman, players = lines[-1].removeprefix("valuation spearman=").split(" players=")
    assert float(spearman) >= 0.7 and 3 <= int(players) < 40


def test_save_refuses_a_fit_to_prices_that_are_not_euros(fpl_prices, settings, tmp_path):
    settings.QUANTFOOT_DATA = str(tmp_path)
    with pytest.raises(CommandError, match="in £m"):
        run("--save")
    assert ValuationModel.objects.count() == 1


def test_markets_never_imports_fantasy():
    """Dependencies point one way (fantasy -> markets): FPL prices reach markets through the registry."""
    from pathlib import Path

    import markets

    root = Path(markets.__file__).parent
    offenders = [str(path.relative_to(root)) for path in root.rglob("*.py") if "tests" not in path.parts
                 and any(line.lstrip().startswith(("import fantasy", "from fantasy"))
                         for line in path.read_text(encoding="utf-8").splitlines())]
    assert offenders == []


@pytest.mark.realdata
def test_against_fpl_2023_24_start_prices_after_importing_the_season(shared_data, settings, tmp_path):
    """The real figure README quotes: the Premier League 2023/24 from FPL, valued at the season's end."""
    folder = shared_data("fpl", "2023-24")
    call_command("import_football_data", str(shared_data("football-data", "E0", "2324.csv")),
                 stdout=StringIO(), stderr=StringIO())
    call_command("import_fpl", str(folder), stdout=StringIO(), stderr=StringIO())
    settings.QUANTFOOT_DATA = str(tmp_path)
    lines = run()
    assert lines[0].startswith("Against FPL start-of-season prices, Premier League 2023/24 (£m): 865 players priced")
    spearman, players = lines[-1].removeprefix("valuation spearman=").split(" players=")
    assert float(spearman) > 0.7 and int(players) > 150
