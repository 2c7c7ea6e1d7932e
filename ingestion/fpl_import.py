"""Writing an FPL season: fixtures onto the stored matches, players, their match lines and FPL lines.

Units of work, each all-or-nothing:

1. the fixtures, through ``import_matches`` like every other source: the Resolver lands
   them on the matches football-data.co.uk or openfootball made (same teams within a day
   and a half, FPL's kick-offs are UTC) and links FPL's fixture code to each;
2. the players and every line of the season, in one transaction: ``PlayerMatchStats`` for
   the players who played (minutes > 0, so appearances count right) and
   ``fantasy.FplPlayerFixture`` for every row (a 0-minute row still carries the week's
   price and its 0 points). Rows are compared with what is stored: new ones are inserted in
   bulk, changed ones updated, equal ones left alone, so a second import changes nothing.
   A match line another source stored (API-Football) is kept, not overwritten;
3. the availability statements (``players.availability.record_availability``), which keeps
   its own history.

Then the touched seasons' player figures are recomputed, as after every import.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from fantasy.models import FplPlayerFixture
from ingestion import fpl
from ingestion.imports import ImportFailed, ImportSummary, import_matches, relax_durability
from ingestion.models import IngestionRun
from matches.models import Match, MatchExternalId, Season, TeamExternalId
from matches.records import CompetitionRef, MatchRecord, PlayerRef, TeamRef
from players.aggregates import recompute_player_seasons
from players.availability import Statement, record_availability
from players.identity import player_key, resolve_players
from players.models import Player, PlayerExternalId, PlayerMatchStats
from quantfoot.bulk import insert_rows

logger = logging.getLogger(__name__)

COMPETITION = CompetitionRef(source=fpl.SOURCE, external_id=fpl.COMPETITION_CODE, name="Premier League",
                             country="England")

STATS_FIELDS = ["team", "minutes", "started", "goals", "assists", "own_goals", "penalties_saved",
                "penalties_missed", "xg", "xa", "xg_conceded", "clean_sheet", "goals_conceded", "saves",
                "yellow_cards", "red_cards"]
FPL_FIELDS = ["season", "gameweek", "price", "total_points", "bonus", "bps", "expected_points", "selected",
              "transfers_in", "transfers_out"]


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    kept: int = 0  # another source's row for the same player and match

    def __str__(self):
        kept = f", {self.kept} kept from another source" if self.kept else ""
        return f"{self.created} created, {self.updated} updated, {self.unchanged} unchanged{kept}"


@dataclass
class FplSummary:
    season_name: str
    matches: ImportSummary
    teams: int = 0
    players: int = 0
    players_created: int = 0
    stats: Counts = field(default_factory=Counts)
    fpl_lines: Counts = field(default_factory=Counts)
    skipped_managers: int = 0
    unscheduled: int = 0  # fixtures without a kick-off yet: no match to land on
    availability: object = None
    seconds: float = 0.0
    run: IngestionRun | None = None

    @property
    def changed(self) -> bool:
        return bool(self.matches.created or self.matches.updated or self.players_created or self.stats.created
                    or self.stats.updated or self.fpl_lines.created or self.fpl_lines.updated)

    def lines(self) -> list[str]:
        found = [
            f"season {self.season_name}: {self.teams} teams, {self.players} players "
            f"({self.players_created} new)",
            f"fixtures: {self.matches}" + (f", {self.unscheduled} not scheduled yet" if self.unscheduled else ""),
            f"player match stats: {self.stats}",
            f"FPL lines: {self.fpl_lines}",
        ]
        if self.skipped_managers:
            found.append(f"skipped: {self.skipped_managers} assistant-manager elements and rows (element_type 5)")
        if self.availability is not None:
            found.append(f"availability: {self.availability}")
        found.append(f"({self.seconds:.2f} s)")
        return found


def import_fpl_season(season: fpl.FplSeason, *, job: str = "import_fpl", target: str = "",
                      progress: Callable[[str], None] | None = None, run: IngestionRun | None = None) -> FplSummary:
    """Write a parsed season (see the module's units of work); raise ImportFailed on what cannot be stored.

    A provider job (ingestion/jobs.py, FPL) passes its own ``run``: the counts are added to it."""
    started = time.perf_counter()
    say = progress or (lambda message: None)
    owns_run = run is None
    run = run or IngestionRun.objects.create(source=fpl.SOURCE, job=job, target=(target or season.label)[:300])
    try:
        scheduled = fixture_records(season)
        records = _as_stored(scheduled)
        say(f"{season.label}: {len(records)} fixtures onto matches")
        matches = import_matches(records, source=fpl.SOURCE, job=job, target=target, run=run)
        summary = FplSummary(season.season_name, matches, teams=len(season.teams), players=len(season.players),
                             skipped_managers=season.skipped_managers,
                             unscheduled=len(season.fixtures) - len(scheduled), run=run)
        say(f"{season.label}: {len(season.players)} players, {len(season.lines)} lines")
        season_ids = _write_lines(season, summary)
        summary.availability = _record_availability(season)
    except ImportFailed as exc:
        _fail(run, str(exc), owns_run)
        raise
    except (DatabaseError, ValidationError) as exc:  # a constraint the parser did not foresee
        message = f"{season.label}: cannot store this season's lines: {exc}"
        _fail(run, message, owns_run)
        raise ImportFailed(message) from exc
    except Exception as exc:
        _fail(run, f"{season.label}: {exc}", owns_run)
        raise
    if summary.changed:
        say(f"{season.label}: recomputing the season's player figures")
        recompute_player_seasons(Season.objects.filter(pk__in=season_ids))
    summary.seconds = time.perf_counter() - started
    run.created += summary.stats.created + summary.fpl_lines.created
    run.updated += summary.stats.updated + summary.fpl_lines.updated
    run.unchanged += summary.stats.unchanged + summary.fpl_lines.unchanged
    if owns_run:  # a job's run is finished by the job
        run.status, run.finished_at = IngestionRun.Status.SUCCEEDED, timezone.now()
    run.save()
    return summary


def _fail(run: IngestionRun, message: str, owns_run: bool) -> None:
    if owns_run:
        run.status, run.error, run.finished_at = IngestionRun.Status.FAILED, message, timezone.now()
    run.save()


def fixture_records(season: fpl.FplSeason) -> list[MatchRecord]:
    """One MatchRecord per scheduled fixture (external id: the fixture's stable code)."""
    records = []
    for fixture in season.fixtures.values():
        if fixture.kickoff is None:
            continue
        home, away = season.teams[fixture.home_team_id], season.teams[fixture.away_team_id]
        records.append(MatchRecord(
            origin=fixture.origin, source=fpl.SOURCE, external_id=str(fixture.code), competition=COMPETITION,
            season_name=season.season_name, kickoff=fixture.kickoff,
            home=team_ref(home), away=team_ref(away),
            status="finished" if fixture.finished else "scheduled",
            home_score=fixture.home_score if fixture.finished else None,
            away_score=fixture.away_score if fixture.finished else None,
        ))
    return records


def _as_stored(records: list[MatchRecord]) -> list[MatchRecord]:
    """The fixtures with the kick-off another source of the same match stored.

    FPL sometimes differs by half an hour (Arsenal v Nottingham Forest, 12 August 2023:
    12:00 UTC in FPL, 11:30 in football-data.co.uk); without this, the second import would
    find a match still to be played by FPL's own id and move it, and the other source's
    re-import would move it back. (A live match is left to the live pipeline by ``save_match``.)
    """
    codes = [record.external_id for record in records]
    linked = dict(MatchExternalId.objects.filter(source=fpl.SOURCE, external_id__in=codes).values_list(
        "external_id", "match_id"))
    shared = set(MatchExternalId.objects.filter(match_id__in=linked.values()).exclude(source=fpl.SOURCE)
                 .values_list("match_id", flat=True))
    kickoffs = dict(Match.objects.filter(pk__in=shared).values_list("pk", "kickoff"))
    return [dataclasses.replace(record, kickoff=kickoffs[linked[record.external_id]])
            if linked.get(record.external_id) in kickoffs else record for record in records]


def team_ref(team: fpl.FplTeam) -> TeamRef:
    return TeamRef(source=fpl.SOURCE, name=team.name, external_id=str(team.code), country="England")


def player_ref(player: fpl.FplPlayer) -> PlayerRef:
    known_as = player.web_name if player.web_name != player.name else ""
    return PlayerRef(source=fpl.SOURCE, name=player.name, external_id=str(player.code), known_as=known_as,
                     birth_date=player.birth_date)


def _write_lines(season: fpl.FplSeason, summary: FplSummary) -> set[int]:
    """Players and every line of the season in one transaction; returns the seasons touched."""
    codes = {str(fixture.code): fixture.fixture_id for fixture in season.fixtures.values()}
    match_of: dict[int, tuple[int, int]] = {}  # fixture id -> (match id, season id)
    for code, match_id, season_id in MatchExternalId.objects.filter(
            source=fpl.SOURCE, external_id__in=codes).values_list("external_id", "match_id", "match__season_id"):
        match_of[codes[code]] = (match_id, season_id)
    team_of = dict(TeamExternalId.objects.filter(source=fpl.SOURCE, external_id__in=[
        str(team.code) for team in season.teams.values()]).values_list("external_id", "team_id"))
    team_by_id = {team.team_id: team_of.get(str(team.code)) for team in season.teams.values()}

    with transaction.atomic():
        relax_durability()
        refs = {element: player_ref(player) for element, player in season.players.items()}
        links_before = Player.objects.count()
        resolved = resolve_players(list(refs.values()), team_ids={
            player_key(ref): team_by_id.get(season.players[element].team_id)
            for element, ref in refs.items() if team_by_id.get(season.players[element].team_id)})
        summary.players_created = Player.objects.count() - links_before
        player_of = {element: resolved[player_key(ref)] for element, ref in refs.items()}
        _fill_player_facts(season, player_of)

        stats_rows, fpl_rows = {}, {}
        for line in season.lines:
            if line.fixture_id not in match_of:
                continue  # a fixture without a kick-off: nothing to land on
            match_id, season_id = match_of[line.fixture_id]
            fixture = season.fixtures[line.fixture_id]
            team_id = team_by_id[fixture.home_team_id if line.was_home else fixture.away_team_id]
            player = player_of[line.element]
            key = (player.pk, match_id)
            if line.minutes > 0:
                stats_rows[key] = (team_id, line.minutes, line.started, line.goals, line.assists, line.own_goals,
                                   line.penalties_saved, line.penalties_missed, _round(line.xg), _round(line.xa),
                                   _round(line.xg_conceded), line.clean_sheet, line.goals_conceded, line.saves,
                                   line.yellow_cards, line.red_cards)
            price = line.price
            if price is None and season.players[line.element].now_cost is not None:
                price = Decimal(season.players[line.element].now_cost) / 10  # the live answer: today's price
            if price is not None:
                fpl_rows[key] = (season_id, line.gameweek, price, line.total_points, line.bonus, line.bps,
                                 line.expected_points, line.selected, line.transfers_in, line.transfers_out)
        match_ids = {match_id for match_id, _ in match_of.values()}
        summary.stats = _upsert_stats(stats_rows, match_ids)
        summary.fpl_lines = _upsert(FplPlayerFixture, FPL_FIELDS, fpl_rows, match_ids)
    return {season_id for _, season_id in match_of.values()}


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 4)


def _fill_player_facts(season: fpl.FplSeason, player_of: dict[int, Player]) -> None:
    """Position and birth date where our player has none yet (the richer source's stay):
    one UPDATE per position and per birth date, not one per player."""
    positions: dict[str, list[int]] = {}
    births: dict[object, list[int]] = {}
    for element, player in player_of.items():
        facts = season.players[element]
        if not player.position and facts.position:
            positions.setdefault(facts.position, []).append(player.pk)
            player.position = facts.position
        if player.birth_date is None and facts.birth_date:
            births.setdefault(facts.birth_date, []).append(player.pk)
            player.birth_date = facts.birth_date
    for position, ids in positions.items():
        Player.objects.filter(pk__in=ids, position="").update(position=position)
    for born, ids in births.items():
        Player.objects.filter(pk__in=ids, birth_date__isnull=True).update(birth_date=born)


def _stored(model, fields: list[str], match_ids: set[int], extra=()) -> dict[tuple[int, int], tuple]:
    columns = [f"{name}_id" if name in ("team", "season") else name for name in fields]
    rows = model.objects.filter(match_id__in=match_ids).values_list("pk", "player_id", "match_id", *extra, *columns)
    return {(row[1], row[2]): row for row in rows}


def _upsert_stats(rows: dict[tuple[int, int], tuple], match_ids: set[int]) -> Counts:
    stored = _stored(PlayerMatchStats, STATS_FIELDS, match_ids, extra=("source",))
    counts = Counts()
    new, changed = [], []
    now = timezone.now()
    for key, values in rows.items():
        row = stored.get(key)
        if row is None:
            new.append((*key, fpl.SOURCE, *values, now))
        elif row[3] != fpl.SOURCE:
            counts.kept += 1
        elif row[4:] == values or _same(row[4:], values):
            counts.unchanged += 1
        else:
            changed.append(PlayerMatchStats(pk=row[0], **_named(STATS_FIELDS, values), updated_at=now))
    insert_rows(PlayerMatchStats, ["player", "match", "source", *STATS_FIELDS, "updated_at"], new)
    PlayerMatchStats.objects.bulk_update(changed, [*STATS_FIELDS, "updated_at"], batch_size=500)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def _upsert(model, fields: list[str], rows: dict[tuple[int, int], tuple], match_ids: set[int]) -> Counts:
    stored = _stored(model, fields, match_ids)
    counts = Counts()
    new, changed = [], []
    for key, values in rows.items():
        row = stored.get(key)
        if row is None:
            new.append((*key, *values))
        elif row[3:] == values or _same(row[3:], values):
            counts.unchanged += 1
        else:
            changed.append(model(pk=row[0], **_named(fields, values)))
    insert_rows(model, ["player", "match", *fields], new)
    model.objects.bulk_update(changed, fields, batch_size=500)
    counts.created, counts.updated = len(new), len(changed)
    return counts


def _named(fields: list[str], values: tuple) -> dict:
    return {f"{name}_id" if name in ("team", "season") else name: value for name, value in zip(fields, values)}


def _same(stored: tuple, incoming: tuple) -> bool:
    for old, new in zip(stored, incoming, strict=True):
        if isinstance(new, float) and old is not None:
            if abs(old - new) > 1e-9:
                return False
        elif old != new:
            return False
    return True


def _record_availability(season: fpl.FplSeason):
    """FPL's status and news per player, through the availability service (its own history)."""
    if season.observed_at is None:
        return None
    team_of = dict(TeamExternalId.objects.filter(source=fpl.SOURCE).values_list("external_id", "team_id"))
    codes = {str(player.code): element for element, player in season.players.items()}
    player_of = {}
    for external_id, player_id in PlayerExternalId.objects.filter(
            source=fpl.SOURCE, external_id__in=codes).values_list("external_id", "player_id"):
        player_of[codes[external_id]] = player_id
    statements = []
    for element, player in season.players.items():
        team = season.teams.get(player.team_id) if player.team_id else None
        statements.append(Statement(player_id=player_of[element], team_id=team_of.get(str(team.code)) if team else None,
                                    **fpl.availability_statement(player)))
    return record_availability(statements, source=fpl.SOURCE, observed_at=season.observed_at)
