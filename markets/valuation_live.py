"""Market values moving during a match: the same model, fed the match so far.

A player's live value is the valuation model applied to his stored inputs (his latest
value from before the match) plus what he has done in the match: minutes on the pitch,
goals, xG, assists and red cards, and his team's minutes. It moves with what happened,
not with the clock: the match is counted as of its latest goal, red card or substitution
(``valued_minute``), so minutes (and the xG of shots) since then wait for the next one
and the final whistle; otherwise every minute on the pitch would shift the per-90 figures
and the value would drift between goals. The
match page's "values" region and the player's live line both read ``live_values``;
they are pushed with the goal or card that moved them (DESIGN.md §4: player-value
updates), so nothing extra is stored while the match is played: the after-match value
(``valuation.record_after_match``) keeps it in the history at the final whistle.

A replayed match that was already counted in the stored inputs is counted again (the
demo shows the move, the stored history is unchanged).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import OuterRef, Q, Subquery

from markets.models import PlayerValue
from markets.valuation import value_of
from matches.models import LineupEntry, Match, MatchEvent

Kind = MatchEvent.Kind
SCORED = (Kind.GOAL, Kind.PENALTY_SCORED)
RED = (Kind.RED_CARD, Kind.SECOND_YELLOW)
CONTRIBUTING = (*MatchEvent.SHOT_KINDS, Kind.SUBSTITUTION, *RED)
# The events a live value is re-evaluated at (with the final whistle).
STEPS = frozenset({*SCORED, *RED, Kind.SUBSTITUTION})


@dataclass
class Contribution:
    minutes: int = 0
    goals: int = 0
    assists: int = 0
    xg: float = 0.0
    red_cards: int = 0
    moves: list[str] = field(default_factory=list)  # what moved his value, for the page: "⚽ 34'"

    @property
    def moved(self) -> bool:
        return bool(self.goals or self.assists or self.red_cards)


@dataclass(frozen=True)
class LiveValue:
    player_id: int
    name: str
    before: int
    now: int
    moves: list[str]

    @property
    def change(self) -> int:
        return self.now - self.before

    @property
    def change_share(self) -> float:
        return self.change / self.before if self.before else 0.0


def contributions(match: Match, events: list[dict], entries: list[dict]) -> dict[int, Contribution]:
    """Per player, what the match has added so far (shoot-outs excluded)."""
    by_player: dict[int, Contribution] = {}

    def of(player_id):
        return by_player.setdefault(player_id, Contribution())

    came_on, went_off = {}, {}
    finished = match.status == Match.Status.FINISHED
    now = valued_minute(match, events)
    for event in events:
        if event["period"] >= 5 or (not finished and (event["minute"] or 0) > now):
            continue  # a shot since the latest step waits for the next one
        kind, player, related, minute = event["kind"], event["player_id"], event["related_player_id"], event["minute"]
        if kind == Kind.SUBSTITUTION:
            went_off.setdefault(player, minute)
            came_on.setdefault(related, minute)
            continue
        if kind in RED and player:
            went_off.setdefault(player, minute)
            of(player).red_cards += 1
            of(player).moves.append(f"red card {minute}'")
        if kind in MatchEvent.SHOT_KINDS and player:
            xg = event["xg"] if event["xg"] is not None else event.get("model_xg")
            of(player).xg += xg or 0.0
        if kind in SCORED and player:
            of(player).goals += 1
            of(player).moves.append(f"goal {minute}'")
            if related:
                of(related).assists += 1
                of(related).moves.append(f"assist {minute}'")
    for entry in entries:
        player = entry["player_id"]
        if finished and entry["minutes_played"] is not None:
            of(player).minutes = entry["minutes_played"]
            continue
        start = came_on.get(player, 0 if entry["is_starter"] else None)
        if start is not None:
            of(player).minutes = max(0, went_off.get(player, now) - start)
    return by_player


def valued_minute(match: Match, events: list[dict]) -> int:
    """The minute the match is counted to: 90 at full time, else its latest goal, red card or substitution
    (0 before any): between them the value stays put."""
    if match.status == Match.Status.FINISHED:
        return 90
    return max((event["minute"] or 0 for event in events if event["period"] < 5 and event["kind"] in STEPS),
               default=0)


def match_contributions(match: Match, events: list[dict] | None = None) -> dict[int, Contribution]:
    """``events``: the match's key events and shots when the caller has them (the match page does)."""
    if events is None:
        events = _events(match)
    entries = list(LineupEntry.objects.filter(lineup__match=match).values("player_id", "is_starter", "minutes_played"))
    return contributions(match, events, entries)


def _events(match: Match) -> list[dict]:
    return list(MatchEvent.objects.filter(match=match, kind__in=CONTRIBUTING).order_by("seq").values(
        "kind", "period", "minute", "player_id", "related_player_id", "xg", "model_xg"))


def baselines(match: Match, player_ids) -> dict[int, PlayerValue]:
    """Each player's latest value from before the match (else his current one), in one query."""
    day = match.kickoff.date()
    before = Q(as_of__lt=day) | Q(kind=PlayerValue.Kind.WEEKLY, as_of=day, created_at__lt=match.kickoff)
    latest_before = PlayerValue.objects.filter(before, player=OuterRef("player")).order_by("-as_of", "-pk")
    rows = PlayerValue.objects.filter(player_id__in=list(player_ids)).filter(
        Q(pk=Subquery(latest_before.values("pk")[:1])) | Q(is_current=True)).select_related("model", "player")
    found: dict[int, PlayerValue] = {}
    for row in rows:
        is_before = row.as_of < day or (row.kind == PlayerValue.Kind.WEEKLY and row.as_of == day
                                        and row.created_at < match.kickoff)
        if is_before or row.player_id not in found:
            found[row.player_id] = row
    return found


def live_values(match: Match, *, events: list[dict] | None = None, player_ids=None,
                movers_only: bool = True) -> list[LiveValue]:
    """Values moved by the match so far, biggest move first (two queries, three without ``events``)."""
    if events is None:
        events = _events(match)
    added = match_contributions(match, events)
    team_minutes = valued_minute(match, events)
    wanted = {pid for pid, contribution in added.items() if contribution.moved or not movers_only}
    if player_ids is not None:
        wanted &= set(player_ids)
    if not wanted:
        return []
    result = []
    for player_id, row in baselines(match, wanted).items():
        contribution = added[player_id]
        now = value_of(with_match(row.inputs, contribution, team_minutes), row.model.parameters).value_eur
        result.append(LiveValue(player_id, row.player.display_name, row.value_eur, now, contribution.moves))
    return sorted(result, key=lambda value: -abs(value.change))


def with_match(inputs: dict, contribution: Contribution, team_minutes: int) -> dict:
    # Without xG before the match his goals stood in for it (valuation.output_per_90).
    xg = inputs.get("xg")
    if xg is None and contribution.xg:
        xg = inputs["goals"]
    return {
        **inputs,
        "minutes": inputs["minutes"] + contribution.minutes,
        "team_minutes": inputs["team_minutes"] + team_minutes,
        "goals": inputs["goals"] + contribution.goals,
        "assists": inputs["assists"] + contribution.assists,
        "xg": None if xg is None else round(xg + contribution.xg, 2),
        "red_cards": inputs.get("red_cards", 0) + contribution.red_cards,
    }


def player_line_value(match, player_id: int) -> dict:
    """The player's live line (players/live.py): his market value with the match so far counted, while it is played."""
    if match.status != Match.Status.LIVE:
        return {}
    found = live_values(match, player_ids=[player_id], movers_only=False)
    return {"value": found[0]} if found else {}
