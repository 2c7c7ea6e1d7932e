"""Page benchmark: the live match page of a match with ~3,800 events, rendered through Django.

Target (issue 3): under 50 ms at p95 with a fixed number of queries. Each repetition
imports Euro 2020 Turkey v Italy (3,803 events) into the empty database, then requests
/matches/<id>/ RENDERS times with the test client (the whole Django stack, no network).
"total" is the p95 of those renders.
"""

import datetime as dt
import statistics
from pathlib import Path
from time import perf_counter

from django.test import Client

from ingestion import statsbomb
from ingestion.imports import import_matches

RENDERS = 60


def benchmarks(data: Path) -> list[tuple[str, str, float, object]]:
    root = data / "statsbomb"
    if not (root / "events" / "3788741.json").exists():
        print("skipped match_page_render: StatsBomb match 3788741 not found")
        return []
    return [("match_page_render", f"/matches/<id>/, Turkey v Italy (3,803 events), {RENDERS} renders", 0.05,
             lambda: match_page(root))]


def match_page(root: Path) -> dict[str, float]:
    record = statsbomb.StatsBombFolder(root).parse_match(3788741, competition_id=55, season_id=43,
                                                         kickoff=dt.date(2021, 6, 11))
    import_matches([record], source=statsbomb.SOURCE, job="bench")
    from matches.models import Match  # after django.setup(), which bench/run.py does before loading us

    url = Match.objects.get(external_ids__source="statsbomb", external_ids__external_id="3788741").get_absolute_url()
    client = Client()
    client.get(url)  # templates compiled, caches warm
    seconds = []
    for _ in range(RENDERS):
        started = perf_counter()
        response = client.get(url)
        seconds.append(perf_counter() - started)
        assert response.status_code == 200
    p95 = statistics.quantiles(seconds, n=20)[-1]
    return {"p50": statistics.median(seconds), "p95": p95, "total": p95}
