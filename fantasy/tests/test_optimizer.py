"""The optimizer against independent checks: brute force for FPL, every rule re-checked for DraftKings lineups."""

import itertools
import random
from collections import Counter

import pytest

from fantasy.optimizer import (
    DfsCandidate,
    FplCandidate,
    OptimizerError,
    best_fpl_squad,
    best_fpl_transfers,
    dk_lineups,
)
from fantasy.rules import DK_CLASSIC, FPL
from fantasy.salaries import candidates_from_fpl_file

# ------------------------------------------------------------------ FPL


def fpl_pool(seed=3, per_position=None):
    """A reduced pool: few enough players that every legal squad can be listed."""
    rng = random.Random(seed)
    per_position = per_position or {"GK": 3, "DEF": 7, "MID": 7, "FWD": 5}
    clubs = ["ARS", "CHE", "LIV", "MCI", "TOT", "NEW", "AVL", "BHA"]
    pool = []
    for position, count in per_position.items():
        for k in range(count):
            pool.append(FplCandidate(f"{position}{k}", f"{position} {k}", position, rng.choice(clubs),
                                     round(rng.uniform(4.0, 9.0), 1), round(rng.uniform(0, 10), 1)))
    return pool


# Every XI: one goalkeeper and ten outfielders, 3-5 defenders, 2-5 midfielders, 1-3 forwards.
FORMATIONS = [(d, m, 10 - d - m) for d in range(3, 6) for m in range(2, 6) if 1 <= 10 - d - m <= 3]


def brute_force_squad(pool, budget=100.0):
    """The best XI + captain over every legal squad, written without the optimizer's code."""
    by_position = {position: [p for p in pool if p.position == position] for position in FPL.squad}
    best = None
    for gks in itertools.combinations(by_position["GK"], 2):
        for defs in itertools.combinations(by_position["DEF"], 5):
            for mids in itertools.combinations(by_position["MID"], 5):
                for fwds in itertools.combinations(by_position["FWD"], 3):
                    squad = gks + defs + mids + fwds
                    if round(sum(p.price for p in squad), 1) > budget:
                        continue
                    if max(Counter(p.club for p in squad).values()) > 3:
                        continue
                    # Best XI of this squad: 1 GK, then every formation of DEF/MID/FWD adding to 10.
                    score = None
                    for d, m, f in FORMATIONS:
                        xi = ([max(gks, key=lambda p: p.points)]
                              + sorted(defs, key=lambda p: -p.points)[:d] + sorted(mids, key=lambda p: -p.points)[:m]
                              + sorted(fwds, key=lambda p: -p.points)[:f])
                        total = sum(p.points for p in xi) + max(p.points for p in xi)
                        score = total if score is None else max(score, total)
                    best = score if best is None else max(best, score)
    return best


def check_squad(result, pool, budget=100.0):
    squad, xi = result.squad, result.starting
    assert len(squad) == 15 and len({p.id for p in squad}) == 15
    assert Counter(p.position for p in squad) == Counter(FPL.squad)
    assert round(sum(p.price for p in squad), 1) <= budget
    assert max(Counter(p.club for p in squad).values()) <= 3
    assert len(xi) == 11 and {p.id for p in xi} <= {p.id for p in squad}
    counts = Counter(p.position for p in xi)
    assert counts["GK"] == 1 and counts["DEF"] >= 3 and counts["MID"] >= 2 and counts["FWD"] >= 1
    assert result.captain in xi
    assert result.points == pytest.approx(sum(p.points for p in xi) + result.captain.points)


@pytest.mark.parametrize("seed", [3, 11])
def test_fpl_squad_equals_brute_force_optimum(seed):
    pool = fpl_pool(seed)
    result = best_fpl_squad(pool)
    check_squad(result, pool)
    assert result.points == pytest.approx(brute_force_squad(pool))


def test_fpl_squad_with_a_tight_budget_equals_brute_force():
    pool = fpl_pool(5)
    result = best_fpl_squad(pool, budget=95.0)
    check_squad(result, pool, budget=95.0)
    assert result.points == pytest.approx(brute_force_squad(pool, budget=95.0))


def test_captain_is_the_best_starter_and_bench_weight_keeps_the_xi_points():
    pool = fpl_pool(7)
    plain, weighted = best_fpl_squad(pool), best_fpl_squad(pool, bench_weight=0.2)
    assert plain.captain.points == max(p.points for p in plain.starting)
    assert weighted.points <= plain.points + 1e-9  # the bench's weight is in the choice, not the score
    assert sum(p.points for p in weighted.bench) >= sum(p.points for p in plain.bench) - 1e-9


