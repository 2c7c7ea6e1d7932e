import datetime as dt

from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.views.decorators.http import require_GET

from matches import competition_page, fragments, regions, standings, team_page, weather
from matches.models import Competition, Match, MatchEvent, Team
from matches.rounds import current_round, group_rounds
from quantfoot import params as read
from quantfoot.downloads import csv_response
from matches.tables import query

# Most events the missed-events API returns at once; the client pages on with next_after.
EVENTS_PAGE_SIZE = 1000


HOME_LIST_LENGTH = 10


def home(request):
    """Live matches first, then today's, then the latest results and the next fixtures, then competitions."""
    now = timezone.now()
    today = timezone.localtime(now).replace(hour=0, minute=0, second=0, microsecond=0)
    matches = Match.objects.select_related("competition", "home_team", "away_team")
    live = list(matches.filter(status=Match.Status.LIVE).order_by("kickoff"))
    todays = list(matches.filter(kickoff__gte=today, kickoff__lt=today + dt.timedelta(days=1))
                  .exclude(status=Match.Status.LIVE).order_by("kickoff"))
    shown = [match.pk for match in live + todays]
    results = list(matches.filter(status=Match.Status.FINISHED, kickoff__lt=today).exclude(pk__in=shown)
                   .order_by("-kickoff")[:HOME_LIST_LENGTH])
    upcoming = list(matches.filter(status=Match.Status.SCHEDULED, kickoff__gte=today + dt.timedelta(days=1))
                    .order_by("kickoff")[:HOME_LIST_LENGTH])
    sections = [(title, rows) for title, rows in (("Live now", live), ("Today", todays),
                                                  ("Latest results", results), ("Coming up", upcoming)) if rows]
    forecasts = weather.forecasts_for(todays + upcoming, now)  # one query, none when nothing is upcoming
    for match in todays + upcoming:
        match.forecast = forecasts.get(match.pk)
    # What the signed-in reader follows comes first, from the apps that know him (accounts): none for anonymous readers.
    return render(request, "matches/home.html", {"sections": sections, "competitions": Competition.objects.all(),
                                                 "cards": regions.cards_for("home", request, request)})


# The competition season page: standings, fixtures and results, top scorers and assisters.


def competition_detail(request, pk):
    """A competition's season: the standings, the fixtures and results by round, and the cards other apps add
    (the top scorers and assisters)."""
    asked = competition_page.standings_request(request, pk)
    context = {"competition": asked.competition, "seasons": asked.seasons, "season": asked.season}
    if asked.season is None:
        return render(request, "matches/competition_detail.html", context)
    season_data = standings.load_season(asked.season)
    params = request.GET.copy()
    params["season"] = str(asked.season.pk)
    params.pop("round", None)
    context.update(competition_page.table_context(asked, season_data, params))
    if competition_page.follows_live(asked, season_data):
        context["live_feed"] = f"/ws/seasons/{asked.season.pk}/"

    rounds = group_rounds(season_data.matches, timezone.get_current_timezone())
    for group in rounds:
        for match in group.matches:
            match["home"] = season_data.teams[match["home_team_id"]]
            match["away"] = season_data.teams[match["away_team_id"]]
            match["status_label"] = Match.Status(match["status"]).label
    # ?round= counts from 1; a season without rounds takes none.
    asked_round = read.integer(request.GET, "round", min_value=1, max_value=max(len(rounds), 1),
                               what="a round of this season")
    round_index = current_round(rounds) if asked_round is None or not rounds else asked_round - 1
    if rounds:  # the shown round's upcoming fixtures with a forecast: one query at most
        forecasts = weather.forecasts_for(rounds[round_index].matches)
        for match in rounds[round_index].matches:
            match["forecast"] = forecasts.get(match["id"])

    context.update(
        view=asked.view,
        as_of_date=asked.as_of_date,
        tabs=[{"label": label, "current": view == asked.view,
               "url": query(params, view=None if view == standings.OVERALL else view)}
              for view, label in competition_page.VIEW_LABELS.items()],
        csv_url=reverse("matches:competition-standings-csv", args=[asked.competition.pk]) + query(params),
        round=rounds[round_index] if rounds else None,
        round_number=round_index + 1,
        round_choices=[(index, group.label) for index, group in enumerate(rounds, start=1)],
        previous_round_url=query(params, round=str(round_index)) if round_index > 0 else "",
        next_round_url=query(params, round=str(round_index + 2)) if round_index + 1 < len(rounds) else "",
        round_params=[(name, value) for name, value in params.items() if name != "round"],
    )
    # Cards other apps add (the top scorers and assisters come from players/, which reads their season rows).
    context["cards"] = regions.cards_for("competition", asked, request)
    return render(request, "matches/competition_detail.html", context)


@require_GET
def competition_standings_csv(request, pk):
    """The standings table the page shows (same season, view, order, rows and columns) as CSV."""
    asked = competition_page.standings_request(request, pk)
    if asked.season is None:
        raise Http404("This competition has no seasons yet.")
    table = competition_page.standings_table(asked, standings.load_season(asked.season))
    filename = slugify(f"{asked.competition.name} {asked.season.name.replace('/', '-')} {asked.view}")
    if asked.as_of_date:
        filename += f"-{asked.as_of_date:%Y-%m-%d}"
    return csv_response(f"{filename}.csv", [column.title for column in table.columns], table.csv_rows())


