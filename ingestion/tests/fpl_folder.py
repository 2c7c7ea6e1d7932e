"""Small FPL season folders written by the tests, in vaastav's layout (players_raw, teams, fixtures, gws)."""

from __future__ import annotations

import csv
from pathlib import Path

TEAMS = [  # id, code, name, short_name: FPL's own spellings
    (1, 1, "Man Utd", "MUN"), (2, 6, "Spurs", "TOT"), (3, 39, "Wolves", "WOL"), (4, 102, "Luton", "LUT"),
]
PLAYER_HEADER = ["id", "code", "first_name", "second_name", "web_name", "element_type", "team", "status", "news",
                 "news_added", "chance_of_playing_next_round", "now_cost", "minutes", "goals_scored"]
PLAYERS = [
    [10, 5001, "Bruno", "Borges Fernandes", "B.Fernandes", 3, 1, "a", "", "", "", 85, 180, 1],
    [11, 5002, "André", "Onana", "Onana", 1, 1, "d", "Knock - 75% chance of playing", "2023-08-17T10:00:00Z",
     75, 50, 90, 0],
    [20, 5003, "Son", "Heung-min", "Son", 3, 2, "a", "", "", "", 90, 90, 2],
    [21, 5004, "Richarlison", "de Andrade", "Richarlison", 4, 2, "i", "Groin injury - Expected back 01 Sep",
     "2023-08-19T09:00:00Z", 0, 70, 0, 0],
    [30, 5005, "Pedro", "Neto", "Neto", 3, 3, "s", "Suspended until 30 Aug", "2023-08-18T12:00:00Z", 0, 55, 0, 0],
    [40, 5006, "Carlton", "Morris", "Morris", 4, 4, "a", "", "", "", 55, 90, 0],
    [99, 9001, "Ange", "Postecoglou", "Postecoglou", 5, 2, "a", "", "", "", 10, 0, 0],  # an assistant manager
]
FIXTURE_HEADER = ["code", "event", "finished", "id", "kickoff_time", "team_a", "team_a_score", "team_h",
                  "team_h_score", "stats"]
FIXTURES = [
    [2367001, 1, "True", 1, "2023-08-14T19:00:00Z", 3, 0, 1, 1,
     "[{'identifier': 'goals_scored', 'a': [], 'h': [{'value': 1, 'element': 10}]}]"],
    [2367002, 1, "True", 2, "2023-08-12T14:00:00Z", 4, 1, 2, 2, "[]"],
    [2367003, 2, "True", 3, "2023-08-19T16:30:00Z", 1, 0, 2, 2, "[]"],
    [2367004, None, "False", 4, "", 3, "", 4, "", "[]"],  # postponed, not rescheduled yet
]
GW_HEADER = ["name", "position", "team", "xP", "assists", "bonus", "bps", "clean_sheets", "element",
             "expected_assists", "expected_goals", "expected_goals_conceded", "fixture", "goals_conceded",
             "goals_scored", "kickoff_time", "minutes", "own_goals", "penalties_missed", "penalties_saved",
             "red_cards", "round", "saves", "selected", "starts", "total_points", "transfers_in", "transfers_out",
             "value", "was_home", "yellow_cards"]


def gw_row(element, fixture, was_home, *, minutes=90, goals=0, assists=0, points=2, value=85, xg="0.10", xa="0.05",
           xgc="1.00", starts=1, clean=0, conceded=1, saves=0, bonus=0, yellow=0, gameweek=1, position="MID"):
    return ["", position, "", "2.5", assists, bonus, 10, clean, element, xa, xg, xgc, fixture, conceded, goals,
            "", minutes, 0, 0, 0, 0, gameweek, saves, 1000, starts, points, 10, 5, value, was_home, yellow]


GW1 = [
    gw_row(10, 1, True, goals=1, points=8, bonus=3, clean=1, conceded=0, xg="0.55"),
    gw_row(11, 1, True, points=6, clean=1, conceded=0, saves=3, value=50, position="GK"),
    gw_row(30, 1, False, minutes=0, points=0, starts=0, value=55, xg="0.00", xa="0.00", xgc="0.00", conceded=0),
    gw_row(20, 2, True, goals=2, assists=0, points=11, bonus=3, value=90, xg="1.20"),
    gw_row(21, 2, True, minutes=0, points=0, starts=0, value=70, xg="0.00", xa="0.00", xgc="0.00", conceded=0),
    gw_row(40, 2, False, points=2, value=55, conceded=2, position="FWD"),
    gw_row(99, 2, True, minutes=0, points=0, starts=0, value=10, position="AM"),
]
GW2 = [
    gw_row(10, 3, False, points=1, gameweek=2, value=86, conceded=2, yellow=1),
    gw_row(11, 3, False, points=1, gameweek=2, value=50, conceded=2, saves=5, position="GK"),
    gw_row(20, 3, True, goals=1, assists=1, points=9, gameweek=2, value=91, clean=1, conceded=0),
]


def write_csv(path: Path, header: list, rows: list) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(["" if cell is None else cell for cell in row] for row in rows)


def write_season(root: Path, *, name: str = "2023-24", gw1=None, gw2=None, players=None) -> Path:
    folder = root / name
    write_csv(folder / "teams.csv", ["id", "code", "name", "short_name"], TEAMS)
    write_csv(folder / "players_raw.csv", PLAYER_HEADER, PLAYERS if players is None else players)
    write_csv(folder / "fixtures.csv", FIXTURE_HEADER, FIXTURES)
    write_csv(folder / "gws" / "gw1.csv", GW_HEADER, GW1 if gw1 is None else gw1)
    write_csv(folder / "gws" / "gw2.csv", GW_HEADER, GW2 if gw2 is None else gw2)
    return folder
