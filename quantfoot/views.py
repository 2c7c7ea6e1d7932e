from django.db import connection
from django.http import JsonResponse

from matches import live


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
