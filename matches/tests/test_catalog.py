"""The team alias table: every team in the shared files lands on exactly one canonical club."""

import csv
import json

import pytest

from matches.catalog import TEAM_ALIASES
from matches.models import normalize_name


def folded_index() -> dict[str, str]:
    """Folded name -> canonical; fails if one folded name is listed under two clubs."""
    index: dict[str, str] = {}
    for canonical, aliases in TEAM_ALIASES.items():
        for name in (canonical, *aliases):
            folded = normalize_name(name)
            assert index.get(folded, canonical) == canonical, (
                f"{name!r} is listed under both {index[folded]!r} and {canonical!r}")
            index[folded] = canonical
    return index


def canonical(name: str) -> str:
    folded = normalize_name(name)
    assert folded in INDEX, f"no canonical team for {name!r}"
    return INDEX[folded]


INDEX = folded_index()


def csv_teams(path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return {row[side].strip() for row in csv.DictReader(file) for side in ("HomeTeam", "AwayTeam") if row[side]}


def openfootball_teams(path) -> set[str]:
    matches = json.loads(path.read_text())["matches"]
    return {match[side] for match in matches for side in ("team1", "team2")}


def statsbomb_matches_teams(path) -> set[str]:
    matches = json.loads(path.read_text())
    return {match[f"{side}_team"][f"{side}_team_name"] for match in matches for side in ("home", "away")}


def statsbomb_event_teams(folder) -> set[str]:
    return {event["team"]["name"] for path in folder.glob("*.json")
            for event in json.loads(path.read_text()) if "team" in event}


def test_no_alias_is_listed_under_two_clubs():
    assert len(set(INDEX.values())) == len(TEAM_ALIASES)


@pytest.mark.realdata
def test_every_team_in_the_shared_files_has_one_canonical_club(shared_data):
    names = set()
    for path in shared_data("football-data", "E0").glob("*.csv"):
        names |= csv_teams(path)
    for path in shared_data("football-datasets", "bundesliga").glob("*.csv"):
        names |= csv_teams(path)
    for path in shared_data("openfootball").glob("*/*.1.json"):
        names |= openfootball_teams(path)
    names |= statsbomb_matches_teams(shared_data("statsbomb", "matches", "9", "281.json"))
    names |= statsbomb_event_teams(shared_data("statsbomb", "events"))
    assert len(names) > 90
    missing = sorted(name for name in names if normalize_name(name) not in INDEX)
    assert not missing, f"teams without a canonical club: {missing}"
    assert {"Turkey", "Italy", "Bayer Leverkusen", "Man City", "Nottingham Forest FC"} <= names


@pytest.mark.realdata
@pytest.mark.parametrize("football_data,openfootball", [("2324", "2023-24"), ("2223", "2022-23")])
def test_both_premier_league_sources_name_the_same_twenty_clubs(shared_data, football_data, openfootball):
    ours = {canonical(name) for name in csv_teams(shared_data("football-data", "E0", f"{football_data}.csv"))}
    theirs = {canonical(name) for name in openfootball_teams(shared_data("openfootball", openfootball, "en.1.json"))}
    assert len(ours) == 20  # nothing merged
    assert ours == theirs  # nothing split


@pytest.mark.realdata
@pytest.mark.parametrize("football_data,fpl", [("2324", "2023-24"), ("2223", "2022-23")])
def test_fpl_names_the_same_twenty_premier_league_clubs(shared_data, football_data, fpl):
    """FPL's own spellings ("Man Utd", "Spurs", "Nott'm Forest", "Sheffield Utd") are aliases."""
    ours = {canonical(name) for name in csv_teams(shared_data("football-data", "E0", f"{football_data}.csv"))}
    with shared_data("fpl", fpl, "teams.csv").open(encoding="utf-8") as handle:
        theirs = {canonical(row["name"]) for row in csv.DictReader(handle)}
    assert ours == theirs


@pytest.mark.realdata
def test_both_bundesliga_sources_name_the_same_eighteen_clubs(shared_data):
    season_2223 = shared_data("football-datasets", "bundesliga", "season-2223.csv")
    frictionless = {canonical(name) for name in csv_teams(season_2223)}
    openfootball = {canonical(name) for name in openfootball_teams(shared_data("openfootball", "2022-23", "de.1.json"))}
    assert len(frictionless) == 18
    assert frictionless == openfootball


@pytest.mark.realdata
def test_statsbomb_bundesliga_2023_24_names_the_same_clubs_as_openfootball(shared_data):
    matches_file = shared_data("statsbomb", "matches", "9", "281.json")
    statsbomb = {canonical(name) for name in statsbomb_matches_teams(matches_file)}
    openfootball = {canonical(name) for name in openfootball_teams(shared_data("openfootball", "2023-24", "de.1.json"))}
    assert len(openfootball) == 18
    assert statsbomb <= openfootball  # Leverkusen's 34 matches meet all 17 opponents
    assert len(statsbomb) == 18


@pytest.mark.parametrize("one,other", [
    ("Man City", "Man United"), ("Manchester City FC", "Manchester United FC"),
    ("Sheffield United", "West Ham"), ("Borussia Dortmund", "Borussia Mönchengladbach"),
    ("Union Berlin", "Hertha BSC"), ("FC Köln", "FC Heidenheim"), ("Bayer Leverkusen", "Bayern Munich"),
])
def test_distinct_clubs_stay_distinct(one, other):
    assert canonical(one) != canonical(other)


@pytest.mark.parametrize("names,club", [
    (["Man City", "Manchester City FC", "Manchester City"], "Manchester City"),
    (["Nott'm Forest", "Nottingham Forest FC"], "Nottingham Forest"),
    (["Wolves", "Wolverhampton Wanderers FC"], "Wolverhampton Wanderers"),
    (["Brighton", "Brighton & Hove Albion FC"], "Brighton & Hove Albion"),
    (["FC Koln", "1. FC Köln", "FC Köln"], "FC Köln"),
    (["M'gladbach", "Borussia Mönchengladbach"], "Borussia Mönchengladbach"),
    (["Ein Frankfurt", "Eintracht Frankfurt"], "Eintracht Frankfurt"),
    (["Bayern Munich", "FC Bayern München", "Bayern Munchen"], "Bayern Munich"),
    (["Leverkusen", "Bayer 04 Leverkusen", "Bayer Leverkusen"], "Bayer Leverkusen"),
    (["RB Leipzig", "RasenBallsport Leipzig"], "RB Leipzig"),
    (["Greuther Furth", "SpVgg Greuther Fürth"], "Greuther Fürth"),
    (["Hertha", "Hertha BSC"], "Hertha BSC"),
    (["Bielefeld", "Arminia Bielefeld"], "Arminia Bielefeld"),
    (["Heidenheim", "1. FC Heidenheim 1846", "FC Heidenheim"], "Heidenheim"),
])
def test_spellings_of_one_club_fold_together(names, club):
    assert {canonical(name) for name in names} == {club}
