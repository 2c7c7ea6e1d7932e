"""A user's own projections, uploaded as CSV for a gameweek or a slate: checked whole, saved whole.

The file has a header with ``player`` and ``points`` and optionally ``minutes`` and ``ownership``
(in any order, case and spacing ignored). ``player`` is our player id, the slate's player id
(DraftKings' ID) or a name as fans write it ("Haaland", "Erling Haaland"), matched among the players
of that gameweek or slate only, so a name that two of them share is refused with both ids.

Every line is checked: an unknown or ambiguous player, a player twice, a value that is not a number,
or out of range (points −20 to 100, minutes 0 to 120, ownership 0 to 100 %) is refused with its line
and field, and nothing is saved unless the whole file is valid. A valid file replaces the user's
projections for that gameweek or slate (a new version of his own set; older versions stay, unseen);
uploads are their owner's alone.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max

from fantasy.models import FplPlayerFixture, Projection, ProjectionSet, Slate
from matches.models import normalize_name
from players.models import Player, PlayerAlias

REQUIRED = ("player", "points")
OPTIONAL = ("minutes", "ownership")
RANGES = {"points": (-20.0, 100.0), "minutes": (0.0, 120.0), "ownership": (0.0, 100.0)}
MAX_BYTES = 2_000_000
MAX_ERRORS = 20  # a file that is wrong everywhere shows the first ones, not thousands


class UploadError(ValueError):
    def __init__(self, errors: list[str]):
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Target:
    """What the projections are for: an FPL gameweek of a season, or a slate."""

    game: str
    season_id: int | None = None
    gameweek: int | None = None
    slate: Slate | None = None

    def candidates(self) -> dict[int, Player]:
        """The players a line may name: that gameweek's FPL players, or the slate's matched players."""
        if self.slate is not None:
            ids = self.slate.players.filter(player__isnull=False).values_list("player_id", flat=True)
        else:
            ids = FplPlayerFixture.objects.filter(season_id=self.season_id, gameweek=self.gameweek).values_list(
                "player_id", flat=True)
        return {player.pk: player for player in Player.objects.filter(pk__in=ids)}


def _names(players: dict[int, Player], target: Target) -> tuple[dict[str, set[int]], dict[str, int]]:
    """Folded names (name, known-as, aliases, the surname) -> player ids; the slate's own ids -> player id."""
    names: dict[str, set[int]] = {}

    def add(text: str, pk: int) -> None:
        if text:
            names.setdefault(normalize_name(text), set()).add(pk)

    for player in players.values():
        add(player.name, player.pk)
        add(player.known_as, player.pk)
    for pk, alias in PlayerAlias.objects.filter(player_id__in=list(players)).values_list("player_id", "normalized"):
        names.setdefault(alias, set()).add(pk)
    external = {}
    if target.slate is not None:
        for external_id, pk in target.slate.players.filter(player__isnull=False).values_list("external_id",
                                                                                              "player_id"):
            external[external_id] = pk
    return names, external


def _number(value: str, field: str, line: int, errors: list[str]) -> float | None:
    try:
        number = float(value)
    except ValueError:
        number = math.nan
    if not math.isfinite(number):
        errors.append(f"line {line}, {field}: {value!r} is not a number")
        return None
    low, high = RANGES[field]
    if not low <= number <= high:
        errors.append(f"line {line}, {field}: {value} is outside {low:g} to {high:g}")
        return None
    return number


