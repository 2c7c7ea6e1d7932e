"""Custom projection uploads: every bad line named by line and field, nothing saved unless all is valid."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from fantasy import uploads
from fantasy.models import FplPlayerFixture, Game, Projection, ProjectionSet
from matches.models import Competition, Match, Season, Team
from players.models import Player

pytestmark = pytest.mark.django_db


@pytest.fixture
def gameweek():
    competition = Competition.objects.create(name="Premier League")
    season = Season.objects.create(competition=competition, name="2023/24")
    home, away = Team.objects.create(name="Manchester City"), Team.objects.create(name="Arsenal")
    match = Match.objects.create(competition=competition, season=season, home_team=home, away_team=away,
                                 kickoff=dt.datetime(2024, 3, 31, 15, 30, tzinfo=dt.UTC))
    players = {name: Player.objects.create(name=name, known_as=known) for name, known in (
        ("Erling Haaland", "Haaland"), ("Bukayo Saka", "Saka"), ("Ben White", "White"), ("Kyle Walker", "Walker"),
        ("Kyle Walker-Peters", "Walker-Peters"), ("John White", "White"))}
    for player in players.values():
        FplPlayerFixture.objects.create(player=player, match=match, season=season, gameweek=30, price=Decimal("6.0"),
                                        total_points=2)
    outsider = Player.objects.create(name="Not Playing This Week")
    return uploads.Target(game=Game.FPL, season_id=season.pk, gameweek=30), players, outsider


@pytest.fixture
def ada():
    return get_user_model().objects.create_user("ada", password="a long enough passphrase 42")


def test_a_valid_file_replaces_the_users_projections_and_nobody_else_sees_them(gameweek, ada):
    target, players, _ = gameweek
    first = uploads.save(ada, target, b"Player,Points,Minutes,Ownership\nHaaland,8.5,85,61.2\nsaka,6.1,,\n")
    assert first.version == 1 and first.projections.count() == 2
    haaland = Projection.objects.get(projection_set=first, player=players["Erling Haaland"])
    assert (haaland.points, haaland.minutes, haaland.ownership) == (8.5, 85.0, 61.2)
    second = uploads.save(ada, target, f"points,player\n7.0,{players['Bukayo Saka'].pk}\n".encode())
    assert uploads.latest_upload(ada, target) == second and second.version == 2
    assert list(second.projections.values_list("player__name", "points")) == [("Bukayo Saka", 7.0)]
    bob = get_user_model().objects.create_user("bob", password="a long enough passphrase 42")
    assert uploads.latest_upload(bob, target) is None


@pytest.mark.parametrize("content, message", [
    (b"player,points\nNobody At All,5\n", "line 2, player: 'Nobody At All' is not a player of this"),
    (b"player,points\nNot Playing This Week,5\n", "line 2, player: 'Not Playing This Week' is not a player"),
    (b"player,points\nWhite,5\n", "line 2, player: 'White' could be Ben White"),
    (b"player,points\nHaaland,5\nErling Haaland,6\n", "line 3, player: 'Erling Haaland' is Erling Haaland again (first on line 2)"),
    (b"player,points\nHaaland,lots\n", "line 2, points: 'lots' is not a number"),
    (b"player,points\nHaaland,250\n", "line 2, points: 250 is outside -20 to 100"),
    (b"player,points\nHaaland,nan\n", "line 2, points: 'nan' is not a number"),
    (b"player,points,minutes\nHaaland,5,200\n", "line 2, minutes: 200 is outside 0 to 120"),
    (b"player,points,ownership\nHaaland,5,-1\n", "line 2, ownership: -1 is outside 0 to 100"),
    (b"player,points\nHaaland\n", "line 2: 1 fields, the header has 2"),
    (b"name,score\nHaaland,5\n", "line 1: the header has no player or points column"),
    (b"player,points,points\nHaaland,5,6\n", "line 1: the points column appears twice"),
    (b"", "the file is empty"),
    (b"player,points\n", "no player lines"),
    (b"player,points\nHa\xffland,5\n", "not UTF-8"),
])
def test_each_kind_of_bad_line_is_named_and_nothing_is_saved(gameweek, ada, content, message):
    target, _, _ = gameweek
    good = b"\nSaka,6\n"  # a valid line too: one bad line refuses the whole file
    with pytest.raises(uploads.UploadError) as refused:
        uploads.save(ada, target, content + (good if content.count(b"\n") > 1 else b""))
    assert any(message in error for error in refused.value.errors), refused.value.errors
    assert not ProjectionSet.objects.exists() and not Projection.objects.exists()
