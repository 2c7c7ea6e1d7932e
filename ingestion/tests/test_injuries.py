"""API-Football's /injuries against a local provider: who is missing for the next matches, on the match page.

No recorded /injuries answer is public; the answers here follow the format in
../shared/data/PROVENANCE.md (``response[{player{id, name, type, reason}, team, fixture, league}]``)
inside the envelope every recorded API-Football answer has (get, parameters, errors, results,
paging, response).
"""

import datetime as dt
import re
from html import unescape

import httpx
import pytest
from django.core.management import call_command
from django.utils import timezone

from ingestion import jobs, tasks
from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.api_football import mapping
from ingestion.providers.api_football.client import ApiFootballClient
from ingestion.tests.fake_provider import Reply
from ingestion.tests.test_jobs import FIXTURE, LEAGUE, SEASON, api_football, at, envelope, fixture_item, quota  # noqa: F401
from matches.models import Match, MatchExternalId, Source, Team
from matches.records import RecordError
from players.availability import Statement, on, record_availability
from players.models import Player, PlayerAvailability, PlayerExternalId

pytestmark = pytest.mark.django_db

UNITED, LIVERPOOL = (33, "Manchester United"), (40, "Liverpool")


def injury(player_id, name, kind, reason, team=UNITED, fixture=FIXTURE, kickoff=None):
    """One /injuries item, shaped as API-Football sends it (photo, logo and flag URLs included)."""
    kickoff = kickoff or at(dt.timedelta(days=2))
    return {
        "player": {"id": player_id, "name": name, "photo": f"https://media.api-sports.io/football/players/{player_id}.png",
                   "type": kind, "reason": reason},
        "team": {"id": team[0], "name": team[1], "logo": f"https://media.api-sports.io/football/teams/{team[0]}.png"},
        "fixture": {"id": fixture, "timezone": "UTC", "date": kickoff.isoformat(), "timestamp": int(kickoff.timestamp())},
        "league": {"id": LEAGUE, "season": SEASON, "name": "Premier League", "country": "England",
                   "logo": f"https://media.api-sports.io/football/leagues/{LEAGUE}.png",
                   "flag": "https://media.api-sports.io/flags/gb.svg"},
    }


def answer(*items, fixture=FIXTURE):
    return {"get": "injuries", "parameters": {"fixture": str(fixture)}, "errors": [], "results": len(items),
            "paging": {"current": 1, "total": 1}, "response": list(items)}


MARTINEZ = injury(2935, "L. Martínez", "Missing Fixture", "Foot Injury")
CASEMIRO = injury(747, "Casemiro", "Missing Fixture", "Red Card")
RASHFORD = injury(909, "M. Rashford", "Questionable", "Illness")
SZOBOSZLAI = injury(1096, "D. Szoboszlai", "Missing Fixture", "Hamstring Injury", team=LIVERPOOL)
ALISSON = injury(280, "Alisson Becker", "Questionable", "Muscle Injury", team=LIVERPOOL)


@pytest.fixture
def upcoming(api_football):
    """Manchester United v Liverpool in two days, imported from API-Football; FPL already knows Rashford."""
    kickoff = at(dt.timedelta(days=2))
    api_football.route("/fixtures", Reply(json=envelope(fixture_item(kickoff)), headers=quota()),
                       query={"league": str(LEAGUE)})
    assert jobs.run_job("api_football", "matches").status == IngestionRun.Status.SUCCEEDED
    match = Match.objects.get()
    rashford = Player.objects.create(name="Marcus Rashford")
    record_availability([Statement(player_id=rashford.pk, status="doubtful", reason="Illness - 75% chance of playing",
                                   chance_of_playing=75, team_id=match.home_team_id)],
                        source=Source.FPL, observed_at=timezone.now() - dt.timedelta(days=1))
    return match


def route_injuries(server, *replies, fixture=FIXTURE):
    server.route("/injuries", *replies, query={"fixture": str(fixture)})


