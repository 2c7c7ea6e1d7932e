"""The six schedules, and the scheduled functions run by django-q2's own scheduler (sync mode)."""

import datetime as dt
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_q.conf import Conf
from django_q.models import Schedule, Success
from django_q.scheduler import scheduler

from ingestion.models import IngestionRun
from ingestion.tests.fake_provider import Reply
from ingestion.tests.test_jobs import FIXTURE, LEAGUE, at, envelope, fixture_item, goal
from matches.models import Match, MatchEvent

pytestmark = pytest.mark.django_db


def test_setup_schedules_twice_gives_exactly_the_six_schedules(settings):
    settings.TIME_ZONE = "Europe/London"
    call_command("setup_schedules")
    call_command("setup_schedules")
    schedules = {s.func: s for s in Schedule.objects.all()}
    assert len(schedules) == Schedule.objects.count() == 6
    timings = {func: (s.schedule_type, s.minutes, s.repeats) for func, s in schedules.items()}
    assert timings == {
        "ingestion.tasks.sync_matches": (Schedule.DAILY, None, -1),
        "ingestion.tasks.watch_live": (Schedule.MINUTES, 5, -1),
        "ingestion.tasks.poll_live": (Schedule.MINUTES, 1, -1),
        "ingestion.tasks.sync_team_stats": (Schedule.MINUTES, 6 * 60, -1),
        "ingestion.tasks.sync_player_stats": (Schedule.MINUTES, 12 * 60, -1),
        "markets.tasks.recompute_market_values": (Schedule.WEEKLY, None, -1),
    }
    london = zoneinfo.ZoneInfo("Europe/London")
    daily = schedules["ingestion.tasks.sync_matches"].next_run.astimezone(london)
    weekly = schedules["markets.tasks.recompute_market_values"].next_run.astimezone(london)
    assert (daily.hour, daily.minute) == (0, 0) and daily > timezone.now()
    assert weekly.weekday() == 0 and (weekly.hour, weekly.minute) == (0, 0)
    assert schedules["ingestion.tasks.sync_team_stats"].next_run.astimezone(london).hour % 6 == 0


def test_setup_schedules_repairs_a_schedule_an_operator_changed():
    call_command("setup_schedules")
    Schedule.objects.filter(func="ingestion.tasks.watch_live").update(minutes=60)
    call_command("setup_schedules")
    assert Schedule.objects.get(func="ingestion.tasks.watch_live").minutes == 5 and Schedule.objects.count() == 6


@pytest.fixture
def sync_q(monkeypatch):
    """django-q2 runs what its scheduler picks inline, as a worker would."""
    monkeypatch.setattr(Conf, "SYNC", True)


def run_due(func: str) -> None:
    """Make ``func``'s schedule (only) due, and let django-q2's scheduler run it."""
    Schedule.objects.update(next_run=timezone.now() + dt.timedelta(hours=1))
    Schedule.objects.filter(func=func).update(next_run=timezone.now() - dt.timedelta(seconds=1))
    scheduler()


