"""Judging (and fitting) the valuation model against real market values.

Market values come as Transfermarkt-style CSV files: a player's name and his value in
euros, optionally his birth date (to tell namesakes apart) and the valuation's date (the
latest one counts), e.g. the ``players.csv`` or ``player_valuations.csv`` + names of the
public Transfermarkt datasets. Players are matched to ours by name or alias (accents and
case folded). Every third-or-so player, chosen by a stable hash of his folded name and birth date, is held out:
the model's term scales are fitted on the others (least squares on log values, shrunk
towards the documented model) and judged on the held-out ones only (Spearman rank
correlation, median absolute percentage error).

Other apps may offer a market of their own to judge against (``register_reference_market``
in their ``AppConfig.ready()``; ``fantasy`` registers Fantasy Premier League's
start-of-season prices), so this module never imports them. A reference market's prices
are in its own unit (£m for FPL): rank correlation does not care, and the documented
model is judged with one fitted unit factor (its intercept) so its error is comparable.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
import zlib
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

from markets.reference_markets import REFERENCE_MARKETS, ReferenceMarket
from markets.valuation import gather_inputs, terms_of
from matches.models import Match, Season, normalize_name
from players.models import Player, PlayerAlias

VALUE_COLUMNS = ("market_value_in_eur", "market_value_eur", "market_value", "value_eur")
NAME_COLUMNS = ("name", "player_name", "player")
BIRTH_COLUMNS = ("date_of_birth", "birth_date", "dob")
DATE_COLUMNS = ("date", "valuation_date")
HELD_OUT_SHARE = 0.3
MIN_PLAYERS = 8  # fewer matched players than this judge nothing
RIDGE = 2.0  # pulls fitted term scales towards 1 (the documented model) when data are few


class ValuationDataError(ValueError):
    """A file that cannot be read as market values (names the file, line and field)."""


class NotEnoughData(ValuationDataError):
    """Readable values, but too few of them belong to players we have statistics for."""


@dataclass(frozen=True)
class MarketValue:
    name: str
    value_eur: float
    birth_date: dt.date | None
    date: dt.date | None
    where: str  # "file:line"


@dataclass
class Report:
    as_of: dt.date
    files: list[Path]
    values: int
    matched: int
    unmatched_examples: list[str]
    train: int
    held_out: int
    spearman: float
    spearman_documented: float
    mdape: float
    mdape_documented: float
    parameters: dict[str, Any]
    against: str = ""  # what the values were judged against, for the summary
    note: str = ""  # when our values were taken, when that needs saying
    unit: str = "€"




def _column(header: list[str], names: tuple[str, ...]) -> str | None:
    folded = {name.strip().casefold(): name for name in header}
    return next((folded[name] for name in names if name in folded), None)


def is_market_value_file(path: Path) -> bool:
    try:
        with path.open(newline="", encoding="utf-8-sig") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError):
        return False
    return _column(header, VALUE_COLUMNS) is not None and _column(header, NAME_COLUMNS) is not None


def find_market_value_files(root: Path) -> list[Path]:
    """CSV files under ``root`` with a name and a market-value column."""
    if not root.is_dir():
        return []
    return sorted(path for path in root.rglob("*.csv") if is_market_value_file(path))


def _date(text: str, where: str, field: str) -> dt.date | None:
    text = text.strip()
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise ValuationDataError(f"{where}: {field} {text!r} is not a date (YYYY-MM-DD)") from None


def read_market_values(path: Path) -> list[MarketValue]:
    """The file's values; a bad line is an error naming the file, the line and the field."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        header = reader.fieldnames or []
        value_column, name_column = _column(header, VALUE_COLUMNS), _column(header, NAME_COLUMNS)
        if value_column is None or name_column is None:
            raise ValuationDataError(f"{path}: needs a name column ({', '.join(NAME_COLUMNS)}) and a value column "
                                     f"({', '.join(VALUE_COLUMNS)}); found {', '.join(header) or 'no header'}")
        birth_column, date_column = _column(header, BIRTH_COLUMNS), _column(header, DATE_COLUMNS)
        values = []
        for line, row in enumerate(reader, start=2):
            where = f"{path}:{line}"
            raw = (row.get(value_column) or "").strip()
            if not raw:
                continue  # unvalued players (retired, youth) are simply not judged
            try:
                value = float(raw)
            except ValueError:
                raise ValuationDataError(f"{where}: {value_column} {raw!r} is not a number") from None
            if value <= 0 or not math.isfinite(value):
                raise ValuationDataError(f"{where}: {value_column} must be a positive number of euros, not {raw}")
            name = (row.get(name_column) or "").strip()
            if not name:
                raise ValuationDataError(f"{where}: {name_column} is empty")
            values.append(MarketValue(name, value, _date(row.get(birth_column) or "", where, birth_column)
                                      if birth_column else None,
                                      _date(row.get(date_column) or "", where, date_column) if date_column else None,
                                      where))
    return values


