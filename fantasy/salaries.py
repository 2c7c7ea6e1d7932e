"""DraftKings salary files: a slate's players, salaries and positions, matched to our teams, players and matches.

DraftKings' export has one line per player (``Position, Name + ID, Name, ID, Roster Position,
Salary, Game Info, TeamAbbrev, AvgPointsPerGame``), sometimes below a few lines of contest
instructions: the header is the first line naming ``TeamAbbrev``. ``Game Info`` is
"ARS@CHE 08/12/2023 12:30PM ET": away team, home team, US Eastern kick-off.

``parse_salary_file`` is pure and checks every line before anything is written: each
problem is named by line and field, and a file with any problem saves nothing.
``import_salaries`` then resolves teams (our aliases, then the catalog, then DraftKings'
three-letter codes), players (by name within their team: ``players.identity``) and matches
(the two teams around the kick-off), creating none of them, and writes the slate in one
transaction. Running a file again changes nothing; a corrected file updates the slate to it.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

from django.db import transaction

from fantasy.models import Game, Slate, SlatePlayer
from fantasy.rules import DK_CLASSIC, listed_positions
from matches.identity import SAME_MATCH_WINDOW, stored_team_id
from matches.models import Match, Season, Team, normalize_name
from matches.records import PlayerRef, RecordError
from players.identity import players_by_name_in_team

SOURCE = "draftkings"
COLUMNS = ("Position", "Name + ID", "Name", "ID", "Roster Position", "Salary", "Game Info", "TeamAbbrev",
           "AvgPointsPerGame")
EASTERN = ZoneInfo("America/New_York")  # DraftKings' "ET"
NOT_SCHEDULED = {"in progress", "final", "postponed", "suspended", "cancelled"}

# DraftKings' codes for Premier League clubs (the league's own three letters) -> the catalog's names.
DK_TEAM_CODES = {
    "ARS": "Arsenal", "AVL": "Aston Villa", "BOU": "Bournemouth", "BRE": "Brentford",
    "BHA": "Brighton & Hove Albion", "BUR": "Burnley", "CHE": "Chelsea", "CRY": "Crystal Palace",
    "EVE": "Everton", "FUL": "Fulham", "IPS": "Ipswich Town", "LEE": "Leeds United", "LEI": "Leicester City",
    "LIV": "Liverpool", "LUT": "Luton Town", "MCI": "Manchester City", "MUN": "Manchester United",
    "NEW": "Newcastle United", "NFO": "Nottingham Forest", "NOR": "Norwich City", "SHU": "Sheffield United",
    "SOU": "Southampton", "SUN": "Sunderland", "TOT": "Tottenham Hotspur", "WAT": "Watford",
    "WBA": "West Bromwich Albion", "WHU": "West Ham United", "WOL": "Wolverhampton Wanderers",
}


class SalaryFileError(RecordError):
    """A salary file with bad lines: every problem, each as "line N, Field: what is wrong"."""

    def __init__(self, path: str, problems: list[str]):
        self.problems = problems
        super().__init__(path, "; ".join(problems))


@dataclass(frozen=True)
class SalaryLine:
    line: int
    external_id: str
    name: str
    positions: tuple[str, ...]
    roster_position: str
    salary: int
    team_abbrev: str
    game_info: str
    average_points: float | None
    away: str = ""  # from Game Info
    home: str = ""
    kickoff: dt.datetime | None = None  # UTC

    @property
    def opponent(self) -> str:
        return self.home if self.team_abbrev == self.away else self.away if self.team_abbrev == self.home else ""


def parse_game_info(text: str) -> tuple[str, str, dt.datetime | None]:
    """ "ARS@CHE 08/12/2023 12:30PM ET" -> ("ARS", "CHE", 2023-08-12 16:30 UTC); raises ValueError."""
    teams, _, when = text.strip().partition(" ")
    away, at, home = teams.partition("@")
    if not at or not away or not home:
        raise ValueError(f"{text!r} is not AWAY@HOME MM/DD/YYYY HH:MMAM ET")
    when = when.strip()
    if not when:
        return away.upper(), home.upper(), None
    parts = when.split()
    if len(parts) == 3 and parts[2].upper() != "ET":
        raise ValueError(f"{text!r}: the time zone is {parts[2]!r}, DraftKings writes ET")
    if len(parts) not in (2, 3):
        raise ValueError(f"{text!r} is not AWAY@HOME MM/DD/YYYY HH:MMAM ET")
    try:
        local = dt.datetime.strptime(f"{parts[0]} {parts[1].upper()}", "%m/%d/%Y %I:%M%p")
    except ValueError:
        raise ValueError(f"{text!r}: the date and time are not MM/DD/YYYY HH:MMAM") from None
    return away.upper(), home.upper(), local.replace(tzinfo=EASTERN).astimezone(dt.UTC)


def parse_salary_file(path: str | Path) -> list[SalaryLine]:
    """Every line of the file as a SalaryLine; raises SalaryFileError listing every bad line and field."""
    path = str(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as exc:
        raise RecordError(path, f"cannot read it ({exc})") from exc
    header_index = next((i for i, row in enumerate(rows) if "TeamAbbrev" in (cell.strip() for cell in row)), None)
    if header_index is None:
        raise SalaryFileError(path, ["no header line (a line naming TeamAbbrev and the other columns)"])
    header = [cell.strip() for cell in rows[header_index]]
    missing = [name for name in COLUMNS if name not in header]
    if missing:
        raise SalaryFileError(path, [f"line {header_index + 1}: missing column{'s' if len(missing) > 1 else ''} "
                                     f"{', '.join(missing)}"])
    at = {name: header.index(name) for name in COLUMNS}
    problems: list[str] = []
    parsed: list[SalaryLine] = []
    first_line: dict[str, int] = {}
    for index in range(header_index + 1, len(rows)):
        row, number = rows[index], index + 1
        if not any(cell.strip() for cell in row):
            continue
        cells = {name: (row[column].strip() if column < len(row) else "") for name, column in at.items()}
        faults = []

        def fault(name: str, message: str) -> None:
            faults.append(f"line {number}, {name}: {message}")

        for name in ("ID", "Name", "Position", "Salary", "TeamAbbrev"):
            if not cells[name]:
                fault(name, "is empty")
        external_id = cells["ID"]
        if external_id:
            if external_id in first_line:
                fault("ID", f"{external_id} is also on line {first_line[external_id]}")
            else:
                first_line[external_id] = number
        positions = listed_positions(cells["Position"])
        unknown = [position for position in positions if position not in DK_CLASSIC.positions]
        if cells["Position"] and (unknown or not positions):
            fault("Position", f"unknown position {cells['Position']!r} "
                              f"(expected {', '.join(sorted(DK_CLASSIC.positions))}, or two joined by /)")
        salary = None
        if cells["Salary"]:
            try:
                salary = int(cells["Salary"].replace(",", "").removeprefix("$"))
                if salary <= 0:
                    fault("Salary", f"{cells['Salary']!r} is not a positive amount")
            except ValueError:
                fault("Salary", f"{cells['Salary']!r} is not a whole number")
        average = None
        if cells["AvgPointsPerGame"]:
            try:
                average = float(cells["AvgPointsPerGame"])
            except ValueError:
                fault("AvgPointsPerGame", f"{cells['AvgPointsPerGame']!r} is not a number")
        away = home = ""
        kickoff = None
        if cells["Game Info"] and cells["Game Info"].lower() not in NOT_SCHEDULED:
            try:
                away, home, kickoff = parse_game_info(cells["Game Info"])
            except ValueError as exc:
                fault("Game Info", str(exc))
            else:
                if cells["TeamAbbrev"] and cells["TeamAbbrev"].upper() not in (away, home):
                    fault("TeamAbbrev", f"{cells['TeamAbbrev']} does not play in {away}@{home}")
        if faults:
            problems += faults
            continue
        parsed.append(SalaryLine(line=number, external_id=external_id, name=cells["Name"], positions=positions,
                                 roster_position=cells["Roster Position"], salary=salary,
                                 team_abbrev=cells["TeamAbbrev"].upper(), game_info=cells["Game Info"],
                                 average_points=average, away=away, home=home, kickoff=kickoff))
    if problems:
        raise SalaryFileError(path, problems)
    if not parsed:
        raise SalaryFileError(path, ["no players below the header"])
    return parsed


# ------------------------------------------------------------------ matching to our rows (creates nothing)


def team_id_for_code(code: str) -> int | None:
    """Our team a DraftKings code means: a team with that short name, else the code's club by name."""
    found = Team.objects.filter(short_name__iexact=code).values_list("pk", flat=True).first()
    if found is None:
        found = stored_team_id(code)
    if found is None and code.upper() in DK_TEAM_CODES:
        found = stored_team_id(DK_TEAM_CODES[code.upper()])
    return found


