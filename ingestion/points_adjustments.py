"""The leagues' points rulings (deductions, appeals) from a small sourced CSV into ``PointsAdjustment`` rows.

The file (``matches/data/points_adjustments.csv`` by default) has one line per ruling:
``competition, season, team, points, reason, decided_on, source_url``; lines starting with
``#`` are comments. A ruling is keyed by its season, team and ``decided_on`` day: loading
the file again changes nothing, and a corrected line updates its row. Rows entered in the
admin without a matching line are left alone. Seasons the database does not hold are
skipped (the file covers every season of the demo data; a database may hold fewer). The
whole file is read and checked before anything is written, then written in one
transaction: a bad line names the file, the line and the field, and nothing is written.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction

from matches import catalog
from matches.models import Competition, Match, PointsAdjustment, Season, Team, TeamAlias, normalize_name
from matches.records import RecordError

DEFAULT_FILE = Path(settings.BASE_DIR) / "matches" / "data" / "points_adjustments.csv"
FIELDS = ("competition", "season", "team", "points", "reason", "decided_on", "source_url")
REASON_LENGTH = PointsAdjustment._meta.get_field("reason").max_length
URL_LENGTH = PointsAdjustment._meta.get_field("source_url").max_length


@dataclass(frozen=True)
class Ruling:
    """One line of the file, checked."""

    line: int
    competition: str
    season: str
    team: str
    points: int
    reason: str
    decided_on: dt.date
    source_url: str


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)  # seasons not in the database

    def summary(self, label: str) -> str:
        text = (f"{label}: {len(self.created)} created, {len(self.updated)} updated, "
                f"{len(self.unchanged)} unchanged")
        if self.skipped:
            text += f", {len(self.skipped)} skipped (not in the database: {', '.join(sorted(set(self.skipped)))})"
        return text


def read_rulings(text: str, label: str) -> list[Ruling]:
    """Parse and check the file's text; RecordError("<label>:<line>", "<field>: ...") on the first bad line."""
    lines = [(number, line) for number, line in enumerate(text.splitlines(), start=1)
             if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise RecordError(label, f"no header line (expected {','.join(FIELDS)})")
    header_line, header = lines[0]
    reader = csv.reader(io.StringIO("\n".join(line for _, line in lines)))
    columns = [name.strip() for name in next(reader)]
    missing = [name for name in FIELDS if name not in columns]
    if missing:
        raise RecordError(f"{label}:{header_line}", f"header lacks {', '.join(missing)} (expected {','.join(FIELDS)})")
    rulings, seen = [], {}
    for (number, _), values in zip(lines[1:], reader):
        where = f"{label}:{number}"
        if len(values) != len(columns):
            raise RecordError(where, f"{len(values)} fields, the header has {len(columns)} (a comma inside a "
                                     "reason needs double quotes)")
        row = {name: value.strip() for name, value in zip(columns, values)}
        ruling = _ruling(row, number, where)
        key = (ruling.competition.casefold(), ruling.season, normalize_name(ruling.team), ruling.decided_on)
        if key in seen:
            raise RecordError(where, f"decided_on: a second ruling for {ruling.team} on {ruling.decided_on} "
                                     f"(line {seen[key]} has one)")
        seen[key] = number
        rulings.append(ruling)
    return rulings


def _ruling(row: dict[str, str], number: int, where: str) -> Ruling:
    for name in ("competition", "season", "team", "points", "reason", "decided_on", "source_url"):
        if not row[name]:
            raise RecordError(where, f"{name}: empty")
    try:
        points = int(row["points"])
    except ValueError:
        raise RecordError(where, f"points: {row['points']!r} is not a whole number (negative deducts)") from None
    if points == 0:
        raise RecordError(where, "points: 0 changes nothing")
    if not -200 <= points <= 200:
        raise RecordError(where, f"points: {points} is not a plausible ruling")
    try:
        decided_on = dt.date.fromisoformat(row["decided_on"])
    except ValueError:
        raise RecordError(where, f"decided_on: {row['decided_on']!r} is not a date (YYYY-MM-DD)") from None
    if len(row["reason"]) > REASON_LENGTH:
        raise RecordError(where, f"reason: {len(row['reason'])} characters, at most {REASON_LENGTH}")
    try:
        URLValidator(schemes=["http", "https"])(row["source_url"])
    except ValidationError:
        raise RecordError(where, f"source_url: {row['source_url']!r} is not an http(s) address") from None
    if len(row["source_url"]) > URL_LENGTH:
        raise RecordError(where, f"source_url: longer than {URL_LENGTH} characters")
    return Ruling(number, row["competition"], row["season"], row["team"], points, row["reason"], decided_on,
                  row["source_url"])


def load_file(path: str | Path = DEFAULT_FILE) -> LoadReport:
    """Read, check and store the rulings of one file (one transaction)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RecordError(str(path), "no such file") from None
    except UnicodeDecodeError as error:
        raise RecordError(str(path), f"not UTF-8 text ({error.reason} at byte {error.start})") from None
    return store(read_rulings(text, str(path)), str(path))


@transaction.atomic
def store(rulings: list[Ruling], label: str) -> LoadReport:
    """Write the rulings: each found by season, team and day, created or updated; checked against the
    season's teams first, so a name that plays no match there stops the file before any write."""
    report = LoadReport()
    planned = []
    teams_by_season: dict[int, dict[str, Team]] = {}
    for ruling in rulings:
        season = _season(ruling)
        if season is None:
            report.skipped.append(f"{ruling.competition} {ruling.season}")
            continue
        if season.pk not in teams_by_season:
            teams_by_season[season.pk] = _season_teams(season)
        team = _team(ruling.team, teams_by_season[season.pk])
        if team is None:
            raise RecordError(f"{label}:{ruling.line}",
                              f"team: {ruling.team!r} plays no match in {season.competition.name} {season.name}")
        planned.append((ruling, season, team))
    for ruling, season, team in planned:
        wanted = {"points": ruling.points, "reason": ruling.reason, "source_url": ruling.source_url}
        row = PointsAdjustment.objects.filter(season=season, team=team, decided_on=ruling.decided_on).first()
        name = f"{team.name} {ruling.points:+d} ({season.competition.name} {season.name}, {ruling.decided_on})"
        if row is None:
            PointsAdjustment.objects.create(season=season, team=team, decided_on=ruling.decided_on, **wanted)
            report.created.append(name)
        elif any(getattr(row, key) != value for key, value in wanted.items()):
            for key, value in wanted.items():
                setattr(row, key, value)
            row.save(update_fields=list(wanted))
            report.updated.append(name)
        else:
            report.unchanged.append(name)
    return report


def _season(ruling: Ruling) -> Season | None:
    competition = (Competition.objects.filter(name__iexact=ruling.competition).first()
                   or Competition.objects.filter(short_name__iexact=ruling.competition).first())
    if competition is None:
        return None
    return Season.objects.select_related("competition").filter(competition=competition, name=ruling.season).first()


def _season_teams(season: Season) -> dict[str, Team]:
    """Every folded name (team name, its aliases, the catalog's spellings) of the teams playing the season."""
    team_ids = set(Match.objects.filter(season=season).values_list("home_team_id", flat=True))
    team_ids |= set(Match.objects.filter(season=season).values_list("away_team_id", flat=True))
    teams = {team.pk: team for team in Team.objects.filter(pk__in=team_ids)}
    names = {}
    for team in teams.values():
        for name in (team.name, team.short_name, *catalog.TEAM_ALIASES.get(team.name, [])):
            if name:
                names[normalize_name(name)] = team
    for team_id, folded in TeamAlias.objects.filter(team_id__in=team_ids).values_list("team_id", "normalized"):
        names[folded] = teams[team_id]
    return names


def _team(name: str, names: dict[str, Team]) -> Team | None:
    folded = normalize_name(name)
    if folded in names:
        return names[folded]
    for canonical, aliases in catalog.TEAM_ALIASES.items():  # a spelling the catalog knows, of a canonical name
        if folded in {normalize_name(alias) for alias in (canonical, *aliases)}:
            return names.get(normalize_name(canonical))
    return None