def _match_or_404(pk: int) -> Match:
    try:
        return fragments.load_match(pk)
    except Match.DoesNotExist:
        raise Http404("No such match.") from None


def match_detail(request, pk):
    """The live match page, drawn from every app's regions; an htmx request gets only its live regions."""
    match = _match_or_404(pk)
    if request.htmx:
        return _regions_response(match)
    context = fragments.page_regions(fragments.MatchState(match, request))
    context.update(
        match=match,
        # Only a match that can still change keeps a socket open (and polls when it drops).
        live_updates=match.status in (Match.Status.LIVE, Match.Status.SCHEDULED),
    )
    return render(request, "matches/match_detail.html", context)


@require_GET
def match_state(request, pk):
    """Every region as it is now: the polling fallback while the socket is down."""
    return _regions_response(_match_or_404(pk))


def _regions_response(match: Match) -> HttpResponse:
    response = HttpResponse(
        fragments.render_regions(match, fragments.live_regions(), seq=match.last_seq), content_type="text/html; charset=utf-8"
    )
    response["Cache-Control"] = "no-store"
    return response


# The team page: a season's record, results, squad, statistics and chart, and its CSVs.


def team_detail(request, pk):
    """A team's season (the latest it played in unless ?season= asks for another)."""
    asked = team_page.team_request(request, pk)
    context = team_page.page_context(asked)
    context["cards"] = regions.cards_for("team", asked, request)
    return render(request, "matches/team_detail.html", context)


def _team_season_or_404(request, pk) -> tuple[team_page.TeamRequest, standings.SeasonData]:
    asked = team_page.team_request(request, pk)
    if asked.season is None:
        raise Http404("This team has no matches yet.")
    return asked, standings.load_season(asked.season)


@require_GET
def team_results_csv(request, pk):
    """The results and fixtures table the team page shows, as CSV."""
    asked, season_data = _team_season_or_404(request, pk)
    table = team_page.results_table(team_page.season_matches(asked, season_data))
    return csv_response(team_page.csv_filename(asked, "results"), table.csv_header(), table.csv_rows())


@require_GET
def team_squad_csv(request, pk):
    """The squad table the team page shows (same sort), as CSV."""
    asked, season_data = _team_season_or_404(request, pk)
    table = team_page.squad_table(asked, season_data)
    return csv_response(team_page.csv_filename(asked, "squad"), table.csv_header(), table.csv_rows())



# JSON API


def _json_error(message: str, status: int) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


def _team_json(team: Team, score, ht_score) -> dict:
    return {"id": team.pk, "name": team.name, "score": score, "ht_score": ht_score}


@require_GET
def api_match(request, pk):
    """The match's state: what a client needs before it catches up on events by seq."""
    try:
        match = fragments.load_match(pk)
    except Match.DoesNotExist:
        return _json_error("match not found", 404)
    return JsonResponse({
        "id": match.pk,
        "competition": {"id": match.competition_id, "name": match.competition.name},
        "season": {"id": match.season_id, "name": match.season.name},
        "round": match.round,
        "kickoff": match.kickoff.isoformat(),
        "status": match.status,
        "period": match.period,
        "clock": {"minute": match.clock_minute, "added": match.clock_added},
        "home": _team_json(match.home_team, match.home_score, match.home_ht_score),
        "away": _team_json(match.away_team, match.away_score, match.away_ht_score),
        "last_seq": match.last_seq,
        "venue": str(match.venue) if match.venue else None,
        "referee": match.referee or None,
    })


EVENT_FIELDS = (
    "seq", "kind", "period", "minute", "added_minute", "second", "team_id", "team__name",
    "player_id", "player__name", "player__known_as", "related_player_id", "related_player__name",
    "related_player__known_as", "x", "y", "xg", "outcome", "body_part", "situation",
)


def _named(pk, *names) -> dict | None:
    if pk is None:
        return None
    return {"id": pk, "name": next((name for name in names if name), "")}


@require_GET
def api_match_events(request, pk):
    """Events recorded after ``after`` (a seq), in seq order, at most EVENTS_PAGE_SIZE at a time."""
    after = read.integer(request.GET, "after", 0, what="the last seq you have (a whole number)")
    last_seq = Match.objects.filter(pk=pk).values_list("last_seq", flat=True).first()
    if last_seq is None:
        return _json_error("match not found", 404)
    rows = list(
        MatchEvent.objects.filter(match_id=pk, seq__gt=after)
        .order_by("seq")
        .values(*EVENT_FIELDS)[: EVENTS_PAGE_SIZE + 1]
    )
    more = len(rows) > EVENTS_PAGE_SIZE
    rows = rows[:EVENTS_PAGE_SIZE]
    body = {
        "match": pk,
        "last_seq": last_seq,
        "events": [
            {
                "seq": row["seq"], "kind": row["kind"], "period": row["period"], "minute": row["minute"],
                "added_minute": row["added_minute"], "second": row["second"],
                "team": _named(row["team_id"], row["team__name"]),
                "player": _named(row["player_id"], row["player__known_as"], row["player__name"]),
                "related_player": _named(
                    row["related_player_id"], row["related_player__known_as"], row["related_player__name"]
                ),
                "x": row["x"], "y": row["y"], "xg": row["xg"], "outcome": row["outcome"],
                "body_part": row["body_part"], "situation": row["situation"],
            }
            for row in rows
        ],
    }
    if more:
        body["next_after"] = rows[-1]["seq"]
    return JsonResponse(body)
