"""load_demo: what `make run` loads into an empty database, step by step."""

import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from markets.models import Prediction, RatingModel
from matches.models import Match, PointsAdjustment, Season
from matches.standings import season_table

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


def demo_folder(tmp_path: Path, shared_data) -> Path:
    """A demo folder holding two Premier League seasons of ../shared/data (links, not copies)."""
    e0 = tmp_path / "data" / "football-data" / "E0"
    e0.mkdir(parents=True)
    for name in ("2223.csv", "2324.csv"):
        (e0 / name).symlink_to(shared_data("football-data", "E0", name))
    return tmp_path / "data"


def load(folder: Path) -> str:
    out = StringIO()
    call_command("load_demo", str(folder), stdout=out, stderr=StringIO())
    return out.getvalue()


def counts() -> dict[str, int]:
    return {"matches": Match.objects.count(), "predictions": Prediction.objects.count(),
            "models": RatingModel.objects.count(), "adjustments": PointsAdjustment.objects.count()}


def test_the_demo_gives_the_corrected_table_and_a_prediction_before_every_match_and_runs_twice(
        tmp_path, shared_data):
    folder = demo_folder(tmp_path, shared_data)

    out = load(folder)

    # Every step is named with its time; the ones without data say what they looked for.
    assert re.search(r"-- \[1/\d+\] Premier League 2020/21-2023/24 \(football-data.co.uk\)\n", out)
    assert re.search(r"   Premier League 2020/21-2023/24 \(football-data.co.uk\): \d+\.\d s", out)
    assert f"StatsBomb: Premier League 2015/16, 40 matches: skipped, {folder / 'statsbomb-pl1516'} not found" in out
    assert re.search(r"demo loaded in \d+\.\d s\n$", out)
    season = Season.objects.get(competition__name="Premier League", name="2023/24")
    table = {row.team_name: row.points for row in season_table(season)}
    assert table["Everton"] == 40 and table["Nottingham Forest"] == 32
    # 2022/23 is learned from; every match of 2023/24 has Dixon-Coles' and Elo's prediction from before it.
    assert Prediction.objects.filter(match__season=season, model__kind="dixon_coles").count() == 380
    assert Prediction.objects.filter(match__season=season, model__kind="elo").count() == 380

    # The betting desk: a stored backtest of value bets, and the paper portfolio over the last matchdays.
    from trading.models import Backtest, PaperBet

    assert Backtest.objects.filter(status="done", walk_forward=False).count() == 1
    assert PaperBet.objects.filter(status="settled").exists()
    assert "fewer than two predicted Premier League seasons: no walk-forward" in out

    before = counts()
    bets = (Backtest.objects.count(), PaperBet.objects.count())
    again = load(folder)
    assert counts() == before
    assert (Backtest.objects.count(), PaperBet.objects.count()) == bets
    assert "ratings up to date" in again and "already have their prediction; nothing to do" in again


def test_a_failing_step_warns_and_the_others_still_run(tmp_path, shared_data):
    folder = demo_folder(tmp_path, shared_data)
    openfootball = folder / "openfootball" / "2023-24"
    openfootball.mkdir(parents=True)
    for name in ("en.1.json", "de.1.json"):
        (openfootball / name).write_text('{"name": "Premier League 2023/24", "matches": [', encoding="utf-8")
    out, err = StringIO(), StringIO()

    with pytest.raises(CommandError, match=r"1 demo step\(s\) failed: Premier League and Bundesliga 2023/24"):
        call_command("load_demo", str(folder), stdout=out, stderr=err)

    assert "WARNING: Premier League and Bundesliga 2023/24 (openfootball) failed:" in err.getvalue()
    assert "en.1.json" in err.getvalue()
    assert Prediction.objects.filter(match__season__name="2023/24").count() == 760  # the steps after it ran


def test_a_missing_folder_is_refused(tmp_path):
    with pytest.raises(CommandError, match="no such folder"):
        load(tmp_path / "nowhere")
