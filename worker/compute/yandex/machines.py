"""The records of paid cloud machines: the limit on how many run at once, what each one
cost, and the job's cost as the sum of its machines'."""

from __future__ import annotations

import threading

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from backend.compute_targets import JobCost
from backend.db import session_scope
from backend.models import CloudMachine, Job, MachineState, utcnow

LIVE = (MachineState.starting, MachineState.running)
ADMISSION_LOCK = 0x6B6F6E  # a PostgreSQL advisory lock: one admission at a time
_admission = threading.Lock()  # and one at a time in this process (SQLite has no such lock)


def live_machines(session: Session, backend: str) -> int:
    query = select(func.count()).where(
        CloudMachine.backend == backend, CloudMachine.state.in_(LIVE)
    )
    return int(session.scalar(query) or 0)


def reserve(
    backend: str, job_id: str, attempt: int, limit: int, price_per_hour: float, currency: str
) -> int | None:
    """A machine record for the job's attempt, if fewer than `limit` machines are live
    (starting or running); None when the job has to wait for one."""
    with _admission, session_scope() as session:
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": ADMISSION_LOCK})
        if live_machines(session, backend) >= limit:
            return None
        machine = CloudMachine(
            backend=backend,
            job_id=job_id,
            attempt=attempt,
            price_per_hour=price_per_hour,
            currency=currency,
        )
        session.add(machine)
        session.flush()
        return machine.id


def set_instance(machine_id: int, instance_id: str) -> None:
    """Record the cloud's id of the machine as soon as it is known."""
    with session_scope() as session:
        machine = session.get(CloudMachine, machine_id)
        assert machine is not None
        machine.instance_id = instance_id
        machine.state = MachineState.running


def mark_ready(machine_id: int) -> None:
    """The machine's job reported its first progress: its start is over (measured)."""
    with session_scope() as session:
        machine = session.get(CloudMachine, machine_id)
        if machine is not None and machine.ready_at is None:
            machine.ready_at = utcnow()


def release(machine_id: int, outcome: str) -> None:
    """The machine is gone: record when and why, and add its cost to its job's."""
    with session_scope() as session:
        machine = session.get(CloudMachine, machine_id)
        if machine is None or machine.state == MachineState.deleted:
            return
        machine.state = MachineState.deleted
        machine.deleted_at = utcnow()
        machine.outcome = outcome
        session.flush()
        job = session.get(Job, machine.job_id)
        if job is not None and job.cost is not None:
            job.cost = job_cost(session, job.id, JobCost.model_validate(job.cost)).model_dump()


def job_cost(session: Session, job_id: str, cost: JobCost) -> JobCost:
    """`cost` with the machine time and cost of every machine the job has had."""
    machines = session.scalars(  # those the cloud made (a refused one cost nothing)
        select(CloudMachine).where(
            CloudMachine.job_id == job_id, CloudMachine.instance_id.is_not(None)
        )
    ).all()
    seconds = cost_total = 0.0
    for machine in machines:
        end = machine.deleted_at or utcnow()
        used = max(0.0, (end - machine.created_at).total_seconds())
        seconds += used
        cost_total += used / 3600 * machine.price_per_hour
    return cost.model_copy(
        update={
            "machine_seconds": round(seconds, 1),
            "actual": round(cost_total, 2),
            "machines": len(machines),
        }
    )