def test_fpl_budget_too_small_names_the_budget():
    with pytest.raises(OptimizerError, match="no squad fits the budget of 40.0: the cheapest legal squad costs"):
        best_fpl_squad(fpl_pool(3), budget=40.0)


def test_fpl_pool_missing_a_position():
    with pytest.raises(OptimizerError, match="needs 3 FWD and the pool has 2"):
        best_fpl_squad(fpl_pool(3, {"GK": 2, "DEF": 5, "MID": 5, "FWD": 2}))


def transfer_weeks(new_points_per_week):
    """A 15-man squad worth 2 points each a week, plus one forward on the market scoring the given points."""
    squad = []
    for position, count in FPL.squad.items():
        for k in range(count):
            squad.append(FplCandidate(f"{position}{k}", f"{position} {k}", position, f"C{len(squad) % 8}", 5.0, 2.0))
    weeks = {}
    for gw, points in enumerate(new_points_per_week, start=10):
        star = FplCandidate("STAR", "Star", "FWD", "C9", 5.0, points)
        weeks[gw] = [*squad, star]
    return [p.id for p in squad], weeks


def test_one_transfer_with_a_hit_pays_over_three_gameweeks():
    current, weeks = transfer_weeks([4.0, 4.0, 4.0])  # +2 points a week over the forward he replaces
    # No free transfer: the swap costs 4 and brings 3 x 2 in the XI plus the captaincy (4 v 2) each week.
    plan = best_fpl_transfers(weeks, current, bank=0.0, free_transfers=0, hit=4, horizon=3)
    assert [p.id for p in plan.transfers_in] == ["STAR"]
    assert len(plan.transfers_out) == 1 and plan.transfers_out[0].position == "FWD"
    assert plan.hit_points == 4
    stay = best_fpl_transfers(weeks, current, bank=0.0, free_transfers=0, hit=4, horizon=3, max_transfers=0)
    assert plan.net_points == pytest.approx(stay.net_points + 3 * 4 - 4)  # +2 as starter, +2 as captain, 3 weeks
    assert all(pick.captain.id == "STAR" for pick in plan.picks)


def test_one_transfer_with_a_hit_does_not_pay_over_one_gameweek_or_for_a_small_gain():
    current, weeks = transfer_weeks([3.5, 3.5, 3.5])  # +1.5 a week, +3 with the armband
    assert [p.id for p in best_fpl_transfers(weeks, current, 0.0, 0, hit=4, horizon=3).transfers_in] == ["STAR"]
    one_week = best_fpl_transfers(weeks, current, bank=0.0, free_transfers=0, hit=4, horizon=1)
    assert one_week.transfers_in == () and one_week.hit_points == 0  # 3 points do not pay a hit of 4
    free = best_fpl_transfers(weeks, current, bank=0.0, free_transfers=1, hit=4, horizon=1)
    assert [p.id for p in free.transfers_in] == ["STAR"] and free.hit_points == 0  # a free transfer does
    current, weeks = transfer_weeks([2.5, 2.5, 2.5])  # +0.5 a week (+1 with the armband): 3 < the hit of 4
    plan = best_fpl_transfers(weeks, current, bank=0.0, free_transfers=0, hit=4, horizon=3)
    assert plan.transfers_in == () and plan.hit_points == 0


def test_transfers_respect_the_bank():
    current, weeks = transfer_weeks([9.0])
    weeks = {gw: [p if p.id != "STAR" else FplCandidate("STAR", "Star", "FWD", "C9", 12.0, p.points) for p in players]
             for gw, players in weeks.items()}
    assert best_fpl_transfers(weeks, current, bank=6.0, free_transfers=1).transfers_in == ()
    plan = best_fpl_transfers(weeks, current, bank=7.0, free_transfers=1)
    assert [p.id for p in plan.transfers_in] == ["STAR"] and plan.bank == pytest.approx(0.0)


# ------------------------------------------------------------------ DraftKings


def dk_slate(seed=1, matches=10, per_team=25):
    """~500 players over ten matches: salary loosely following points, some M/F."""
    rng = random.Random(seed)
    teams = [f"T{i:02d}" for i in range(2 * matches)]
    players = []
    for m in range(matches):
        home, away = teams[2 * m], teams[2 * m + 1]
        for team, opponent in ((home, away), (away, home)):
            for k in range(per_team):
                positions = (("GK",) if k < 3 else ("D",) if k < 11 else ("M",) if k < 18
                             else ("M", "F") if k < 21 else ("F",))
                salary = rng.randrange(3000, 11001, 100)
                points = round(max(0.0, salary / 1000 * 1.6 + rng.gauss(0, 3)), 2)
                players.append(DfsCandidate(f"{team}-{k}", f"{team} player {k}", positions, team, salary, points,
                                            opponent))
    return players


