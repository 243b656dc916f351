"""The database is the source of truth for jobs, and this keeps the rest in line with it:
a running job whose worker died is requeued (or failed after its last attempt); a queued job
whose broker message is gone (a broker restarted without persistence) is sent again.
Checkpoints kept for resuming do not pile up forever either: they expire. With the yandex
compute backend on, each pass also deletes the cloud machines no running job owns
(worker.compute.yandex.reaper)."""

from __future__ import annotations

import logging
import shutil
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select

from backend.db import session_scope
from backend.job_states import RESUMABLE, transition
from backend.models import Job, JobState, utcnow
from backend.queue import JobDispatcher, make_celery
from backend.settings import get_settings
from backend.yandex_settings import YANDEX, get_yandex_settings

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
        ).all()
        still_stale = [or_(Job.heartbeat_at < cutoff, Job.heartbeat_at.is_(None))]
        for job in stale:
            values: dict[str, Any] = {"finished_at": utcnow()}
            if job.cancel_requested:
                new = JobState.cancelled
            elif job.attempts < job.max_attempts:
                new = JobState.queued
                values = {
                    "message": f"requeued: its worker stopped responding (attempt {job.attempts})"
                }
            else:
                new = JobState.failed
                values["error"] = (
                    f"the worker running this job stopped responding {job.attempts} time(s); "
                    "giving up"
                )
            running = [JobState.running]
            if transition(session, job.id, new, expect=running, where=still_stale, **values):
                touched.append(job.id)
                if new == JobState.queued:
                    requeue.append(job.id)
    for job_id in requeue:
        dispatcher.enqueue(job_id)
    if touched:
        log.warning("reaped stale jobs %s (requeued %s)", touched, requeue)
    return touched


class LostJobs:
    """Re-sends queued jobs the broker no longer holds. A job must be missing in two passes
    in a row (a message being delivered is briefly in neither place); a job sent twice runs
    once, as a worker claims only a queued job (`worker.job_store.claim`)."""

    def __init__(self, dispatcher: JobDispatcher) -> None:
        self.dispatcher = dispatcher
        self.missing: set[str] = set()

    def requeue(self) -> list[str]:
        """One pass; the jobs sent again."""
        with session_scope() as session:
            queued = set(session.scalars(select(Job.id).where(Job.state == JobState.queued)))
        missing = queued - self.dispatcher.pending_job_ids()
        lost, self.missing = sorted(missing & self.missing), missing
        for job_id in lost:
            self.dispatcher.enqueue(job_id)
        if lost:
            log.warning("re-sent queued jobs whose broker message was gone: %s", lost)
            self.missing -= set(lost)
        return lost


def purge_old_checkpoints(jobs_dir: Path, retention_s: float) -> list[str]:
    """Delete the kept checkpoints of failed or cancelled jobs untouched for retention_s
    (and of jobs that no longer exist); those jobs can then no longer resume."""
    cutoff = time.time() - retention_s
    folders = {p.name: p for p in jobs_dir.iterdir() if p.is_dir()} if jobs_dir.is_dir() else {}
    with session_scope() as session:
        rows = session.execute(select(Job.id, Job.state).where(Job.id.in_(list(folders))))
        states = {job_id: state for job_id, state in rows}
    purged = []
    for job_id, folder in folders.items():
        if states.get(job_id, JobState.failed) not in RESUMABLE:
            continue
        newest = max((p.stat().st_mtime for p in folder.rglob("*") if p.is_file()), default=0.0)
        if newest < cutoff:
            shutil.rmtree(folder, ignore_errors=True)
            purged.append(job_id)
    if purged:
        log.info("purged the checkpoints of %s", purged)
    return purged


def _cloud_reaper() -> Callable[[], list[str]]:
    """One pass of the Yandex Cloud machine reaper, on one SDK client kept between passes."""
    from worker.compute.yandex.cloud import YandexCloud
    from worker.compute.yandex.reaper import reap_machines

    cloud_settings = get_yandex_settings()
    cloud = YandexCloud(cloud_settings)
    return lambda: reap_machines(cloud, cloud_settings)


def start_reaper_thread() -> threading.Thread:
    """Reap now and then every `reaper_interval_s` in a daemon thread of the worker process."""
    settings = get_settings()
    dispatcher = JobDispatcher(make_celery(settings))
    lost = LostJobs(dispatcher)
    reap_cloud = _cloud_reaper() if YANDEX in settings.compute_backends else None

    def loop() -> None:
        stop = threading.Event()
        while True:
            try:
                reap_stale_jobs(dispatcher, settings.job_heartbeat_timeout_s)
                lost.requeue()
                purge_old_checkpoints(
                    settings.var_dir / "jobs", settings.checkpoint_retention_days * 86400
                )
                if reap_cloud:
                    reap_cloud()
            except Exception:
                log.exception("reaper pass failed")
            stop.wait(settings.reaper_interval_s)

    thread = threading.Thread(target=loop, name="job-reaper", daemon=True)
    thread.start()
    return thread