def card_lines(client, match, side, list_name):
    html = unescape(client.get(match.get_absolute_url()).content.decode())
    section = re.search(r'<section[^>]*id="availability".*?</section>', html, re.S)
    assert section, "the availability card is not on the match page"
    block = re.search(rf'data-side="{side}".*?(?=data-side=|</section>)', section.group(0), re.S).group(0)
    found = re.search(rf'data-list="{list_name}">(.*?)</ul>', block, re.S)
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in
            re.findall(r"<li.*?</li>", found.group(1), re.S)] if found else []


def names(lines):
    return [line.split(" Injured")[0].split(" Suspended")[0].split(" Doubtful")[0].split(" Unavailable")[0]
            for line in lines]


def counts():
    return PlayerAvailability.objects.count(), Player.objects.count(), PlayerExternalId.objects.count()


# The mapping (pure)


def test_types_and_reasons_become_our_statuses():
    records = mapping.parse_injuries(answer(MARTINEZ, CASEMIRO, RASHFORD, injury(5, "X. Player", "Missing Fixture",
                                                                                 "Yellow Cards"),
                                            injury(6, "Y. Player", "Missing Fixture", "Coach's Decision")), "test")
    assert [(r.player.name, r.status, r.reason) for r in records] == [
        ("L. Martínez", "injured", "Foot Injury"), ("Casemiro", "suspended", "Red Card"),
        ("M. Rashford", "doubtful", "Illness"), ("X. Player", "suspended", "Yellow Cards"),
        ("Y. Player", "unavailable", "Coach's Decision")]
    assert (records[0].fixture_id, records[0].team.external_id, records[0].player.external_id) == (
        str(FIXTURE), "33", "2935")


def test_an_unknown_type_or_a_missing_id_names_the_json_path():
    odd = injury(5, "X. Player", "Rested", "")
    with pytest.raises(RecordError, match=re.escape("response[1].player.type: unknown type 'Rested'")):
        mapping.parse_injuries(answer(MARTINEZ, odd), "test")
    nameless = injury(5, "X. Player", "Questionable", "")
    del nameless["player"]["id"]
    with pytest.raises(RecordError, match=re.escape("response[0].player.id: missing")):
        mapping.parse_injuries(answer(nameless), "test")


# The job


def test_the_injuries_job_shows_missing_and_doubtful_players_on_the_match_page(client, api_football, upcoming):
    route_injuries(api_football, Reply(json=answer(MARTINEZ, CASEMIRO, RASHFORD, SZOBOSZLAI, ALISSON),
                                       headers=quota(90)))
    call_command("sync_provider", "api_football", "injuries")
    run = IngestionRun.objects.get(job="injuries")
    assert (run.status, run.created, run.requests_made, run.quota_remaining) == ("succeeded", 5, 1, 90)
    assert api_football.requests_to("/injuries")[0].query == {"fixture": str(FIXTURE)}

    assert names(card_lines(client, upcoming, "home", "missing")) == ["Casemiro", "L. Martínez"]
    assert card_lines(client, upcoming, "home", "missing")[0].startswith("Casemiro Suspended Red Card")
    assert names(card_lines(client, upcoming, "home", "doubtful")) == ["Marcus Rashford"]
    assert "(API-Football)" in card_lines(client, upcoming, "home", "doubtful")[0]  # about this match: it wins
    assert names(card_lines(client, upcoming, "away", "missing")) == ["D. Szoboszlai"]
    assert names(card_lines(client, upcoming, "away", "doubtful")) == ["Alisson Becker"]
    # Rashford was known (FPL, same team): linked to API-Football's id, not created twice.
    rashford = Player.objects.get(name="Marcus Rashford")
    assert rashford.external_ids.get(source=Source.API_FOOTBALL).external_id == "909"
    assert Player.objects.filter(aliases__normalized="m rashford").count() == 1

    # Again: the same answer changes nothing.
    before = counts()
    run = jobs.run_job("api_football", "injuries")
    assert (run.status, run.created, run.updated, run.unchanged) == ("succeeded", 0, 0, 5) and counts() == before

    # Hours later Casemiro has served his ban: off the list, his statement is closed; the rest stand.
    RawPayload.objects.filter(endpoint="/injuries").update(fetched_at=timezone.now() - dt.timedelta(hours=2))
    route_injuries(api_football, Reply(json=answer(MARTINEZ, RASHFORD, SZOBOSZLAI, ALISSON)))
    run = jobs.run_job("api_football", "injuries")
    assert (run.status, run.created, run.updated, run.unchanged) == ("succeeded", 0, 1, 4)
    assert names(card_lines(client, upcoming, "home", "missing")) == ["L. Martínez"]
    casemiro = Player.objects.get(name="Casemiro")
    banned = PlayerAvailability.objects.get(player=casemiro)
    assert banned.valid_until is not None and on(casemiro, banned.valid_from, match=upcoming).status == "suspended"
    assert on(casemiro, timezone.now(), match=upcoming) is None


