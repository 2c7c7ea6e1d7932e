"""A player's shot map: his shots on the half of the pitch he attacks, drawn server-side as SVG.

The pitch is the match page's (``templates/partials/_pitch_markings.html``, metres) and a
shot's circle is sized as there (``matches.fragments.shot_radius``: area grows with xG);
every shot is in his team's frame, so all of them attack the right-hand goal. xG is the
provider's, else our model's, as in the season aggregates.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models.functions import Coalesce

from matches.fragments import PITCH_LENGTH, PITCH_WIDTH, minute_display, shot_radius
from matches.models import Match, MatchEvent
from players.aggregates import SCORED, SHOOTOUT
from players.tables import local_date

Kind = MatchEvent.Kind
# The view shows the attacking half (and a margin), widened when a shot was taken from further out.
HALF_WAY = PITCH_LENGTH / 2
VIEW_RIGHT = PITCH_LENGTH + 2.5
VIEW_TOP, VIEW_HEIGHT = -1.0, PITCH_WIDTH + 2.0


def player_shots(player_id: int, *, season_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
    """His shots in finished matches (shoot-outs aside), in match order, in one query."""
    shots = MatchEvent.objects.filter(
        player_id=player_id, kind__in=MatchEvent.SHOT_KINDS, period__lt=SHOOTOUT, match__status=Match.Status.FINISHED)
    if season_ids is not None:
        shots = shots.filter(match__season_id__in=list(season_ids))
    return list(
        shots.annotate(shot_xg=Coalesce("xg", "model_xg"))
        .order_by("match__kickoff", "match_id", "period", "minute", "second", "seq")
        .values("id", "match_id", "team_id", "kind", "period", "minute", "added_minute", "x", "y", "shot_xg",
                "outcome", "body_part", "situation")
    )


def shot_map(shots: list[dict[str, Any]], matches: dict[int, Match]) -> dict[str, Any]:
    """Marks, totals and the goals listed under the map. ``matches``: id -> match with teams loaded."""
    marks, goals, unplaced = [], [], 0
    total_xg, rated = 0.0, 0
    for shot in shots:
        match = matches.get(shot["match_id"])
        goal = shot["kind"] in SCORED
        xg = shot["shot_xg"]
        if xg is not None:
            total_xg += xg
            rated += 1
        opponent = _opponent(match, shot["team_id"]) if match else ""
        when = minute_display(shot["minute"], shot["added_minute"])
        penalty = shot["kind"] in (Kind.PENALTY_SCORED, Kind.PENALTY_MISSED)
        outcome = "Goal" if goal else (shot["outcome"] or "Shot")
        title = " · ".join(filter(None, [
            f"{when} v {opponent}" + (f" ({local_date(match.kickoff):%d %b %Y})" if match else ""),
            f"xG {xg:.2f}" if xg is not None else "xG n/a",
            f"Penalty – {outcome}" if penalty else outcome,
            shot["body_part"],
        ]))
        if goal:
            goals.append({"minute": when, "opponent": opponent, "match": match, "xg": xg, "penalty": penalty,
                          "body_part": shot["body_part"]})
        if shot["x"] is None or shot["y"] is None:
            unplaced += 1
            continue
        radius = shot_radius(xg)
        marks.append({"id": shot["id"], "goal": goal, "title": title, "r": round(radius, 2),
                      "cx": round(shot["x"] * PITCH_LENGTH / 100, 2), "cy": round(shot["y"] * PITCH_WIDTH / 100, 2)})
    # Latest match first, as in the match log; a match's goals in the order they went in.
    goals.sort(key=lambda goal: goal["match"].kickoff if goal["match"] else dt.datetime.min.replace(tzinfo=dt.UTC),
               reverse=True)
    # Big chances underneath, goals on top, so that nothing small hides behind a large circle.
    marks.sort(key=lambda mark: (mark["goal"], -mark["r"]))
    left = min([HALF_WAY - 2.5] + [mark["cx"] - mark["r"] - 1 for mark in marks])
    return {
        "marks": marks, "goals": goals, "unplaced": unplaced, "shots": len(shots), "goal_count": len(goals),
        "xg": round(total_xg, 2) if rated else None,
        "view_box": f"{left:g} {VIEW_TOP:g} {VIEW_RIGHT - left:g} {VIEW_HEIGHT:g}",
    }


def _opponent(match: Match, team_id: int | None) -> str:
    return (match.home_team if team_id == match.away_team_id else match.away_team).display_name
