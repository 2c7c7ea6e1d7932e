"""Open-Meteo against a local stand-in: the weather job, its failures, and the mapper.

The answers are built from Open-Meteo's documented format (../shared/data/PROVENANCE.md):
parallel arrays ``hourly.time`` and one per variable, with ``hourly_units``; HTTP 400 with
``{"error": true, "reason": ...}`` for a refused request.
"""

import datetime as dt
import json
import re
from io import StringIO

import httpx
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from ingestion import jobs, tasks
from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.open_meteo import mapping
from ingestion.providers.open_meteo.client import OpenMeteoClient
from ingestion.tests.fake_provider import Reply
from matches.models import Competition, Match, MatchWeather, Season, Team, Venue
from matches.records import RecordError

pytestmark = pytest.mark.django_db

OLD_TRAFFORD = (53.4631, -2.2913)
ANFIELD = (53.4308, -2.9608)
UNITS = {"time": "iso8601", "temperature_2m": "°C", "precipitation": "mm", "wind_speed_10m": "km/h",
         "weather_code": "wmo code"}


def answer(start: dt.date, end: dt.date, *, temperature=lambda hour: 10.0 + hour.hour / 10, precipitation=0.4,
           wind=18.5, code=61, units=None, latitude=OLD_TRAFFORD[0]):
    """An Open-Meteo hourly answer for whole UTC days ``start`` to ``end``, as asked with timezone=UTC."""
    hours = []
    day = start
    while day <= end:
        hours += [dt.datetime(day.year, day.month, day.day, hour, tzinfo=dt.UTC) for hour in range(24)]
        day += dt.timedelta(days=1)
    return {
        "latitude": latitude, "longitude": -2.28, "generationtime_ms": 0.4, "utc_offset_seconds": 0,
        "timezone": "GMT", "timezone_abbreviation": "GMT", "elevation": 38.0,
        "hourly_units": {**UNITS, **(units or {})},
        "hourly": {"time": [hour.strftime("%Y-%m-%dT%H:%M") for hour in hours],
                   "temperature_2m": [round(temperature(hour), 1) for hour in hours],
                   "precipitation": [precipitation] * len(hours), "wind_speed_10m": [wind] * len(hours),
                   "weather_code": [code] * len(hours)},
    }