def test_no_match_in_the_next_three_days_asks_nothing(api_football):
    api_football.route("/fixtures", Reply(json=envelope(fixture_item(at(dt.timedelta(days=5))))),
                       query={"league": str(LEAGUE)})
    jobs.run_job("api_football", "matches")
    assert jobs.run_job("api_football", "injuries") is None and not api_football.requests_to("/injuries")


def test_a_429_is_waited_for_then_the_answer_is_recorded(api_football, upcoming):
    waits = []
    route_injuries(api_football, Reply(429, json={"message": "Too many requests"}, headers={"Retry-After": "3"}),
                   Reply(json=answer(MARTINEZ), headers=quota()))
    run = jobs.run_job("api_football", "injuries", client=ApiFootballClient(sleep=waits.append))
    assert (run.status, run.created, run.requests_made) == ("succeeded", 1, 2) and waits[0] >= 3


def test_500s_are_retried_then_the_run_fails_and_nothing_is_written(api_football, upcoming):
    before = counts()
    route_injuries(api_football, Reply(500), Reply(502), Reply(503), Reply(500))
    run = jobs.run_job("api_football", "injuries", sleep=lambda seconds: None)
    assert run.status == "failed" and "/injuries" in run.error and "HTTP 500" in run.error
    assert run.requests_made == 4 and counts() == before


def test_a_timeout_is_a_failed_run(api_football, upcoming):
    before = counts()
    route_injuries(api_football, Reply(json=answer(MARTINEZ), delay=1.0))
    client = ApiFootballClient(sleep=lambda seconds: None, timeout=httpx.Timeout(0.2), max_attempts=2)
    run = jobs.run_job("api_football", "injuries", client=client)
    assert run.status == "failed" and "Timeout" in run.error and run.finished_at is not None
    assert counts() == before


def test_garbage_is_a_failed_run_with_nothing_half_written(api_football, upcoming):
    route_injuries(api_football, Reply(json=answer(MARTINEZ, RASHFORD)))
    jobs.run_job("api_football", "injuries")
    before = counts()
    current = set(PlayerAvailability.objects.filter(valid_until__isnull=True).values_list("pk", "status"))
    RawPayload.objects.filter(endpoint="/injuries").update(fetched_at=timezone.now() - dt.timedelta(hours=2))

    route_injuries(api_football, Reply(body=b'{"get": "injuries", "errors": [], "response": [{"player": {"id": 2'))
    run = jobs.run_job("api_football", "injuries")
    assert run.status == "failed" and "not valid JSON" in run.error
    assert run.payloads.get().parse_error
    # Valid JSON, but the second item names a team that does not play in this match.
    route_injuries(api_football, Reply(json=answer(injury(1, "New Player", "Missing Fixture", "Knee Injury"),
                                                   injury(2, "Other Player", "Missing Fixture", "Knee Injury",
                                                          team=(50, "Manchester City")))))
    run = jobs.run_job("api_football", "injuries")
    assert run.status == "failed" and "response[1].team" in run.error and "Manchester City" in run.error
    assert "response[1].team" in run.payloads.get().parse_error
    assert counts() == before and not Player.objects.filter(name="New Player").exists()
    assert set(PlayerAvailability.objects.filter(valid_until__isnull=True).values_list("pk", "status")) == current


