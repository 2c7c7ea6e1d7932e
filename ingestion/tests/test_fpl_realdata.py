"""The real FPL 2023/24 season after football-data.co.uk's E0 2023/24: one club, one match, real leaders."""

import csv
import io
import re
import shutil

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command
from django.urls import reverse

from fantasy.models import FplPlayerFixture
from matches.models import Competition, Match, Season, Team
from players.models import Player, PlayerMatchStats, PlayerSeasonStats
from quantfoot.tests.pages import get, text

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


def quiet(*args):
    out = io.StringIO()
    call_command(*map(str, args), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in ("matches", "players", "fantasy", "markets")}


def gw_rows(folder, name: str) -> list[dict]:
    """A player's rows in the season's gameweek files, read here on their own."""
    rows = []
    for path in sorted((folder / "gws").glob("gw*.csv")):
        with path.open(encoding="utf-8") as handle:
            rows += [row for row in csv.DictReader(handle) if row["name"] == name]
    return rows


def leaders(html: str, title: str) -> list[list[str]]:
    table = re.search(rf'<h2 id="{title}">.*?</table>', html, re.S).group(0)
    return [[text(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", table.split("<tbody>")[1], re.S)]


def test_fpl_2023_24_lands_on_e0_and_gives_the_real_season(client, shared_data, django_assert_max_num_queries):
    folder = shared_data("fpl", "2023-24")
    quiet("import_football_data", shared_data("football-data", "E0", "2324.csv"))
    quiet("import_fpl", folder)

    season = Season.objects.get(competition__name="Premier League", name="2023/24")
    assert Team.objects.count() == 20  # "Man Utd", "Spurs", "Nott'm Forest" … are E0's clubs, not new ones
    assert Match.objects.count() == 380 and season.matches.count() == 380
    assert Match.objects.filter(external_ids__source="fpl").distinct().count() == 380

    haaland = Player.objects.get(external_ids__source="fpl", external_ids__external_id="223094")
    rows = gw_rows(folder, "Erling Haaland")
    minutes, goals, assists = (sum(int(row[name]) for row in rows) for name in ("minutes", "goals_scored",
                                                                                 "assists"))
    stats = PlayerSeasonStats.objects.get(player=haaland, season=season)
    assert (stats.minutes, stats.goals, stats.assists) == (minutes, goals, assists)
    assert stats.goals == 27 and stats.team.name == "Manchester City"
    assert stats.appearances == sum(int(row["minutes"]) > 0 for row in rows)
    assert sum(FplPlayerFixture.objects.filter(player=haaland).values_list("total_points", flat=True)) == sum(
        int(row["total_points"]) for row in rows)
    # Everyone who played has a line per match played, and every row an FPL line.
    all_rows = sum(1 for path in (folder / "gws").glob("gw*.csv") for _ in path.open()) - 38
    assert FplPlayerFixture.objects.count() == all_rows

    page = get(client, haaland.get_absolute_url())
    seasons = leaders(page, "seasons-title")
    assert seasons[0][:8] == ["2023/24", "Premier League", "Manchester City", str(stats.appearances),
                              str(stats.starts), str(minutes), "27", str(assists)]
    assert 'id="fpl-chart"' in page and "217</strong>" in page  # FPL's points that season

    competition = Competition.objects.get(name="Premier League")
    url = reverse("matches:competition", args=[competition.pk]) + f"?season={season.pk}"
    # 6 before the leaders became a card, +1: whether FPL's lines are the season's (the penalties
    # column and the note on FPL's assists depend on it).
    with django_assert_max_num_queries(7):
        html = get(client, url)
    scorers = leaders(html, "scorers-title")
    assert scorers[0] == ["1", "Haaland", "Manchester City", "27"]
    assert scorers[1] == ["2", "Palmer", "Chelsea", "22"]
    assisters = leaders(html, "assisters-title")
    # Watkins leads as he did officially (13); FPL credits him 18 (won penalties, parried shots).
    watkins = sum(int(row["assists"]) for row in gw_rows(folder, "Ollie Watkins"))
    assert assisters[0] == ["1", "Watkins", "Aston Villa", str(watkins)]
    assert "Its assists also credit" in html

    before = table_counts()
    out = quiet("import_fpl", folder)
    assert table_counts() == before
    assert "fixtures: 380 matches: 0 created, 0 updated, 380 unchanged" in out
    assert re.search(r"player match stats: 0 created, 0 updated, \d+ unchanged", out)
    assert re.search(r"FPL lines: 0 created, 0 updated, \d+ unchanged", out)


def test_a_garbled_real_gameweek_writes_nothing(tmp_path, shared_data):
    folder = tmp_path / "2023-24"
    shutil.copytree(shared_data("fpl", "2023-24"), folder)
    quiet("import_football_data", shared_data("football-data", "E0", "2324.csv"))
    path = folder / "gws" / "gw20.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines[:300] + [lines[300][:40]]) + "\n", encoding="utf-8")  # cut off mid-row
    before = table_counts()
    with pytest.raises(CommandError, match=rf"{re.escape(str(path))}, line 301: .*truncated or garbled"):
        quiet("import_fpl", folder)
    assert table_counts() == before
    assert not PlayerMatchStats.objects.exists()
