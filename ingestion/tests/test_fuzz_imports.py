"""Generated bad input for the three file importers: each case a clear refusal or a clean import, never a traceback.

Seeded mutations of real files (football-data.co.uk E0 2023/24, StatsBomb Turkey v Italy,
openfootball en.1 2023/24): truncation, a cell or value of another type or out of range, control
characters, another encoding, deep nesting, columns duplicated or removed. Each is imported with the
command over a database that already holds the good file. A refusal must be a CommandError naming
the file and leave every table as it was; an import that is accepted must have stored only values
the checks allow (it ran them); anything else (a traceback) fails the test.
"""

import copy
import csv
import io
import json
import random
import shutil

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db

CASES = 40  # per importer
JUNK = ["", "x", "-1", "-5", "1e308", "-1e308", "nan", "inf", "99999999999999999999", "3.5", "0", "\x00",
        "a\x07b", "é" * 3, "X" * 5000, "[1]", "{}", "null", "1,2", '"']


def counts() -> dict[str, int]:
    return {model._meta.label: model.objects.count() for model in apps.get_models()
            if model._meta.app_label in {"matches", "players", "markets", "ingestion"}
            and model._meta.label != "ingestion.IngestionRun"}  # a refused run is recorded as failed


def outcome(command: str, path, *args) -> str:
    """'refused' or 'imported'; any exception but CommandError propagates (the test fails)."""
    try:
        call_command(command, str(path), *args, stdout=io.StringIO(), stderr=io.StringIO())
    except CommandError as refusal:
        assert str(path.name) in str(refusal) or str(path.parent.name) in str(refusal), str(refusal)
        return "refused"
    return "imported"


def check(command, path, before, *args):
    if outcome(command, path, *args) == "refused":
        assert counts() == before, f"{path.name}: refused, yet tables changed"


# ------------------------------------------------------------------ football-data.co.uk


def football_data_mutations(text: str, rng: random.Random) -> list[tuple[str, bytes]]:
    rows = list(csv.reader(io.StringIO(text)))
    header = rows[0]

    def written(table) -> bytes:
        out = io.StringIO()
        csv.writer(out, lineterminator="\n").writerows(table)
        return out.getvalue().encode("latin-1", errors="replace")

    cases = []
    for number in range(CASES):
        kind = number % 8
        table = copy.deepcopy(rows)
        if kind == 0:  # truncated anywhere
            raw = written(table)
            cases.append((f"truncated-{number}", raw[:rng.randrange(1, len(raw))]))
            continue
        if kind == 1:  # a cell of junk
            line, column = rng.randrange(1, len(table)), rng.randrange(len(header))
            table[line][column] = rng.choice(JUNK)
        elif kind == 2:  # a column removed
            column = rng.randrange(len(header))
            table = [row[:column] + row[column + 1:] for row in table]
        elif kind == 3:  # a column duplicated
            column = rng.randrange(len(header))
            table = [row[:column + 1] + row[column:] for row in table]
        elif kind == 4:  # control characters in a name
            line = rng.randrange(1, len(table))
            table[line][header.index(rng.choice(["HomeTeam", "AwayTeam", "Referee"]))] += rng.choice(["\x00", "\x1b", "\t"])
        elif kind == 5:  # another encoding
            cases.append((f"utf16-{number}", written(table).decode("latin-1").encode("utf-16")))
            continue
        elif kind == 6:  # a row cut short or made longer
            line = rng.randrange(1, len(table))
            table[line] = table[line][:rng.randrange(len(header))] if rng.random() < 0.5 else table[line] + ["7"]
        else:  # a number out of range
            line = rng.randrange(1, len(table))
            column = header.index(rng.choice(["FTHG", "FTAG", "HTHG", "HS", "HC", "PSH", "B365A", "AvgH"]))
            table[line][column] = rng.choice(["-3", "1000", "0.5", "1e400", "12.5"])
        cases.append((f"mutation-{kind}-{number}", written(table)))
    return cases


def test_football_data_generated_cases(tmp_path, shared_data):
    source = shared_data("football-data", "E0", "2324.csv")
    good = tmp_path / "good" / "2324.csv"
    good.parent.mkdir()
    shutil.copy(source, good)
    call_command("import_football_data", str(good), stdout=io.StringIO())
    before = counts()
    rng = random.Random(17)
    refused = 0
    for name, content in football_data_mutations(source.read_text(encoding="latin-1"), rng):
        path = tmp_path / name / "2324.csv"
        path.parent.mkdir()
        path.write_bytes(content)
        state = counts()
        result = outcome("import_football_data", path)
        if result == "refused":
            refused += 1
            assert counts() == state, f"{name}: refused, yet tables changed"
    assert refused >= CASES // 2  # most mutations are refused; the rest imported cleanly
    assert before["matches.Match"] == 380


