"""Player market values: a documented, versioned model whose every figure explains itself.

The model (version 1's constants are ``DEFAULT_PARAMETERS``) is multiplicative, so each
input is one factor and the page can show the value term by term::

    value = base(position) × age × minutes × output × team × league × red cards

- base: what a regular of peak age in an average team of a Premier-League-strength
  league with his position's usual output is worth.
- age: 1 at ``age_peak``; falls off as exp(-k·years²), gently below the peak (potential
  is priced), steeply above it (resale falls). Unknown age: 1.
- minutes: his share of his teams' minutes, (share + 0.1)/(regular share + 0.1) raised
  to ``minutes_weight``: a regular is worth several times a squad player.
- output: per 90 minutes, ½ goals + ½ xG + 0.8 assists, shrunk towards his position's
  norm by ``output_prior_minutes`` (a hat-trick in a cameo is not a season), and
  exp(weight × (output − norm)) with a weight per position (0 for goalkeepers), the
  excess capped at ``output_cap``.
- team: exp(team_weight × (points per game − team_ppg_norm)) over his latest team's games,
  shrunk towards the norm by ``team_prior_games`` (one win is not a great team).
- league: the minutes-weighted strength of the competitions he played in (1 = Premier League).
- red cards: ``red_card_factor`` per red card.

His figures are his seasons of the last ``window_days`` before his latest season ended
(``players.PlayerSeasonStats``, so finished matches only). A fitted version keeps these
shapes and rescales each term's logarithm (``term_scales``, plus an ``intercept``):
``evaluate_valuations --save`` fits them to real market values.

Writers: ``recompute_all`` (the Monday job: one value per player a day, run again it
rewrites the same rows) and ``record_after_match`` (a finished match's players).
``markets.valuation_live`` moves a value during a match with the same terms.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Min, OuterRef, Subquery
from django.utils import timezone

from markets.models import PlayerValue, ValuationModel
from matches.models import Match, Team, TeamSeasonStats
from players.models import Player, PlayerSeasonStats

logger = logging.getLogger(__name__)

POSITIONS = ("GK", "DF", "MF", "FW")

DEFAULT_PARAMETERS: dict[str, Any] = {
    "base_eur": {"GK": 5_000_000, "DF": 9_000_000, "MF": 11_000_000, "FW": 13_000_000},
    "age_peak": 26,
    "age_young": 0.012,
    "age_old": 0.035,
    "regular_share": 0.85,
    "minutes_weight": 0.9,
    "output_weights": {"GK": 0.0, "DF": 2.5, "MF": 2.0, "FW": 1.6},
    "output_norms": {"GK": 0.0, "DF": 0.08, "MF": 0.22, "FW": 0.45},
    "output_prior_minutes": 450,
    "output_cap": 0.6,
    "team_weight": 0.6,
    "team_ppg_norm": 1.4,
    "team_prior_games": 5,
    # Competition name fragments, first match wins ("2. Bundesliga" before "Bundesliga").
    "league_strength": [
        ["champions league", 1.1], ["premier league", 1.0], ["la liga", 0.8], ["2. bundesliga", 0.3],
        ["bundesliga", 0.75], ["serie a", 0.72], ["ligue 1", 0.6], ["euro", 0.9], ["world cup", 0.95],
        ["copa america", 0.8], ["eredivisie", 0.45], ["primeira liga", 0.45], ["championship", 0.35],
    ],
    "league_default": 0.35,
    "red_card_factor": 0.97,
    "window_days": 365,
    "term_scales": {},
    "intercept": 0.0,
}

DESCRIPTION = ("Performance-based value: base by position × age curve × share of minutes × per-90 output "
               "(goals, xG, assists) × team points per game × league strength × red cards.")

AGE_BANDS = (("u21", "Under 21", None, 20), ("21-23", "21–23", 21, 23), ("24-27", "24–27", 24, 27),
             ("28-30", "28–30", 28, 30), ("31+", "31 and over", 31, None))


@dataclass(frozen=True)
class Term:
    key: str
    label: str
    detail: str
    factor: float


@dataclass(frozen=True)
class Valuation:
    value_eur: int
    terms: list[Term]


def current_model() -> ValuationModel:
    """The highest version; version 1 (the documented defaults) is created on first use."""
    model = ValuationModel.objects.order_by("-version").first()
    if model is None:
        model, _ = ValuationModel.objects.get_or_create(
            version=1, defaults={"parameters": DEFAULT_PARAMETERS, "description": DESCRIPTION})
    return model


# --- the model: pure functions of a player's inputs -------------------------------------------

def league_strength(name: str, parameters: Mapping[str, Any]) -> float:
    folded = name.casefold()
    for fragment, strength in parameters["league_strength"]:
        if fragment in folded:
            return strength
    return parameters["league_default"]


def output_per_90(inputs: Mapping[str, Any]) -> float | None:
    """½ goals + ½ xG + 0.8 assists per 90 (goals stand in for xG when no shot had any)."""
    minutes = inputs["minutes"]
    if minutes <= 0:
        return None
    xg = inputs["xg"] if inputs.get("xg") is not None else inputs["goals"]
    return (0.5 * inputs["goals"] + 0.5 * xg + 0.8 * inputs["assists"]) * 90 / minutes


def terms_of(inputs: Mapping[str, Any], parameters: Mapping[str, Any]) -> list[Term]:
    """Each factor the value is made of, with what it read, in the order the page explains them."""
    position = inputs["position"]
    terms = []

    age, peak = inputs.get("age"), parameters["age_peak"]
    if age is None:
        terms.append(Term("age", "Age", "unknown", 1.0))
    else:
        k = parameters["age_young"] if age < peak else parameters["age_old"]
        terms.append(Term("age", "Age", f"{age} (peak {peak})", math.exp(-k * (age - peak) ** 2)))

    minutes, team_minutes = inputs["minutes"], inputs["team_minutes"]
    share = min(1.0, minutes / team_minutes) if team_minutes else 0.0
    regular = parameters["regular_share"]
    terms.append(Term("minutes", "Minutes", f"{minutes:,} of {team_minutes:,} ({share:.0%})",
                      ((share + 0.1) / (regular + 0.1)) ** parameters["minutes_weight"]))

    norm, weight = parameters["output_norms"][position], parameters["output_weights"][position]
    output = output_per_90(inputs)
    prior = parameters["output_prior_minutes"]
    shrunk = norm if output is None else (output * minutes + norm * prior) / (minutes + prior)
    # Beyond the cap more output adds nothing: a few lucky cameos must not outprice a season.
    above = min(shrunk - norm, parameters["output_cap"])
    xg = "–" if inputs.get("xg") is None else f"{inputs['xg']:.1f}"
    goals, assists = inputs["goals"], inputs["assists"]
    terms.append(Term("output", "Output per 90",
                      f"{goals} goal{'s' * (goals != 1)}, {xg} xG, {assists} assist{'s' * (assists != 1)}: "
                      f"{shrunk:.2f} vs {norm:.2f} for the position", math.exp(weight * above)))

    points, played, norm_ppg = inputs.get("team_points", 0), inputs.get("team_played", 0), parameters["team_ppg_norm"]
    if not played:
        terms.append(Term("team", "Team strength", "no results", 1.0))
    else:
        prior = parameters["team_prior_games"]
        ppg = (points + norm_ppg * prior) / (played + prior)  # a few games say little: shrunk to the norm
        terms.append(Term("team", "Team strength",
                          f"{inputs.get('team_name') or 'his team'}: {points} points from {played} games "
                          f"({ppg:.2f} a game, shrunk)", math.exp(parameters["team_weight"] * (ppg - norm_ppg))))

    leagues = inputs.get("leagues") or []
    total = sum(played for _, played in leagues)
    if leagues:
        strength = (sum(league_strength(name, parameters) * played for name, played in leagues) / total if total
                    else league_strength(leagues[-1][0], parameters))
        names = ", ".join(name for name, _ in leagues)
        terms.append(Term("league", "League strength", f"{names}: {strength:.2f}", strength))
    else:
        terms.append(Term("league", "League strength", "no competition", parameters["league_default"]))

    reds = inputs.get("red_cards", 0)
    terms.append(Term("discipline", "Red cards", str(reds), parameters["red_card_factor"] ** reds))
    return _scaled(terms, parameters)


def _scaled(terms: list[Term], parameters: Mapping[str, Any]) -> list[Term]:
    """A fitted version rescales each term's logarithm (1 = as documented)."""
    scales = parameters.get("term_scales") or {}
    return [Term(t.key, t.label, t.detail, t.factor ** scales.get(t.key, 1.0)) for t in terms]