def find_match(home_id: int | None, away_id: int | None, kickoff: dt.datetime | None,
               season: Season | None) -> Match | None:
    if home_id is None or away_id is None or kickoff is None:
        return None
    found = Match.objects.filter(home_team_id=home_id, away_team_id=away_id,
                                 kickoff__range=(kickoff - SAME_MATCH_WINDOW, kickoff + SAME_MATCH_WINDOW))
    if season is not None:
        found = found.filter(season=season)
    return min(found, key=lambda match: abs(match.kickoff - kickoff), default=None)


@dataclass
class SalaryImport:
    slate: Slate | None = None
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0
    players_matched: int = 0
    lines: int = 0
    matches: int = 0
    unknown_teams: list[str] = field(default_factory=list)

    def __str__(self):
        text = (f"slate {self.slate}: {self.lines} players ({self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.removed} removed); {self.players_matched} matched to our players, "
                f"{self.matches} matches")
        if self.unknown_teams:
            text += f"; teams not known: {', '.join(self.unknown_teams)}"
        return text


def _season(name: str | None) -> list[Season]:
    if not name:
        return []
    seasons = list(Season.objects.filter(name=name))
    if not seasons:
        raise RecordError(f"--season {name}", "no season of that name")
    return seasons


def import_salaries(path: str | Path, slate_name: str, *, season: str | None = None) -> SalaryImport:
    """Creates or updates the slate ``slate_name`` from a DraftKings salary file; see the module docstring."""
    lines = parse_salary_file(path)
    seasons = _season(season)
    codes = sorted({line.team_abbrev for line in lines} | {code for line in lines for code in (line.away, line.home)
                                                            if code})
    team_ids = {code: team_id_for_code(code) for code in codes}
    fixtures = {}
    for line in lines:
        key = (line.home, line.away, line.kickoff)
        if line.home and key not in fixtures:
            candidates = [find_match(team_ids.get(line.home), team_ids.get(line.away), line.kickoff, one)
                          for one in (seasons or [None])]
            fixtures[key] = next((match for match in candidates if match), None)
    chosen_season = seasons[0] if len(seasons) == 1 else None
    found = [match for match in fixtures.values() if match]
    if found and (chosen_season is None):
        chosen_season = found[0].season
    wanted = {(SOURCE, line.external_id, line.name): PlayerRef(SOURCE, line.name, line.external_id)
              for line in lines if team_ids.get(line.team_abbrev)}
    players = players_by_name_in_team(wanted, {key: team_ids[line.team_abbrev] for line in lines
                                        for key in [(SOURCE, line.external_id, line.name)] if key in wanted})
    kickoffs = [line.kickoff for line in lines if line.kickoff]
    summary = SalaryImport(lines=len(lines), unknown_teams=[code for code, pk in team_ids.items() if pk is None])
    with transaction.atomic():
        slate, created = Slate.objects.get_or_create(
            game=Game.DK_CLASSIC, name=slate_name,
            defaults={"season": chosen_season, "starts_at": min(kickoffs, default=None),
                      "salary_cap": DK_CLASSIC.salary_cap})
        if not created and (slate.season_id != (chosen_season.pk if chosen_season else None)
                            or slate.starts_at != min(kickoffs, default=None)):
            slate.season, slate.starts_at = chosen_season, min(kickoffs, default=None)
            slate.save(update_fields=["season", "starts_at"])
        summary.slate = slate
        existing = {row.external_id: row for row in slate.players.all()}
        for line in lines:
            key = (SOURCE, line.external_id, line.name)
            match = fixtures.get((line.home, line.away, line.kickoff))
            values = {"name": line.name, "positions": "/".join(line.positions),
                      "roster_position": line.roster_position, "salary": line.salary,
                      "team_abbrev": line.team_abbrev, "game_info": line.game_info,
                      "average_points": line.average_points,
                      "player_id": players[key].pk if key in players else None,
                      "team_id": team_ids.get(line.team_abbrev), "match_id": match.pk if match else None}
            summary.players_matched += key in players
            row = existing.pop(line.external_id, None)
            if row is None:
                SlatePlayer.objects.create(slate=slate, external_id=line.external_id, **values)
                summary.created += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                for name, value in values.items():
                    setattr(row, name, value)
                row.save()
                summary.updated += 1
            else:
                summary.unchanged += 1
        if existing:  # the file is the slate: players dropped from it leave it
            SlatePlayer.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
            summary.removed = len(existing)
        slate.matches.set(found)
        summary.matches = len(set(found))
    return summary


