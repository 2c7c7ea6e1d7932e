from django.db import connection
from django.db.models import Q
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.shortcuts import render

from matches import live
from matches.models import Competition, Team, normalize_name
from players.models import Player
from quantfoot import params as read

SEARCH_RESULTS = 20
SEARCH_LENGTH = 100  # the search box's maxlength


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


def healthz(request):
    """Liveness and database reachability, for load balancers and the run script."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        database = "ok"
    except Exception as exc:  # report, never raise: this is what monitors read
        database = f"error: {exc.__class__.__name__}"
    status = 200 if database == "ok" else 503
    return JsonResponse({
        "status": "ok" if status == 200 else "degraded",
        "database": database,
        # This process's live delivery: frames published, failed (layer down), coalesced,
        # repaired from the database, delivered to sockets.
        "live": dict(live.counters),
    }, status=status)


def search(request):
    """Teams, players and competitions by any name a source gives them (accents and case folded)."""
    query = read.text(request.GET, "q", max_length=SEARCH_LENGTH)
    folded = normalize_name(query)
    results = {}
    if folded:
        results = {
            "Teams": Team.objects.filter(Q(name__icontains=query) | Q(aliases__normalized__contains=folded))
            .distinct().order_by("name")[:SEARCH_RESULTS],
            "Players": Player.objects.filter(Q(name__icontains=query) | Q(known_as__icontains=query)
                                             | Q(aliases__normalized__contains=folded))
            .distinct().order_by("name")[:SEARCH_RESULTS],
            "Competitions": Competition.objects.filter(Q(name__icontains=query) | Q(short_name__icontains=query)
                                                       | Q(country__icontains=query))
            .order_by("name")[:SEARCH_RESULTS],
        }
    return render(request, "search.html", {"query": query, "results": results,
                                           "found": any(len(rows) for rows in results.values())})
