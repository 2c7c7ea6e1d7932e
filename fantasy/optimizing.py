"""Running the optimizer on stored data: the one way in, for the pages' tasks, the demo and the tests.

``create_*`` stores what was asked as an ``Optimization`` (queued); ``run_optimization`` reads the
players, prices or salaries and the chosen projections, calls ``fantasy.optimizer`` and stores
the answer as plain JSON, writing its progress to the row as it goes so the page can show it.
A request the rules make impossible is stored as failed with the optimizer's message (which
names the rule); nothing else is written.
"""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Sum
from django.utils import timezone

from fantasy import optimizer
from fantasy.models import FplPlayerFixture, Game, Optimization, Projection, ProjectionSet, Slate, SlatePlayer
from fantasy.pages import POSITIONS, site_set
from fantasy.projections import gameweek_clubs
from fantasy.rules import DK_CLASSIC, FPL, listed_positions
from fantasy.uploads import Target, latest_upload
from matches.models import Team
from quantfoot.ownership import owned_by_site_or

ANONYMOUS_ACTIVE_LIMIT = 3
USER_ACTIVE_LIMIT = 5
ACTIVE = (Optimization.Status.QUEUED, Optimization.Status.RUNNING)
MAX_LINEUPS = 150  # DraftKings' own cap on entries per contest


def visible_optimizations(user):
    """The site's runs and the user's own; another user's are not found."""
    return Optimization.objects.filter(owned_by_site_or(user))


def queue_refusal(user) -> str | None:
    """Why a new run cannot be queued for this user now, or None."""
    if user is not None and user.is_authenticated:
        active = Optimization.objects.filter(owner=user, status__in=ACTIVE).count()
        if active >= USER_ACTIVE_LIMIT:
            return f"You have {active} optimizations queued or running (at most {USER_ACTIVE_LIMIT}): wait for one."
        return None
    if Optimization.objects.filter(owner__isnull=True, status__in=ACTIVE).count() >= ANONYMOUS_ACTIVE_LIMIT:
        return (f"Visitors share {ANONYMOUS_ACTIVE_LIMIT} optimizer slots and all are taken: try again in a minute, "
                "or sign in to run your own.")
    return None


# ------------------------------------------------------------------ the projections a run reads


def gameweek_projection_set(user, season, gameweek: int, source: str) -> ProjectionSet | None:
    """``yours``: the user's latest upload for the gameweek; else our latest simulation."""
    if source == "yours" and user is not None and user.is_authenticated:
        return latest_upload(user, Target(game=Game.FPL, season_id=season.pk, gameweek=gameweek))
    return site_set(season, gameweek)


def slate_sources(user, slate: Slate) -> dict[str, str]:
    """The projections a slate can be optimised on, source -> label (the first is the default)."""
    sources = {}
    if user is not None and user.is_authenticated and latest_upload(user, Target(game=Game.DK_CLASSIC, slate=slate)):
        sources["yours"] = "Yours (uploaded)"
    if slate.players.filter(average_points__isnull=False).exists():
        sources["average"] = "Average points per game (the salary file's)"
    return sources


def player_points(projection_set: ProjectionSet | None) -> dict[int, float]:
    """Player -> projected points in the set (a double gameweek's two matches added up)."""
    if projection_set is None:
        return {}
    return dict(Projection.objects.filter(projection_set=projection_set).values("player_id")
                .annotate(total=Sum("points")).values_list("player_id", "total"))


def fpl_candidates(season, gameweek: int, projection_set: ProjectionSet | None) -> list[optimizer.FplCandidate]:
    """The gameweek's FPL players at that week's price, with their club and projected points."""
    points = player_points(projection_set)
    lines = list(FplPlayerFixture.objects.filter(season=season, gameweek=gameweek)
                 .select_related("player").order_by("player_id", "match__kickoff"))
    club_ids = gameweek_clubs(season, gameweek)
    names = dict(Team.objects.filter(pk__in=set(club_ids.values())).values_list("pk", "name"))
    clubs = {player: names[team] for player, team in club_ids.items()}
    found = {}
    for line in lines:
        player = line.player
        position = POSITIONS.get(player.position or "")
        if position is None or line.player_id in found or line.player_id not in clubs:
            continue  # no FPL position, or his club that week is not known: he cannot be placed
        found[line.player_id] = optimizer.FplCandidate(
            id=line.player_id, name=player.display_name, position=position, club=clubs[line.player_id],
            price=float(line.price), points=round(points.get(line.player_id, 0.0), 4))
    return list(found.values())