def value_of(inputs: Mapping[str, Any], parameters: Mapping[str, Any]) -> Valuation:
    terms = terms_of(inputs, parameters)
    value = parameters["base_eur"][inputs["position"]] * math.exp(parameters.get("intercept", 0.0))
    for term in terms:
        value *= term.factor
    return Valuation(round_value(value), terms)


def round_value(value: float) -> int:
    """Three significant figures, as market values are quoted (€12.4m, €850k)."""
    if value <= 0:
        return 0
    step = 10 ** max(0, int(math.floor(math.log10(value))) - 2)
    return int(round(value / step) * step)


def explanation(row: PlayerValue) -> list[dict]:
    """The stored terms as a waterfall: the base, then each factor and what it adds in euros."""
    parameters = row.model.parameters
    position = row.inputs["position"]
    running = parameters["base_eur"][position] * math.exp(parameters.get("intercept", 0.0))
    steps = [{"label": f"Base value for a {dict(Player.Position.choices)[position].lower()}", "detail": "",
              "factor": None, "change": None, "running": running}]
    for key, label, detail, factor in row.terms:
        before, running = running, running * factor
        steps.append({"key": key, "label": label, "detail": detail, "factor": factor, "change": running - before,
                      "running": running})
    return steps


def age_band(age: int | None) -> str:
    if age is None:
        return ""
    for key, _, low, high in AGE_BANDS:
        if (low is None or age >= low) and (high is None or age <= high):
            return key
    return ""


