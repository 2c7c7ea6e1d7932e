"""FPL projections for a gameweek, from only what was known before its first kick-off.

What a projection for gameweek n may read (the cut-off is the gameweek's first kick-off):

- the gameweek's own FPL lines for who is in the game, in which fixture and at what price
  (the game publishes those before its deadline) — never their points, minutes or xP;
- every FPL line and player match line of matches that kicked off before the cut-off
  (this season's earlier gameweeks and earlier seasons): minutes, starts, xG, xA, cards,
  saves, bonus;
- availability statements that began before the cut-off (``players.availability.decide``
  at the cut-off): injured, suspended or unavailable = out, doubtful = FPL's chance;
- the match model's prediction of each fixture (Dixon-Coles, made before the match by
  ``markets.predictions.predict_history``) and that model's rho.

From these, ``match_inputs`` builds the simulator's sheets (``fantasy.simulation``) and
``project_gameweek`` stores the outcome as a new ``ProjectionSet`` version with its inputs.
``evaluate`` walks gameweeks and compares with what was scored and with FPL's own xP.
"""

from __future__ import annotations

import datetime as dt
import math
import time
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from django.db import transaction
from django.db.models import Max, Min

from fantasy.models import FplPlayerFixture, Game, Projection, ProjectionSet
from fantasy.simulation import MatchInput, PlayerOutcome, Shares, TeamSheet, default_bonus_table, simulate_matches
from markets.models import Prediction, RatingModel
from matches.models import Match, Season
from players.availability import decide
from players.models import Player, PlayerAvailability, PlayerMatchStats

DEFAULT_SIMULATIONS = 3000
RECENT_MATCHES = 8  # the minutes model reads his last eight fixtures
RECENCY = 0.85  # weight of each older fixture in the minutes model
RATE_RECENCY = 0.97  # per-fixture decay of the xG/xA/card rates
PRIOR_MINUTES = 450  # rates shrink towards the position's mean as if he had played five matches at it
PRIOR_FIXTURES = 0.5  # the minutes model's prior counts as half a fixture
NEW_PLAYER = {"start": 0.15, "sixty": 0.6, "bench": 0.15}  # no earlier line at all
HISTORY = dt.timedelta(days=400)  # the lines read: this season's and last season's
SEED = 20231  # one seed: the same inputs give the same projections


class ProjectionError(ValueError):
    """Nothing to project (unknown season, no lines for the gameweek)."""


@dataclass
class GameweekInputs:
    season: Season
    gameweek: int
    cutoff: dt.datetime
    matches: list[MatchInput]
    shares: Shares
    record: dict  # what goes into ProjectionSet.inputs


def gameweek_cutoff(season: Season, gameweek: int) -> dt.datetime:
    first = (FplPlayerFixture.objects.filter(season=season, gameweek=gameweek)
             .aggregate(first=Min("match__kickoff"))["first"])
    if first is None:
        raise ProjectionError(f"{season}: no FPL lines for gameweek {gameweek}")
    return first


def gameweek_clubs(season: Season, gameweek: int) -> dict[int, int]:
    """Player -> the club he plays the gameweek for, as known before it (the optimizer's "3 per club"):
    the team of his latest earlier match that is in his gameweek fixture, else the availability
    statement's team; a player with neither (a new face) is left out. Four queries."""
    cutoff = gameweek_cutoff(season, gameweek)
    lines = list(FplPlayerFixture.objects.filter(season=season, gameweek=gameweek)
                 .values_list("player_id", "match__home_team_id", "match__away_team_id", "match_id"))
    player_ids = [player for player, _, _, _ in lines]
    latest: dict[int, int] = {}
    for player, team in (PlayerMatchStats.objects.filter(player_id__in=player_ids, match__kickoff__lt=cutoff,
                                                         match__kickoff__gte=cutoff - HISTORY)
                         .order_by("player_id", "-match__kickoff").values_list("player_id", "team_id")):
        latest.setdefault(player, team)
    availability = _availability(player_ids, cutoff, [match for _, _, _, match in lines])
    clubs = {}
    for player, home, away, _ in lines:
        for team in (latest.get(player), availability.get(player, (None, None, None))[2]):
            if team in (home, away):
                clubs.setdefault(player, team)
    return clubs