# ------------------------------------------------------------------ StatsBomb


def statsbomb_mutation(events: list, rng: random.Random, number: int):
    """A mutated copy of the events (or raw bytes for truncation and nesting)."""
    events = copy.deepcopy(events)
    kind = number % 8
    if kind == 0:
        raw = json.dumps(events).encode()
        return raw[:rng.randrange(1, len(raw))]
    if kind == 1:
        return b"[" * 50_000 + b"]" * 50_000
    event = rng.choice(events[10:])
    if kind == 2:
        event[rng.choice(["location", "minute", "second", "period", "index"])] = rng.choice(
            [None, "here", [1], [1e300, 1], -5, 10 ** 30, 99, 3.5, {}, [None, None]])
    elif kind == 3:
        shot = next(e for e in events if e["type"]["name"] == "Shot")["shot"]
        shot[rng.choice(["statsbomb_xg", "end_location", "outcome", "type"])] = rng.choice(
            ["high", 1e308, -3, None, [1], {"name": 5}])
    elif kind == 4:
        if isinstance(event.get("player"), dict):
            event["player"]["id"] = rng.choice(["abc", None, 1.5, [], -1])
        event["team"] = rng.choice([{"id": 999999, "name": "Mars"}, "team", None])
    elif kind == 5:
        event["type"] = rng.choice([{"name": ""}, {}, "Pass", None])
    elif kind == 6:
        del events[rng.randrange(len(events))]["id"]
    else:
        event.setdefault("player", {"id": 1, "name": "x"})
        if isinstance(event["player"], dict):
            event["player"]["name"] = rng.choice(["\x00", "a" * 5000, "\x1b[31m"])
    return json.dumps(events).encode()


def test_statsbomb_generated_cases(tmp_path, shared_data):
    folder = shared_data("statsbomb")
    events = json.loads((folder / "events" / "3788741.json").read_text())
    lineups = (folder / "lineups" / "3788741.json").read_bytes()
    good = tmp_path / "good"
    for part, content in (("events", json.dumps(events).encode()), ("lineups", lineups)):
        (good / part).mkdir(parents=True)
        (good / part / "3788741.json").write_bytes(content)
    args = ("--match", "3788741", "--date", "2021-06-11")
    call_command("import_statsbomb", str(good), *args, stdout=io.StringIO())
    rng = random.Random(17)
    for number in range(CASES):
        case = tmp_path / f"case-{number}"
        (case / "events").mkdir(parents=True)
        (case / "lineups").mkdir()
        (case / "events" / "3788741.json").write_bytes(statsbomb_mutation(events, rng, number))
        (case / "lineups" / "3788741.json").write_bytes(lineups)
        state = counts()
        try:
            call_command("import_statsbomb", str(case), *args, stdout=io.StringIO(), stderr=io.StringIO())
        except CommandError as refusal:
            assert "3788741.json" in str(refusal), str(refusal)
            assert counts() == state, f"case {number}: refused, yet tables changed"


# ------------------------------------------------------------------ openfootball


def test_openfootball_generated_cases(tmp_path, shared_data):
    source = shared_data("openfootball", "2023-24", "en.1.json")
    document = json.loads(source.read_text())
    call_command("import_openfootball", str(source), stdout=io.StringIO())
    rng = random.Random(17)
    for number in range(CASES):
        mutated = copy.deepcopy(document)
        kind = number % 6
        match = rng.choice(mutated["matches"])
        if kind == 0:
            raw = json.dumps(mutated).encode()
            content = raw[:rng.randrange(1, len(raw))]
        elif kind == 1:
            content = b'{"name": "English Premier League 2023/24", "matches": ' + b"[" * 50_000 + b"]" * 50_000 + b"}"
        else:
            if kind == 2:
                match[rng.choice(["date", "time", "team1", "team2", "round"])] = rng.choice(
                    [None, 5, "", "31/02/2024", "25:99", "\x00", "x" * 5000, [], {}])
            elif kind == 3:
                match["score"] = rng.choice([{"ft": [10 ** 20, 1]}, {"ft": ["a", 1]}, {"ft": [1]}, {"ht": [3, 0],
                                                                                                    "ft": [1, 0]},
                                             "2-1", {"ft": [-1, 0]}])
            elif kind == 4:
                mutated["name"] = rng.choice(["Martian League 2023/24", 5, "", None])
            else:
                mutated["matches"] = rng.choice([{}, "none", [1, 2], None])
            content = json.dumps(mutated).encode()
        path = tmp_path / f"case-{number}" / "en.1.json"
        path.parent.mkdir()
        path.write_bytes(content)
        state = counts()
        if outcome("import_openfootball", path) == "refused":
            assert counts() == state, f"case {number}: refused, yet tables changed"