# --- inputs: a player's recent seasons, in a fixed number of queries ---------------------------

def gather_inputs(as_of: dt.date, parameters: Mapping[str, Any], player_ids: Iterable[int] | None = None
                  ) -> dict[int, dict[str, Any]]:
    """Each player's inputs on ``as_of`` (players with at least one season row), in six queries."""
    rows = PlayerSeasonStats.objects.all()
    if player_ids is not None:
        rows = rows.filter(player_id__in=list(player_ids))
    rows = list(rows.values("player_id", "season_id", "team_id", "team__name", "team__short_name", "team__kind",
                            "season__competition_id", "season__competition__name", "minutes", "goals",
                            "assists", "xg", "red_cards"))
    season_ids = {row["season_id"] for row in rows}
    spans = {row["season_id"]: (row["first"], row["last"]) for row in Match.objects.filter(
        season_id__in=season_ids, status=Match.Status.FINISHED).values("season_id").annotate(
        first=Min("kickoff"), last=Max("kickoff"))}
    teams = {(row["team_id"], row["season_id"]): row for row in TeamSeasonStats.objects.filter(
        season_id__in=season_ids).values("team_id", "season_id", "played", "won", "drawn",
                                         "season__competition__points_for_win",
                                         "season__competition__points_for_draw")}
    by_player: dict[int, list[dict]] = defaultdict(list)
    day_end = dt.datetime.combine(as_of, dt.time.max, tzinfo=dt.UTC)
    for row in rows:
        first, last = spans.get(row["season_id"], (None, None))
        if first is None or first > day_end:
            continue  # nothing played yet (or a season after the valuation day)
        row["last"] = min(last, day_end)
        by_player[row["player_id"]].append(row)
    players = Player.objects.in_bulk(list(by_player), field_name="pk")
    lineup_positions = _lineup_positions([pk for pk, player in players.items() if not player.position])

    inputs = {}
    window = dt.timedelta(days=parameters["window_days"])
    for player_id, seasons in by_player.items():
        latest = max(row["last"] for row in seasons)
        recent = [row for row in seasons if row["last"] >= latest - window]
        inputs[player_id] = _inputs(players[player_id], recent, teams, as_of, lineup_positions.get(player_id))
    return inputs


def _inputs(player: Player, seasons: list[dict], teams: dict, as_of: dt.date, lineup_position: str | None) -> dict:
    clubs = [row for row in seasons if row["team__kind"] == Team.Kind.CLUB] or seasons
    home = max(clubs, key=lambda row: (row["last"], row["minutes"]))  # his latest club (national team otherwise)
    team_minutes = points = played = 0
    for row in seasons:
        team = teams.get((row["team_id"], row["season_id"]))
        if team is None:
            continue
        team_minutes += team["played"] * 90
        if row["team_id"] == home["team_id"]:
            played += team["played"]
            points += (team["won"] * team["season__competition__points_for_win"]
                       + team["drawn"] * team["season__competition__points_for_draw"])
    leagues: Counter = Counter()
    for row in seasons:
        leagues[row["season__competition__name"]] += row["minutes"]
    xgs = [row["xg"] for row in seasons if row["xg"] is not None]
    return {
        "position": player.position or lineup_position or "MF",
        "age": player.age_on(as_of),
        "minutes": sum(row["minutes"] for row in seasons),
        "team_minutes": team_minutes,
        "goals": sum(row["goals"] for row in seasons),
        "assists": sum(row["assists"] for row in seasons),
        "xg": round(sum(xgs), 2) if xgs else None,
        "red_cards": sum(row["red_cards"] for row in seasons),
        "team_id": home["team_id"],
        "team_name": home["team__short_name"] or home["team__name"],
        "team_points": points,
        "team_played": played,
        "competition_id": home["season__competition_id"],
        "leagues": [[name, minutes] for name, minutes in sorted(leagues.items(), key=lambda item: -item[1])],
        "seasons": sorted({row["season_id"] for row in seasons}),
    }