def test_the_scheduled_functions_import_follow_the_live_match_and_stop_when_it_ends(settings, sync_q, fake_provider):
    settings.API_FOOTBALL_KEY = "test-key"
    settings.API_FOOTBALL_BASE_URL = settings.OPENLIGADB_BASE_URL = settings.FPL_BASE_URL = fake_provider.url
    settings.FOOTBALL_DATA_TOKEN = ""
    settings.SYNC_COMPETITIONS = ["Premier League"]
    settings.LIVE_POLL_SECONDS = 1
    call_command("setup_schedules")

    kickoff = at(dt.timedelta(minutes=3))  # the 5-minute watch looks this far ahead
    fake_provider.route("/fixtures", Reply(json=envelope(fixture_item(kickoff))), query={"league": str(LEAGUE)})
    fake_provider.route("/odds", Reply(json={**envelope(), "get": "odds"}))
    fake_provider.route("/injuries", Reply(json={**envelope(), "get": "injuries"}))  # nobody missing
    run_due("ingestion.tasks.sync_matches")
    match = Match.objects.get()
    assert match.status == "scheduled"

    scorer = goal(9, 40, "Liverpool", "M. Salah")
    fake_provider.route("/fixtures", Reply(json=envelope(fixture_item(kickoff, "1H", 2))),
                        Reply(json=envelope(fixture_item(kickoff, "1H", 9, (0, 1), [scorer]))),
                        Reply(json=envelope(fixture_item(kickoff, "FT", 90, (0, 1), [scorer]))),
                        query={"ids": str(FIXTURE)})
    # The 5-minute watch sees the kick-off and starts the fast poll at once (inline here, in
    # sync mode), which polls every second until the match is over.
    run_due("ingestion.tasks.watch_live")
    match.refresh_from_db()
    assert match.status == "finished" and match.score_display == "0-1"
    assert MatchEvent.objects.filter(match=match, kind="goal", player__name__contains="Salah").count() == 1
    polls = len(fake_provider.requests_to("/fixtures")) - 1
    assert polls == 3  # kick-off, the goal, full time: then nothing is live and polling stops
    run_due("ingestion.tasks.poll_live")
    assert len(fake_provider.requests_to("/fixtures")) - 1 == polls
    assert Success.objects.filter(func="ingestion.tasks.poll_live").order_by("stopped").last().result == "no live match polled"
    assert set(IngestionRun.objects.exclude(source="fpl").values_list("job", "status")) == {
        ("matches", "succeeded"), ("odds", "succeeded"), ("injuries", "succeeded"), ("live", "succeeded")}
    # FPL answers nothing here (404): its daily jobs failed on their own, and it was never asked
    # for live points (the match is not one FPL knows).
    assert set(IngestionRun.objects.filter(source="fpl").values_list("job", "status")) == {
        ("squad", "failed"), ("fixtures", "failed")}


def test_the_daily_matches_task_refits_the_ratings_and_predicts_upcoming_matches(settings, sync_q):
    from markets.models import Prediction, RatingModel
    from markets.tests.test_ratings import simulated_league, store_league

    settings.API_FOOTBALL_KEY = settings.FOOTBALL_DATA_TOKEN = ""
    settings.SYNC_COMPETITIONS = []  # no provider to ask: the refit alone
    competition = store_league(simulated_league(1), upcoming=1, odds=False)
    upcoming = Match.objects.get(competition=competition, status=Match.Status.SCHEDULED)
    call_command("setup_schedules")

    run_due("ingestion.tasks.sync_matches")

    predicted = Prediction.objects.filter(match=upcoming).select_related("model")
    assert sorted(p.model.kind for p in predicted) == [RatingModel.Kind.DIXON_COLES, RatingModel.Kind.ELO]
    dixon_coles = predicted.get(model__kind=RatingModel.Kind.DIXON_COLES)
    assert dixon_coles.home + dixon_coles.draw + dixon_coles.away == pytest.approx(1.0)
    assert 0 < dixon_coles.over_2_5 < 1 and dixon_coles.likely_scores
    result = Success.objects.get(func="ingestion.tasks.sync_matches").result
    assert "; ratings: refitted 1 competition: Synthetic League (1 " in result


def test_a_failing_refit_is_reported_and_never_undoes_the_daily_import(settings, sync_q, fake_provider, monkeypatch):
    from markets import tasks as market_tasks

    settings.API_FOOTBALL_KEY = "test-key"
    settings.API_FOOTBALL_BASE_URL = settings.OPENLIGADB_BASE_URL = settings.FPL_BASE_URL = fake_provider.url
    settings.FOOTBALL_DATA_TOKEN = ""
    settings.SYNC_COMPETITIONS = ["Premier League"]
    fake_provider.route("/fixtures", Reply(json=envelope(fixture_item(at(dt.timedelta(days=2))))),
                        query={"league": str(LEAGUE)})
    fake_provider.route("/odds", Reply(json={**envelope(), "get": "odds"}))

    def broken():
        raise RuntimeError("the ratings table is locked")

    monkeypatch.setattr(market_tasks, "refit_ratings", broken)
    call_command("setup_schedules")

    run_due("ingestion.tasks.sync_matches")

    assert Match.objects.get().status == "scheduled"  # imported all the same
    result = Success.objects.get(func="ingestion.tasks.sync_matches").result
    assert "matches: succeeded" in result
    assert result.endswith("ratings refit failed (RuntimeError: the ratings table is locked)")
