"""What /healthz checks, each part on its own so a load balancer sees which one is broken.

- database: ``SELECT 1``;
- channel layer: a round trip, a message sent to a fresh channel of this process and read back
  (a Redis that is down, or one that accepts and never delivers, both fail it);
- task worker: django-q2's cluster heartbeat, which each running ``qcluster`` refreshes in the
  broker every few seconds with a short expiry, so a stopped worker drops out within seconds.

Each check answers "ok" or "error: why" within ``TIMEOUT`` seconds and never raises.
"""

from __future__ import annotations

import asyncio
import secrets

from asgiref.sync import sync_to_async
from channels.layers import get_channel_layer
from django.db import connection

TIMEOUT = 2.0  # seconds per check: a monitor polls every few seconds


def _database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        return "ok"
    except Exception as exc:  # report, never raise: this is what monitors read
        return f"error: {exc.__class__.__name__}"
    finally:
        connection.close_if_unusable_or_obsolete()


async def database() -> str:
    return await sync_to_async(_database, thread_sensitive=True)()


async def channel_layer() -> str:
    layer = get_channel_layer()
    if layer is None:
        return "error: no channel layer configured"
    nonce = secrets.token_hex(8)

    async def round_trip() -> bool:
        channel = await layer.new_channel("healthz.")
        await layer.send(channel, {"type": "healthz.ping", "nonce": nonce})
        message = await layer.receive(channel)
        return message.get("nonce") == nonce

    try:
        delivered = await asyncio.wait_for(round_trip(), TIMEOUT)
    except TimeoutError:
        return f"error: no message back within {TIMEOUT:g} s"
    except Exception as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok" if delivered else "error: a different message came back"


def _task_worker() -> tuple[str, int]:
    from django_q.conf import Conf
    from django_q.status import Stat

    try:
        clusters = [stat for stat in Stat.get_all() if stat.status in (Conf.IDLE, Conf.WORKING)]
    except Exception as exc:
        return f"error: {exc.__class__.__name__}", 0
    if not clusters:
        return "error: no task worker (manage.py qcluster) has reported in the last few seconds", 0
    return "ok", len(clusters)


async def task_worker() -> tuple[str, int]:
    try:
        return await asyncio.wait_for(sync_to_async(_task_worker, thread_sensitive=False)(), TIMEOUT)
    except TimeoutError:
        return f"error: the broker did not answer within {TIMEOUT:g} s", 0


async def report() -> tuple[dict, bool]:
    """Every check at once (they run concurrently); True when all are ok."""
    db, layer, (worker, clusters) = await asyncio.gather(database(), channel_layer(), task_worker())
    checks = {"database": db, "channel_layer": layer, "task_worker": worker}
    return {**checks, "task_clusters": clusters}, all(value == "ok" for value in checks.values())