def match_players(values: list[MarketValue]) -> tuple[dict[int, MarketValue], list[MarketValue]]:
    """Our player for each value (his latest value when a file has several), and the unmatched ones."""
    by_name: dict[str, set[int]] = defaultdict(set)
    for pk, name, known_as in Player.objects.values_list("pk", "name", "known_as"):
        for text in (name, known_as):
            if text:
                by_name[normalize_name(text)].add(pk)
    for player_id, normalized in PlayerAlias.objects.values_list("player_id", "normalized"):
        by_name[normalized].add(player_id)
    births = dict(Player.objects.filter(birth_date__isnull=False).values_list("pk", "birth_date"))

    matched: dict[int, MarketValue] = {}
    unmatched = []
    for value in values:
        candidates = by_name.get(normalize_name(value.name), set())
        if value.birth_date and len(candidates) > 1:
            candidates = {pk for pk in candidates if births.get(pk) in (None, value.birth_date)}
        if len(candidates) != 1:
            unmatched.append(value)
            continue
        (player_id,) = candidates
        earlier = matched.get(player_id)
        if earlier is None or (value.date or dt.date.min) >= (earlier.date or dt.date.min):
            matched[player_id] = value
    return matched, unmatched


def is_held_out(identity: str) -> bool:
    """Whether the player with this identity (``holdout_identity``) is held out.

    A hash of who he is, not of our row id: ids depend on the order and the database a
    season was imported into (PostgreSQL's sequences survive a rolled-back test), and the
    same data must give the same split, hence the same figure, on SQLite and PostgreSQL."""
    return zlib.crc32(identity.encode("utf-8")) / 2**32 < HELD_OUT_SHARE


def holdout_identity(name: str, birth_date: dt.date | None) -> str:
    return f"{normalize_name(name)}|{birth_date.isoformat() if birth_date else ''}"


def _features(inputs: dict, parameters: dict) -> tuple[float, list[float], list[str]]:
    documented = {**parameters, "term_scales": {}, "intercept": 0.0}
    terms = terms_of(inputs, documented)
    return (math.log(parameters["base_eur"][inputs["position"]]), [math.log(t.factor) for t in terms],
            [t.key for t in terms])


def fit_scales(rows: list[tuple[float, list[float]]], targets: list[float], keys: list[str]) -> dict[str, Any]:
    """Term scales and an intercept by ridge least squares on log values (scales shrunk towards 1)."""
    bases = np.array([base for base, _ in rows])
    logs = np.array([features for _, features in rows])
    residual = np.log(np.array(targets)) - bases - logs.sum(axis=1)  # what the documented model misses
    design = np.hstack([np.ones((len(rows), 1)), logs])
    penalty = np.diag([0.0] + [RIDGE] * len(keys))  # the intercept is free
    delta = np.linalg.solve(design.T @ design + penalty, design.T @ residual)
    return {"intercept": float(delta[0]), "term_scales": {key: float(1 + d) for key, d in zip(keys, delta[1:])}}


def mdape(predicted, actual) -> float:
    return float(np.median(np.abs(np.array(predicted) - np.array(actual)) / np.array(actual)))


def evaluate(files: list[Path], parameters: dict[str, Any], as_of: dt.date | None = None) -> Report:
    """Judge against Transfermarkt-style CSV files (values in euros, players matched by name)."""
    values = [value for path in files for value in read_market_values(path)]
    if not values:
        raise ValuationDataError(f"no market values in {', '.join(map(str, files))}")
    matched, unmatched = match_players(values)
    dates = [value.date for value in matched.values() if value.date]
    as_of = as_of or (max(dates) if dates else dt.date.today())
    inputs = gather_inputs(as_of, parameters, matched)
    judged = sorted(pid for pid in matched if pid in inputs)
    if len(judged) < MIN_PLAYERS:
        raise NotEnoughData(
            f"only {len(judged)} of {len(values)} market values belong to players we have statistics for "
            f"(at least {MIN_PLAYERS} needed); import the matching seasons first")
    report = judge({pid: matched[pid].value_eur for pid in judged}, inputs, parameters, as_of, in_euros=True)
    report.files, report.values = files, len(values)
    report.unmatched_examples = [value.name for value in unmatched[:5]]
    report.against = ", ".join(str(path) for path in files)
    return report


