"""No paid machine outlives its job: every pass deletes each machine labelled as this
service's whose job is over, was cancelled, has moved on to a newer attempt (its worker
died) or is gone, and any machine older than the job limit; and closes the records of
machines the cloud no longer has. A machine without this service's label is never touched.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from backend.db import session_scope
from backend.models import CloudMachine, Job, JobState, utcnow
from backend.yandex_settings import YANDEX, YandexSettings
from worker.compute.yandex import machines
from worker.compute.yandex.cloud import LABEL_ATTEMPT, LABEL_JOB, Machine, YandexCloud

log = logging.getLogger(__name__)

GRACE = timedelta(minutes=15)  # beyond the job limit, before a machine counts as forgotten


def _why_delete(machine: Machine, now: datetime, limit: timedelta) -> str | None:
    """Why `machine` must go, or None while its job's current attempt runs on it."""
    if now - machine.created_at > limit:
        return f"it is older than the job limit ({limit})"
    job_id = machine.labels.get(LABEL_JOB, "")
    with session_scope() as session:
        job = session.get(Job, job_id)
        if job is None:
            return f"its job {job_id or '?'} does not exist"
        if job.state == JobState.queued:
            return "its job went back to the queue (the worker running it stopped)"
        if job.state != JobState.running:
            return f"its job is {job.state}"
        if job.cancel_requested:
            return "its job was cancelled"
        if machine.labels.get(LABEL_ATTEMPT) != str(job.attempts):
            return f"its job moved on to attempt {job.attempts} (the worker of the machine's died)"
    return None


def _attempt_over(session_job: Job | None, attempt: int) -> bool:
    return (
        session_job is None
        or session_job.state != JobState.running
        or session_job.attempts != attempt
    )


def reap_machines(cloud: YandexCloud, settings: YandexSettings) -> list[str]:
    """One pass; the ids of the machines it deleted."""
    now = utcnow()
    limit = timedelta(hours=settings.max_job_hours, seconds=settings.startup_s) + GRACE
    listed: set[str] = set()
    deleted: list[str] = []
    for machine in list(cloud.ours()):
        listed.add(machine.id)
        reason = _why_delete(machine, now, limit)
        if reason is None:
            continue
        cloud.delete(machine.id)
        deleted.append(machine.id)
        log.warning("deleted machine %s: %s", machine.id, reason)
        with session_scope() as session:
            record = session.scalar(
                select(CloudMachine.id).where(CloudMachine.instance_id == machine.id)
            )
        if record is not None:
            machines.release(record, f"reaped: {reason}")
    with session_scope() as session:  # records of machines that are gone (or never made)
        live = session.scalars(
            select(CloudMachine).where(
                CloudMachine.backend == YANDEX, CloudMachine.state.in_(machines.LIVE)
            )
        ).all()
        gone = [
            m.id
            for m in live
            if m.instance_id not in listed and _attempt_over(session.get(Job, m.job_id), m.attempt)
        ]
    for record in gone:
        machines.release(record, "gone: its job's attempt ended without it")
    return deleted
