"""Merging duplicate teams, players, venues and competitions: service and admin action."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.urls import reverse

from matches.merge import MergeError, merge_into
from matches.models import (
    Competition,
    CompetitionExternalId,
    Lineup,
    LineupEntry,
    Match,
    MatchEvent,
    PointsAdjustment,
    Season,
    Source,
    Team,
    TeamAlias,
    TeamExternalId,
    TeamMatchStats,
    Venue,
)
from players.models import Player, PlayerAlias, PlayerExternalId

KICKOFF = dt.datetime(2023, 9, 2, 14, 0, tzinfo=dt.UTC)


def add_event(match, seq, kind, team, player=None, related_player=None):
    return MatchEvent.objects.create(
        match=match, seq=seq, source=Source.STATSBOMB, external_id=f"{match.pk}-{seq}", kind=kind,
        period=1, minute=10 * seq, team=team, player=player, related_player=related_player, raw_type=kind,
    )


def add_lineup(match, team, *players):
    lineup = Lineup.objects.create(match=match, team=team, formation="4-3-3")
    for number, player in enumerate(players, start=1):
        LineupEntry.objects.create(lineup=lineup, player=player, shirt_number=number, is_starter=True)
    return lineup


def snapshot():
    """Every row of the football apps, to prove a failed merge changed nothing."""
    return {
        model._meta.label: sorted(model._base_manager.values_list(), key=repr)
        for app in ("matches", "players", "markets")
        for model in apps.get_app_config(app).get_models()
    }


def references_to(obj) -> dict[str, int]:
    """Rows still pointing at ``obj``, through every foreign key, hidden ones included."""
    found = {}
    for field in obj._meta.get_fields(include_hidden=True):
        if field.auto_created and not field.concrete and (field.one_to_many or field.one_to_one):
            n = field.related_model._base_manager.filter(**{field.field.attname: obj.pk}).count()
            if n:
                found[f"{field.related_model._meta.label}.{field.field.name}"] = n
    return found


@pytest.fixture
def world(db):
    """Manchester City imported twice ("Manchester City FC" and "Man City"), De Bruyne twice."""
    league = Competition.objects.create(name="Premier League", country="England")
    season = Season.objects.create(competition=league, name="2023/24")
    etihad = Venue.objects.create(name="Etihad Stadium", city="Manchester")
    city = Team.objects.create(name="Manchester City FC")  # the row to keep: no country, no venue yet
    dup = Team.objects.create(name="Man City", short_name="Man City", country="England", venue=etihad)
    arsenal = Team.objects.create(name="Arsenal")
    chelsea = Team.objects.create(name="Chelsea")
    TeamAlias.objects.create(team=city, alias="Manchester City", source=Source.FOOTBALL_DATA_ORG)
    TeamAlias.objects.create(team=dup, alias="MCFC", source=Source.OPENFOOTBALL)
    TeamExternalId.objects.create(team=city, source=Source.STATSBOMB, external_id="746")
    TeamExternalId.objects.create(team=dup, source=Source.FOOTBALL_DATA_UK, external_id="Man City")
    TeamExternalId.objects.create(team=dup, source=Source.API_FOOTBALL, external_id="50")

    kdb = Player.objects.create(name="Kevin De Bruyne")  # the row to keep
    kdb_dup = Player.objects.create(name="K. De Bruyne", birth_date=dt.date(1991, 6, 28), nationality="Belgium")
    haaland = Player.objects.create(name="Erling Haaland")
    PlayerAlias.objects.create(player=kdb, alias="KDB")
    PlayerAlias.objects.create(player=kdb_dup, alias="K.D.B.")  # folds to "k d b", not "kdb"
    PlayerAlias.objects.create(player=kdb_dup, alias="kdb")  # folds like kdb's "KDB": a copy
    PlayerExternalId.objects.create(player=kdb, source=Source.STATSBOMB, external_id="3089")
    PlayerExternalId.objects.create(player=kdb_dup, source=Source.API_FOOTBALL, external_id="629")

    home = Match.objects.create(
        competition=league, season=season, kickoff=KICKOFF, home_team=city, away_team=arsenal,
        status=Match.Status.FINISHED, home_score=1, away_score=0,
    )
    away = Match.objects.create(
        competition=league, season=season, kickoff=KICKOFF + dt.timedelta(days=7), home_team=chelsea,
        away_team=dup, venue=None, status=Match.Status.FINISHED, home_score=0, away_score=1,
    )
    add_event(home, 1, MatchEvent.Kind.GOAL, city, kdb, haaland)
    add_event(away, 1, MatchEvent.Kind.GOAL, dup, haaland, kdb_dup)
    add_event(away, 2, MatchEvent.Kind.SUBSTITUTION, dup, kdb_dup, haaland)
    add_event(away, 3, MatchEvent.Kind.PASS, dup, kdb_dup)
    add_event(away, 4, MatchEvent.Kind.YELLOW_CARD, chelsea)
    add_lineup(home, city, kdb, haaland)
    add_lineup(away, dup, kdb_dup, haaland)
    TeamMatchStats.objects.create(match=home, team=city, shots=12, shots_on_target=5)
    TeamMatchStats.objects.create(match=away, team=dup, shots=9, shots_on_target=3)
    PointsAdjustment.objects.create(season=season, team=dup, points=-1, reason="Test deduction")
    return SimpleNamespace(**locals())


def test_merge_teams_moves_every_reference(world):
    dup_pk = world.dup.pk
    counts = merge_into(world.city, world.dup)

    assert not Team.objects.filter(pk=dup_pk).exists()
    world.dup.pk = dup_pk
    assert references_to(world.dup) == {}
    assert Match.objects.get(pk=world.away.pk).away_team == world.city
    assert MatchEvent.objects.filter(team=world.city).count() == 4
    assert Lineup.objects.get(match=world.away, team=world.city).entries.count() == 2
    assert TeamMatchStats.objects.filter(team=world.city).count() == 2
    assert PointsAdjustment.objects.get().team == world.city
    assert set(world.city.aliases.values_list("alias", flat=True)) == {"Manchester City", "MCFC", "Man City"}
    assert set(world.city.external_ids.values_list("source", "external_id")) == {
        ("statsbomb", "746"), ("football_data_uk", "Man City"), ("api_football", "50"),
    }
    world.city.refresh_from_db()
    assert world.city.name == "Manchester City FC"
    assert (world.city.country, world.city.venue, world.city.short_name) == ("England", world.etihad, "Man City")
    assert counts["matches.Match.away_team"] == 1
    assert counts["matches.MatchEvent.team"] == 3
    assert counts["matches.Lineup.team"] == 1
    assert counts["matches.TeamExternalId.team"] == 2
    assert counts["aliases added"] == 1
    assert counts["blank fields filled"] == 3


def test_merged_name_finds_the_kept_team(world):
    merge_into(world.city, world.dup)
    alias = TeamAlias.objects.get(alias="Man City")
    assert (alias.team, alias.source) == (world.city, Source.MANUAL)


def test_merge_players_combines_aliases_and_ids(world):
    counts = merge_into(world.kdb, world.kdb_dup)

    assert not Player.objects.filter(name="K. De Bruyne").exists()
    assert MatchEvent.objects.filter(player=world.kdb).count() == 3
    assert MatchEvent.objects.filter(related_player=world.kdb).count() == 1
    assert LineupEntry.objects.filter(player=world.kdb).count() == 2
    assert sorted(world.kdb.aliases.values_list("alias", flat=True)) == ["K. De Bruyne", "K.D.B.", "KDB"]
    assert set(world.kdb.external_ids.values_list("external_id", flat=True)) == {"3089", "629"}
    world.kdb.refresh_from_db()
    assert (world.kdb.birth_date, world.kdb.nationality) == (dt.date(1991, 6, 28), "Belgium")
    assert counts["players.PlayerAlias.player (dropped: already on kept row)"] == 1
    assert counts["players.PlayerAlias.player"] == 1
    assert counts["matches.MatchEvent.player"] == 2
    assert counts["matches.LineupEntry.player"] == 1


def test_both_teams_in_one_match_refuses_and_changes_nothing(world):
    add_lineup(world.away, world.city)  # both rows have a lineup in the same match
    before = snapshot()

    with pytest.raises(MergeError, match="lineups"):
        merge_into(world.city, world.dup)

    assert snapshot() == before


def test_same_fixture_under_both_teams_refuses(world):
    Match.objects.create(competition=world.league, season=world.season, kickoff=KICKOFF,
                         home_team=world.dup, away_team=world.arsenal)
    before = snapshot()

    with pytest.raises(MergeError, match="matches"):
        merge_into(world.city, world.dup)

    assert snapshot() == before


def test_teams_that_played_each_other_refuse(world):
    Match.objects.create(competition=world.league, season=world.season, kickoff=KICKOFF + dt.timedelta(days=30),
                         home_team=world.city, away_team=world.dup)
    before = snapshot()

    with pytest.raises(MergeError, match="match_teams_differ"):
        merge_into(world.city, world.dup)

    assert snapshot() == before


def test_player_twice_in_one_lineup_refuses(world):
    LineupEntry.objects.create(lineup=Lineup.objects.get(team=world.dup), player=world.kdb, shirt_number=99)
    before = snapshot()

    with pytest.raises(MergeError, match="lineup entries"):
        merge_into(world.kdb, world.kdb_dup)

    assert snapshot() == before


def test_competitions_merge_their_shared_seasons(world):
    epl = Competition.objects.create(name="English Premier League", short_name="EPL")
    CompetitionExternalId.objects.create(competition=epl, source=Source.OPENFOOTBALL, external_id="en.1")
    epl_season = Season.objects.create(competition=epl, name="2023/24", start_date=dt.date(2023, 8, 11))
    Season.objects.create(competition=epl, name="2022/23")
    match = Match.objects.create(competition=epl, season=epl_season, kickoff=KICKOFF + dt.timedelta(days=60),
                                 home_team=world.arsenal, away_team=world.chelsea)

    counts = merge_into(world.league, epl)

    match.refresh_from_db()
    assert (match.competition, match.season) == (world.league, world.season)
    assert sorted(world.league.seasons.values_list("name", flat=True)) == ["2022/23", "2023/24"]
    world.season.refresh_from_db()
    assert world.season.start_date == dt.date(2023, 8, 11)
    assert world.league.external_ids.get().external_id == "en.1"
    world.league.refresh_from_db()
    assert world.league.short_name == "EPL"
    assert counts["matches.Season.competition (merged with kept row's)"] == 1
    assert not Competition.objects.filter(pk=epl.pk).exists()


def test_venues_merge(world):
    other = Venue.objects.create(name="City of Manchester Stadium", country="England", capacity=53400)
    world.arsenal.venue = other
    world.arsenal.save()
    Match.objects.filter(pk=world.home.pk).update(venue=other)

    merge_into(world.etihad, other)

    world.arsenal.refresh_from_db()
    world.etihad.refresh_from_db()
    assert world.arsenal.venue == world.etihad
    assert Match.objects.get(pk=world.home.pk).venue == world.etihad
    assert (world.etihad.country, world.etihad.capacity) == ("England", 53400)


def test_nonsense_merges_refuse(world):
    with pytest.raises(MergeError):
        merge_into(world.city, world.city)
    with pytest.raises(MergeError):
        merge_into(world.city, world.kdb)


# ---------------------------------------------------------------- the admin action


@pytest.fixture
def curator_client(client, django_user_model):
    """A logged-in superuser (no password: hashing one costs more than the test)."""
    client.force_login(django_user_model.objects.create_superuser("curator", "curator@example.org", None))
    return client


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def test_admin_merge_asks_which_to_keep_then_merges(curator_client, world):
    selected = {"action": "merge_selected", ACTION_CHECKBOX_NAME: [world.city.pk, world.dup.pk]}

    page = curator_client.post(changelist(Team), selected)
    assert page.status_code == 200
    assert "admin/merge_confirmation.html" in [t.name for t in page.templates]
    assert "Manchester City FC" in page.text and "Man City" in page.text
    assert Team.objects.filter(pk=world.dup.pk).exists()  # nothing happens before confirming

    done = curator_client.post(changelist(Team), {**selected, "post": "yes", "keep": world.city.pk}, follow=True)
    assert done.status_code == 200
    assert not Team.objects.filter(pk=world.dup.pk).exists()
    assert Match.objects.get(pk=world.away.pk).away_team == world.city
    message = str(list(done.context["messages"])[0])
    assert "Merged 1 teams into “Manchester City FC”" in message
    assert "matches.Match.away_team: 1" in message


def test_admin_merge_players_keeps_the_chosen_one(curator_client, world):
    curator_client.post(changelist(Player), {
        "action": "merge_selected", ACTION_CHECKBOX_NAME: [world.kdb.pk, world.kdb_dup.pk],
        "post": "yes", "keep": world.kdb_dup.pk,
    })
    assert list(Player.objects.filter(name__contains="Bruyne")) == [world.kdb_dup]
    assert LineupEntry.objects.filter(player=world.kdb_dup).count() == 2


def test_admin_merge_reports_a_collision_and_changes_nothing(curator_client, world):
    add_lineup(world.away, world.city)
    before = snapshot()

    done = curator_client.post(changelist(Team), {
        "action": "merge_selected", ACTION_CHECKBOX_NAME: [world.city.pk, world.dup.pk],
        "post": "yes", "keep": world.city.pk,
    }, follow=True)

    assert "Nothing was merged" in str(list(done.context["messages"])[0])
    assert snapshot() == before


def test_admin_merge_needs_two_rows(curator_client, world):
    done = curator_client.post(changelist(Venue), {"action": "merge_selected", ACTION_CHECKBOX_NAME: [world.etihad.pk]},
                             follow=True)
    assert "Select two or more" in str(list(done.context["messages"])[0])
    assert Venue.objects.filter(pk=world.etihad.pk).exists()


def test_admin_merge_competitions(curator_client, world):
    other = Competition.objects.create(name="EPL")
    curator_client.post(changelist(Competition), {
        "action": "merge_selected", ACTION_CHECKBOX_NAME: [world.league.pk, other.pk],
        "post": "yes", "keep": world.league.pk,
    })
    assert list(Competition.objects.all()) == [world.league]
