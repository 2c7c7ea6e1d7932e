"""Prometheus metrics of the django-q2 tasks: how long each ran and how many failed.

Measured inside the worker that runs the task (django-q2's ``pre_execute`` and
``post_execute_in_worker`` signals), so the time is the task's own, not its wait in the queue.
Labelled by the task's function (``ingestion.tasks.poll_live``), a set fixed by the code;
never by task name or id, which are new for every run.
"""

from __future__ import annotations

import time

from django_q.signals import post_execute_in_worker, pre_execute
from django_q.utils import get_func_repr
from prometheus_client import Counter, Histogram

# From a live poll (under a second) to a season import or model fit (Q_CLUSTER's 30-minute timeout).
DURATION_BUCKETS = (0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1200, 1800, float("inf"))

TASK_DURATION = Histogram("quantfoot_task_duration_seconds", "Time a django-q2 task ran in its worker.",
                          ["task"], buckets=DURATION_BUCKETS)
TASK_FAILURES = Counter("quantfoot_task_failures", "django-q2 tasks that raised or timed out.", ["task"])

_started: dict[str, float] = {}  # task id -> monotonic start, in this worker


def task_started(sender, func, task, **kwargs) -> None:
    _started[task["id"]] = time.monotonic()


def task_finished(sender, func, task, **kwargs) -> None:
    started = _started.pop(task["id"], None)
    label = get_func_repr(task["func"])
    if started is not None:
        TASK_DURATION.labels(label).observe(time.monotonic() - started)
    # A sync task that raised has no "success" yet: django-q2 re-raises it right after this signal.
    if not task.get("success", False):
        TASK_FAILURES.labels(label).inc()


def connect() -> None:
    pre_execute.connect(task_started, dispatch_uid="quantfoot-task-metrics-start")
    post_execute_in_worker.connect(task_finished, dispatch_uid="quantfoot-task-metrics-finish")