# ------------------------------------------------------------------ a practice slate from an FPL gameweek

PRACTICE_SALARIES = (3_000, 11_000)  # DraftKings soccer's usual range, in steps of 100
FPL_POSITIONS = {"GK": "GK", "DF": "D", "MF": "M", "FW": "F", "DEF": "D", "MID": "M", "FWD": "F"}


def practice_salary(price, low, high) -> int:
    """An FPL price mapped linearly from the gameweek's [low, high] onto PRACTICE_SALARIES, in steps of 100."""
    steps = (PRACTICE_SALARIES[1] - PRACTICE_SALARIES[0]) // 100
    return PRACTICE_SALARIES[0] + round(float((price - low) / (high - low or 1)) * steps) * 100


def candidates_from_fpl_file(folder: Path, gameweek: int):
    """A practice slate straight from FPL's files (no database), for the benchmark and the tests: the
    gameweek's players with an xP other than 0, salaries from their price, projections FPL's xP."""
    from fantasy.optimizer import DfsCandidate

    with open(folder / "teams.csv", newline="") as handle:
        teams = {row["id"]: row["name"] for row in csv.DictReader(handle)}
    with open(folder / "gws" / f"gw{gameweek}.csv", newline="") as handle:
        rows = [row for row in csv.DictReader(handle) if float(row["xP"]) != 0]
    prices = [int(row["value"]) for row in rows]
    low, high = min(prices), max(prices)
    return [DfsCandidate(id=row["element"], name=row["name"], positions=(FPL_POSITIONS[row["position"]],),
                         team=row["team"], salary=practice_salary(int(row["value"]), low, high),
                         points=float(row["xP"]), opponent=teams[row["opponent_team"]]) for row in rows]