def match_inputs(season: Season, gameweek: int) -> GameweekInputs:
    """The simulator's inputs for a gameweek, read in a fixed number of queries."""
    cutoff = gameweek_cutoff(season, gameweek)
    lines = list(FplPlayerFixture.objects.filter(season=season, gameweek=gameweek)
                 .values_list("player_id", "match_id", "price"))
    player_ids = sorted({player for player, _, _ in lines})
    match_ids = sorted({match for _, match, _ in lines})
    matches = {row[0]: row for row in Match.objects.filter(pk__in=match_ids)
               .values_list("pk", "home_team_id", "away_team_id", "kickoff")}
    positions = dict(Player.objects.filter(pk__in=player_ids).values_list("pk", "position"))

    # Earlier FPL lines (every fixture he was in the game for, 0 minutes included) and match lines.
    since = cutoff - HISTORY
    earlier = list(FplPlayerFixture.objects.filter(player_id__in=player_ids, match__kickoff__lt=cutoff,
                                                   match__kickoff__gte=since)
                   .order_by("-match__kickoff").values_list("player_id", "match_id", "bonus"))
    stats = {(row[0], row[1]): row[2:] for row in PlayerMatchStats.objects.filter(
        player_id__in=player_ids, match__kickoff__lt=cutoff, match__kickoff__gte=since).values_list(
        "player_id", "match_id", "minutes", "started", "xg", "xa", "yellow_cards", "red_cards", "saves", "team_id",
        "goals", "assists", "clean_sheet")}
    history: dict[int, list[tuple]] = defaultdict(list)
    for player, match, bonus in earlier:
        line = stats.get((player, match))
        history[player].append((line, bonus))

    shares = _league_shares(history, positions)
    means = _position_means(history, positions)
    availability = _availability(player_ids, cutoff, match_ids)
    predictions, rho, model_version = _predictions(match_ids)

    sides: dict[tuple[int, int], list] = defaultdict(list)
    unknown_team = 0
    for player, match, price in lines:
        _, home, away, _ = matches[match]
        team = next((line[7] for line, _ in history[player] if line is not None), None)
        if team not in (home, away):
            team = availability.get(player, (None, None, None))[2]
            if team not in (home, away):
                unknown_team += 1
                team = home  # a new face with no line yet: his side matters little at his minutes
        sides[(match, team)].append((player, float(price)))

    inputs = []
    missing_predictions = []
    for match in match_ids:
        _, home, away, _ = matches[match]
        if match in predictions:
            home_rate, away_rate = predictions[match]
        else:
            missing_predictions.append(match)
            home_rate, away_rate = 1.5, 1.2  # the league's typical score when the model has nothing
        inputs.append(MatchInput(
            home_rate=home_rate, away_rate=away_rate, rho=rho, match_id=match,
            home=_sheet(sides[(match, home)], history, positions, means, availability, match),
            away=_sheet(sides[(match, away)], history, positions, means, availability, match)))
    record = {
        "game": Game.FPL, "season": season.name, "gameweek": gameweek, "cutoff": cutoff.isoformat(),
        "players": len(player_ids), "matches": len(match_ids), "earlier_fpl_lines": len(earlier),
        "earlier_match_lines": len(stats), "availability_statements": len(availability),
        "prediction_model": model_version, "rho": rho, "matches_without_prediction": missing_predictions,
        "players_without_team": unknown_team, "assist_share": round(shares.assist_share, 4),
        "own_goal_share": shares.own_goal_share,
        "settings": {"history_days": HISTORY.days, "recent_matches": RECENT_MATCHES, "recency": RECENCY,
                     "rate_recency": RATE_RECENCY,
                     "prior_minutes": PRIOR_MINUTES, "seed": SEED},
    }
    return GameweekInputs(season, gameweek, cutoff, inputs, shares, record)


