"""Availability: the writer's history (players.availability), what held on a past date, and the cards
on the match, team and player pages."""

import datetime as dt
import re
from html import unescape

import pytest
from django.urls import reverse
from django.utils import timezone

from matches.models import Competition, Match, Season, Source, Team
from matches.tests.test_views import PAGE_QUERIES as MATCH_PAGE_QUERIES
from players.availability import (
    REASON_LENGTH,
    AvailabilityChanges,
    AvailabilityError,
    Statement,
    on,
    record_availability,
)
from players.models import Player, PlayerAvailability

pytestmark = pytest.mark.django_db

FPL, API = Source.FPL, Source.API_FOOTBALL
DAY = dt.timedelta(days=1)
T0 = dt.datetime(2024, 10, 1, 9, 0, tzinfo=dt.UTC)


@pytest.fixture
def squad():
    league = Competition.objects.create(name="Availability League")
    season = Season.objects.create(competition=league, name="2024/25")
    home = Team.objects.create(name="Northside FC", short_name="Northside")
    away = Team.objects.create(name="Southside United", short_name="Southside")
    players = {name: Player.objects.create(name=name) for name in (
        "Harry Striker", "Bruno Playmaker", "Dean Keeper", "Sam Winger", "Tom Fullback")}
    return {"league": league, "season": season, "home": home, "away": away, **players}


def fpl(player, status, reason="", chance=None, since=None, team=None, match=None):
    return Statement(player_id=player.pk, status=status, reason=reason, chance_of_playing=chance, since=since,
                     team_id=team.pk if team else None, match_id=match.pk if match else None)


def history(player, source=FPL):
    return list(PlayerAvailability.objects.filter(player=player, source=source).order_by("valid_from", "pk")
                .values_list("status", "valid_from", "valid_until"))


# The writer


def test_the_same_statement_twice_changes_nothing_but_when_it_was_read(squad):
    harry, home = squad["Harry Striker"], squad["home"]
    first = record_availability([fpl(harry, "injured", "Hamstring injury - Expected back 19 Oct", 25, T0, home)],
                                source=FPL, observed_at=T0 + dt.timedelta(hours=1))
    again = record_availability([fpl(harry, "injured", "Hamstring injury - Expected back 19 Oct", 25, T0, home)],
                                source=FPL, observed_at=T0 + DAY)
    assert first == AvailabilityChanges(opened=1) and again == AvailabilityChanges(unchanged=1)
    row = PlayerAvailability.objects.get()
    assert (row.status, row.valid_from, row.valid_until, row.observed_at) == ("injured", T0, None, T0 + DAY)


def test_a_different_statement_closes_the_current_one_when_the_new_one_began(squad):
    harry, home = squad["Harry Striker"], squad["home"]
    record_availability([fpl(harry, "injured", "Hamstring injury", 0, T0, home)], source=FPL, observed_at=T0)
    changes = record_availability([fpl(harry, "doubtful", "Hamstring injury", 75, T0 + 5 * DAY, home)],
                                  source=FPL, observed_at=T0 + 6 * DAY)
    assert changes == AvailabilityChanges(opened=1, closed=1)
    assert history(harry) == [("injured", T0, T0 + 5 * DAY), ("doubtful", T0 + 5 * DAY, None)]
    # A new chance alone is a new statement too; without a since, it began when we read it.
    record_availability([fpl(harry, "doubtful", "Hamstring injury", 50, None, home)], source=FPL,
                        observed_at=T0 + 7 * DAY)
    assert history(harry)[-2:] == [("doubtful", T0 + 5 * DAY, T0 + 7 * DAY), ("doubtful", T0 + 7 * DAY, None)]


def test_what_held_on_past_dates(squad):
    harry, home = squad["Harry Striker"], squad["home"]
    record_availability([fpl(harry, "injured", "Knee injury", 0, T0, home)], source=FPL, observed_at=T0)
    record_availability([fpl(harry, "doubtful", "Knee injury", 50, T0 + 10 * DAY, home)], source=FPL,
                        observed_at=T0 + 10 * DAY)
    record_availability([fpl(harry, "available", "", None, None, home)], source=FPL, observed_at=T0 + 14 * DAY)

    assert on(harry, T0 - DAY) is None
    assert on(harry, T0 + 3 * DAY).status == "injured"
    assert on(harry, T0 + 3 * DAY).winner.reason == "Knee injury"
    assert on(harry, T0 + 10 * DAY).status == "doubtful"  # the moment it changed belongs to the new statement
    assert on(harry, T0 + 12 * DAY).winner.chance_of_playing == 50
    assert on(harry, T0 + 30 * DAY).status == "available"