def _team_codes(teams: set[Team]) -> dict[int, str]:
    """Each team's DraftKings code: the league's own three letters where known, else its initials (one word:
    its first three letters), numbered where two would share one, so the slate's teams stay apart."""
    by_name = {name: code for code, name in DK_TEAM_CODES.items()}
    codes: dict[int, str] = {}
    taken: set[str] = set()
    for team in sorted(teams, key=lambda team: (team.name not in by_name, team.name)):
        words = [word for word in normalize_name(team.name).upper().split() if word]
        base = by_name.get(team.name) or ("".join(word[0] for word in words[:3]) if len(words) > 1
                                          else (words[0][:3] if words else "T"))
        code, number = base, 1
        while code in taken:
            number += 1
            code = f"{base[:6]}{number}"
        taken.add(code)
        codes[team.pk] = code
    return codes


def slate_from_fpl(season: Season, gameweek: int, slate_name: str) -> SalaryImport:
    """A DraftKings-classic slate of an FPL gameweek's matches for practice, where no salary file exists:
    salaries are FPL's prices that week mapped linearly onto 3,000-11,000 (steps of 100), positions
    GK/DEF/MID/FWD as GK/D/M/F, and the average points FPL's points per match played before the
    gameweek (as DraftKings' file gives its own). Running it again changes nothing."""
    from fantasy.models import FplPlayerFixture
    from fantasy.projections import gameweek_clubs
    from players.models import PlayerMatchStats

    lines = list(FplPlayerFixture.objects.filter(season=season, gameweek=gameweek)
                 .select_related("player", "match__home_team", "match__away_team").order_by("match__kickoff", "pk"))
    if not lines:
        raise RecordError(f"{season} GW{gameweek}", "no FPL lines for that gameweek")
    teams = gameweek_clubs(season, gameweek)
    played = set(PlayerMatchStats.objects.filter(match__season=season, minutes__gt=0)
                 .values_list("player_id", "match_id"))
    totals: dict[int, list[int]] = {}
    for player_id, match_id, points in (FplPlayerFixture.objects.filter(season=season, gameweek__lt=gameweek)
                                        .values_list("player_id", "match_id", "total_points")):
        if (player_id, match_id) in played:
            totals.setdefault(player_id, []).append(points)
    earlier = {player_id: sum(points) / len(points) for player_id, points in totals.items()}
    low, high = min(line.price for line in lines), max(line.price for line in lines)
    codes = _team_codes({team for line in lines for team in (line.match.home_team, line.match.away_team)})
    summary = SalaryImport()
    with transaction.atomic():
        slate, _ = Slate.objects.get_or_create(game=Game.DK_CLASSIC, name=slate_name,
                                               defaults={"season": season, "salary_cap": DK_CLASSIC.salary_cap})
        existing = {row.external_id: row for row in slate.players.all()}
        seen = set()
        for line in lines:
            match, team_id = line.match, teams.get(line.player_id)
            position = FPL_POSITIONS.get(line.player.position or "")
            if position is None or team_id not in (match.home_team_id, match.away_team_id):
                continue
            external_id = f"fpl{line.player_id}"
            if external_id in seen:
                continue  # a double gameweek: one line per player, his first match
            seen.add(external_id)
            team = match.home_team if team_id == match.home_team_id else match.away_team
            kickoff = match.kickoff.astimezone(EASTERN)
            values = {"name": line.player.display_name, "positions": position,
                      "roster_position": position if position == "GK" else f"{position}/UTIL",
                      "salary": practice_salary(line.price, low, high),
                      "team_abbrev": codes[team.pk],
                      "game_info": f"{codes[match.away_team_id]}@{codes[match.home_team_id]} "
                                   f"{kickoff:%m/%d/%Y %I:%M%p} ET",
                      "average_points": round(earlier[line.player_id], 2) if line.player_id in earlier else None,
                      "player_id": line.player_id, "team_id": team.pk, "match_id": match.pk}
            row = existing.pop(external_id, None)
            if row is None:
                SlatePlayer.objects.create(slate=slate, external_id=external_id, **values)
                summary.created += 1
            elif any(getattr(row, name) != value for name, value in values.items()):
                SlatePlayer.objects.filter(pk=row.pk).update(**values)
                summary.updated += 1
            else:
                summary.unchanged += 1
        if existing:
            SlatePlayer.objects.filter(pk__in=[row.pk for row in existing.values()]).delete()
            summary.removed = len(existing)
        matches = {line.match for line in lines}
        slate.matches.set(matches)
        starts = min(match.kickoff for match in matches)
        if slate.starts_at != starts or slate.season_id != season.pk:
            Slate.objects.filter(pk=slate.pk).update(starts_at=starts, season=season)
        slate.refresh_from_db()
    summary.slate, summary.lines, summary.matches = slate, len(seen), len(matches)
    summary.players_matched = len(seen)
    return summary