def evaluate_reference(market: ReferenceMarket, season_id: int, parameters: dict[str, Any],
                       as_of: dt.date | None = None) -> Report:
    """Judge against a reference market's prices for one season, players with minutes only.

    Our values are taken the day before the season's first match when the players have
    statistics from before it (no look-ahead: the market priced them from the same past);
    otherwise on the season's last match day, from the season's own figures.
    """
    prices = market.prices(season_id)
    season = Season.objects.select_related("competition").get(pk=season_id)
    label = f"{market.name}, {season.competition.name} {season.name}"
    if not prices:
        raise NotEnoughData(f"{label}: no prices")
    note = ""
    if as_of is None:
        first, last = _season_span(season_id)
        as_of, note = first - dt.timedelta(days=1), "before the season, from earlier seasons' figures"
        inputs = _with_minutes(gather_inputs(as_of, parameters, prices))
        if len(inputs.keys() & prices.keys()) < MIN_PLAYERS:
            as_of, note = last, "at the season's end, from its own figures (no earlier season stored)"
            inputs = _with_minutes(gather_inputs(as_of, parameters, prices))
    else:
        inputs = _with_minutes(gather_inputs(as_of, parameters, prices))
    judged = {pid: prices[pid] for pid in sorted(inputs) if pid in prices}
    if len(judged) < MIN_PLAYERS:
        raise NotEnoughData(f"{label}: only {len(judged)} of {len(prices)} priced players have minutes we know of "
                            f"(at least {MIN_PLAYERS} needed); import the season's matches first")
    report = judge(judged, inputs, parameters, as_of, in_euros=False)
    report.values, report.against, report.unit, report.note = len(prices), label, market.unit, note
    return report


def _season_span(season_id: int) -> tuple[dt.date, dt.date]:
    kickoffs = sorted(Match.objects.filter(season_id=season_id, kickoff__isnull=False)
                      .values_list("kickoff", flat=True))
    if not kickoffs:
        raise NotEnoughData(f"season {season_id} has no matches")
    return kickoffs[0].date(), kickoffs[-1].date()


def _with_minutes(inputs: dict[int, dict]) -> dict[int, dict]:
    return {pid: row for pid, row in inputs.items() if row["minutes"] > 0}


def reference_reports(parameters: dict[str, Any], as_of: dt.date | None = None
                      ) -> tuple[list[Report], list[str]]:
    """Every registered reference market's judgement, season by season; and why any could not be judged."""
    reports, lacking = [], []
    for market in REFERENCE_MARKETS.values():
        for season_id in market.seasons():
            try:
                reports.append(evaluate_reference(market, season_id, parameters, as_of))
            except NotEnoughData as error:
                lacking.append(str(error))
    return reports, lacking


def predicted(inputs: dict, parameters: dict[str, Any]) -> float:
    """The model's value, unrounded (a reference market may price in a unit where rounding to
    euros would flatten everything)."""
    base, logs, keys = _features(inputs, parameters)
    scales = parameters.get("term_scales") or {}
    return math.exp(base + parameters.get("intercept", 0.0)
                    + sum(scales.get(key, 1.0) * log for key, log in zip(keys, logs)))


def judge(targets: dict[int, float], inputs: dict[int, dict], parameters: dict[str, Any], as_of: dt.date,
          *, in_euros: bool) -> Report:
    """Fit on the players not held out, judge on the held-out ones (``targets``: player id -> price)."""
    judged = sorted(targets)
    held = {pid for pid, name, born in Player.objects.filter(pk__in=judged).values_list("pk", "name", "birth_date")
            if is_held_out(holdout_identity(name, born))}
    train = [pid for pid in judged if pid not in held]
    held_out = [pid for pid in judged if pid in held]
    if len(held_out) < 3 or len(train) < 3:
        raise NotEnoughData(f"{len(judged)} matched players are too few to hold some out")
    features = {pid: _features(inputs[pid], parameters) for pid in judged}
    keys = features[judged[0]][2]
    fitted = {**parameters, **fit_scales([features[pid][:2] for pid in train], [targets[pid] for pid in train], keys)}
    documented = {**parameters, "term_scales": {}, "intercept": 0.0}
    if not in_euros:  # one unit factor, fitted on the training players: £m are not euros
        documented["intercept"] = float(np.median([math.log(targets[pid] / predicted(inputs[pid], documented))
                                                   for pid in train]))
    actual = [targets[pid] for pid in held_out]
    ours = [predicted(inputs[pid], fitted) for pid in held_out]
    theirs = [predicted(inputs[pid], documented) for pid in held_out]
    return Report(
        as_of=as_of, files=[], values=len(targets), matched=len(judged), unmatched_examples=[],
        train=len(train), held_out=len(held_out),
        spearman=float(spearmanr(ours, actual).statistic), spearman_documented=float(spearmanr(theirs, actual).statistic),
        mdape=mdape(ours, actual), mdape_documented=mdape(theirs, actual), parameters=fitted,
    )
