"""Jobs whose worker died are not left running forever: requeue them or fail them."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from sqlalchemy import or_, select

from backend.db import session_scope
from backend.job_states import transition
from backend.models import Job, JobState, utcnow
from backend.queue import JobDispatcher, make_celery
from backend.settings import get_settings

log = logging.getLogger(__name__)


def reap_stale_jobs(dispatcher: JobDispatcher, timeout_s: float) -> list[str]:
    """Requeue (or fail, after the last attempt) running jobs with no heartbeat for timeout_s."""
    cutoff = utcnow() - timedelta(seconds=timeout_s)
    requeue: list[str] = []
    touched: list[str] = []
    with session_scope() as session:
        stale = session.scalars(
            select(Job)
            .where(Job.state == JobState.running)
            .where(or_(Job.heartbeat_at < cutoff, Job.heartbeat_at.is_(None)))
            .with_for_update(skip_locked=True)
        )
        for job in stale:
            touched.append(job.id)
            if job.cancel_requested:
                transition(job, JobState.cancelled)
                job.finished_at = utcnow()
            elif job.attempts < job.max_attempts:
                transition(job, JobState.queued)
                job.message = f"requeued: its worker stopped responding (attempt {job.attempts})"
                requeue.append(job.id)
            else:
                transition(job, JobState.failed)
                job.finished_at = utcnow()
                job.error = (
                    f"the worker running this job stopped responding {job.attempts} time(s); "
                    "giving up"
                )
    for job_id in requeue:
        dispatcher.enqueue(job_id)
    if touched:
        log.warning("reaped stale jobs %s (requeued %s)", touched, requeue)
    return touched


def start_reaper_thread() -> threading.Thread:
    """Reap now and then every `reaper_interval_s` in a daemon thread of the worker process."""
    settings = get_settings()
    dispatcher = JobDispatcher(make_celery(settings))

    def loop() -> None:
        stop = threading.Event()
        while True:
            try:
                reap_stale_jobs(dispatcher, settings.job_heartbeat_timeout_s)
            except Exception:
                log.exception("reaper pass failed")
            stop.wait(settings.reaper_interval_s)

    thread = threading.Thread(target=loop, name="job-reaper", daemon=True)
    thread.start()
    return thread