def slate_candidates(slate: Slate, points_by_player: dict[int, float] | None) -> list[optimizer.DfsCandidate]:
    """The slate's players; points from the user's projections (by our player) or else the file's average."""
    rows = list(slate.players.order_by("pk"))
    opponents = {}
    for row in rows:
        away, _, rest = row.game_info.partition("@")
        home = rest.split(" ", 1)[0]
        if away and home:
            opponents[row.pk] = home.upper() if row.team_abbrev == away.upper() else away.upper()
    found = []
    for row in rows:
        if points_by_player is None:
            points = row.average_points or 0.0
        else:
            points = points_by_player.get(row.player_id, 0.0) if row.player_id else 0.0
        found.append(optimizer.DfsCandidate(id=row.external_id, name=row.name, positions=listed_positions(row.positions),
                                            team=row.team_abbrev, salary=row.salary, points=round(points, 4),
                                            opponent=opponents.get(row.pk, "")))
    return found


# ------------------------------------------------------------------ asking


def create_fpl_squad(owner, season, gameweek: int, source: str, settings: dict) -> Optimization:
    """``settings``: budget (£m), bench_weight; with current_squad (our player ids), bank, free_transfers,
    hit and horizon it is a transfer plan instead."""
    projection_set = gameweek_projection_set(owner, season, gameweek, source)
    kind = Optimization.Kind.FPL_TRANSFERS if settings.get("current_squad") else Optimization.Kind.FPL_SQUAD
    return Optimization.objects.create(kind=kind, owner=owner, season=season, gameweek=gameweek,
                                       projection_source="yours" if projection_set and projection_set.owner_id else "ours",
                                       projection_set=projection_set, settings=settings)


def create_dk_lineups(owner, slate: Slate, source: str, settings: dict) -> Optimization:
    projection_set = latest_upload(owner, Target(game=Game.DK_CLASSIC, slate=slate)) if source == "yours" else None
    return Optimization.objects.create(kind=Optimization.Kind.DK_LINEUPS, owner=owner, slate=slate,
                                       projection_source="yours" if projection_set else "average",
                                       projection_set=projection_set, settings=settings)


# ------------------------------------------------------------------ running


def _progress(optimization: Optimization, percent: int, message: str) -> None:
    Optimization.objects.filter(pk=optimization.pk).update(progress=percent, message=message[:300])


def _fpl_player(player: optimizer.FplCandidate, captain=None, starting=None) -> dict:
    row = {"id": player.id, "name": player.name, "position": player.position, "club": player.club,
           "price": player.price, "points": player.points}
    if starting is not None:
        row["starting"] = player.id in starting
        row["captain"] = captain is not None and player.id == captain.id
    return row


def _fpl_squad_result(squad: optimizer.FplSquad) -> dict:
    starting = {p.id for p in squad.starting}
    return {"points": squad.points, "cost": squad.cost, "captain": squad.captain.id,
            "formation": "-".join(str(sum(p.position == position for p in squad.starting))
                                  for position in FPL.positions[1:]),
            "squad": [_fpl_player(p, squad.captain, starting) for p in squad.squad]}


def _fpl_transfers_result(plan: optimizer.TransferPlan) -> dict:
    return {"points": plan.points, "hit_points": plan.hit_points, "net_points": round(plan.net_points, 6),
            "bank": plan.bank, "transfers_out": [_fpl_player(p) for p in plan.transfers_out],
            "transfers_in": [_fpl_player(p) for p in plan.transfers_in],
            "squad": [_fpl_player(p) for p in plan.squad],
            "gameweeks": [{"gameweek": pick.gameweek, "points": pick.points, "captain": pick.captain.id,
                           "starting": [p.id for p in pick.starting]} for pick in plan.picks]}


