"""Celery tasks: run a job through its compute backend, keeping the state machine true."""

from __future__ import annotations

import logging

from backend.db import session_scope
from backend.models import Job
from backend.queue import RUN_JOB_TASK
from worker.celery_app import app
from worker.compute import JobCancelled, get_backend
from worker.job_store import JobHooks, claim, finish_cancelled, finish_failed, finish_succeeded

log = logging.getLogger(__name__)


@app.task(name=RUN_JOB_TASK, acks_late=True, reject_on_worker_lost=True)
def run_job(job_id: str) -> None:
    """Claim the job (skipped if it is no longer queued), run it, record the outcome."""
    try:
        spec = claim(job_id)
    except LookupError as exc:
        finish_failed(job_id, str(exc))
        return
    if spec is None:
        log.info("job %s is not queued any more; skipping", job_id)
        return
    with session_scope() as session:
        job = session.get(Job, job_id)
        backend_name = job.compute_backend if job else "local"
    try:
        result = get_backend(backend_name).run(spec, JobHooks(job_id))
    except JobCancelled:
        finish_cancelled(job_id)
    except Exception as exc:
        log.exception("job %s failed", job_id)
        finish_failed(job_id, str(exc) or type(exc).__name__)
    else:
        finish_succeeded(spec, result)