def _predictions(match_ids: list[int]) -> tuple[dict[int, tuple[float, float]], float, str | None]:
    """The newest Dixon-Coles prediction of each match, and rho of the newest model among them.

    A prediction stores no rho; its model's parameters are where its walk ended, so rho (one
    scalar, 0.002 for the Premier League walk) is the one input fitted past the cut-off."""
    rows = list(Prediction.objects.filter(match_id__in=match_ids, model__kind=RatingModel.Kind.DIXON_COLES,
                                          expected_home_goals__isnull=False)
                .order_by("match_id", "-model__version")
                .values_list("match_id", "expected_home_goals", "expected_away_goals", "model_id"))
    found: dict[int, tuple[float, float]] = {}
    models = set()
    for match, home, away, model in rows:
        if match not in found:
            found[match] = (home, away)
            models.add(model)
    rho, version = 0.0, None
    if models:
        model = RatingModel.objects.filter(pk__in=models).order_by("-version").first()
        rho = float((model.parameters or {}).get("rho", 0.0))
        version = str(model)
    return found, rho, version


def _availability(player_ids: list[int], cutoff: dt.datetime, match_ids: list[int]) -> dict[int, tuple]:
    """{player: (status, chance %, team)} of the statement that held at the cut-off."""
    rows: dict[int, list[PlayerAvailability]] = defaultdict(list)
    for row in PlayerAvailability.objects.filter(player_id__in=player_ids, valid_from__lte=cutoff):
        if row.match_id is None or row.match_id in match_ids:
            rows[row.player_id].append(row)
    held = {}
    for player, statements in rows.items():
        verdict = decide(statements, cutoff)
        if verdict is not None:
            held[player] = (verdict.status, verdict.winner.chance_of_playing, verdict.winner.team_id)
    return held


def _league_shares(history: dict[int, list[tuple]], positions: dict[int, str]) -> Shares:
    """Assist share and the bonus table, counted from the earlier lines we read."""
    goals = assists = 0
    sums = np.zeros((4, 3, 2, 2, 2))
    counts = np.zeros((4, 3, 2, 2, 2))
    position_index = {"GK": 0, "DF": 1, "MF": 2, "FW": 3}
    for player, fixtures in history.items():
        index = position_index.get(positions.get(player))
        for line, bonus in fixtures:
            if line is None:
                continue
            minutes, _, _, _, _, _, _, _, scored, assisted, clean = line
            goals += scored
            assists += assisted
            if index is not None:
                cell = (index, min(scored, 2), min(assisted, 1), int(bool(clean)), int(minutes >= 60))
                sums[cell] += bonus
                counts[cell] += 1
    table = (sums + 5 * default_bonus_table()) / (counts + 5)
    share = assists / goals if goals >= 50 else 0.75
    return Shares(assist_share=min(share, 0.95), bonus_table=table)


def _position_means(history: dict[int, list[tuple]], positions: dict[int, str]) -> dict[str, dict[str, float]]:
    """Per-90 xG, xA, cards and (goalkeepers) saves of each position over the earlier lines."""
    totals: dict[str, np.ndarray] = defaultdict(lambda: np.zeros(7))
    for player, fixtures in history.items():
        position = positions.get(player)
        for line, _ in fixtures:
            if line is None:
                continue
            minutes, _, xg, xa, yellow, red, saves = line[:7]
            totals[position] += (minutes, xg or 0, xa or 0, yellow, red, saves or 0,
                                 minutes if xg is not None else 0)
    means = {}
    defaults = {"GK": (0.0, 0.01), "DF": (0.05, 0.05), "MF": (0.15, 0.12), "FW": (0.35, 0.1)}
    for position in ("GK", "DF", "MF", "FW"):
        minutes, xg, xa, yellow, red, saves, expected_minutes = totals[position]
        if expected_minutes < 900:
            xg90, xa90 = defaults[position]
            means[position] = {"xg": xg90, "xa": xa90, "yellow": 0.15, "red": 0.005, "saves": 2.8}
        else:
            per90 = 90 / minutes
            means[position] = {"xg": xg * 90 / expected_minutes, "xa": xa * 90 / expected_minutes,
                               "yellow": yellow * per90, "red": red * per90, "saves": saves * per90}
    return means


