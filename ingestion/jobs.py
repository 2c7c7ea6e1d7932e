"""Provider jobs: one unit of work per provider and job, each recorded as an IngestionRun.

django-q2 runs them on schedule (ingestion/tasks.py) and ``sync_provider`` runs any one by
hand. Each (provider, job) runs alone, with its own run record and its own error handling,
so one failing (an odds feed, a provider that is down) never stops another (live scores).
A failed run records its error; what it wrote is whole matches only, because matches are
written by ``import_matches`` (a savepoint each) and live changes by the live services
(a transaction each, idempotent, so the next poll completes what a failure interrupted).

What each provider can do is its adapter (``ingestion/providers/<name>/sync.py``): fetch a
season's matches, live updates for some matches, full details (lineups, statistics) for
finished ones, odds. The jobs here decide which matches, call the adapter, and write.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from types import ModuleType

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from ingestion.fpl_import import import_fpl_season
from ingestion import injuries
from ingestion.imports import ImportFailed, import_matches
from ingestion.models import IngestionRun, RawPayload
from ingestion.providers.api_football import sync as api_football_sync
from ingestion.providers.football_data_org import sync as football_data_org_sync
from ingestion.providers.fpl import sync as fpl_sync
from ingestion.providers.open_meteo import sync as open_meteo_sync
from ingestion.providers.openligadb import sync as openligadb_sync
from ingestion.providers.http import ProviderClient, ProviderError
from ingestion.providers.live import LiveUpdate
from matches import catalog, services
from matches.models import Match, MatchEvent, MatchExternalId, Source
from matches.records import EventRecord, MatchRecord, RecordError
from trading import paper

logger = logging.getLogger(__name__)

# A match that kicked off this long ago and is not finished is still polled: long enough for
# extra time, penalties and a long stoppage, not so long that a provider's missing
# full-time whistle keeps polling for ever.
LIVE_WINDOW = dt.timedelta(hours=3, minutes=30)
# Finished matches within this many days whose details (lineups, statistics) are missing.
DETAILS_LOOKBACK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Provider:
    name: str  # as ``sync_provider`` spells it (DESIGN.md §4)
    source: str  # a matches.models.Source value
    adapter: ModuleType  # ingestion/providers/<name>/sync.py
    # A provider whose jobs are not the match providers' (FPL: squad, fixtures, live points) names its own.
    own_jobs: dict[str, Job] | None = None

    @property
    def client(self) -> type[ProviderClient]:
        return self.adapter.CLIENT

    @property
    def jobs(self) -> tuple[str, ...]:
        if self.own_jobs is not None:
            return tuple(self.own_jobs)
        return tuple(job for job, needs in JOB_NEEDS.items() if all(hasattr(self.adapter, f) for f in needs))

    def job(self, name: str) -> Job:
        return (self.own_jobs if self.own_jobs is not None else JOBS)[name]


PROVIDERS: dict[str, Provider] = {
    provider.name: provider for provider in (
        Provider("api_football", Source.API_FOOTBALL, api_football_sync),
        Provider("football_data", Source.FOOTBALL_DATA_ORG, football_data_org_sync),
        Provider("openligadb", Source.OPENLIGADB, openligadb_sync),
    )
}

# Job -> the adapter functions it needs; a provider offers the jobs its adapter can do.
JOB_NEEDS = {
    "matches": ("season_matches",),
    "live": ("live_updates",),
    "team_stats": ("match_details",),
    "player_stats": ("match_details",),
    "odds": ("season_odds",),
    "injuries": ("fixture_injuries",),
}


def configured() -> list[Provider]:
    """Providers with credentials (OpenLigaDB needs none)."""
    return [provider for provider in PROVIDERS.values() if provider.client.configured()]


def run_job(provider: Provider | str, job: str, *, competitions: list[str] | None = None,
            season: int | None = None, now: dt.datetime | None = None, lead: dt.timedelta = dt.timedelta(minutes=5),
            client: ProviderClient | None = None, sleep: Callable[[float], None] | None = None
            ) -> IngestionRun | None:
    """Run one job for one provider; never raises for a provider's failure (the run records it).

    Returns the run, or None when there was nothing to do (e.g. no match is live), so an idle
    poll neither calls the provider nor fills the admin with empty runs. ``lead``: the live
    job also follows matches kicking off this soon (the 5-minute watch; the fast poll uses 0).
    """
    provider = PROVIDERS[provider] if isinstance(provider, str) else provider
    if job not in provider.jobs:
        raise ValueError(f"{provider.name} has no {job!r} job (it has: {', '.join(provider.jobs)})")
    now = now or timezone.now()
    work = provider.job(job)
    plan = work.plan(provider, competitions=competitions, season=season, now=now, lead=lead)
    if plan is None:
        return None
    run = IngestionRun.objects.create(source=provider.source, job=job, target=plan.target[:300])
    client = client or provider.client(run=run, **({"sleep": sleep} if sleep else {}))
    client.run = run
    try:
        work.do(provider, client, run, plan)
    except (ProviderError, ImportFailed, RecordError) as exc:
        _fail(run, str(exc))
        if isinstance(exc, RecordError):  # the payload it came from says why it was not used
            run.payloads.filter(url=getattr(exc.origin, "path", "")).update(parse_error=str(exc))
        logger.warning("%s %s failed: %s", provider.name, job, exc)
    except Exception as exc:  # isolation: a bug in one job must not stop the others
        _fail(run, f"{type(exc).__name__}: {exc}")
        logger.exception("%s %s failed", provider.name, job)
    else:
        run.status = IngestionRun.Status.SUCCEEDED
    run.finished_at = timezone.now()
    run.requests_made, run.quota_remaining = client.requests_made, client.quota_remaining
    run.save()
    return run


def _fail(run: IngestionRun, message: str) -> None:
    run.status = IngestionRun.Status.FAILED
    run.error = message


# --- plans: what each job works on -------------------------------------------------------

@dataclass
class Plan:
    target: str
    competitions: list[tuple[str, int]] | None = None  # (provider's code, season start year)
    matches: list[Match] | None = None


def followed_competitions(provider: Provider, codes: list[str] | None, season: int | None,
                          now: dt.datetime) -> list[tuple[str, int]]:
    """(code, season start year) for each competition this provider syncs.

    ``SYNC_COMPETITIONS`` names them (catalog names, short names or any source's code) for
    every provider at once; a provider that does not cover one is skipped.
    """
    if codes:
        return [(code, season or season_start_year(now)) for code in codes]
    chosen = []
    for wanted in settings.SYNC_COMPETITIONS:
        known = catalog.find_competition(wanted)
        code = known.codes.get(provider.source) if known else None
        if code:
            chosen.append((code, season or season_start_year(now, split=known.kind == "league")))
    return chosen


def season_start_year(now: dt.datetime, *, split: bool = True) -> int:
    """The season a date falls in, by the year it started (European leagues start in July/August)."""
    local = timezone.localtime(now)
    return local.year - 1 if split and local.month < 7 else local.year


def tracked(provider: Provider, matches) -> dict[str, Match]:
    """This provider's external id -> match, for the matches it knows."""
    by_pk = {m.pk: m for m in matches}
    rows = MatchExternalId.objects.filter(source=provider.source, match__in=list(by_pk)).values_list(
        "external_id", "match_id")
    return {external_id: by_pk[pk] for external_id, pk in rows}


def live_candidates(provider: Provider, now: dt.datetime, *, lead: dt.timedelta) -> list[Match]:
    """Matches of this provider that are live, or kick off within ``lead``, or should have started."""
    about_to_start = Q(status=Match.Status.SCHEDULED, kickoff__lte=now + lead, kickoff__gte=now - LIVE_WINDOW)
    return list(
        Match.objects.filter(Q(status=Match.Status.LIVE) | about_to_start, external_ids__source=provider.source)
        .select_related("home_team", "away_team").order_by("kickoff", "pk")
    )


def matches_missing_details(provider: Provider, now: dt.datetime, *, missing: str) -> list[Match]:
    finished = Match.objects.filter(external_ids__source=provider.source, status=Match.Status.FINISHED,
                                    kickoff__gte=now - DETAILS_LOOKBACK, kickoff__lte=now)
    if missing == "stats":
        finished = finished.filter(team_stats__isnull=True)
    else:
        finished = finished.filter(lineups__isnull=True)
    return list(finished.distinct().select_related("home_team", "away_team").order_by("-kickoff")[:100])


# --- the jobs ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Job:
    plan: Callable[..., Plan | None]
    do: Callable[[Provider, ProviderClient, IngestionRun, Plan], None]


def _plan_competitions(provider, *, competitions, season, now, lead) -> Plan | None:
    chosen = followed_competitions(provider, competitions, season, now)
    if not chosen:
        return None
    return Plan(target=", ".join(f"{code} {year}" for code, year in chosen), competitions=chosen)


def _sync_matches(provider: Provider, client, run, plan: Plan) -> None:
    for code, year in plan.competitions:
        import_not_live(provider, provider.adapter.season_matches(client, code, year), run, f"{code} {year}")


def import_not_live(provider: Provider, records: list[MatchRecord], run: IngestionRun, target: str):
    """Import records, leaving out the matches the provider calls live: the live job follows them
    (a stored live match is left alone by ``save_match`` itself, whatever the source)."""
    records = [r for r in records if r.status != Match.Status.LIVE]
    return import_matches(records, source=provider.source, job=run.job, target=target, run=run)


def reparse_payload(provider: Provider, payload: RawPayload, run: IngestionRun):
    """Map a stored payload again (after a parser fix) and import it: no request to the provider.

    Returns the import summary, or None when the endpoint holds no matches.
    """
    for pattern, parse in provider.adapter.PAYLOAD_PARSERS.items():
        path = re.fullmatch(pattern, payload.endpoint)
        if path:
            records = parse(payload.json(), payload.url, path.groupdict())
            summary = import_not_live(provider, records, run, f"payload {payload.pk}: {payload.url}")
            RawPayload.objects.filter(pk=payload.pk).update(parse_error="")
            return summary
    return None


def _plan_live(provider, *, competitions, season, now, lead) -> Plan | None:
    candidates = live_candidates(provider, now, lead=lead)
    if not candidates:
        return None
    return Plan(target=", ".join(str(match) for match in candidates[:5]), matches=candidates)


def _poll_live(provider: Provider, client, run, plan: Plan) -> None:
    by_external_id = tracked(provider, plan.matches)
    for update in provider.adapter.live_updates(client, list(by_external_id)):
        match = by_external_id.get(update.external_id)
        if match is not None:
            changed = apply_live_update(match, update)
            run.updated += bool(changed)
            run.unchanged += not changed


def _details_job(missing: str):
    def plan(provider, *, competitions, season, now, lead) -> Plan | None:
        matches = matches_missing_details(provider, now, missing=missing)
        return Plan(target=f"{len(matches)} finished matches without {missing}", matches=matches) if matches else None

    def do(provider: Provider, client, run, plan: Plan) -> None:
        by_external_id = tracked(provider, plan.matches)
        records = provider.adapter.match_details(client, list(by_external_id))
        import_matches(records, source=provider.source, job=run.job, target=run.target, run=run)

    return Job(plan, do)


def _sync_odds(provider: Provider, client, run, plan: Plan) -> None:
    from markets.services import ensure_bookmakers, save_odds, stored_quotes

    for code, year in plan.competitions:
        by_fixture, bookmakers = provider.adapter.season_odds(client, code, year)
        matches = {external_id: Match(pk=pk) for external_id, pk in MatchExternalId.objects.filter(
            source=provider.source, external_id__in=list(by_fixture)).values_list("external_id", "match_id")}
        rows = ensure_bookmakers(bookmakers)
        stored = stored_quotes(match.pk for match in matches.values())
        repriced = []
        for external_id, match in matches.items():
            with transaction.atomic():
                changed = save_odds(match, by_fixture[external_id], source=provider.source, bookmakers=rows,
                                    stored=stored.get(match.pk, {}))
            run.updated += bool(changed)
            run.unchanged += not changed
            if changed:
                repriced.append(match.pk)
        paper.prices_arrived(repriced)  # paper strategies bet on the new prices


def _plan_injuries(provider, *, competitions, season, now, lead) -> Plan | None:
    """Tracked matches kicking off in the next three days (ingestion/injuries.py); none: no run."""
    matches = injuries.upcoming_matches(provider.source, now)
    return Plan(target=f"{len(matches)} matches in the next 3 days", matches=matches) if matches else None


def _sync_injuries(provider: Provider, client, run, plan: Plan) -> None:
    injuries.sync_injuries(provider.adapter, client, run, tracked(provider, plan.matches))


JOBS: dict[str, Job] = {
    "matches": Job(_plan_competitions, _sync_matches),
    "live": Job(_plan_live, _poll_live),
    "team_stats": _details_job("stats"),
    "player_stats": _details_job("lineups"),
    "odds": Job(_plan_competitions, _sync_odds),
    "injuries": Job(_plan_injuries, _sync_injuries),
}

# --- Fantasy Premier League: squad, fixtures, live points --------------------------------------
# FPL is not a match provider: it reports players (prices, availability, points) for the Premier
# League. Its answers are parsed by the FPL importer's parser and written by its writer
# (ingestion/fpl.py, ingestion/fpl_import.py), exactly as ``import_fpl`` writes the same answers.

def _plan_fpl_live(provider, *, competitions, season, now, lead) -> Plan | None:
    """Our live matches that FPL knows (an FPL fixture code): no request when there is none."""
    playing = list(Match.objects.filter(status=Match.Status.LIVE, external_ids__source=provider.source)
                   .select_related("home_team", "away_team").order_by("kickoff", "pk"))
    if not playing:
        return None
    return Plan(target=", ".join(str(match) for match in playing[:5]), matches=playing)


def _fpl_job(fetch: Callable[..., object]):
    def do(provider: Provider, client, run, plan: Plan) -> None:
        now = timezone.now()
        if plan.matches is not None:  # the live job: the playing matches' lines only
            season = fetch(client, set(tracked(provider, plan.matches)), now=now)
        else:
            season = fetch(client, now=now)
        if season is None:
            return  # none of our live matches is in FPL's current season: nothing asked beyond the schedule
        # The writer adds its counts to this run (matches, player lines, FPL lines).
        import_fpl_season(season, job=run.job, target=run.target, run=run)
    return do


FPL_JOBS: dict[str, Job] = {
    "squad": Job(_plan_competitions, _fpl_job(fpl_sync.squad)),
    "fixtures": Job(_plan_competitions, _fpl_job(fpl_sync.fixtures)),
    "live": Job(_plan_fpl_live, _fpl_job(fpl_sync.live_points)),
}
# Registered here, after its jobs: the match providers' are above.
PROVIDERS["fpl"] = Provider("fpl", Source.FPL, fpl_sync, own_jobs=FPL_JOBS)


# --- Open-Meteo: the weather at each match's ground ------------------------------------------
# One request per ground and date range, each written on its own (ingestion/providers/open_meteo/sync.py).

@dataclass
class WeatherPlan(Plan):
    requests: list = field(default_factory=list)  # open_meteo_sync.WeatherRequest


def _plan_weather(provider, *, competitions, season, now, lead) -> Plan | None:
    """Forecasts for the coming week, observed weather for the last one (or a whole ``season``)."""
    requests = provider.adapter.weather_requests(now, competitions=competitions, season=season)
    if not requests:
        return None
    matches = sum(len(request.matches) for request in requests)
    return WeatherPlan(target=f"{matches} matches at {len({r.venue.pk for r in requests})} grounds, "
                              f"{len(requests)} requests", requests=requests)


def _sync_weather(provider: Provider, client, run, plan: WeatherPlan) -> None:
    provider.adapter.match_weather(client, plan.requests, run)


PROVIDERS["open_meteo"] = Provider("open_meteo", Source.OPEN_METEO, open_meteo_sync,
                                   own_jobs={"weather": Job(_plan_weather, _sync_weather)})


def job_names() -> list[str]:
    """Every job any provider offers (``sync_provider``'s choices)."""
    return sorted({job for provider in PROVIDERS.values() for job in provider.jobs})


# --- live updates through the live pipeline --------------------------------------------------

def apply_live_update(match: Match, update: LiveUpdate) -> bool:
    """Bring a tracked match up to what the provider reports, through the live services only.

    Each step is its own transaction and idempotent (events are keyed by source and external
    id), so a resend changes nothing and a failure half-way is completed by the next poll.
    Returns whether anything changed.
    """
    before = Match.objects.values_list("last_seq", "clock_minute", "clock_added").get(pk=match.pk)
    state = update.state
    if state.status == Match.Status.LIVE and match.status != Match.Status.LIVE:
        match = services.set_match_status(match, Match.Status.LIVE, state.period or Match.Period.FIRST_HALF,
                                          minute=state.minute)
    for event in sorted(update.events, key=_match_order):
        services.record_event(match, event)
    match.refresh_from_db()
    if state.status == Match.Status.LIVE:
        if state.period and state.period != match.period:
            match = services.set_match_status(match, Match.Status.LIVE, state.period, minute=state.minute)
        if state.minute is not None:
            services.set_clock(match, state.minute, state.added)
    _reconcile_score(match, update)
    if state.status in (Match.Status.FINISHED, Match.Status.ABANDONED, Match.Status.POSTPONED,
                        Match.Status.CANCELLED) and match.status != state.status:
        match = services.set_match_status(match, state.status)
    after = Match.objects.values_list("last_seq", "clock_minute", "clock_added").get(pk=match.pk)
    return after != before


def _match_order(event: EventRecord):
    return event.period, event.minute, event.added_minute or 0, event.second, event.source_index or 0


def _reconcile_score(match: Match, update: LiveUpdate) -> None:
    """Make the score the provider's when its events do not explain it.

    A provider that sends no events (football-data.org's free tier) gets a goal per goal it
    reports, keyed by the side's goal count so a resend adds nothing. A goal the provider
    has since taken back (VAR) is corrected. A score ahead of its events is left until the
    events arrive (providers often update the score first), except at full time.
    """
    home, away = update.home_score, update.away_score
    if home is None or (match.home_score, match.away_score) == (home, away):
        return
    if not update.sends_events:
        for team, scored, total in ((match.home_team, match.home_score or 0, home),
                                    (match.away_team, match.away_score or 0, away)):
            for count in range(scored + 1, total + 1):
                services.record_event(match, _score_only_goal(update, match, team, count))
        match.refresh_from_db()
    behind = home < (match.home_score or 0) or away < (match.away_score or 0)
    final = update.state.status == Match.Status.FINISHED
    if (match.home_score, match.away_score) != (home, away) and (behind or final):
        services.set_score(match, home, away, source=update.source,
                           reason="the provider's score" + (" at full time" if final else ", a goal taken back"))
        match.refresh_from_db()


def _score_only_goal(update: LiveUpdate, match: Match, team, count: int) -> EventRecord:
    from matches.records import TeamRef

    side = "home" if team == match.home_team else "away"
    return EventRecord(
        source=update.source, external_id=f"{update.external_id}:goal:{side}:{count}", kind=MatchEvent.Kind.GOAL,
        period=services.PERIOD_NUMBERS.get(update.state.period, 1),
        minute=update.state.minute or match.clock_minute or 0, added_minute=update.state.added,
        team=TeamRef(source=update.source, name=team.name), raw_type="score change",
        details={"note": "the provider reports the score, not the scorer"},
    )


def sync_all(job: str, providers: Iterable[Provider] | None = None, **options) -> list[IngestionRun]:
    """Run one job for every configured provider that offers it, each isolated from the others."""
    runs = []
    for provider in providers if providers is not None else configured():
        if job in provider.jobs:
            run = run_job(provider, job, **options)
            if run is not None:
                runs.append(run)
    return runs
