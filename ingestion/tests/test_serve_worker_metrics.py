"""serve_worker_metrics: the qcluster's task and provider metrics, added up over its processes."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from wsgiref.util import setup_testing_defaults

import pytest
from django.core.management import CommandError, call_command
from prometheus_client.parser import text_string_to_metric_families

from quantfoot.metrics import worker_metrics_app

ROOT = Path(__file__).resolve().parents[2]

# A cluster as django-q2 makes one: set up once, then forked workers; each records a task
# that ran 1.5 s and failed, and one provider answer with the quota left.
CLUSTER = textwrap.dedent("""
    import os
    import django
    django.setup()
    from django_q.signals import post_execute_in_worker
    from ingestion import task_metrics
    from ingestion.providers.http import PROVIDER_QUOTA_REMAINING, PROVIDER_REQUESTS

    for n, left in ((1, 90), (2, 88)):
        pid = os.fork()
        if pid == 0:
            task = {"id": f"t-{n}", "func": "ingestion.tasks.poll_live", "success": False}
            task_metrics._started[task["id"]] = 0.0
            task_metrics.time.monotonic = lambda: 1.5
            post_execute_in_worker.send(sender="django_q", func=None, task=task)
            PROVIDER_REQUESTS.labels("api_football", "200").inc()
            PROVIDER_QUOTA_REMAINING.labels("api_football", "day").set(left)
            os._exit(0)
        assert os.waitpid(pid, 0)[1] == 0
""")


def run_cluster(directory: Path) -> None:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(directory), "DJANGO_SETTINGS_MODULE": "quantfoot.settings"}
    result = subprocess.run([sys.executable, "-c", CLUSTER], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=120)
    assert result.returncode == 0, result.stderr


def get(app, path="/metrics", address="127.0.0.1"):
    environ = {"PATH_INFO": path, "REMOTE_ADDR": address}
    setup_testing_defaults(environ)
    answer = {}
    body = b"".join(app(environ, lambda status, headers: answer.update(status=status)))
    return answer["status"], body.decode()


def test_two_workers_metrics_are_served_added_up(tmp_path):
    run_cluster(tmp_path)
    status, body = get(worker_metrics_app(str(tmp_path)))

    assert status == "200 OK"
    samples = {(s.name, frozenset(s.labels.items())): s.value
               for family in text_string_to_metric_families(body) for s in family.samples}
    poll = frozenset({("task", "ingestion.tasks.poll_live")})
    assert samples[("quantfoot_task_duration_seconds_count", poll)] == 2
    assert samples[("quantfoot_task_duration_seconds_sum", poll)] == 3.0
    assert samples[("quantfoot_task_failures_total", poll)] == 2
    assert samples[("quantfoot_provider_requests_total",
                    frozenset({("provider", "api_football"), ("status", "200")}))] == 2
    # What the provider said last, whichever worker heard it.
    assert samples[("quantfoot_provider_quota_remaining",
                    frozenset({("provider", "api_football"), ("window", "day")}))] == 88


def test_worker_metrics_have_the_same_access_rule_as_the_site(tmp_path, settings):
    app = worker_metrics_app(str(tmp_path))
    assert get(app, address="203.0.113.9")[0] == "403 Forbidden"
    assert get(app, path="/")[0] == "404 Not Found"
    settings.METRICS_TOKEN = "scrape-me"
    assert get(app)[0] == "403 Forbidden"


def test_the_command_needs_the_folder_the_cluster_writes_to(monkeypatch):
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR", raising=False)
    with pytest.raises(CommandError, match="PROMETHEUS_MULTIPROC_DIR must name an existing folder"):
        call_command("serve_worker_metrics")
