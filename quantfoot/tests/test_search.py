"""Search by any name a source gives: a team by its alias, a player, a competition."""

import pytest

from matches.models import Competition, Team, TeamAlias
from players.models import Player

pytestmark = pytest.mark.django_db


def test_search_finds_teams_by_alias_players_and_competitions(client, django_assert_max_num_queries):
    forest = Team.objects.create(name="Nottingham Forest", country="England")
    TeamAlias.objects.create(team=forest, alias="Nott'm Forest")
    bayern = Team.objects.create(name="Bayern München", country="Germany")
    TeamAlias.objects.create(team=bayern, alias="Bayern München")  # importers store every name as an alias
    Player.objects.create(name="Ciro Immobile")
    Competition.objects.create(name="Premier League", short_name="EPL", country="England")

    with django_assert_max_num_queries(4):
        html = client.get("/search", {"q": "nott'm"}).content.decode()
    assert f'href="/teams/{forest.pk}/"' in html and "Bayern" not in html
    assert "Bayern München" in client.get("/search", {"q": "bayern munchen"}).content.decode()  # accents folded
    assert "Ciro Immobile" in client.get("/search", {"q": "immobile"}).content.decode()
    assert "Premier League" in client.get("/search", {"q": "epl"}).content.decode()
    assert "Nothing called" in client.get("/search", {"q": "zzz"}).content.decode()


def test_every_page_has_the_search_box(client):
    assert 'role="search"' in client.get("/").content.decode()