def test_one_unusable_fixture_fails_the_run_but_the_others_are_recorded(api_football, upcoming):
    other = Match.objects.create(competition=upcoming.competition, season=upcoming.season,
                                 kickoff=upcoming.kickoff + dt.timedelta(hours=3),
                                 home_team=Team.objects.create(name="Chelsea"), away_team=Team.objects.create(name="Arsenal"))
    MatchExternalId.objects.create(match=other, source=Source.API_FOOTBALL, external_id=str(FIXTURE + 1))
    route_injuries(api_football, Reply(json=answer(MARTINEZ)))
    route_injuries(api_football, Reply(body=b"<html>Bad gateway</html>"), fixture=FIXTURE + 1)
    run = jobs.run_job("api_football", "injuries")
    assert run.status == "failed" and "1 of 2 fixtures not recorded" in run.error and str(FIXTURE + 1) in run.error
    assert run.created == 1 and on(Player.objects.get(name="L. Martínez"), timezone.now(), match=upcoming).is_missing


def test_a_failing_injuries_job_does_not_stop_the_daily_imports_or_the_live_poll(api_football, settings):
    settings.FOOTBALL_DATA_TOKEN = ""
    kickoff = at(dt.timedelta(days=1))
    api_football.route("/fixtures", Reply(json=envelope(fixture_item(kickoff))), query={"league": str(LEAGUE)})
    api_football.route("/odds", Reply(json={**envelope(), "get": "odds"}))
    route_injuries(api_football, Reply(500))
    report = tasks.sync_matches()
    by_job = {run.job: run.status for run in IngestionRun.objects.filter(source=Source.API_FOOTBALL)}
    assert by_job["matches"] == by_job["odds"] == "succeeded" and by_job["injuries"] == "failed"
    assert "injuries: API-Football injuries: failed" in report and Match.objects.count() == 1
    # Kick-off: the live job still follows the match.
    Match.objects.update(kickoff=at(dt.timedelta(minutes=-10)))
    api_football.route("/fixtures", Reply(json=envelope(fixture_item(kickoff, "1H", 10))), query={"ids": str(FIXTURE)})
    assert jobs.run_job("api_football", "live", lead=dt.timedelta(0)).status == "succeeded"
    assert Match.objects.get().status == "live"


def test_a_name_that_fits_two_players_or_one_already_named_is_not_guessed(api_football, upcoming):
    # Two M. Rashfords at United (ours plus a namesake in the academy): neither is chosen.
    namesake = Player.objects.create(name="Michael Rashford")
    record_availability([Statement(player_id=namesake.pk, status="injured", team_id=upcoming.home_team_id)],
                        source=Source.MANUAL, observed_at=timezone.now() - dt.timedelta(days=1))
    # Martínez is known under another API-Football id: a new id is another man.
    martinez = Player.objects.create(name="Lisandro Martínez")
    PlayerExternalId.objects.create(player=martinez, source=Source.API_FOOTBALL, external_id="1")
    record_availability([Statement(player_id=martinez.pk, status="injured", team_id=upcoming.home_team_id)],
                        source=Source.MANUAL, observed_at=timezone.now() - dt.timedelta(days=1))
    route_injuries(api_football, Reply(json=answer(RASHFORD, MARTINEZ)))
    assert jobs.run_job("api_football", "injuries").created == 2
    assert Player.objects.filter(name="M. Rashford").count() == 1 and Player.objects.filter(name="L. Martínez").count() == 1
    assert not Player.objects.get(name="Marcus Rashford").external_ids.exists()