def _run_fpl(optimization: Optimization) -> dict:
    settings = optimization.settings
    season, gameweek = optimization.season, optimization.gameweek
    if optimization.kind == Optimization.Kind.FPL_SQUAD:
        _progress(optimization, 10, "reading the gameweek's players, prices and projections")
        pool = fpl_candidates(season, gameweek, optimization.projection_set)
        _progress(optimization, 40, f"choosing 15 of {len(pool)} players")
        squad = optimizer.best_fpl_squad(pool, budget=settings.get("budget"),
                                         bench_weight=settings.get("bench_weight", 0.0))
        return _fpl_squad_result(squad)
    horizon = int(settings.get("horizon") or 1)
    by_gameweek = {}
    for offset in range(horizon):
        week = gameweek + offset
        _progress(optimization, 10 + 40 * offset // horizon, f"reading gameweek {week}")
        projection_set = (optimization.projection_set if offset == 0
                          else gameweek_projection_set(optimization.owner, season, week, optimization.projection_source))
        pool = fpl_candidates(season, week, projection_set)
        if pool:
            by_gameweek[week] = pool
    _progress(optimization, 60, f"planning transfers over {len(by_gameweek)} gameweek(s)")
    plan = optimizer.best_fpl_transfers(by_gameweek, settings["current_squad"], float(settings.get("bank", 0.0)),
                                        int(settings.get("free_transfers", 1)), hit=int(settings.get("hit", 4)))
    return _fpl_transfers_result(plan)


def _run_dk(optimization: Optimization) -> dict:
    settings = optimization.settings
    _progress(optimization, 5, "reading the slate and its projections")
    points = player_points(optimization.projection_set) if optimization.projection_set else None
    pool = slate_candidates(optimization.slate, points)
    wanted = int(settings.get("lineups", 1))

    def on_lineup(done: int, total: int) -> None:
        if done == total or done % max(1, total // 50) == 0:  # at most ~50 writes however many lineups
            _progress(optimization, 5 + 90 * done // total, f"lineup {done} of {total}")

    lineups = optimizer.dk_lineups(
        pool, wanted, locks=settings.get("locks", ()), excludes=settings.get("excludes", ()),
        max_per_team=settings.get("max_per_team"), stacks=settings.get("stacks", ()),
        no_goalkeeper_against_attackers=settings.get("no_goalkeeper_against_attackers", True),
        max_exposure=settings.get("max_exposure"), min_difference=int(settings.get("min_difference", 1)),
        randomness=float(settings.get("randomness", 0.0)), seed=optimization.pk, on_lineup=on_lineup)
    exposure = defaultdict(int)
    for lineup in lineups:
        for player in lineup.players:
            exposure[player.id] += 1
    names = {p.id: (p.name, p.team, p.salary, p.points) for p in pool}
    return {"lineups": [{"points": lineup.points, "salary": lineup.salary,
                         "slots": [[slot, p.id, p.name, p.team, p.salary, p.points] for slot, p in lineup.slots]}
                        for lineup in lineups],
            "exposure": sorted(([key, count, *names[key][:2]] for key, count in exposure.items()),
                               key=lambda row: (-row[1], row[2])),
            "players": len(pool)}


def run_optimization(optimization: Optimization) -> Optimization:
    """Run a stored request to the end: done with its result, or failed with the reason."""
    Optimization.objects.filter(pk=optimization.pk).update(status=Optimization.Status.RUNNING,
                                                           started_at=timezone.now())
    try:
        result = _run_dk(optimization) if optimization.kind == Optimization.Kind.DK_LINEUPS else _run_fpl(optimization)
    except optimizer.OptimizerError as exc:
        Optimization.objects.filter(pk=optimization.pk).update(status=Optimization.Status.FAILED, message=str(exc)[:300],
                                                               finished_at=timezone.now())
    except Exception as exc:
        Optimization.objects.filter(pk=optimization.pk).update(status=Optimization.Status.FAILED,
                                                               message=f"the optimizer failed: {exc}"[:300],
                                                               finished_at=timezone.now())
        raise
    else:
        Optimization.objects.filter(pk=optimization.pk).update(status=Optimization.Status.DONE, progress=100,
                                                               message="", result=result, finished_at=timezone.now())
    optimization.refresh_from_db()
    return optimization


# ------------------------------------------------------------------ the site's upload file


def dk_upload_rows(optimization: Optimization) -> tuple[list[str], list[list]]:
    """DraftKings' lineup upload file: a header of the slots (GK, D, D, M, M, F, F, UTIL) and a row of
    player ids per lineup, which DraftKings' "Upload lineups" page takes as it is."""
    header = [slot.name for slot in DK_CLASSIC.slots]
    return header, [[slot[1] for slot in lineup["slots"]] for lineup in optimization.result.get("lineups", [])]


def slate_players(slate: Slate) -> list[SlatePlayer]:
    return list(slate.players.select_related("player", "match__home_team", "match__away_team")
                .order_by("-salary", "name"))