def test_a_complete_list_for_a_team_closes_the_players_no_longer_on_it(squad):
    harry, bruno, dean, home, away = (squad[k] for k in ("Harry Striker", "Bruno Playmaker", "Dean Keeper",
                                                          "home", "away"))
    record_availability([fpl(harry, "injured", "Knee", 0, T0, home), fpl(bruno, "suspended", "Suspended", 0, T0, home),
                         fpl(dean, "injured", "Shoulder", 0, T0, away)], source=FPL, observed_at=T0)
    # Next day FPL lists only Harry for the home side: Bruno served his ban. Dean's team is not in scope.
    changes = record_availability([fpl(harry, "injured", "Knee", 0, T0, home)], source=FPL,
                                  observed_at=T0 + DAY, scope_team_ids=[home.pk])
    assert changes == AvailabilityChanges(closed=1, unchanged=1)
    assert history(bruno) == [("suspended", T0, T0 + DAY)]
    assert on(bruno, T0 + 2 * DAY) is None and on(dean, T0 + 2 * DAY).status == "injured"
    # Without a scope, an unlisted player is left as he was (a partial answer says nothing of him).
    record_availability([], source=FPL, observed_at=T0 + 2 * DAY)
    assert on(harry, T0 + 3 * DAY).status == "injured"


def test_a_complete_list_for_a_match_closes_the_recovered_even_when_it_is_empty(squad):
    harry, home, away = squad["Harry Striker"], squad["home"], squad["away"]
    match = Match.objects.create(competition=squad["league"], season=squad["season"], kickoff=T0 + 3 * DAY,
                                 home_team=home, away_team=away)
    record_availability([fpl(harry, "injured", "Muscle Injury", team=home, match=match)], source=API,
                        observed_at=T0, scope_match_ids=[match.pk])
    assert on(harry, T0 + DAY, match=match).status == "injured"
    changes = record_availability([], source=API, observed_at=T0 + DAY, scope_match_ids=[match.pk])
    assert changes == AvailabilityChanges(closed=1)
    assert on(harry, T0 + 2 * DAY, match=match) is None


def test_an_older_observation_does_not_rewrite_newer_history(squad):
    harry, home = squad["Harry Striker"], squad["home"]
    record_availability([fpl(harry, "doubtful", "Ill", 75, T0 + DAY, home)], source=FPL, observed_at=T0 + 2 * DAY)
    changes = record_availability([fpl(harry, "injured", "Ill", 0, T0, home)], source=FPL, observed_at=T0)
    assert changes == AvailabilityChanges(unchanged=1)
    assert history(harry) == [("doubtful", T0 + DAY, None)]


def test_the_writer_refuses_bad_statements_and_writes_nothing(squad):
    harry, bruno = squad["Harry Striker"], squad["Bruno Playmaker"]
    good = fpl(harry, "injured")
    for bad, message in ((fpl(bruno, "crocked"), "status 'crocked'"),
                         (fpl(bruno, "doubtful", chance=120), "chance of playing 120"),
                         (Statement(player_id=987654, status="injured"), "no player with id 987654"),
                         (fpl(harry, "doubtful"), "the same player as statement 0"),
                         (fpl(bruno, "injured", since=dt.datetime(2024, 10, 1)), "no time zone")):
        with pytest.raises(AvailabilityError, match=re.escape(message)):
            record_availability([good, bad], source=FPL, observed_at=T0)
    with pytest.raises(AvailabilityError, match="unknown source"):
        record_availability([good], source="twitter", observed_at=T0)
    assert not PlayerAvailability.objects.exists()


def test_a_long_reason_is_shortened_at_a_word(squad):
    harry = squad["Harry Striker"]
    news = "Knee injury - " + "awaiting further news after a scan " * 10
    record_availability([fpl(harry, "injured", news)], source=FPL, observed_at=T0)
    reason = PlayerAvailability.objects.get().reason
    assert len(reason) <= REASON_LENGTH and reason.endswith("…") and news.startswith(reason[:-1])
    assert reason[:-1].endswith(("scan", "awaiting", "further", "news", "after", "a"))
    # The same news tomorrow is the same statement.
    assert record_availability([fpl(harry, "injured", news)], source=FPL, observed_at=T0 + DAY).unchanged == 1


