"""Celery configuration shared by the API (which only sends) and the worker (which runs).

Redis when `REDIS_URL` is set; otherwise Kombu's filesystem transport under `var/broker`,
an embedded broker that needs no extra service.
"""

from __future__ import annotations

from typing import Any

from celery import Celery

from backend.settings import Settings, get_settings

RUN_JOB_TASK = "konstruktor.run_job"


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


class JobDispatcher:
    """Sends job ids to the worker queue by task name (the API never imports the worker)."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def enqueue(self, job_id: str) -> None:
        self.app.send_task(RUN_JOB_TASK, args=[job_id])