def _sheet(side: list[tuple[int, float]], history, positions, means, availability, match_id) -> TeamSheet:
    count = len(side)
    values = {name: np.zeros(count) for name in ("start", "sixty", "bench", "xg", "xa", "yellow", "red", "saves")}
    position_list = []
    for i, (player, price) in enumerate(side):
        position = positions.get(player) or "MF"
        position_list.append(position)
        fixtures = history[player]
        minutes_model = _minutes_model(fixtures)
        status, chance, _ = availability.get(player, (None, None, None))
        if status in PlayerAvailability.MISSING:
            factor = 0.0
        elif status == PlayerAvailability.Status.DOUBTFUL:
            factor = (chance if chance is not None else 50) / 100
        else:
            factor = 1.0
        values["start"][i] = minutes_model["start"] * factor
        values["bench"][i] = minutes_model["bench"] * factor
        values["sixty"][i] = minutes_model["sixty"]
        mean = means[position]
        rates = _rates(fixtures, mean, price, position)
        for name in ("xg", "xa", "yellow", "red"):
            values[name][i] = rates[name]
        values["saves"][i] = rates["saves"] / 1.35 if position == "GK" else 0.0  # saves per opponent goal expected
    return TeamSheet(
        player_ids=np.array([player for player, _ in side], dtype=np.int64), positions=np.array(position_list),
        start=values["start"], sixty=values["sixty"], bench=values["bench"], xg90=values["xg"],
        xa90=values["xa"], yellow90=values["yellow"], red90=values["red"], saves_per_xg=values["saves"])


def _minutes_model(fixtures: list[tuple]) -> dict[str, float]:
    """P(start), P(60+ | start) and P(on | not started) from his last fixtures, shrunk to a newcomer's."""
    recent = fixtures[:RECENT_MATCHES]
    if not recent:
        return dict(NEW_PLAYER)
    weights = RECENCY ** np.arange(len(recent))
    minutes = np.array([line[0] if line else 0 for line, _ in recent], dtype=float)
    # Seasons whose files do not say who started (2022/23): 45+ minutes counts as a start.
    started = np.array([(line[1] if line[1] is not None else line[0] >= 45) if line else False
                        for line, _ in recent], dtype=float)
    came_on = (started == 0) & (minutes > 0)
    total = weights.sum()
    start = (weights @ started + PRIOR_FIXTURES * NEW_PLAYER["start"]) / (total + PRIOR_FIXTURES)
    start_weight = weights @ started
    sixty = (weights @ (started * (minutes >= 60)) + 1.0 * 0.8) / (start_weight + 1.0)
    benched = weights @ (1 - started)
    bench = (weights @ came_on + 1.0 * NEW_PLAYER["bench"]) / (benched + 1.0)
    return {"start": float(start), "sixty": float(sixty), "bench": float(bench)}