def test_a_league_of_players_is_written_in_a_fixed_number_of_queries(squad, django_assert_max_num_queries):
    """FPL sends ~800 players a day: the queries do not grow with them (chunks of 500 ids)."""
    home = squad["home"]
    many = Player.objects.bulk_create(Player(name=f"Squad Player {n}") for n in range(800))
    day_one = [fpl(p, "injured" if n % 10 == 0 else "available", "Knock" if n % 10 == 0 else "", None, T0, home)
               for n, p in enumerate(many)]
    with django_assert_max_num_queries(12):
        assert record_availability(day_one, source=FPL, observed_at=T0, scope_team_ids=[home.pk]).opened == 800
    # Day two: ten recover, two are newly doubtful, everything else as it was.
    day_two = [fpl(p, "available", "", None, None, home) if n % 10 == 0 and n < 100 else statement
               for n, (p, statement) in enumerate(zip(many, day_one))]
    day_two[1] = fpl(many[1], "doubtful", "Illness", 75, None, home)
    day_two[2] = fpl(many[2], "doubtful", "Illness", 50, None, home)
    with django_assert_max_num_queries(12):
        changes = record_availability(day_two, source=FPL, observed_at=T0 + DAY, scope_team_ids=[home.pk])
    assert changes == AvailabilityChanges(opened=12, closed=12, unchanged=788)
    assert PlayerAvailability.objects.filter(valid_until__isnull=True).count() == 800


# Merging sources


def test_a_statement_about_the_match_beats_a_general_one_and_the_newer_wins_otherwise(squad):
    harry, home, away = squad["Harry Striker"], squad["home"], squad["away"]
    match = Match.objects.create(competition=squad["league"], season=squad["season"], kickoff=T0 + 3 * DAY,
                                 home_team=home, away_team=away)
    record_availability([fpl(harry, "doubtful", "Knock", 75, T0 + DAY, home)], source=FPL, observed_at=T0 + DAY)
    record_availability([fpl(harry, "injured", "Knee Injury", team=home, match=match)], source=API,
                        observed_at=T0 + 0.5 * DAY, scope_match_ids=[match.pk])
    at_kickoff = on(harry, match.kickoff, match=match)
    assert at_kickoff.status == "injured" and at_kickoff.winner.source == API
    assert set(at_kickoff.by_source) == {FPL, API} and at_kickoff.by_source[FPL].status == "doubtful"
    # Asked without the match: both speak of now, and FPL's word is the newer.
    assert on(harry, T0 + 2 * DAY).status == "doubtful"
    # After the match, API-Football's word about it no longer says anything about him.
    record_availability([fpl(harry, "doubtful", "Knock", 75, T0 + DAY, home)], source=FPL, observed_at=T0 + 5 * DAY)
    assert on(harry, T0 + 4 * DAY).by_source.keys() == {FPL}


# The pages


def card(html: str, element_id: str = "availability") -> str:
    found = re.search(rf'<section[^>]*id="{element_id}".*?</section>', html, re.S)
    return unescape(found.group(0)) if found else ""


def lines(section: str, list_name: str) -> list[str]:
    found = re.findall(rf'<ul class="absence-list" data-list="{list_name}">(.*?)</ul>', section, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for block in found
            for item in re.findall(r"<li.*?</li>", block, re.S)]


@pytest.fixture
def fixture(squad):
    """A match in two days, with FPL's and API-Football's word on both squads."""
    now = timezone.now()
    home, away = squad["home"], squad["away"]
    match = Match.objects.create(competition=squad["league"], season=squad["season"], kickoff=now + 2 * DAY,
                                 home_team=home, away_team=away)
    record_availability([
        fpl(squad["Harry Striker"], "injured", "Hamstring injury - Expected back 19 Oct", 0, now - 5 * DAY, home),
        fpl(squad["Bruno Playmaker"], "doubtful", "Knock - 75% chance of playing", 75, now - DAY, home),
        fpl(squad["Sam Winger"], "available", "", None, now - 30 * DAY, home),
        fpl(squad["Dean Keeper"], "suspended", "Suspended until 20 Oct", 0, now - 2 * DAY, away),
    ], source=FPL, observed_at=now - dt.timedelta(hours=2))
    record_availability([fpl(squad["Tom Fullback"], "doubtful", "Questionable", None, None, away, match)],
                        source=API, observed_at=now - dt.timedelta(hours=1), scope_match_ids=[match.pk])
    return match