def fits_slots(lineup):
    """The slot assignment is legal: GK, D, D, M, M, F, F, UTIL, each player eligible for his slot."""
    assert [name for name, _ in lineup.slots] == [slot.name for slot in DK_CLASSIC.slots]
    for name, player in lineup.slots:
        assert set(player.positions) & DK_CLASSIC.eligible(name), (name, player.positions)


def check_lineup(lineup, *, max_per_team=None, locks=(), excludes=()):
    players = lineup.players
    assert len(players) == 8 and len({p.id for p in players}) == 8
    fits_slots(lineup)
    assert sum(p.salary for p in players) == lineup.salary <= 50_000
    teams = Counter(p.team for p in players)
    assert len(teams) >= 3
    if max_per_team:
        assert max(teams.values()) <= max_per_team
    ids = {p.id for p in players}
    assert set(locks) <= ids and not set(excludes) & ids
    assert lineup.points == pytest.approx(sum(p.points for p in players))
    for keeper in (p for p in players if "GK" in p.positions):
        assert not [p for p in players if p.team == keeper.opponent and set(p.positions) & {"M", "F"}]


@pytest.fixture(scope="module")
def slate():
    return dk_slate()


EVERY_RULE = dict(max_per_team=4, stacks=[{"team": "any team", "positions": ["M", "F"], "count": 2}],
                  max_exposure=0.6, min_difference=2, randomness=5, seed=7)


def check_every_rule(lineups, n, locks, excludes, exposure):
    assert len(lineups) == n and len({lineup.ids for lineup in lineups}) == n
    assert [lineup.points for lineup in lineups] == sorted((lineup.points for lineup in lineups), reverse=True)
    for lineup in lineups:
        check_lineup(lineup, max_per_team=4, locks=locks, excludes=excludes)
        attackers = Counter(p.team for p in lineup.players if set(p.positions) & {"M", "F"})
        assert max(attackers.values()) >= 2  # the stack
    for first, second in itertools.combinations(lineups, 2):
        assert len(first.ids - second.ids) >= 2  # min difference
    used = Counter(key for lineup in lineups for key in lineup.ids)
    (key, (low, high)), = exposure.items()
    assert low * n <= used[key] <= high * n
    assert all(count <= 0.6 * n for key, count in used.items() if key not in set(locks))  # max exposure 60%
    assert all(used[key] == n for key in locks)


@pytest.fixture(scope="module")
def many(slate):
    """40 lineups with every rule at once, on the synthetic slate (it has M/F players)."""
    locks = ["T00-20"]  # an M/F
    excludes = [max(slate, key=lambda p: p.points).id]
    exposure = {"T03-12": (0.2, 0.3)}
    lineups = dk_lineups(slate, 40, locks=locks, excludes=excludes, exposure=exposure, **EVERY_RULE)
    return dict(lineups=lineups, locks=locks, excludes=excludes, exposure=exposure)


def test_lineups_respect_every_rule(many):
    check_every_rule(many["lineups"], 40, many["locks"], many["excludes"], many["exposure"])


def test_150_lineups_of_a_real_slate_respect_every_rule(shared_data):
    """FPL 2023/24 gameweek 5 as a DraftKings slate (476 players, salaries from FPL prices, FPL's xP)."""
    players = candidates_from_fpl_file(shared_data("fpl", "2023-24"), 5)
    assert len(players) > 450
    by_points = sorted(players, key=lambda p: -p.points)
    midfielders = [p for p in by_points if p.positions == ("M",)]
    locks, excludes = [midfielders[3].id], [by_points[0].id]
    exposure = {midfielders[5].id: (0.2, 0.3)}
    lineups = dk_lineups(players, 150, locks=locks, excludes=excludes, exposure=exposure, **EVERY_RULE)
    check_every_rule(lineups, 150, locks, excludes, exposure)


def test_m_f_players_fill_m_f_or_util(many):
    seen = set()
    for lineup in many["lineups"]:
        fits_slots(lineup)
        seen |= {name for name, player in lineup.slots if player.positions == ("M", "F")}
    assert seen <= {"M", "F", "UTIL"} and len(seen) >= 2


