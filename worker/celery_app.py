"""The worker's Celery app: `celery -A worker.celery_app worker`."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import worker_ready

from backend.queue import make_celery
from backend.settings import get_settings
from worker.compute.base import COMPUTE_BACKENDS

log = logging.getLogger(__name__)

app = make_celery()
app.conf.include = ["worker.tasks"]


@worker_ready.connect
def _start_reaper(**_kwargs: Any) -> None:
    from worker.reaper import start_reaper_thread

    backend = get_settings().compute_backend
    if backend not in COMPUTE_BACKENDS:
        log.error(
            "KONSTRUKTOR_COMPUTE_BACKEND=%s is not a compute backend (%s): its jobs will fail",
            backend,
            ", ".join(COMPUTE_BACKENDS.names()),
        )
    start_reaper_thread()