def _rates(fixtures: list[tuple], mean: dict[str, float], price: float, position: str) -> dict[str, float]:
    """Per-90 rates over his earlier match lines (recent ones weigh more), shrunk to the position's mean.

    The prior leans on the price: FPL prices what it expects of an attacker, so a £12m
    forward's prior xG is above a £5m forward's (scaled by price over £5.5m, capped)."""
    quality = min(max(price / 5.5, 0.6), 2.5) if position in ("MF", "FW") else 1.0
    sums = np.zeros(7)  # minutes, xG, xA, yellows, reds, saves, minutes of lines that give xG
    weight = 1.0
    for line, _ in fixtures:
        if line is not None:
            minutes, _, xg, xa, yellow, red, saves = line[:7]
            # FPL left xG empty before gameweek 16 of 2022/23: those minutes say nothing of his xG.
            sums += weight * np.array([minutes, xg or 0, xa or 0, yellow, red, saves or 0,
                                       minutes if xg is not None else 0])
        weight *= RATE_RECENCY
    minutes = sums[0] + PRIOR_MINUTES
    expected_minutes = sums[6] + PRIOR_MINUTES
    prior = PRIOR_MINUTES / 90
    return {
        "xg": (sums[1] + prior * mean["xg"] * quality) * 90 / expected_minutes,
        "xa": (sums[2] + prior * mean["xa"] * quality) * 90 / expected_minutes,
        "yellow": (sums[3] + prior * mean["yellow"]) * 90 / minutes,
        "red": (sums[4] + prior * mean["red"]) * 90 / minutes,
        "saves": (sums[5] + prior * mean["saves"]) * 90 / minutes,
    }


def simulate_gameweek(season: Season, gameweek: int, *, simulations: int = DEFAULT_SIMULATIONS
                      ) -> tuple[GameweekInputs, list[PlayerOutcome]]:
    inputs = match_inputs(season, gameweek)
    outcomes = simulate_matches(inputs.matches, simulations=simulations, shares=inputs.shares,
                                seed=SEED + gameweek)
    return inputs, outcomes


def project_gameweek(season: Season, gameweek: int, *, simulations: int = DEFAULT_SIMULATIONS) -> ProjectionSet:
    """Simulate the gameweek and store it as the next version of its projection set (one transaction)."""
    inputs, outcomes = simulate_gameweek(season, gameweek, simulations=simulations)
    with transaction.atomic():
        version = (ProjectionSet.objects.filter(game=Game.FPL, kind=ProjectionSet.Kind.SIMULATION, season=season,
                                                gameweek=gameweek).aggregate(last=Max("version"))["last"] or 0) + 1
        projection_set = ProjectionSet.objects.create(
            game=Game.FPL, kind=ProjectionSet.Kind.SIMULATION, season=season, gameweek=gameweek, version=version,
            inputs={**inputs.record, "simulations": simulations})
        Projection.objects.bulk_create([Projection(
            projection_set=projection_set, player_id=outcome.player_id, match_id=outcome.match_id,
            points=outcome.points, median=outcome.median, p10=outcome.p10, p90=outcome.p90, minutes=outcome.minutes,
            play_probability=min(1.0, outcome.play_probability), sixty_probability=outcome.sixty_probability,
            goals=outcome.goals, assists=outcome.assists, clean_sheet=outcome.clean_sheet, bonus=outcome.bonus,
        ) for outcome in outcomes], batch_size=500)
    return projection_set


@dataclass
class Scores:
    rows: int = 0
    mae: float = math.nan
    corr: float = math.nan
    xp_mae: float = math.nan
    xp_corr: float = math.nan
    prior_xp_mae: float = math.nan
    prior_xp_corr: float = math.nan
    prior_xp_rows: int = 0


@dataclass
class Evaluation:
    season: Season
    gameweeks: list[int]
    overall: Scores
    by_position: dict[str, Scores]
    median_mae: float = math.nan  # our medians' MAE, for reference (MAE favours a median)
    seconds: float = 0.0