def get(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_the_match_page_lists_who_is_missing_and_doubtful_per_side(client, squad, fixture):
    section = card(get(client, fixture.get_absolute_url()))
    home, away = section.split('data-side="away"')
    assert lines(home, "missing") == [f"Harry Striker Injured Hamstring injury - Expected back 19 Oct · 0% chance "
                                      f"· since {timezone.localtime(timezone.now() - 5 * DAY):%-d %b} "  # recent: no year
                                      f"(Fantasy Premier League)"]
    assert [line.split(" · ")[0] for line in lines(home, "doubtful")] == ["Bruno Playmaker Doubtful Knock - 75% "
                                                                         "chance of playing"]
    assert lines(home, "doubtful")[0].count("75%") == 1  # FPL's news says it already
    assert "Sam Winger" not in section  # available: nothing to say
    assert lines(away, "missing")[0].startswith("Dean Keeper Suspended Suspended until 20 Oct")
    assert lines(away, "doubtful")[0].startswith("Tom Fullback Doubtful Questionable")
    assert "(API-Football)" in lines(away, "doubtful")[0]
    assert f'href="{squad["Harry Striker"].get_absolute_url()}"' in section
    assert "before kick-off" in section


def test_a_finished_match_shows_who_was_missing_at_kick_off(client, squad):
    home, away, harry, bruno = squad["home"], squad["away"], squad["Harry Striker"], squad["Bruno Playmaker"]
    match = Match.objects.create(competition=squad["league"], season=squad["season"], kickoff=T0 + 3 * DAY,
                                 home_team=home, away_team=away, status=Match.Status.FINISHED,
                                 home_score=1, away_score=0)
    record_availability([fpl(harry, "injured", "Knee", 0, T0, home)], source=FPL, observed_at=T0)
    # Harry is back the day after the match; Bruno's injury came after it.
    record_availability([fpl(harry, "available", "", None, T0 + 4 * DAY, home),
                         fpl(bruno, "injured", "Ankle", 0, T0 + 5 * DAY, home)], source=FPL, observed_at=T0 + 5 * DAY)
    section = card(get(client, match.get_absolute_url()))
    assert [line.split(" ")[:3] for line in lines(section, "missing")] == [["Harry", "Striker", "Injured"]]
    assert "Bruno" not in section and "at kick-off" in section


def test_players_who_left_the_club_are_not_listed_as_missing_but_a_match_absence_is(client, squad, fixture):
    """FPL keeps departed and loaned-out players at their old club as "unavailable" (status u):
    they are not in the squad, so the cards leave them out; an absence for this match stays."""
    now, home, away = timezone.now(), squad["home"], squad["away"]
    record_availability([fpl(squad["Sam Winger"], "unavailable", "Has joined Bayern Munich on loan", 0,
                             now - 40 * DAY, home)], source=FPL, observed_at=now)
    record_availability([fpl(squad["Tom Fullback"], "unavailable", "Coach's Decision", None, None, away, fixture)],
                        source=API, observed_at=now, scope_match_ids=[fixture.pk])

    section = card(get(client, fixture.get_absolute_url()))
    team_section = card(get(client, home.get_absolute_url()))

    assert "Sam Winger" not in section and "Sam Winger" not in team_section
    assert any(line.startswith("Tom Fullback Unavailable Coach")
               for line in lines(section.split('data-side="away"')[1], "missing"))
    assert "Has joined Bayern Munich on loan" in card(get(client, squad["Sam Winger"].get_absolute_url()))


def test_the_card_is_left_out_when_nothing_is_known(client, squad):
    match = Match.objects.create(competition=squad["league"], season=squad["season"], kickoff=timezone.now() + DAY,
                                 home_team=squad["home"], away_team=squad["away"])
    record_availability([fpl(squad["Sam Winger"], "available", team=squad["home"])], source=FPL,
                        observed_at=timezone.now() - DAY)
    html = get(client, match.get_absolute_url())
    assert 'id="availability"' not in html and "Missing" not in html


def test_the_match_page_pays_one_query_for_the_card_whatever_the_squads(client, squad, fixture,
                                                                       django_assert_max_num_queries):
    with django_assert_max_num_queries(MATCH_PAGE_QUERIES + 1):
        get(client, fixture.get_absolute_url())
    many = Player.objects.bulk_create(Player(name=f"Reserve {n}") for n in range(40))
    record_availability([fpl(p, "injured", "Knock", team=(squad["home"], squad["away"])[n % 2])
                         for n, p in enumerate(many)], source=Source.MANUAL, observed_at=timezone.now() - DAY)
    with django_assert_max_num_queries(MATCH_PAGE_QUERIES + 1):
        html = get(client, fixture.get_absolute_url())
    assert len(lines(card(html), "missing")) == 2 + 40


def test_the_team_page_shows_the_squads_absentees_and_doubts(client, squad, fixture):
    section = card(get(client, squad["home"].get_absolute_url()))
    assert [line.split(" ")[:3] for line in lines(section, "missing")] == [["Harry", "Striker", "Injured"]]
    assert [line.split(" ")[:3] for line in lines(section, "doubtful")] == [["Bruno", "Playmaker", "Doubtful"]]
    away = card(get(client, squad["away"].get_absolute_url()))
    assert "Dean Keeper" in away and "Tom Fullback" in away  # the match statement: the match is still to come
    # A curator's newer word that Harry is fit wins over FPL's.
    record_availability([fpl(squad["Harry Striker"], "available", "Back in training", team=squad["home"])],
                        source=Source.MANUAL, observed_at=timezone.now())
    section = card(get(client, squad["home"].get_absolute_url()))
    assert "Harry Striker" not in section and "Bruno Playmaker" in section


def test_the_player_page_shows_his_history_from_every_source(client, squad):
    harry, home = squad["Harry Striker"], squad["home"]
    record_availability([fpl(harry, "injured", "Knee", 0, T0, home)], source=FPL, observed_at=T0)
    record_availability([fpl(harry, "doubtful", "Knee", 50, T0 + 9 * DAY, home)], source=FPL,
                        observed_at=T0 + 9 * DAY)
    section = card(get(client, harry.get_absolute_url()))
    rows = [[" ".join(re.sub(r"<[^>]+>", " ", cell).split()) for cell in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr data-status.*?</tr>", section, re.S)]
    assert rows == [["10 Oct 2024", "now", "Doubtful", "Knee", "50%", "Fantasy Premier League"],
                    ["1 Oct 2024", "10 Oct 2024", "Injured", "Knee", "0%", "Fantasy Premier League"]]
    assert 'id="availability"' not in get(client, squad["Bruno Playmaker"].get_absolute_url())


# The admin


def test_a_curator_corrects_through_the_writer_and_the_history_stays(admin_client, squad):
    harry, home = squad["Harry Striker"], squad["home"]
    record_availability([fpl(harry, "injured", "Knee", 0, T0, home)], source=FPL, observed_at=T0)
    changelist = reverse("admin:players_playeravailability_changelist")
    assert "Harry Striker" in admin_client.get(changelist, {"status__exact": "injured", "q": "harry"}).content.decode()
    assert "Harry Striker" not in admin_client.get(changelist, {"source__exact": "api_football"}).content.decode()

    response = admin_client.post(reverse("admin:players_playeravailability_add"), {
        "player": harry.pk, "team": home.pk, "status": "available", "reason": "Back in training"})
    assert response.status_code == 302
    manual = PlayerAvailability.objects.get(source=Source.MANUAL)
    assert (manual.status, manual.valid_until, manual.reason) == ("available", None, "Back in training")
    assert on(harry, timezone.now()).status == "available"  # newer than FPL's word
    assert history(harry) == [("injured", T0, None)]  # FPL's own statement is not rewritten
    row = PlayerAvailability.objects.filter(source=FPL).get()
    assert admin_client.get(reverse("admin:players_playeravailability_change", args=[row.pk])).status_code == 200
    refused = admin_client.post(reverse("admin:players_playeravailability_change", args=[row.pk]), {"status": "doubtful"})
    assert refused.status_code == 403
