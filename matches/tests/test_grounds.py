"""The grounds catalog and the venues it fills: every club in the demo data at a located ground."""

import csv
import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command

from matches import grounds
from matches.catalog import TEAM_ALIASES
from matches.models import Competition, Match, Season, Team, Venue, normalize_name
from matches.venues import assign_venues

CANONICAL = {normalize_name(name): canonical for canonical, aliases in TEAM_ALIASES.items()
             for name in (canonical, *aliases)}


def canonical(name: str) -> str:
    return CANONICAL.get(normalize_name(name), name)


def csv_teams(path) -> set[str]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return {row[side].strip() for row in csv.DictReader(file) for side in ("HomeTeam", "AwayTeam") if row[side]}


def test_no_name_means_two_grounds_and_no_club_has_two():
    assert len(grounds._by_name()) > len(grounds.GROUNDS)  # builds without a clash
    assert len(grounds._by_team()) == sum(len(ground.home_of) for ground in grounds.GROUNDS)


def test_home_grounds_are_keyed_by_the_name_our_team_rows_have():
    """A key that is another club's alias would never meet a Team row (those carry canonical names)."""
    for team in grounds._by_team():
        assert canonical(team) == team, f"{team!r} is an alias of {canonical(team)!r}: key it by that"


def test_every_ground_is_on_earth_and_in_its_country():
    boxes = {"England": (49.9, 55.9, -6.5, 1.8), "Wales": (51.3, 53.5, -5.4, -2.6), "Scotland": (54.6, 60.9, -8, -0.7),
             "Germany": (47.2, 55.1, 5.8, 15.1)}
    for ground in grounds.GROUNDS:
        south, north, west, east = boxes.get(ground.country, (-90, 90, -180, 180))
        assert south <= ground.latitude <= north and west <= ground.longitude <= east, ground.name


@pytest.mark.realdata
def test_every_premier_league_club_of_the_e0_files_has_a_ground_in_the_uk(shared_data):
    teams = set()
    for path in shared_data("football-data", "E0").glob("*.csv"):
        teams |= {canonical(name) for name in csv_teams(path)}
    assert len(teams) >= 26
    for team in sorted(teams):
        ground = grounds.home_ground(team)
        assert ground is not None, f"no ground for {team}"
        assert 50 <= ground.latitude <= 56 and -4 <= ground.longitude <= 2, (team, ground)


@pytest.mark.realdata
def test_every_bundesliga_club_of_the_shared_files_has_a_ground_in_germany(shared_data):
    teams = set()
    for path in shared_data("football-datasets", "bundesliga").glob("*.csv"):
        teams |= {canonical(name) for name in csv_teams(path)}
    for path in shared_data("openfootball").glob("*/de.1.json"):
        teams |= {canonical(m[side]) for m in json.loads(path.read_text())["matches"] for side in ("team1", "team2")}
    assert len(teams) >= 24
    for team in sorted(teams):
        ground = grounds.home_ground(team)
        assert ground is not None and ground.country == "Germany", team
        assert 47 <= ground.latitude <= 55 and 6 <= ground.longitude <= 15, (team, ground)


@pytest.mark.realdata
@pytest.mark.parametrize("parts", [("statsbomb", "matches", "9", "281.json"),
                                   ("statsbomb-pl1516", "matches", "2", "27.json")])
def test_every_stadium_statsbomb_names_is_found_and_is_the_home_teams(shared_data, parts):
    matches = json.loads(shared_data(*parts).read_text())
    stadiums = {(m["stadium"]["name"], canonical(m["home_team"]["home_team_name"]))
                for m in matches if m.get("stadium")}
    assert len(stadiums) >= 18
    for name, home in stadiums:
        ground = grounds.find_ground(name)
        assert ground is not None, f"no ground named {name!r}"
        if ground.name not in ("White Hart Lane", "Boleyn Ground"):  # Spurs and West Ham have moved since
            assert home in ground.home_of, (name, home)


def test_a_ground_is_found_by_any_spelling_but_not_in_another_city():
    assert grounds.find_ground("Signal-Iduna-Park", "Dortmund").name == "Signal Iduna Park"
    assert grounds.find_ground("St. James' Park", "Newcastle upon Tyne").name == "St James' Park"
    assert grounds.find_ground("Allianz Arena", "München").name == "Allianz Arena"
    assert grounds.find_ground("American Express Stadium", "Falmer, East Sussex").name == "American Express Stadium"
    assert grounds.find_ground("St James Park", "Exeter") is None
    assert grounds.find_ground("Red Bull Arena", "Salzburg") is None
    assert grounds.find_ground("Nowhere Park") is None


# --- assigning them -------------------------------------------------------------------------------


@pytest.fixture
def league(db):
    competition = Competition.objects.create(name="Premier League", kind=Competition.Kind.LEAGUE)
    return Season.objects.create(competition=competition, name="2023/24")


