"""Celery configuration shared by the API (which only sends) and the worker (which runs).

Redis when `REDIS_URL` is set; otherwise Kombu's filesystem transport under `var/broker`,
an embedded broker that needs no extra service.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from celery import Celery

from backend.settings import Settings, get_settings

RUN_JOB_TASK = "konstruktor.run_job"
REDIS_PRIORITY_SEPARATOR = "\x06\x16"  # kombu's Redis transport: QUEUE, QUEUE␆␖3, ...
REDIS_UNACKED = "unacked"  # kombu's hash of delivered, not yet acknowledged messages


def broker_config(settings: Settings) -> dict[str, Any]:
    if settings.redis_url:
        return {"broker_url": settings.redis_url}
    folder = (settings.var_dir / "broker").resolve()
    for sub in ("queue", "processed", "control"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    return {
        "broker_url": "filesystem://",
        "broker_transport_options": {
            "data_folder_in": str(folder / "queue"),
            "data_folder_out": str(folder / "queue"),
            "processed_folder": str(folder / "processed"),
            "control_folder": str(folder / "control"),  # exchange tables (default: ./control)
            "store_processed": False,
        },
    }


def make_celery(settings: Settings | None = None) -> Celery:
    """A Celery app with Konstruktor's reliability settings (late acks, one task at a time)."""
    settings = settings or get_settings()
    app = Celery("konstruktor")
    app.conf.update(
        broker_config(settings),
        task_ignore_result=True,
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_default_queue=settings.queue_name,
        broker_connection_retry_on_startup=True,
    )
    return app


def _job_id(payload: dict[str, Any]) -> str | None:
    """The job id a kombu message payload of RUN_JOB_TASK carries."""
    if payload.get("headers", {}).get("task") != RUN_JOB_TASK:
        return None
    body = payload["body"]
    if payload.get("properties", {}).get("body_encoding") == "base64":
        body = base64.b64decode(body)
    args = json.loads(body)[0]
    return str(args[0]) if args else None


def _job_ids(payloads: Iterable[bytes | str]) -> set[str]:
    found = set()
    for raw in payloads:
        message = json.loads(raw)
        job_id = _job_id(message[0] if isinstance(message, list) else message)
        if job_id:
            found.add(job_id)
    return found


class JobDispatcher:
    """Sends job ids to the worker queue by task name (the API never imports the worker)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def enqueue(self, job_id: str) -> None:
        self.app.send_task(RUN_JOB_TASK, args=[job_id])

    def pending_job_ids(self) -> set[str]:
        """The jobs whose message the broker holds now: waiting in the queue, or delivered to
        a worker and not yet acknowledged (Redis); waiting in the queue folder (filesystem)."""
        conf = self.app.conf
        queue = conf.task_default_queue
        if conf.broker_url.startswith("filesystem"):
            folder = Path(conf.broker_transport_options["data_folder_in"])
            return _job_ids(p.read_bytes() for p in folder.glob(f"*.{queue}.msg"))
        import redis

        client = redis.Redis.from_url(conf.broker_url)
        keys = [queue, *client.scan_iter(f"{queue}{REDIS_PRIORITY_SEPARATOR}*")]
        waiting = [raw for key in keys for raw in client.lrange(key, 0, -1)]
        return _job_ids([*waiting, *client.hvals(REDIS_UNACKED)])
