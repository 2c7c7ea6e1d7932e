"""Importers refuse what they cannot trust: mutated copies of real files, each a clear refusal, never a traceback.

Each case changes one value of a real file (StatsBomb Turkey v Italy, football-data.co.uk E0
2023/24, openfootball en.1 2023/24) and expects a RecordError naming the place and the field;
the command-level test checks a refused file leaves every table as it was.
"""

import copy
import csv
import datetime as dt
import io
import json
import shutil

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from ingestion import football_data, openfootball
from ingestion.statsbomb import parse_match
from matches.records import RecordError

TURKEY_ITALY = 3788741
KICKOFF = dt.datetime(2021, 6, 11, 19, 0, tzinfo=dt.UTC)


# ------------------------------------------------------------------ StatsBomb


@pytest.fixture(scope="module")
def statsbomb_events():
    from conftest import shared_data_path

    folder = shared_data_path("statsbomb")
    return (json.loads((folder / "events" / f"{TURKEY_ITALY}.json").read_text()),
            json.loads((folder / "lineups" / f"{TURKEY_ITALY}.json").read_text()))


def first(events, type_name):
    return next(event for event in events if event["type"]["name"] == type_name)


def set_shot(field, value):
    def change(events):
        first(events, "Shot")["shot"][field] = value
    return change


def set_event(field, value, type_name="Shot"):
    def change(events):
        first(events, type_name)[field] = value
    return change


def drop_outcome(events):
    del first(events, "Shot")["shot"]["outcome"]


def empty(events):
    events.clear()


def bad_player(events):
    first(events, "Pass")["player"]["id"] = "abc"


STATSBOMB_CASES = [
    ("location text", set_event("location", "here"), "location here is not [x, y] in yards"),
    ("location one number", set_event("location", [1]), "location [1] is not [x, y]"),
    ("location huge", set_event("location", [1e300, 40.0]), "x: 8.33333"),
    ("location negative huge", set_event("location", [-1e300, 40.0]), "is outside 0 to 100"),
    ("xg text", set_shot("statsbomb_xg", "high"), "xg: 'high' is not a number"),
    ("xg huge", set_shot("statsbomb_xg", 1e308), "xg: 1e+308 is outside 0 to 1"),
    ("xg negative", set_shot("statsbomb_xg", -3), "xg: -3 is outside 0 to 1"),
    ("minute huge", set_event("minute", 10 ** 30), "minute 1000000000000000000000000000000 is outside 0 to 150"),
    ("minute negative", set_event("minute", -5), "minute -5 is outside 0 to 150"),
    ("period 99", set_event("period", 99), "period 99 is not one of 1-5"),
    ("player id text", bad_player, "player id 'abc' is not a StatsBomb id"),
    ("shot without outcome", drop_outcome, "a shot without an outcome"),
    ("no events", empty, "the events list is empty"),
]


@pytest.mark.parametrize("change, message", [case[1:] for case in STATSBOMB_CASES],
                         ids=[case[0] for case in STATSBOMB_CASES])
def test_statsbomb_refuses_a_bad_value_by_event_and_field(tmp_path, statsbomb_events, change, message):
    events, lineups = copy.deepcopy(statsbomb_events)
    change(events)
    for folder, content in (("events", events), ("lineups", lineups)):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / f"{TURKEY_ITALY}.json").write_text(json.dumps(content))
    with pytest.raises(RecordError) as refused:
        parse_match(tmp_path, TURKEY_ITALY, kickoff=KICKOFF)
    text = str(refused.value)
    assert message in text and f"events/{TURKEY_ITALY}.json" in text


def test_statsbomb_refuses_json_nested_deeper_than_any_file(tmp_path, statsbomb_events):
    _, lineups = statsbomb_events
    (tmp_path / "events").mkdir()
    (tmp_path / "lineups").mkdir()
    (tmp_path / "events" / f"{TURKEY_ITALY}.json").write_text("[" * 100_000 + "]" * 100_000)
    (tmp_path / "lineups" / f"{TURKEY_ITALY}.json").write_text(json.dumps(lineups))
    with pytest.raises(RecordError, match="JSON nested deeper than any StatsBomb file"):
        parse_match(tmp_path, TURKEY_ITALY, kickoff=KICKOFF)


# ------------------------------------------------------------------ football-data.co.uk


@pytest.fixture(scope="module")
def e0_rows():
    from conftest import shared_data_path

    text = shared_data_path("football-data", "E0", "2324.csv").read_text(encoding="latin-1")
    return list(csv.reader(io.StringIO(text)))


