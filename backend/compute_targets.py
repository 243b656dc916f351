"""Where a job can run, described for a client, and what a run there costs.

The compute backends themselves live in the worker (`worker.compute`); this is their
torch- and SDK-free description, read by the API: the device that sets a job's expected
pace, the machine, and, for a paid cloud target, its price per hour.
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from backend.settings import Settings
from backend.yandex_settings import YANDEX, get_yandex_settings

TITLES = {"local": "this service's own machine", YANDEX: "Yandex Cloud GPU"}


class ComputeTargetOut(BaseModel):
    """A compute backend a job may name."""

    name: str = Field(description="the value of a job's compute_backend")
    title: str
    device: str = Field(description="cpu or cuda: what sets a job's expected pace")
    machine: str | None = Field(description="the machine a job gets, in words")
    currency: str | None = None
    price_per_hour: float | None = Field(None, description="what one machine costs an hour")
    max_hours: float | None = Field(None, description="a job is stopped after this long")


class JobCost(BaseModel):
    """What a job on a paid compute target costs: estimated before, measured after."""

    currency: str
    price_per_hour: float
    estimate: float | None = Field(description="expected cost (null: no duration estimate)")
    ceiling: float = Field(description="the most it can cost: the job's time limit")
    basis: str = Field(description="how the estimate was made")
    machine_seconds: float = Field(0.0, description="machine time so far, start to deletion")
    actual: float = Field(0.0, description="the cost of that machine time")
    machines: int = Field(0, description="machines started (more than one after preemption)")


def compute_target(settings: Settings, name: str) -> ComputeTargetOut:
    """The description of compute backend `name`."""
    if name == YANDEX:
        cloud = get_yandex_settings()
        return ComputeTargetOut(
            name=name,
            title=TITLES[name],
            device="cuda",
            machine=cloud.machine,
            currency=cloud.currency,
            price_per_hour=round(cloud.price_per_hour, 2),
            max_hours=cloud.max_job_hours,
        )
    return ComputeTargetOut(name=name, title=TITLES.get(name, name), device="cpu", machine=None)


def estimate_cost(
    target: ComputeTargetOut, seconds: float | None, startup_s: float, startup_basis: str
) -> JobCost | None:
    """The cost of a job expected to compute for `seconds` (plus the machine's start), on a
    paid target; None on a free one."""
    if target.price_per_hour is None or target.currency is None or target.max_hours is None:
        return None
    per_s = target.price_per_hour / 3600
    estimate = None if seconds is None else round((seconds + startup_s) * per_s, 2)
    return JobCost(
        currency=target.currency,
        price_per_hour=target.price_per_hour,
        estimate=estimate,
        ceiling=round(target.max_hours * 3600 * per_s, 2),
        basis=f"the job's expected duration plus a machine's start ({startup_basis}), at "
        f"{target.price_per_hour:g} {target.currency}/h"
        if seconds is not None
        else "no duration estimate for this kind of job: the ceiling is its time limit",
    )
