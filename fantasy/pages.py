"""What the fantasy pages show: a gameweek's projections (ours or the reader's own upload), sortable, as CSV.

A gameweek table takes three queries whatever its size: the projection set, its projections with
their players and matches, and the gameweek's FPL lines (price and position's team) of those players.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count, Max

from fantasy.models import FplPlayerFixture, Game, Projection, ProjectionSet
from matches.models import Season
from matches.tables import Column

COLUMNS = (
    Column("player", "Player", "Player", numeric=False, descending_first=False),
    Column("position", "Pos", "Position", numeric=False, descending_first=False),
    Column("price", "£m", "Price (£m)"),
    Column("match", "Match", "Match", numeric=False, sortable=False),
    Column("points", "Pts", "Expected points"),
    Column("median", "Med", "Median points"),
    Column("p10", "P10", "10th percentile"),
    Column("p90", "P90", "90th percentile"),
    Column("play", "Plays", "Probability of playing"),
    Column("sixty", "60+", "Probability of 60+ minutes"),
    Column("goals", "G", "Expected goals"),
    Column("assists", "A", "Expected assists"),
    Column("clean_sheet", "CS", "Clean sheet probability"),
    Column("bonus", "Bonus", "Expected bonus"),
    Column("minutes", "Min", "Expected minutes"),
    Column("ownership", "Own%", "Ownership (%)"),
)
SORTABLE = {column.key: column.descending_first for column in COLUMNS if column.sortable}
POSITIONS = {"GK": "GK", "DF": "DEF", "MF": "MID", "FW": "FWD"}


@dataclass
class Row:
    projection: Projection
    price: float | None
    position: str
    cells: list = field(default_factory=list)  # (column, text) in the page's column order

    def value(self, key: str):
        p = self.projection
        return {"player": p.player.display_name,
                "position": self.position, "price": self.price, "points": p.points, "median": p.median,
                "p10": p.p10, "p90": p.p90, "play": p.play_probability, "sixty": p.sixty_probability,
                "goals": p.goals, "assists": p.assists, "clean_sheet": p.clean_sheet, "bonus": p.bonus,
                "minutes": p.minutes, "ownership": p.ownership}.get(key)

    def text(self, key: str) -> str:
        """A cell as the page shows it: shares as percentages, prices to 0.1, points to 0.01."""
        if key == "match":
            return self.match_label
        value = self.value(key)
        if value is None:
            return "–"
        if key in ("player", "position"):
            return value
        if key in ("play", "sixty", "clean_sheet"):
            return f"{value:.0%}"
        if key == "price":
            return f"{value:.1f}"
        if key in ("minutes", "ownership"):
            return f"{value:.0f}"
        return f"{value:.2f}".replace("-", "−")

    @property
    def match_label(self) -> str:
        match = self.projection.match
        return f"{match.home_team.display_name} v {match.away_team.display_name}" if match else ""


def gameweeks() -> list[dict]:
    """Each season with FPL lines: its gameweeks, and those our projections cover (two queries)."""
    lines = (FplPlayerFixture.objects.values("season_id").annotate(last=Max("gameweek"), players=Count("player",
                                                                                                       distinct=True)))
    projected: dict[int, set[int]] = {}
    for season_id, gameweek in (ProjectionSet.objects.filter(game=Game.FPL, kind=ProjectionSet.Kind.SIMULATION,
                                                             gameweek__isnull=False)
                                .values_list("season_id", "gameweek").distinct()):
        projected.setdefault(season_id, set()).add(gameweek)
    seasons = {season.pk: season for season in Season.objects.filter(pk__in=[row["season_id"] for row in lines])
               .select_related("competition")}
    found = []
    for row in sorted(lines, key=lambda row: seasons[row["season_id"]].name, reverse=True):
        season = seasons[row["season_id"]]
        found.append({"season": season, "gameweeks": list(range(1, row["last"] + 1)),
                      "projected": sorted(projected.get(season.pk, ()))})
    return found


def site_set(season: Season, gameweek: int) -> ProjectionSet | None:
    """Our latest simulation for the gameweek."""
    return (ProjectionSet.objects.filter(game=Game.FPL, kind=ProjectionSet.Kind.SIMULATION, season=season,
                                         gameweek=gameweek, owner__isnull=True)
            .order_by("-version", "-pk").first())


def rows(projection_set: ProjectionSet, season: Season, gameweek: int, sort: str, descending: bool,
         columns: list[Column] | None = None) -> list[Row]:
    projections = list(projection_set.projections.select_related("player", "match__home_team", "match__away_team"))
    prices = dict(FplPlayerFixture.objects.filter(season=season, gameweek=gameweek,
                                                  player_id__in=[p.player_id for p in projections])
                  .values_list("player_id", "price"))
    found = [Row(p, float(prices[p.player_id]) if p.player_id in prices else None,
                 POSITIONS.get(p.player.position, p.player.position or "")) for p in projections]
    known = [row for row in found if row.value(sort) is not None]
    unknown = [row for row in found if row.value(sort) is None]
    known.sort(key=lambda row: row.value(sort), reverse=descending)
    for row in found:
        row.cells = [(column, row.text(column.key)) for column in columns or ()]
    return known + unknown


def shown_columns(projection_set: ProjectionSet) -> list[Column]:
    """An upload has points (and perhaps minutes and ownership); a simulation has all but ownership."""
    if projection_set.kind == ProjectionSet.Kind.UPLOAD:
        return [c for c in COLUMNS if c.key in ("player", "position", "price", "match", "points", "minutes",
                                                 "ownership")]
    return [c for c in COLUMNS if c.key != "ownership"]


def csv_rows(table: list[Row], columns: list[Column]) -> list[list]:
    def cell(row: Row, key: str):
        if key == "match":
            return row.match_label
        value = row.value(key)
        return round(value, 4) if isinstance(value, float) else value
    return [[cell(row, column.key) for column in columns] for row in table]


def optimization_context(optimization) -> dict:
    """What an optimization's page shows: the request in words, then the squad by position or the lineups."""
    from fantasy.models import Optimization

    settings = optimization.settings or {}
    asked = []
    if optimization.kind == Optimization.Kind.DK_LINEUPS:
        asked.append(f"{settings.get('lineups', 1)} lineups")
        if settings.get("max_per_team"):
            asked.append(f"at most {settings['max_per_team']} of a team")
        for stack in settings.get("stacks", ()):
            asked.append(f"a stack of {stack['count']} attackers of {stack.get('team') or 'one team'}")
        if settings.get("min_difference", 1) > 1:
            asked.append(f"{settings['min_difference']} players different between lineups")
        if settings.get("max_exposure"):
            asked.append(f"each player in at most {settings['max_exposure']:.0%} of them")
        if settings.get("randomness"):
            asked.append(f"randomness ±{settings['randomness']:g}%")
        named = settings.get("locks", []) + settings.get("excludes", [])
        names = dict(optimization.slate.players.filter(external_id__in=named).values_list("external_id", "name")
                     ) if named else {}
        for key, label in (("locks", "locked"), ("excludes", "excluded")):
            if settings.get(key):
                asked.append(f"{label}: {', '.join(names.get(external, external) for external in settings[key])}")
    else:
        asked.append(f"budget £{settings.get('budget', 100.0):.1f}m")
        if settings.get("bench_weight"):
            asked.append(f"bench counted at {settings['bench_weight']:g}")
        if settings.get("current_squad"):
            asked.append(f"from your squad, bank £{settings.get('bank', 0):.1f}m, {settings.get('free_transfers', 1)} "
                         f"free transfer(s), −{settings.get('hit', 4)} per extra, {settings.get('horizon', 1)} "
                         "gameweek(s) ahead")
    source = {"ours": "our simulation", "yours": "your uploaded projections",
              "average": "the salary file's average points per game"}.get(optimization.projection_source, "")
    context = {"optimization": optimization, "asked": asked, "source": source}
    result = optimization.result or {}
    if optimization.status == Optimization.Status.DONE and optimization.kind != Optimization.Kind.DK_LINEUPS:
        squad = result.get("squad", [])
        if optimization.kind == Optimization.Kind.FPL_TRANSFERS and result.get("gameweeks"):
            first = result["gameweeks"][0]  # the XI and captain of the gameweek the transfers are for
            squad = [{**p, "starting": p["id"] in first["starting"], "captain": p["id"] == first["captain"]}
                     for p in squad]
        context["squad_lines"] = [(label, [p for p in squad if p["position"] == position])
                                  for position, label in (("GK", "Goalkeepers"), ("DEF", "Defenders"),
                                                          ("MID", "Midfielders"), ("FWD", "Forwards"))]
    return context