def as_csv(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    return out.getvalue().encode()


def set_cell(column, value, line=2):
    def change(rows):
        rows[line - 1][rows[0].index(column)] = value
    return change


def duplicate_home_team(rows):
    at = rows[0].index("HomeTeam")
    for row in rows:
        row.insert(at + 1, row[at])


FOOTBALL_DATA_CASES = [
    ("goals overflow", set_cell("FTHG", "99999999999999999999"), "line 2: home_score: 99999999999999999999 is outside 0 to 99"),
    ("unknown division", set_cell("Div", "ZZ9"), "line 2: column 'Div': 'ZZ9' is not a division we know"),
    ("long team name", set_cell("HomeTeam", "X" * 10_000), "line 2: home team name: 10,000 characters (at most 100)"),
    ("NUL in referee", set_cell("Referee", "C Paw\x00son"), "line 2: referee: 'C Paw\\x00son' holds a control character"),
    ("price not above 1", set_cell("PSH", "0.5"), "line 2: column 'PSH': '0.5' is not a decimal price above 1"),
    ("duplicated header", duplicate_home_team, "line 1: column 'HomeTeam' appears twice"),
]


def test_football_data_refuses_utf16_by_name(e0_rows, tmp_path):
    path = tmp_path / "2324.csv"
    path.write_bytes(as_csv(e0_rows).decode().encode("utf-16"))
    for source in (path, path.read_bytes()):
        with pytest.raises(RecordError, match="2324.csv: UTF-16 text: football-data.co.uk files are UTF-8 or cp1252"):
            football_data.parse_csv(source, path_label=str(path))


@pytest.mark.parametrize("change, message", [case[1:] for case in FOOTBALL_DATA_CASES],
                         ids=[case[0] for case in FOOTBALL_DATA_CASES])
def test_football_data_refuses_a_bad_value_by_line_and_field(e0_rows, change, message):
    rows = copy.deepcopy(e0_rows)
    change(rows)
    with pytest.raises(RecordError) as refused:
        football_data.parse_csv(as_csv(rows), path_label="E0/2324.csv")
    assert message in str(refused.value), str(refused.value)


def test_an_unknown_division_imports_only_when_the_operator_names_it(e0_rows):
    rows = copy.deepcopy(e0_rows)
    for row in rows[1:]:
        row[0] = "ZZ9"
    records = football_data.parse_csv(as_csv(rows), path_label="ZZ9.csv", division="ZZ9")
    assert len(records) == 380 and {record.competition.external_id for record in records} == {"ZZ9"}


# ------------------------------------------------------------------ openfootball


def test_openfootball_refuses_json_nested_deeper_than_any_file():
    with pytest.raises(RecordError, match="JSON nested deeper than any football.json file"):
        openfootball.parse_season_file(b'{"name": "x", "matches": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                                       path_label="2023-24/en.1.json")


def test_openfootball_refuses_a_goal_count_no_match_has(shared_data):
    document = json.loads(shared_data("openfootball", "2023-24", "en.1.json").read_text())
    document["matches"][0]["score"]["ft"] = [10 ** 20, 9]
    with pytest.raises(RecordError, match=r"matches\[0\].*home_score: 100000000000000000000 is outside 0 to 99"):
        openfootball.parse_season_file(json.dumps(document), path_label="2023-24/en.1.json")


@pytest.mark.django_db
def test_one_openfootball_season_from_two_file_names_is_one(tmp_path, shared_data):
    from matches.models import Competition, Match, MatchExternalId, Season

    original = shared_data("openfootball", "2023-24", "en.1.json")
    call_command("import_openfootball", str(original), stdout=io.StringIO())
    before = (Competition.objects.count(), Season.objects.count(), Match.objects.count(),
              MatchExternalId.objects.count())
    for name in ("premier-league.json", "Martian League 2023-24.json"):
        copied = tmp_path / name
        shutil.copy(original, copied)
        out = io.StringIO()
        call_command("import_openfootball", str(copied), stdout=out)
        assert "380 unchanged" in out.getvalue() or "unchanged: 380" in out.getvalue(), out.getvalue()
        after = (Competition.objects.count(), Season.objects.count(), Match.objects.count(),
                 MatchExternalId.objects.count())
        assert after == before, name


# ------------------------------------------------------------------ nothing written


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in {"matches", "players", "markets", "ingestion"}}


@pytest.mark.django_db
def test_a_refused_file_changes_no_table(tmp_path, e0_rows, statsbomb_events):
    good = tmp_path / "good" / "2324.csv"
    good.parent.mkdir()
    good.write_bytes(as_csv(e0_rows))
    call_command("import_football_data", str(good), stdout=io.StringIO())
    before = counts()
    assert before["matches.Match"] == 380
    for name, change, _ in FOOTBALL_DATA_CASES:
        rows = copy.deepcopy(e0_rows)
        change(rows)
        bad = tmp_path / name.replace(" ", "-") / "2324.csv"
        bad.parent.mkdir()
        bad.write_bytes(as_csv(rows))
        with pytest.raises(CommandError):
            call_command("import_football_data", str(bad), stdout=io.StringIO(), stderr=io.StringIO())
        assert counts() == before, name
    events, lineups = copy.deepcopy(statsbomb_events)
    set_shot("statsbomb_xg", "high")(events)
    folder = tmp_path / "statsbomb"
    for part, content in (("events", events), ("lineups", lineups)):
        (folder / part).mkdir(parents=True)
        (folder / part / f"{TURKEY_ITALY}.json").write_text(json.dumps(content))
    with pytest.raises(CommandError, match="xg: 'high' is not a number"):
        call_command("import_statsbomb", str(folder), "--match", str(TURKEY_ITALY), "--date", "2021-06-11",
                     stdout=io.StringIO(), stderr=io.StringIO())
    assert counts() == before
    shutil.rmtree(folder)