def parse(content: bytes, target: Target) -> list[dict]:
    """Every line checked; the rows ({player_id, points, minutes, ownership}) or UploadError with each problem."""
    if len(content) > MAX_BYTES:
        raise UploadError([f"the file is {len(content):,} bytes; at most {MAX_BYTES:,}"])
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UploadError([f"the file is not UTF-8 text (byte {exc.start})"]) from None
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if not header:
        raise UploadError(["the file is empty: its first line must be a header with player and points"])
    columns = [name.strip().lower() for name in header]
    missing = [name for name in REQUIRED if name not in columns]
    if missing:
        raise UploadError([f"line 1: the header has no {' or '.join(missing)} column (it has: {', '.join(columns)})"])
    repeated = sorted({name for name in columns if columns.count(name) > 1 and name in REQUIRED + OPTIONAL})
    if repeated:
        raise UploadError([f"line 1: the {repeated[0]} column appears twice"])
    index = {name: columns.index(name) for name in REQUIRED + OPTIONAL if name in columns}
    players = target.candidates()
    names, external = _names(players, target)
    rows, errors, seen = [], [], {}
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines (a trailing newline) are not rows
        if len(cells) < len(columns):
            errors.append(f"line {line}: {len(cells)} fields, the header has {len(columns)}")
            continue
        wanted = cells[index["player"]].strip()
        pk = _player(wanted, players, names, external, line, errors)
        row = {"player_id": pk}
        for field in ("points",) + tuple(name for name in OPTIONAL if name in index):
            value = cells[index[field]].strip()
            if value == "" and field != "points":
                row[field] = None
                continue
            row[field] = _number(value, field, line, errors)
        if pk is not None:
            if pk in seen:
                errors.append(f"line {line}, player: {wanted!r} is {players[pk].name} again "
                              f"(first on line {seen[pk]})")
            seen.setdefault(pk, line)
        rows.append(row)
        if len(errors) >= MAX_ERRORS:
            errors.append("… and the file was not read further")
            break
    if errors:
        raise UploadError(errors)
    if not rows:
        raise UploadError(["the file has a header but no player lines"])
    return rows


def _player_named(wanted: str, players, names, external) -> tuple[int | None, str | None]:
    """The player ``wanted`` names (the slate's id, our id or a name), or None and what is wrong."""
    if not wanted:
        return None, "empty"
    if wanted in external:
        return external[wanted], None
    if wanted.isdigit() and int(wanted) in players:
        return int(wanted), None
    found = names.get(normalize_name(wanted), set())
    if len(found) == 1:
        return next(iter(found)), None
    if found:
        listed = ", ".join(f"{players[pk].name} (id {pk})" for pk in sorted(found))
        return None, f"{wanted!r} could be {listed}: use the id"
    return None, f"{wanted!r} is not a player of this {'slate' if external or wanted.isdigit() else 'gameweek or slate'}"


def _player(wanted: str, players, names, external, line: int, errors: list[str]) -> int | None:
    pk, problem = _player_named(wanted, players, names, external)
    if problem:
        errors.append(f"line {line}, player: {problem}")
    return pk


def find_players(target: Target, wanted: list[str]) -> tuple[list[int], list[str]]:
    """Our ids of the players named (ids or names, as an upload names them), and a message per one not found."""
    players = target.candidates()
    names, external = _names(players, target)
    found, problems = [], []
    for text in wanted:
        pk, problem = _player_named(text.strip(), players, names, external)
        if problem:
            problems.append(problem)
        else:
            found.append(pk)
    return found, problems


def save(owner, target: Target, content: bytes, *, filename: str = "") -> ProjectionSet:
    """Check the whole file, then replace the owner's projections for the target (one transaction)."""
    rows = parse(content, target)
    with transaction.atomic():
        mine = ProjectionSet.objects.filter(owner=owner, kind=ProjectionSet.Kind.UPLOAD, game=target.game,
                                            season_id=target.season_id, gameweek=target.gameweek,
                                            slate=target.slate)
        version = (mine.aggregate(latest=Max("version"))["latest"] or 0) + 1
        projection_set = ProjectionSet.objects.create(
            owner=owner, kind=ProjectionSet.Kind.UPLOAD, game=target.game, season_id=target.season_id,
            gameweek=target.gameweek, slate=target.slate, version=version,
            inputs={"file": filename[:200], "rows": len(rows)})
        Projection.objects.bulk_create([
            Projection(projection_set=projection_set, player_id=row["player_id"], points=row["points"],
                       minutes=row.get("minutes"), ownership=row.get("ownership")) for row in rows])
    return projection_set


def latest_upload(owner, target: Target) -> ProjectionSet | None:
    """The owner's current upload for the target (his newest version); another user's never."""
    if owner is None or not owner.is_authenticated:
        return None
    return (ProjectionSet.objects.filter(owner=owner, kind=ProjectionSet.Kind.UPLOAD, game=target.game,
                                         season_id=target.season_id, gameweek=target.gameweek, slate=target.slate)
            .order_by("-version").first())