def _lineup_positions(player_ids: list[int]) -> dict[int, str]:
    """GK/DF/MF/FW from the positions a player's lineups give most often (StatsBomb's "Left Center Back" …)."""
    if not player_ids:
        return {}
    from matches.models import LineupEntry

    counts: dict[int, Counter] = defaultdict(Counter)
    for row in LineupEntry.objects.filter(player_id__in=player_ids).exclude(position="").values(
            "player_id", "position"):
        counts[row["player_id"]][position_group(row["position"])] += 1
    return {player_id: counter.most_common(1)[0][0] for player_id, counter in counts.items()}


def position_group(position: str) -> str:
    from matches.fragments import position_rank  # fragments imports the live values: import it late

    if len(position) <= 3 and position.upper() in POSITIONS:
        return position.upper()
    rank = position_rank(position)
    return {0: "GK", 1: "DF", 2: "MF", 3: "MF", 4: "FW", 5: "FW"}.get(rank, "MF")


# --- writers ------------------------------------------------------------------------------------

STORED_FIELDS = ["value_eur", "inputs", "terms", "team", "competition", "position", "age"]


def _row(player_id: int, model: ValuationModel, as_of: dt.date, inputs: dict, **extra) -> PlayerValue:
    valuation = value_of(inputs, model.parameters)
    return PlayerValue(player_id=player_id, model=model, as_of=as_of, value_eur=valuation.value_eur, inputs=inputs,
                       terms=[[t.key, t.label, t.detail, t.factor] for t in valuation.terms],
                       team_id=inputs["team_id"], competition_id=inputs["competition_id"],
                       position=inputs["position"], age=inputs["age"], **extra)


@transaction.atomic
def recompute_all(as_of: dt.date | None = None) -> str:
    """The Monday job: every player with a season row valued once on ``as_of`` (default today).

    Idempotent: a second run the same day rewrites the same rows; each Monday adds a row to
    every player's history. One transaction: the board never shows half a recompute.
    """
    as_of = as_of or timezone.localdate()
    model = current_model()
    inputs = gather_inputs(as_of, model.parameters)
    stored = dict(PlayerValue.objects.filter(model=model, as_of=as_of, kind=PlayerValue.Kind.WEEKLY)
                  .values_list("player_id", "pk"))
    rows = [_row(player_id, model, as_of, player_inputs, kind=PlayerValue.Kind.WEEKLY)
            for player_id, player_inputs in inputs.items()]
    new = [row for row in rows if row.player_id not in stored]
    old = [row for row in rows if row.player_id in stored]
    for row in old:
        row.pk = stored[row.player_id]
    PlayerValue.objects.bulk_create(new, batch_size=500)
    PlayerValue.objects.bulk_update(old, STORED_FIELDS, batch_size=500)
    refresh_current(inputs)
    return (f"valued {len(rows)} players on {as_of} with valuation model v{model.version} "
            f"({len(new)} new, {len(old)} recomputed)")


def record_after_match(matches: list[Match]) -> int:
    """After a final whistle (``matches.services.after_finish``): the value of everyone who played.

    Runs after the players' season figures include the match (players registers first).
    """
    stored = 0
    for match in matches:
        with transaction.atomic():
            model = current_model()
            player_ids = played_in(match)
            day = timezone.localdate(match.kickoff)
            inputs = gather_inputs(day, model.parameters, player_ids)
            existing = dict(PlayerValue.objects.filter(match=match, kind=PlayerValue.Kind.AFTER_MATCH)
                            .values_list("player_id", "pk"))
            rows = [_row(player_id, model, day, player_inputs, kind=PlayerValue.Kind.AFTER_MATCH, match=match)
                    for player_id, player_inputs in inputs.items()]
            for row in rows:
                row.pk = existing.get(row.player_id)
            PlayerValue.objects.bulk_create([row for row in rows if row.pk is None])
            PlayerValue.objects.bulk_update([row for row in rows if row.pk is not None], STORED_FIELDS)
            refresh_current(inputs)
            stored += len(rows)
    return stored


def played_in(match: Match) -> set[int]:
    from matches.models import LineupEntry, MatchEvent

    ids = set(LineupEntry.objects.filter(lineup__match=match).values_list("player_id", flat=True))
    ids.update(MatchEvent.objects.filter(match=match, player__isnull=False).values_list("player_id", flat=True)
               .distinct())
    return ids


def refresh_current(player_ids: Iterable[int]) -> None:
    """Mark each player's latest value (latest day, then latest written) as current, in two updates."""
    ids = list(player_ids)
    latest = PlayerValue.objects.filter(player=OuterRef("player")).order_by("-as_of", "-pk").values("pk")[:1]
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        PlayerValue.objects.filter(player_id__in=chunk, is_current=True).update(is_current=False)
        PlayerValue.objects.filter(player_id__in=chunk, pk=Subquery(latest)).update(is_current=True)