def test_lineups_without_randomness_descend(slate):
    lineups = dk_lineups(slate, 10)
    points = [lineup.points for lineup in lineups]
    assert points == sorted(points, reverse=True) and len({lineup.ids for lineup in lineups}) == 10
    for lineup in lineups:
        check_lineup(lineup)


def small_slate():
    """Four teams in two matches, five players each: every 8-man combination can be listed."""
    rng = random.Random(4)
    shapes = [(("GK",), ("D",), ("D",), ("M",), ("F",)), (("GK",), ("D",), ("M",), ("M", "F"), ("F",))]
    players = []
    for index, (team, opponent) in enumerate((("A", "B"), ("B", "A"), ("C", "D"), ("D", "C"))):
        for k, positions in enumerate(shapes[index % 2]):
            players.append(DfsCandidate(f"{team}{k}", f"{team} {k}", positions, team,
                                        rng.randrange(4000, 9001, 100), round(rng.uniform(2, 15), 2), opponent))
    return players


def fills_classic_slots(outfield):
    """Seven outfielders fill D, D, M, M, F, F, UTIL: some one of them takes UTIL, the six left fit exactly."""
    for util in range(len(outfield)):
        rest = outfield[:util] + outfield[util + 1:]
        d = sum(p.positions == ("D",) for p in rest)
        m_only = sum(p.positions == ("M",) for p in rest)
        f_only = sum(p.positions == ("F",) for p in rest)
        if d == 2 and m_only <= 2 and f_only <= 2 and d + m_only + f_only + sum(
                p.positions == ("M", "F") for p in rest) == 6:
            return True
    return False


def test_first_lineup_equals_brute_force_on_a_small_slate():
    players = small_slate()
    best = None
    for combo in itertools.combinations(players, 8):
        keepers = [p for p in combo if p.positions == ("GK",)]
        if sum(p.salary for p in combo) > 50_000 or len({p.team for p in combo}) < 3 or len(keepers) != 1:
            continue
        if not fills_classic_slots([p for p in combo if p.positions != ("GK",)]):
            continue
        if any(p.team == keepers[0].opponent and set(p.positions) & {"M", "F"} for p in combo):
            continue
        total = sum(p.points for p in combo)
        best = total if best is None else max(best, total)
    assert best is not None
    lineup = dk_lineups(players, 1)[0]
    check_lineup(lineup)
    assert lineup.points == pytest.approx(best)


def test_a_team_stack(slate):
    stack = {"team": "T05", "positions": ["M", "F"], "count": 3}
    for lineup in dk_lineups(slate, 5, stacks=[stack]):
        check_lineup(lineup)
        assert sum(p.team == "T05" and bool(set(p.positions) & {"M", "F"}) for p in lineup.players) >= 3


def test_too_expensive_locks_say_so(slate):
    dearest = sorted((p for p in slate if "GK" not in p.positions), key=lambda p: -p.salary)[:6]
    with pytest.raises(OptimizerError, match="no lineup fits 50,000 with these locks"):
        dk_lineups(slate, 1, locks=[p.id for p in dearest])


def test_locks_that_cannot_share_a_lineup_say_so(slate):
    keepers = [p.id for p in slate if p.positions == ("GK",)][:2]
    with pytest.raises(OptimizerError, match="these locks cannot be in one lineup together"):
        dk_lineups(slate, 1, locks=keepers)


def test_impossible_limits_name_their_rule(slate):
    with pytest.raises(OptimizerError, match="players from at least 3 teams"):
        dk_lineups([p for p in slate if p.team in ("T00", "T01")], 1)
    with pytest.raises(OptimizerError, match="the limit per team"):
        dk_lineups([p for p in slate if p.team in ("T00", "T01", "T02")], 1, max_per_team=2)
    with pytest.raises(OptimizerError, match="the stacks"):
        dk_lineups(slate, 1, stacks=[{"team": "T01", "positions": ["F"], "count": 6}])


def test_bad_requests(slate):
    key = slate[0].id
    with pytest.raises(OptimizerError, match="both locked and excluded"):
        dk_lineups(slate, 1, locks=[key], excludes=[key])
    with pytest.raises(OptimizerError, match="no player NOPE on the slate"):
        dk_lineups(slate, 1, locks=["NOPE"])
    with pytest.raises(OptimizerError, match="unknown position"):
        dk_lineups([*slate, DfsCandidate("X", "X", ("QB",), "T00", 3000, 1.0)], 1)
    with pytest.raises(OptimizerError, match="stack: no team ZZZ"):
        dk_lineups(slate, 1, stacks=[{"team": "ZZZ", "count": 2}])