class Waits(list):
    """Stands in for time.sleep: records the waits instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)

    def __bool__(self):  # run_job passes sleep on only when it is truthy; an empty list is not
        return True


@pytest.fixture
def open_meteo(settings, fake_provider):
    settings.OPEN_METEO_BASE_URL = fake_provider.url
    settings.OPEN_METEO_ARCHIVE_URL = fake_provider.url
    return fake_provider


@pytest.fixture
def league():
    competition = Competition.objects.create(name="Premier League", kind=Competition.Kind.LEAGUE)
    year = timezone.now().year
    return Season.objects.create(competition=competition, name=f"{year}/{(year + 1) % 100:02d}")


def ground(name="Old Trafford", at=OLD_TRAFFORD):
    return Venue.objects.get_or_create(name=name, defaults={"latitude": at[0], "longitude": at[1]})[0]


def fixture(season, kickoff, home="Manchester United", away="Liverpool", venue=None, **fields) -> Match:
    home_team, _ = Team.objects.get_or_create(name=home)
    away_team, _ = Team.objects.get_or_create(name=away)
    return Match.objects.create(competition=season.competition, season=season, kickoff=kickoff,
                                venue=venue or ground(), home_team=home_team, away_team=away_team, **fields)


def finished(season, kickoff, **fields) -> Match:
    return fixture(season, kickoff, status=Match.Status.FINISHED, home_score=2, away_score=1, **fields)


def on_the_hour(days: float, hour: int = 19, minute: int = 45) -> dt.datetime:
    return (timezone.now() + dt.timedelta(days=days)).replace(hour=hour, minute=minute, second=0, microsecond=0)


def run_weather(**options) -> IngestionRun:
    run = jobs.run_job("open_meteo", "weather", sleep=Waits(), **options)
    assert run is not None
    return run


def test_a_forecast_is_stored_for_the_kickoff_hour_and_shown_on_the_match_page(client, open_meteo, league):
    match = fixture(league, on_the_hour(2))
    day = match.kickoff.date()
    open_meteo.route("/v1/forecast", Reply(json=answer(day, day)))

    run = run_weather()

    assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    assert (run.created, run.requests_made) == (1, 1)
    row = MatchWeather.objects.get(match=match)
    assert row.kind == "forecast" and row.valid_at == match.kickoff.replace(minute=0)
    assert (row.temperature_c, row.precipitation_mm, row.wind_speed_kmh, row.weather_code) == (11.9, 0.4, 18.5, 61)
    asked = open_meteo.requests_to("/v1/forecast")[0].query
    assert asked == {"latitude": "53.4631", "longitude": "-2.2913", "timezone": "UTC", "start_date": day.isoformat(),
                     "end_date": day.isoformat(), "hourly": "temperature_2m,precipitation,wind_speed_10m,weather_code"}
    assert RawPayload.objects.get().provider == "open_meteo"

    html = client.get(match.get_absolute_url()).content.decode()
    assert "Forecast" in html and "12 °C" in html and 'aria-label="Slight rain"' in html

    again = run_weather()  # within the hour: the stored answer, no request, nothing changed
    assert (again.unchanged, again.requests_made, len(open_meteo.requests)) == (1, 0, 1)


def test_one_request_per_ground_whatever_the_number_of_matches(open_meteo, league):
    first = fixture(league, on_the_hour(1, 12, 30))
    second = fixture(league, on_the_hour(4, 15, 0), home="Manchester United", away="Chelsea")
    third = fixture(league, on_the_hour(3, 20, 0), home="Liverpool", away="Chelsea", venue=ground("Anfield", ANFIELD))
    open_meteo.route("/v1/forecast", Reply(json=answer(first.kickoff.date(), second.kickoff.date())),
                     query={"latitude": "53.4631"})
    open_meteo.route("/v1/forecast", Reply(json=answer(third.kickoff.date(), third.kickoff.date(), code=3)),
                     query={"latitude": "53.4308"})

    run = run_weather()

    assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    assert len(open_meteo.requests) == 2 and run.created == 3
    asked = {r.query["latitude"]: (r.query["start_date"], r.query["end_date"]) for r in open_meteo.requests}
    assert asked["53.4631"] == (first.kickoff.date().isoformat(), second.kickoff.date().isoformat())
    assert MatchWeather.objects.get(match=third).weather_code == 3
    assert MatchWeather.objects.get(match=second).temperature_c == 11.5


def test_observed_replaces_the_forecast_on_the_page_once_the_match_is_over(client, open_meteo, league):
    recent = fixture(league, on_the_hour(-1, 15, 0))  # yesterday: from the forecast service's past days
    older = fixture(league, on_the_hour(-6, 20, 0), away="Chelsea")  # the archive has it by now
    for match in (recent, older):
        MatchWeather.objects.create(match=match, kind="forecast", valid_at=match.kickoff, temperature_c=3.0,
                                    precipitation_mm=0.0, wind_speed_kmh=5.0, weather_code=0,
                                    fetched_at=match.kickoff - dt.timedelta(days=1))
    Match.objects.filter(pk__in=[recent.pk, older.pk]).update(status=Match.Status.FINISHED, home_score=0, away_score=0)
    open_meteo.route("/v1/forecast", Reply(json=answer(recent.kickoff.date(), recent.kickoff.date(), code=80)))
    open_meteo.route("/v1/archive", Reply(json=answer(older.kickoff.date(), older.kickoff.date(), code=3)))

    run = run_weather()

    assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    assert run.created == 2
    assert len(open_meteo.requests_to("/v1/forecast")) == len(open_meteo.requests_to("/v1/archive")) == 1
    assert MatchWeather.objects.get(match=recent, kind="observed").weather_code == 80
    assert MatchWeather.objects.get(match=older, kind="observed").weather_code == 3
    html = client.get(older.get_absolute_url()).content.decode()
    weather = re.search(r'<section[^>]*id="weather".*?</section>', html, re.S).group(0)
    assert "Observed" in weather and "Forecast" not in weather and 'aria-label="Overcast"' in weather
    assert MatchWeather.objects.filter(kind="forecast").count() == 2  # kept, not shown

    assert jobs.run_job("open_meteo", "weather") is None  # nothing left to ask


def test_a_refused_request_fails_the_run_with_open_meteos_reason(open_meteo, league):
    fixture(league, on_the_hour(2))
    reason = "Parameter 'start_date' is out of allowed range from 2022-06-08 to 2026-12-18"
    open_meteo.route("/v1/forecast", Reply(400, json={"error": True, "reason": reason}))

    run = run_weather()

    assert run.status == IngestionRun.Status.FAILED
    assert reason in run.error and "HTTP 400" in run.error and "forecast at Old Trafford" in run.error
    assert MatchWeather.objects.count() == 0


def test_429_then_success(open_meteo, league):
    fixture(league, on_the_hour(2))
    day = on_the_hour(2).date()
    open_meteo.route("/v1/forecast", Reply(429, json={"error": True, "reason": "Too many concurrent requests"},
                                           headers={"Retry-After": "2"}), Reply(json=answer(day, day)))
    waits = Waits()

    run = jobs.run_job("open_meteo", "weather", sleep=waits)

    assert run.status == IngestionRun.Status.SUCCEEDED, run.error
    assert len(open_meteo.requests) == 2 and run.requests_made == 2 and run.created == 1
    assert waits and max(waits) >= 2


def test_server_errors_are_retried_then_fail_the_run_with_nothing_written(open_meteo, league):
    fixture(league, on_the_hour(2))
    open_meteo.route("/v1/forecast", Reply(500), Reply(502), Reply(503), Reply(500))

    run = run_weather()

    assert run.status == IngestionRun.Status.FAILED and "failed after 4 attempts: HTTP 500" in run.error
    assert run.requests_made == 4 and MatchWeather.objects.count() == 0


def test_a_timeout_fails_the_run(open_meteo, league):
    fixture(league, on_the_hour(2))
    day = on_the_hour(2).date()
    open_meteo.route("/v1/forecast", Reply(json=answer(day, day), delay=1.0))
    client = OpenMeteoClient(sleep=Waits(), max_attempts=2, timeout=httpx.Timeout(0.2))

    run = jobs.run_job("open_meteo", "weather", client=client)

    assert run.status == IngestionRun.Status.FAILED and "ReadTimeout" in run.error
    assert MatchWeather.objects.count() == 0


@pytest.mark.parametrize("reply,problem", [
    (Reply(body=b'{"hourly": {"time": ["2026-'), "not valid JSON"),
    ("unequal", "hourly.precipitation: 47 values for 48 times in hourly.time"),
    ("fahrenheit-less", "hourly_units.temperature_2m: unit 'K' is not one we read"),
    ("out of range", "hourly.wind_speed_10m[3]: 912.0 is out of range"),
])
def test_a_garbled_answer_fails_the_run_and_writes_nothing_for_its_ground(open_meteo, league, reply, problem):
    first = fixture(league, on_the_hour(1, 15, 0))
    second = fixture(league, on_the_hour(2, 15, 0), away="Chelsea")
    good = answer(first.kickoff.date(), second.kickoff.date())
    if reply == "unequal":
        good["hourly"]["precipitation"].pop()
    elif reply == "fahrenheit-less":
        good["hourly_units"]["temperature_2m"] = "K"
    elif reply == "out of range":
        good["hourly"]["wind_speed_10m"][3] = 912.0
    open_meteo.route("/v1/forecast", reply if isinstance(reply, Reply) else Reply(json=good))
    before = MatchWeather.objects.count()

    run = run_weather()

    assert run.status == IngestionRun.Status.FAILED and problem in run.error, run.error
    assert MatchWeather.objects.count() == before == 0  # neither match of the request
    assert RawPayload.objects.get().parse_error  # kept for inspection, never reused as an answer


def test_one_grounds_failure_does_not_stop_the_others(open_meteo, league):
    at_old_trafford = fixture(league, on_the_hour(2))
    at_anfield = fixture(league, on_the_hour(3), home="Liverpool", away="Chelsea", venue=ground("Anfield", ANFIELD))
    open_meteo.route("/v1/forecast", Reply(400, json={"error": True, "reason": "Cannot initialize WeatherVariable"}),
                     query={"latitude": "53.4631"})
    day = at_anfield.kickoff.date()
    open_meteo.route("/v1/forecast", Reply(json=answer(day, day)), query={"latitude": "53.4308"})

    run = run_weather()

    assert run.status == IngestionRun.Status.FAILED
    assert run.error.startswith("1 of 2 weather requests failed: forecast at Old Trafford")
    assert "Cannot initialize WeatherVariable" in run.error
    assert not MatchWeather.objects.filter(match=at_old_trafford).exists()
    assert MatchWeather.objects.get(match=at_anfield).kind == "forecast" and run.created == 1


def test_the_weather_job_failing_does_not_stop_the_team_statistics_job(settings, open_meteo, league, monkeypatch):
    from ingestion.tests.test_jobs import FIXTURE, LEAGUE, at, envelope, fixture_item

    settings.API_FOOTBALL_KEY = "test-key"
    settings.API_FOOTBALL_BASE_URL = open_meteo.url
    settings.FOOTBALL_DATA_TOKEN = ""
    settings.SYNC_COMPETITIONS = ["Premier League"]
    kickoff = at(-dt.timedelta(days=1))
    open_meteo.route("/fixtures", Reply(json=envelope(fixture_item(kickoff))), query={"league": str(LEAGUE)})
    assert jobs.run_job("api_football", "matches").status == IngestionRun.Status.SUCCEEDED
    played = Match.objects.get(external_ids__source="api_football")
    assert played.venue.latitude == OLD_TRAFFORD[0]  # located from the grounds catalog by the import
    Match.objects.filter(pk=played.pk).update(status=Match.Status.FINISHED, home_score=1, away_score=0)
    open_meteo.route("/fixtures", Reply(json=envelope(fixture_item(kickoff, "FT", 90, goals=(1, 0)))),
                     query={"ids": str(FIXTURE)})
    open_meteo.route("/v1/forecast", Reply(500))
    monkeypatch.setattr("ingestion.providers.http.random.uniform", lambda low, high: 0.0)  # retry at once

    summary = tasks.sync_team_stats()

    assert "API-Football team_stats: succeeded" in summary
    assert "weather: Open-Meteo weather: failed" in summary
    assert set(IngestionRun.objects.values_list("job", "status")) >= {
        ("team_stats", "succeeded"), ("weather", "failed")}


def test_a_bug_in_the_weather_job_is_reported_not_raised(open_meteo, league, monkeypatch):
    from ingestion.providers.open_meteo import sync

    fixture(league, on_the_hour(2))

    def broken(*args, **kwargs):
        raise RuntimeError("the weather table is locked")

    monkeypatch.setattr(sync, "match_weather", broken)
    summary = tasks.sync_team_stats()
    assert "weather: Open-Meteo weather: failed (RuntimeError: the weather table is locked)" in summary


def test_sync_provider_backfills_a_past_seasons_observed_weather_from_the_archive(open_meteo):
    competition = Competition.objects.create(name="Premier League", kind=Competition.Kind.LEAGUE)
    season = Season.objects.create(competition=competition, name="2023/24")
    opener = finished(season, dt.datetime(2023, 8, 14, 19, 0, tzinfo=dt.UTC))
    closer = finished(season, dt.datetime(2024, 5, 19, 15, 0, tzinfo=dt.UTC), away="Chelsea")
    finished(season, dt.datetime(2024, 1, 3, 20, 0, tzinfo=dt.UTC), home="Liverpool", away="Chelsea",
             venue=ground("Anfield", ANFIELD))
    open_meteo.route("/v1/archive", Reply(json=answer(dt.date(2023, 8, 14), dt.date(2024, 5, 19))),
                     query={"latitude": "53.4631"})
    open_meteo.route("/v1/archive", Reply(json=answer(dt.date(2024, 1, 3), dt.date(2024, 1, 3))),
                     query={"latitude": "53.4308"})
    out = StringIO()

    call_command("sync_provider", "open_meteo", "weather", "--season", "2023", stdout=out)

    assert "open_meteo weather: succeeded, 2 requests" in out.getvalue() and "3 created" in out.getvalue()
    asked = {r.query["latitude"]: (r.query["start_date"], r.query["end_date"]) for r in open_meteo.requests}
    assert asked["53.4631"] == ("2023-08-14", "2024-05-19")
    assert {row.match_id: row.temperature_c for row in MatchWeather.objects.filter(kind="observed")}[closer.pk] == 11.5
    assert MatchWeather.objects.get(match=opener).valid_at == opener.kickoff

    again = StringIO()
    call_command("sync_provider", "open_meteo", "weather", "--season", "2023", stdout=again)
    assert again.getvalue().strip() == "open_meteo weather: nothing to do"


def test_sync_provider_names_the_failure(open_meteo, league):
    fixture(league, on_the_hour(2))
    open_meteo.route("/v1/forecast", Reply(400, json={"error": True, "reason": "Latitude must be in range"}))
    with pytest.raises(CommandError, match="Latitude must be in range"):
        call_command("sync_provider", "open_meteo", "weather", stdout=StringIO())


# --- the mapper, pure ----------------------------------------------------------------------------

DAY = dt.date(2024, 8, 17)


def test_units_are_converted_to_ours():
    payload = answer(DAY, DAY, temperature=lambda hour: 59.0, precipitation=0.1, wind=10.0,
                     units={"temperature_2m": "°F", "precipitation": "inch", "wind_speed_10m": "m/s"})
    reading = mapping.parse_hourly(payload, "answer")[dt.datetime(2024, 8, 17, 15, tzinfo=dt.UTC)]
    assert (reading.temperature_c, reading.precipitation_mm, reading.wind_speed_kmh) == (15.0, 2.54, 36.0)


def test_a_null_hour_is_kept_as_unknown():
    payload = answer(DAY, DAY)
    payload["hourly"]["temperature_2m"][15] = None
    payload["hourly"]["weather_code"][15] = None
    reading = mapping.parse_hourly(payload, "answer")[dt.datetime(2024, 8, 17, 15, tzinfo=dt.UTC)]
    assert (reading.temperature_c, reading.weather_code, reading.precipitation_mm) == (None, None, 0.4)


@pytest.mark.parametrize("change,problem", [
    (lambda p: p["hourly"].pop("wind_speed_10m"), "answer, hourly.wind_speed_10m: missing"),
    (lambda p: p["hourly_units"].pop("precipitation"), "answer, hourly_units.precipitation: unit None"),
    (lambda p: p.update(utc_offset_seconds=7200), "answer, utc_offset_seconds: asked for UTC"),
    (lambda p: p["hourly"]["time"].__setitem__(2, "2024-08-17T02:30"), "hourly.time[2]: must be on the hour"),
    (lambda p: p["hourly"]["temperature_2m"].__setitem__(5, 71.3), "hourly.temperature_2m[5]: 71.3 is out of range"),
    (lambda p: p["hourly"]["precipitation"].__setitem__(5, -0.1), "hourly.precipitation[5]: -0.1 is out of range"),
    (lambda p: p["hourly"]["weather_code"].__setitem__(5, 100), "hourly.weather_code[5]: 100 is out of range"),
    (lambda p: p["hourly"]["weather_code"].__setitem__(5, "rain"), "hourly.weather_code[5]: must be a number"),
    (lambda p: p.update(error=True, reason="No data is available for this location"),
     "reason: Open-Meteo refused the request: No data is available for this location"),
])
def test_a_broken_answer_is_refused_naming_the_json_path(change, problem):
    payload = answer(DAY, DAY)
    change(payload)
    with pytest.raises(RecordError) as refused:
        mapping.parse_hourly(json.loads(json.dumps(payload)), "answer")
    assert problem in str(refused.value)
