"""load_points_adjustments: the sourced rulings file into the seasons' points adjustments."""

import csv
import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from ingestion import points_adjustments
from matches.models import Competition, Match, PointsAdjustment, Season, Team
from matches.standings import season_table
from quantfoot.tests.pages import get, text

pytestmark = pytest.mark.django_db

HEADER = "competition,season,team,points,reason,decided_on,source_url\n"


def load(path) -> str:
    out = StringIO()
    call_command("load_points_adjustments", str(path), stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture
def season():
    """A season of two clubs that met once, known under their football-data.co.uk spellings too."""
    competition = Competition.objects.create(name="Premier League", short_name="EPL")
    season = Season.objects.create(competition=competition, name="2023/24")
    everton = Team.objects.create(name="Everton")
    forest = Team.objects.create(name="Nottingham Forest")
    Match.objects.create(competition=competition, season=season, kickoff=dt.datetime(2024, 4, 21, 13, tzinfo=dt.UTC),
                         home_team=everton, away_team=forest, status=Match.Status.FINISHED, home_score=2, away_score=0)
    return season


def write(tmp_path, body: str, name="rulings.csv"):
    path = tmp_path / name
    path.write_text(HEADER + body, encoding="utf-8")
    return path


def test_the_shipped_file_holds_the_real_2023_24_rulings_each_with_a_source():
    rulings = points_adjustments.read_rulings(points_adjustments.DEFAULT_FILE.read_text(encoding="utf-8"), "file")
    totals = {}
    for ruling in rulings:
        assert ruling.source_url.startswith("https://")
        totals[ruling.season, ruling.team] = totals.get((ruling.season, ruling.team), 0) + ruling.points
    assert totals == {("2023/24", "Everton"): -8, ("2023/24", "Nottingham Forest"): -4}
    assert [(r.team, r.points, r.decided_on) for r in rulings] == [
        ("Everton", -10, dt.date(2023, 11, 17)), ("Everton", 4, dt.date(2024, 2, 26)),
        ("Nottingham Forest", -4, dt.date(2024, 3, 18)), ("Everton", -2, dt.date(2024, 4, 8))]


def test_loads_the_rulings_and_a_second_run_changes_nothing(season):
    assert load(points_adjustments.DEFAULT_FILE).endswith("4 created, 0 updated, 0 unchanged\n")
    stored = list(PointsAdjustment.objects.order_by("decided_on").values_list("team__name", "points", "source_url"))
    assert [row[:2] for row in stored] == [("Everton", -10), ("Everton", 4), ("Nottingham Forest", -4), ("Everton", -2)]
    assert all(url.startswith("https://") for _, _, url in stored)

    assert load(points_adjustments.DEFAULT_FILE).endswith("0 created, 0 updated, 4 unchanged\n")
    assert PointsAdjustment.objects.count() == 4


def test_a_corrected_line_updates_its_ruling_and_admin_rows_are_left_alone(season, tmp_path):
    everton = Team.objects.get(name="Everton")
    PointsAdjustment.objects.create(season=season, team=everton, points=-1, reason="Entered by hand")
    path = write(tmp_path, 'Premier League,2023/24,Everton,-2,"PSR, 2022/23",2024-04-08,https://example.org/a\n')
    load(path)
    path.write_text(HEADER + 'Premier League,2023/24,Everton,-2,"PSR breach, 2022/23",2024-04-08,https://example.org/b\n')
    assert load(path).endswith("0 created, 1 updated, 0 unchanged\n")
    assert list(PointsAdjustment.objects.order_by("pk").values_list("points", "reason", "source_url")) == [
        (-1, "Entered by hand", ""), (-2, "PSR breach, 2022/23", "https://example.org/b")]


def test_the_football_data_spelling_of_a_team_is_understood(season, tmp_path):
    load(write(tmp_path, "EPL,2023/24,Nott'm Forest,-4,PSR,2024-03-18,https://example.org/forest\n"))
    assert PointsAdjustment.objects.get().team.name == "Nottingham Forest"


def test_a_season_the_database_does_not_hold_is_skipped_and_said(season, tmp_path):
    out = load(write(tmp_path, "Premier League,2030/31,Everton,-3,PSR,2031-01-01,https://example.org/x\n"))
    assert "1 skipped (not in the database: Premier League 2030/31)" in out
    assert not PointsAdjustment.objects.exists()


@pytest.mark.parametrize(("line", "message"), [
    ("Premier League,2023/24,Everton,minus two,PSR,2024-04-08,https://example.org/x",
     "points: 'minus two' is not a whole number"),
    ("Premier League,2023/24,Everton,0,PSR,2024-04-08,https://example.org/x", "points: 0 changes nothing"),
    ("Premier League,2023/24,Everton,-2,PSR,8/4/2024,https://example.org/x", "decided_on: '8/4/2024' is not a date"),
    ("Premier League,2023/24,Everton,-2,PSR,2024-04-08,www.example.org", "source_url: 'www.example.org' is not"),
    ("Premier League,2023/24,Everton,-2,,2024-04-08,https://example.org/x", "reason: empty"),
    ("Premier League,2023/24,Everton,-2,PSR, 2022/23,2024-04-08,https://example.org/x", "8 fields, the header has 7"),
    ("Premier League,2023/24,Evertonians,-2,PSR,2024-04-08,https://example.org/x",
     "team: 'Evertonians' plays no match in Premier League 2023/24"),
])
def test_a_bad_line_names_file_line_and_field_and_nothing_is_written(season, tmp_path, line, message):
    good = "Premier League,2023/24,Nottingham Forest,-4,PSR,2024-03-18,https://example.org/forest\n"
    path = write(tmp_path, "# a comment line\n" + good + line + "\n")
    with pytest.raises(CommandError) as error:
        load(path)
    assert str(error.value).startswith(f"{path}:4: ")  # the comment and the header count as lines
    assert message in str(error.value)
    assert not PointsAdjustment.objects.exists()


def test_a_missing_column_or_file_is_refused(season, tmp_path):
    path = tmp_path / "short.csv"
    path.write_text("competition,season,team,points\nPremier League,2023/24,Everton,-2\n")
    with pytest.raises(CommandError, match=r"short.csv:1: header lacks reason, decided_on, source_url"):
        load(path)
    with pytest.raises(CommandError, match="no such file"):
        load(tmp_path / "missing.csv")


@pytest.mark.realdata
def test_premier_league_2023_24_table_with_the_file_gives_everton_40_and_forest_32(client, shared_data):
    call_command("import_football_data", str(shared_data("football-data", "E0", "2324.csv")),
                 stdout=StringIO(), stderr=StringIO())
    load(points_adjustments.DEFAULT_FILE)
    season = Season.objects.get(competition__name="Premier League", name="2023/24")
    points = {row.team_name: (row.earned, row.adjustment, row.points) for row in season_table(season)}
    assert points["Everton"] == (48, -8, 40)
    assert points["Nottingham Forest"] == (36, -4, 32)

    html = get(client, season.competition.get_absolute_url() + f"?season={season.pk}")
    everton = Team.objects.get(name="Everton").pk
    assert f'href="#adjustment-{everton}" title="\N{MINUS SIGN}10 on 17 Nov 2023: Profit and Sustainability' in html
    notes = " ".join(text(html).split())
    assert "Everton: \N{MINUS SIGN}8 points \N{MINUS SIGN}10 on 17 Nov 2023: Profit and Sustainability Rules" in notes
    assert "+4 on 26 Feb 2024: Appeal Board reduced the 2021/22 deduction from 10 points to 6" in notes
    assert "Nottingham Forest: \N{MINUS SIGN}4 points (18 Mar 2024: Profit and Sustainability Rules" in notes
    sheet = list(csv.reader(StringIO(client.get(
        f"/competitions/{season.competition.pk}/standings.csv?season={season.pk}").content.decode("utf-8-sig"))))
    everton_row = next(row for row in sheet if row[1] == "Everton")
    assert everton_row[9:11] == ["40", "-8"]
