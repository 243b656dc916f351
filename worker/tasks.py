"""Celery tasks: run a job through its compute backend, keeping the state machine true."""

from __future__ import annotations

import logging

from backend.db import session_scope
from backend.models import Job
from backend.queue import RUN_JOB_TASK
from backend.settings import get_settings
from backend.storage import create_storage
from worker.celery_app import app
from worker.compute.base import JobCancelled, get_backend
from worker.job_store import (
    Heartbeat,
    JobHooks,
    claim,
    fail_unclaimed,
    finish_cancelled,
    finish_failed,
    finish_succeeded,
)

log = logging.getLogger(__name__)


@app.task(name=RUN_JOB_TASK, acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: str) -> None:
    """Claim the job (skipped if it is no longer queued), run it, record the outcome."""
    try:
        claimed = claim(job_id)
    except Exception as exc:
        log.exception("job %s could not be claimed", job_id)
        fail_unclaimed(job_id, f"the job could not start: {exc}")
        return
    if claimed is None:
        log.info("job %s is not queued any more; skipping", job_id)
        return
    with session_scope() as session:
        job = session.get(Job, job_id)
        backend_name = job.compute_backend if job else "local"
    hooks = JobHooks(job_id, claimed.attempt)
    try:
        with Heartbeat(job_id, claimed.attempt, get_settings().job_heartbeat_interval_s):
            result = get_backend(backend_name).run(claimed.spec, hooks)
    except JobCancelled:
        hooks.flush()
        closed = finish_cancelled(job_id, claimed.attempt)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        hooks.flush()
        closed = finish_failed(job_id, claimed.attempt, str(exc) or type(exc).__name__)
    else:
        hooks.flush()
        finish_succeeded(claimed, result)
        return
    if closed:  # no partial artifacts stay behind a failed or cancelled job
        create_storage().delete_prefix(claimed.spec.output_prefix)
