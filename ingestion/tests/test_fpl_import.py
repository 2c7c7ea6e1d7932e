"""import_fpl: FPL seasons land on the stored matches, teams and players; idempotent; bad input writes nothing."""

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from fantasy.models import FplPlayerFixture
from ingestion.imports import import_matches
from ingestion.models import IngestionRun
from ingestion.tests.fake_provider import Reply
from ingestion.tests.fpl_folder import write_season
from ingestion.tests.test_fpl_parser import FIXTURES, LIVE, SUMMARY, bootstrap
from matches.models import Match, MatchExternalId, Team
from matches.records import CompetitionRef, MatchRecord, Origin, TeamRef
from players.models import Player, PlayerAvailability, PlayerExternalId, PlayerMatchStats, PlayerSeasonStats

pytestmark = pytest.mark.django_db

E0 = CompetitionRef(source="football_data_uk", external_id="E0", name="Premier League")
# The same three matches as football-data.co.uk spells them, kick-offs in UTC.
STORED = [
    ("Man United", "Wolves", dt.datetime(2023, 8, 14, 19, 0, tzinfo=dt.UTC), 1, 0),
    ("Tottenham", "Luton", dt.datetime(2023, 8, 12, 14, 0, tzinfo=dt.UTC), 2, 1),
    ("Tottenham", "Man United", dt.datetime(2023, 8, 19, 16, 30, tzinfo=dt.UTC), 2, 0),
]


@pytest.fixture
def stored_matches():
    records = [
        MatchRecord(origin=Origin("E0.csv", line), source="football_data_uk", external_id=f"E0:{home}:{away}",
                    competition=E0, season_name="2023/24", kickoff=kickoff, home=TeamRef("football_data_uk", home),
                    away=TeamRef("football_data_uk", away), status="finished", home_score=hs, away_score=as_)
        for line, (home, away, kickoff, hs, as_) in enumerate(STORED, start=2)
    ]
    import_matches(records, source="football_data_uk", job="test")
    return Match.objects.order_by("kickoff")


def run(*locations) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("import_fpl", *map(str, locations), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def table_counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in ("matches", "players", "fantasy", "markets")}


def test_fixtures_land_on_the_stored_matches_and_teams(tmp_path, stored_matches):
    out, err = run(write_season(tmp_path))

    assert Team.objects.count() == 4  # "Man Utd", "Spurs", "Wolves", "Luton" are the stored clubs
    assert Match.objects.count() == 3  # the unscheduled fixture has no match yet
    links = dict(MatchExternalId.objects.filter(source="fpl").values_list("external_id", "match_id"))
    assert links == {"2367001": stored_matches[1].pk, "2367002": stored_matches[0].pk,
                     "2367003": stored_matches[2].pk}
    assert "fixtures: 3 matches: 0 created, 3 updated" in out
    assert "skipped: 2 assistant-manager" in out and "1 not scheduled yet" in out
    assert "onto matches" in err  # progress on stderr, the summary on stdout
    assert "onto matches" not in out


def test_players_get_their_lines_and_a_0_minute_row_only_its_fpl_line(tmp_path, stored_matches):
    run(write_season(tmp_path))

    assert Player.objects.count() == 6  # not the assistant manager
    assert set(PlayerExternalId.objects.filter(source="fpl").values_list("external_id", flat=True)) == {
        "5001", "5002", "5003", "5004", "5005", "5006"}
    bruno = Player.objects.get(external_ids__source="fpl", external_ids__external_id="5001")
    assert (bruno.name, bruno.known_as, bruno.position) == ("Bruno Borges Fernandes", "B.Fernandes", "MF")
    assert PlayerMatchStats.objects.count() == 7 and FplPlayerFixture.objects.count() == 9
    neto = Player.objects.get(known_as="Neto")
    assert not PlayerMatchStats.objects.filter(player=neto).exists()
    assert FplPlayerFixture.objects.get(player=neto).total_points == 0  # his price that week is still known

    line = PlayerMatchStats.objects.get(player=bruno, match=stored_matches[1])
    assert (line.team.name, line.minutes, line.started, line.goals, line.xg, line.clean_sheet, line.source) == (
        "Manchester United", 90, True, 1, 0.55, True, "fpl")
    fantasy = FplPlayerFixture.objects.get(player=bruno, match=stored_matches[2])
    assert (fantasy.gameweek, fantasy.price, fantasy.total_points, fantasy.selected) == (2, Decimal("8.6"), 1, 1000)

    season = PlayerSeasonStats.objects.get(player=bruno)
    assert (season.appearances, season.starts, season.minutes, season.goals, season.yellow_cards) == (2, 2, 180, 1, 1)
    assert (season.clean_sheets, season.goals_conceded, season.saves, season.xa) == (1, 2, 0, 0.1)
    son = PlayerSeasonStats.objects.get(player__known_as="Son")
    assert (son.goals, son.assists, son.team.name) == (3, 1, "Tottenham Hotspur")
    assert not PlayerSeasonStats.objects.filter(player=neto).exists()  # 0 minutes: no appearance