def _corr(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson's correlation; nan when either side is constant."""
    if a.std() == 0 or b.std() == 0:
        return math.nan
    return float(np.corrcoef(a, b)[0, 1])


def _scores(ours: np.ndarray, xp: np.ndarray, actual: np.ndarray, prior_xp: np.ndarray) -> Scores:
    if len(actual) < 2:
        return Scores(rows=len(actual))
    scores = Scores(rows=len(actual), mae=float(np.abs(ours - actual).mean()), corr=_corr(ours, actual),
                    xp_mae=float(np.abs(xp - actual).mean()), xp_corr=_corr(xp, actual))
    known = ~np.isnan(prior_xp)
    if known.sum() >= 2:
        scores.prior_xp_rows = int(known.sum())
        scores.prior_xp_mae = float(np.abs(prior_xp[known] - actual[known]).mean())
        scores.prior_xp_corr = _corr(prior_xp[known], actual[known])
    return scores


def evaluate(season: Season, from_gw: int = 5, to_gw: int | None = None, *,
             simulations: int = DEFAULT_SIMULATIONS, progress=None) -> Evaluation:
    """Project each gameweek from what was known before it (nothing stored) and score the players who played.

    Rows: FPL lines with minutes > 0 and FPL's xP given; ours and xP are judged on the same rows.

    ``prior_xp``: the xP of his latest line of an earlier gameweek. The gameweek files'
    own xP is FPL's figure as collected after the gameweek was played (it moves with the
    gameweek's own points: over 2023/24 it correlates 0.60 with the gameweek's points of
    the players who played and 0.60 with the previous gameweek's, while the previous
    file's xP correlates 0.23 with them), so the last one recorded before the gameweek is
    the fair like-for-like; both are reported."""
    started = time.perf_counter()
    last = to_gw or FplPlayerFixture.objects.filter(season=season).aggregate(last=Max("gameweek"))["last"] or 0
    gameweeks = [gw for gw in range(from_gw, last + 1)
                 if FplPlayerFixture.objects.filter(season=season, gameweek=gw).exists()]
    ours, medians, xps, actuals, position_of, prior_xps = [], [], [], [], [], []
    xp_by_gameweek: dict[int, dict[int, float]] = defaultdict(dict)  # gameweek -> player -> xP (first fixture)
    for player, gameweek, xp in (FplPlayerFixture.objects.filter(season=season, expected_points__isnull=False)
                                 .order_by("gameweek", "-match__kickoff")
                                 .values_list("player_id", "gameweek", "expected_points")):
        xp_by_gameweek[gameweek][player] = xp
    for gameweek in gameweeks:
        _, outcomes = simulate_gameweek(season, gameweek, simulations=simulations)
        projected = {(outcome.player_id, outcome.match_id): outcome for outcome in outcomes}
        rows = (FplPlayerFixture.objects.filter(season=season, gameweek=gameweek, expected_points__isnull=False)
                .values_list("player_id", "match_id", "total_points", "expected_points", "player__position"))
        minutes = dict(((player, match), minutes) for player, match, minutes in PlayerMatchStats.objects.filter(
            match__in=[match for _, match in projected], minutes__gt=0).values_list("player_id", "match_id",
                                                                                    "minutes"))
        for player, match, points, xp, position in rows:
            if minutes.get((player, match), 0) <= 0 or (player, match) not in projected:
                continue
            outcome = projected[(player, match)]
            ours.append(outcome.points)
            medians.append(outcome.median)
            xps.append(xp)
            actuals.append(points)
            position_of.append(position)
            prior_xps.append(next((xp_by_gameweek[earlier][player] for earlier in range(gameweek - 1, 0, -1)
                                   if player in xp_by_gameweek[earlier]), math.nan))
        if progress:
            progress(f"GW{gameweek}: {len(actuals)} rows so far")
    ours_a, xp_a, actual_a = np.array(ours), np.array(xps), np.array(actuals)
    prior_a = np.array(prior_xps, dtype=float)
    positions = np.array(position_of)
    by_position = {position: _scores(ours_a[positions == position], xp_a[positions == position],
                                     actual_a[positions == position], prior_a[positions == position])
                   for position in ("GK", "DF", "MF", "FW")}
    evaluation = Evaluation(season, gameweeks, _scores(ours_a, xp_a, actual_a, prior_a), by_position,
                            median_mae=float(np.abs(np.array(medians) - actual_a).mean()) if actuals else math.nan)
    evaluation.seconds = time.perf_counter() - started
    return evaluation
