"""The worker's Celery app: `celery -A worker.celery_app worker`."""

from __future__ import annotations

from typing import Any

from celery.signals import worker_ready

from backend.queue import make_celery

app = make_celery()
app.conf.include = ["worker.tasks"]


@worker_ready.connect
def _start_reaper(**_kwargs: Any) -> None:
    from worker.reaper import start_reaper_thread

    start_reaper_thread()
