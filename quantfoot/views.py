from django.db.models import Q
from django.http import HttpResponsePermanentRedirect, JsonResponse
from django.templatetags.static import static
from django.shortcuts import render

from matches import live
from matches.models import Competition, Team, normalize_name
from players.models import Player
from quantfoot import health
from quantfoot import params as read
from quantfoot import websockets

SEARCH_RESULTS = 20
SEARCH_LENGTH = 100  # the search box's maxlength


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the SVG icon."""
    return HttpResponsePermanentRedirect(static("favicon.svg"))


async def healthz(request):
    """Database, channel layer and task worker, each reported (quantfoot.health); 503 when one is down."""
    checks, healthy = await health.report()
    return JsonResponse({
        "status": "ok" if healthy else "degraded",
        **checks,
        # This process's live delivery: frames published, failed (layer down), coalesced,
        # repaired from the database, delivered to sockets; and how they were written
        # (daphne's framed-once path, or the standard ASGI send of any other server).
        "live": dict(live.counters),
        "socket_writes": dict(websockets.writes),
    }, status=200 if healthy else 503)


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
