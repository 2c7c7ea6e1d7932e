"""DraftKings lineup benchmark: our optimizer beside pydfs-lineup-optimizer, same slate and rules, same run.

Target (issue 15): 150 unique DraftKings soccer classic lineups for a slate of ~500 players,
the first lineup's projected points equal to pydfs-lineup-optimizer's (bench/requirements.txt
installs it; it solves with PuLP's CBC), and our time as a ratio to theirs (target: below 1).

The slate is FPL 2023/24 gameweek 5 (ten matches, every club once) read from the gameweek file
by ``fantasy.salaries.candidates_from_fpl_file`` (no database: the optimizer is pure): the 476 players FPL gave an xP other than 0, positions
GK/DEF/MID/FWD as GK/D/M/F, salaries FPL's price scaled linearly onto DraftKings' 3,000-11,000 in
steps of 100, projections FPL's xP. Rules on both sides: DraftKings soccer classic (cap 50,000,
GK, D, D, M, M, F, F, UTIL, three teams at least; pydfs's ``DraftKingsSoccerSettings``), no
goalkeeper with an attacker (M or F) of his opponent (pydfs: ``restrict_positions_for_opposing_team``),
each lineup differing from every earlier one (pydfs's default). Building the slate is not timed.

Figures: ``ours`` (``dk_lineups``, 150 lineups), ``theirs`` (``optimize(150)``), ``total`` = ours.
A first lineup whose points differ exits non-zero.
"""

import importlib.util
import os
import statistics
from pathlib import Path
from time import perf_counter

from fantasy.optimizer import DfsCandidate, dk_lineups
from fantasy.salaries import candidates_from_fpl_file

LINEUPS = 150
GAMEWEEK = 5
_seconds: dict[str, list[float]] = {}


def benchmarks(data: Path) -> list[tuple[str, str, object, object]]:
    folder = data / "fpl" / "2023-24"
    gameweek = folder / "gws" / f"gw{GAMEWEEK}.csv"
    if not gameweek.exists() or not (folder / "teams.csv").exists():
        print(f"skipped lineups: {gameweek} or {folder / 'teams.csv'} not found")
        return []
    if importlib.util.find_spec("pydfs_lineup_optimizer") is None:
        print("skipped lineups: pydfs-lineup-optimizer is not installed (.venv/bin/pip install -r bench/requirements.txt)")
        return []
    return [("lineups", f"{LINEUPS} DraftKings soccer lineups, FPL 2023/24 GW{GAMEWEEK} slate, beside pydfs",
             {"total": 60.0}, lambda: lineups(folder))]


def theirs(players: list[DfsCandidate]):
    from pydfs_lineup_optimizer import Player, Site, Sport, get_optimizer
    from pydfs_lineup_optimizer.player import GameInfo

    optimizer = get_optimizer(Site.DRAFTKINGS, Sport.SOCCER)
    games = {}
    pool = []
    for p in players:
        # FPL's row says home or away only through was_home; the pair is all the rule needs.
        home, away = sorted((p.team, p.opponent))
        game = games.setdefault((home, away), GameInfo(home_team=home, away_team=away, starts_at=None))
        pool.append(Player(p.id, p.name, "", list(p.positions), p.team, p.salary, p.points, game_info=game))
    optimizer.player_pool.load_players(pool)
    optimizer.restrict_positions_for_opposing_team(["GK"], ["M", "F"])
    return optimizer


def lineups(folder: Path) -> dict[str, float]:
    players = candidates_from_fpl_file(folder, GAMEWEEK)
    started = perf_counter()
    ours = dk_lineups(players, LINEUPS)
    ours_seconds = perf_counter() - started
    optimizer = theirs(players)
    started = perf_counter()
    pydfs = list(optimizer.optimize(LINEUPS))
    theirs_seconds = perf_counter() - started
    ours_first, theirs_first = ours[0].points, round(pydfs[0].fantasy_points_projection, 6)
    if len(ours) != LINEUPS or len({lineup.ids for lineup in ours}) != LINEUPS:
        raise SystemExit(f"lineups: ours made {len(ours)} lineups, {len({lineup.ids for lineup in ours})} distinct")
    if abs(ours_first - theirs_first) > 1e-6:
        raise SystemExit(f"lineups: first lineup ours {ours_first:.2f} points, pydfs {theirs_first:.2f}")
    same = [round(lineup.points, 6) for lineup in ours] == [round(l.fantasy_points_projection, 6) for l in pydfs]
    for name, seconds in (("ours", ours_seconds), ("theirs", theirs_seconds)):
        _seconds.setdefault(name, []).append(seconds)
    ours_median, theirs_median = statistics.median(_seconds["ours"]), statistics.median(_seconds["theirs"])
    print(f"lineups GW{GAMEWEEK} ({len(players)} players): first lineup ours {ours_first:.2f} points, "
          f"pydfs {theirs_first:.2f} -> equal; 150th ours {ours[-1].points:.2f}, pydfs "
          f"{pydfs[-1].fantasy_points_projection:.2f}; all 150 totals {'equal' if same else 'differ'}\n"
          f"  {LINEUPS} lineups: ours {ours_seconds:.2f}s, pydfs {theirs_seconds:.2f}s, ratio "
          f"{ours_seconds / theirs_seconds:.2f} (medians over {len(_seconds['ours'])}: {ours_median:.2f}s / "
          f"{theirs_median:.2f}s = {ours_median / theirs_median:.2f}; load average {os.getloadavg()[0]:.2f})")
    return {"ours": ours_seconds, "theirs": theirs_seconds, "total": ours_seconds}