def test_availability_is_recorded_from_the_players_statuses(tmp_path, stored_matches):
    run(write_season(tmp_path))
    onana = PlayerAvailability.objects.get(player__known_as="Onana", source="fpl")
    assert (onana.status, onana.reason, onana.chance_of_playing, onana.team.name) == (
        "doubtful", "Knock - 75% chance of playing", 75, "Manchester United")
    assert onana.valid_from == dt.datetime(2023, 8, 17, 10, 0, tzinfo=dt.UTC)  # FPL's news_added
    assert PlayerAvailability.objects.get(player__known_as="Neto").status == "suspended"


def test_a_second_import_changes_nothing(tmp_path, stored_matches):
    folder = write_season(tmp_path)
    run(folder)
    before = table_counts()
    stamps = sorted(PlayerMatchStats.objects.values_list("updated_at", flat=True))
    out, _ = run(folder)

    assert table_counts() == before
    assert sorted(PlayerMatchStats.objects.values_list("updated_at", flat=True)) == stamps
    assert "fixtures: 3 matches: 0 created, 0 updated, 3 unchanged" in out
    assert "player match stats: 0 created, 0 updated, 7 unchanged" in out
    assert "FPL lines: 0 created, 0 updated, 9 unchanged" in out
    assert "(0 new)" in out
    assert IngestionRun.objects.filter(source="fpl", status="succeeded").count() == 2


def test_a_changed_line_is_updated_in_place(tmp_path, stored_matches):
    folder = write_season(tmp_path)
    run(folder)
    path = folder / "gws" / "gw2.csv"
    lines = path.read_text().splitlines()
    lines[1] = lines[1].replace(",86,False,1", ",87,False,1")  # Bruno's price that week corrected
    path.write_text("\n".join(lines) + "\n")
    out, _ = run(folder)
    assert "FPL lines: 0 created, 1 updated, 8 unchanged" in out
    assert FplPlayerFixture.objects.get(player__known_as="B.Fernandes", gameweek=2).price == Decimal("8.7")


@pytest.mark.parametrize("already_imported", [False, True])
def test_a_garbled_file_is_refused_with_file_and_line_and_nothing_is_written(tmp_path, stored_matches,
                                                                            already_imported):
    folder = write_season(tmp_path)
    if already_imported:
        run(folder)
    path = folder / "gws" / "gw2.csv"
    path.write_text(path.read_text().replace(",86,False,1", ",eighty-six,False,1"))
    before = table_counts()
    with pytest.raises(CommandError, match=rf"{path}, line 2: value: expected a whole number"):
        run(folder)
    assert table_counts() == before


def test_api_answers_from_files_and_from_urls(tmp_path, stored_matches, fake_provider):
    documents = {"bootstrap-static": bootstrap(), "fixtures": FIXTURES, "element-summary-20": SUMMARY,
                 "live-2": LIVE}
    for name, document in documents.items():
        fake_provider.route(f"/api/{name}/", Reply(json=document))
    out, _ = run(*(f"{fake_provider.url}/api/{name}/" for name in documents))

    assert Team.objects.count() == 4 and Match.objects.count() == 3
    bruno = Player.objects.get(known_as="B.Fernandes")
    assert bruno.birth_date == dt.date(1994, 9, 8)
    son_line = PlayerMatchStats.objects.get(player__known_as="Son")
    assert (son_line.goals, son_line.assists, son_line.xa) == (1, 1, 0.3)
    assert FplPlayerFixture.objects.get(player=bruno).price == Decimal("8.5")  # live: today's price
    assert "skipped: 1 assistant-manager" in out

    for name, document in documents.items():  # the same answers as files: nothing new
        (tmp_path / f"{name}.json").write_text(json.dumps(document))
    out, _ = run(*(tmp_path / f"{name}.json" for name in documents))
    assert "player match stats: 0 created, 0 updated, 2 unchanged" in out


def test_a_known_player_from_another_source_is_linked_by_name_and_birth_date(tmp_path, stored_matches,
                                                                             fake_provider):
    known = Player.objects.create(name="Bruno Borges Fernandes", birth_date=dt.date(1994, 9, 8))
    known.aliases.create(alias=known.name)
    known.external_ids.create(source="api_football", external_id="1485")
    namesake = Player.objects.create(name="Son Heung-min")  # no birth date: not enough to merge
    namesake.aliases.create(alias=namesake.name)
    for name, document in {"bootstrap-static": bootstrap(), "fixtures": FIXTURES}.items():
        fake_provider.route(f"/api/{name}/", Reply(json=document))
    run(f"{fake_provider.url}/api/bootstrap-static/", f"{fake_provider.url}/api/fixtures/")

    assert PlayerExternalId.objects.get(source="fpl", external_id="5001").player == known
    assert PlayerExternalId.objects.get(source="fpl", external_id="5003").player != namesake