def match(season, home, away, day=1, venue=None):
    home_team, _ = Team.objects.get_or_create(name=home)
    away_team, _ = Team.objects.get_or_create(name=away)
    return Match.objects.create(competition=season.competition, season=season, home_team=home_team,
                                away_team=away_team, venue=venue, kickoff=dt.datetime(2023, 9, day, 14, tzinfo=dt.UTC))


def test_matches_get_their_home_grounds_and_venues_their_coordinates(league):
    at_anfield = match(league, "Liverpool", "Everton")
    at_goodison = match(league, "Everton", "Liverpool", day=2)
    statsbomb_etihad = Venue.objects.create(name="Etihad Stadium", country="England")
    at_etihad = match(league, "Manchester City", "Arsenal", day=3, venue=statsbomb_etihad)
    curated = Venue.objects.create(name="Emirates Stadium", city="London", latitude=51.5, longitude=-0.1)
    Team.objects.filter(name="Arsenal").update(venue=curated)
    at_emirates = match(league, "Arsenal", "Liverpool", day=4)
    unknown = match(league, "Some Club", "Arsenal", day=5)

    done = assign_venues()

    for row in (at_anfield, at_goodison, at_etihad, at_emirates, unknown):
        row.refresh_from_db()
    assert (at_anfield.venue.name, at_anfield.venue.latitude, at_anfield.venue.capacity) == ("Anfield", 53.4308, 61276)
    assert at_goodison.venue.name == "Goodison Park"
    assert at_etihad.venue == statsbomb_etihad and statsbomb_etihad.latitude is None  # stale instance
    statsbomb_etihad.refresh_from_db()
    assert (statsbomb_etihad.latitude, statsbomb_etihad.longitude) == (53.4831, -2.2004)
    assert Team.objects.get(name="Manchester City").venue == statsbomb_etihad  # the ground stored once
    assert at_emirates.venue == curated
    curated.refresh_from_db()
    assert (curated.latitude, curated.longitude) == (51.5, -0.1)  # a curator's coordinates are kept
    assert unknown.venue is None
    assert (done.matches, done.grounds_created) == (3, 2)

    again = assign_venues()
    assert (again.located, again.grounds_created, again.teams, again.matches) == (0, 0, 0, 0)


def test_a_tournament_match_is_not_put_at_a_home_ground(db):
    euro = Competition.objects.create(name="UEFA Euro", kind=Competition.Kind.INTERNATIONAL)
    season = Season.objects.create(competition=euro, name="2020")
    played = match(season, "Bayern Munich", "Liverpool")  # clubs, so that a home ground exists
    assign_venues()
    played.refresh_from_db()
    assert played.venue is None


@pytest.mark.realdata
def test_an_import_leaves_every_premier_league_match_at_a_located_ground(db, shared_data):
    path = str(shared_data("football-data", "E0", "2324.csv"))
    call_command("import_football_data", path, stdout=StringIO(), stderr=StringIO())
    season = Season.objects.get(competition__name="Premier League", name="2023/24")
    located = Match.objects.filter(season=season, venue__latitude__isnull=False)
    assert located.count() == 380
    assert Venue.objects.count() == 20
    luton = Match.objects.filter(home_team__name="Luton Town").select_related("venue").first()
    assert luton.venue.name == "Kenilworth Road"

    out = StringIO()
    call_command("import_football_data", path, stdout=out, stderr=StringIO())
    assert "380 unchanged" in out.getvalue()


def test_a_euro_2020_match_without_a_venue_gets_the_ground_it_was_played_at(db):
    euro = Competition.objects.create(name="UEFA Euro", kind=Competition.Kind.INTERNATIONAL)
    season = Season.objects.create(competition=euro, name="2020")
    turkey = Team.objects.create(name="Turkey", kind=Team.Kind.NATIONAL, country="Turkey")
    italy = Team.objects.create(name="Italy", kind=Team.Kind.NATIONAL, country="Italy")
    opener = Match.objects.create(competition=euro, season=season, home_team=turkey, away_team=italy,
                                  kickoff=dt.datetime(2021, 6, 11, 19, tzinfo=dt.UTC))
    unknown = Match.objects.create(competition=euro, season=season, home_team=italy, away_team=turkey,
                                   kickoff=dt.datetime(2021, 6, 12, 19, tzinfo=dt.UTC))  # no such fixture

    done = assign_venues()

    opener.refresh_from_db()
    unknown.refresh_from_db()
    assert (opener.venue.name, opener.venue.city, opener.venue.country) == ("Stadio Olimpico", "Rome", "Italy")
    assert unknown.venue is None and done.matches == 1
    assert assign_venues().matches == 0  # a second run changes nothing
    assert len(grounds.EURO_2020_MATCHES) == 51  # the whole tournament, every ground in the catalog
