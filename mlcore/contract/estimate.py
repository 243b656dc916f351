"""How long a job will take, before it starts (torch-free: the API and the CLI use it).

The work is counted in GFLOP: epochs x training images x the catalog's GFLOPs of one image
(measured at the model's default size, scaled by area to the job's image size) x
`TRAIN_PASSES`. The pace is the service's own: GFLOP per second of wall-clock time of the
jobs it finished (evaluation and export included), or, before it has finished any, a
conservative default per device type plus a fixed allowance for evaluation and export.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from mlcore.contract.catalog import get_model_info
from mlcore.contract.job import JobConfig
from mlcore.contract.train import TrainConfig

TRAIN_PASSES = 3.0  # a training step costs about three forward passes (forward + backward)
# Conservative training paces in GFLOP/s; a defaults-only efficientnet_b0 job on ~250
# images ran at about 4 GFLOP/s on a CPU (40 epochs in ~100 minutes)
DEFAULT_GFLOPS_PER_S = {"cpu": 4.0, "mps": 20.0, "cuda": 300.0}
# Whole-job CPU paces measured per family (2 cores; time-to-accuracy-cpu-2026-12-05.json:
# resnet18 ran its CIFAR job at 126 and its flowers job at 154 GFLOP/s)
FAMILY_CPU_GFLOPS_PER_S = {"resnet": 120.0}
FIXED_S = 60.0  # evaluation, export and packaging, with the default paces


@dataclass(frozen=True)
class FinishedRun:
    """A finished job's work and how long it took."""

    gflop: float
    seconds: float
    family: str | None = None  # the trained model's family: paces differ by family


class Estimate(BaseModel):
    """A job's expected duration and how it was estimated."""

    seconds: float | None = Field(description="expected wall-clock seconds; None: no estimate")
    basis: str = Field(description="how it was estimated, in plain words")


def training_gflop(config: JobConfig, train_images: int, epochs: int | None = None) -> float | None:
    """The GFLOP of a job's training (`epochs` when fewer ran than configured); None for a
    job that does not train one catalog model (an architecture search)."""
    if not isinstance(config, TrainConfig):
        return None
    info = get_model_info(config.model)
    per_image = info.gflops * (config.image_size / info.default_image_size) ** 2
    return (epochs or config.epochs) * train_images * per_image * TRAIN_PASSES


def model_family(config: JobConfig) -> str | None:
    """The catalog family of the model a job trains (None for an architecture search)."""
    return get_model_info(config.model).family if isinstance(config, TrainConfig) else None


def estimate_duration(
    gflop: float | None,
    finished: Sequence[FinishedRun],
    device: str = "cpu",
    family: str | None = None,
) -> Estimate:
    """The expected duration of `gflop` of training: at the measured pace of `finished`
    runs when there are any (those of the same model `family` where there are such: a
    FLOP of EfficientNet costs several of ResNet's), else at the pace measured for the
    family on a CPU where there is one, else at the default pace of `device` (cpu, mps or
    cuda; others count as cpu)."""
    if gflop is None:
        return Estimate(seconds=None, basis="no estimate for this kind of job")
    finished = [run for run in finished if run.family == family] or finished
    seconds = sum(run.seconds for run in finished)
    if finished and seconds > 0:
        pace = sum(run.gflop for run in finished) / seconds
        return Estimate(
            seconds=gflop / pace,
            basis=f"measured: {len(finished)} finished job(s) on this service ran at "
            f"{pace:.3g} GFLOP/s",
        )
    measured = FAMILY_CPU_GFLOPS_PER_S.get(family or "") if device == "cpu" else None
    if measured:
        return Estimate(
            seconds=FIXED_S + gflop / measured,
            basis=f"{family} on a 2-core CPU ran at {measured:g} GFLOP/s in Konstruktor's "
            "benchmark (no finished job measured here yet)",
        )
    pace = DEFAULT_GFLOPS_PER_S.get(device, DEFAULT_GFLOPS_PER_S["cpu"])
    return Estimate(
        seconds=FIXED_S + gflop / pace,
        basis=f"default pace for {device}, {pace:g} GFLOP/s (conservative; no finished job "
        "measured yet)",
    )


def format_duration(seconds: float | None) -> str:
    """A duration in words: about 1 h 40 min, about 5 min, under a minute, or unknown."""
    if seconds is None:
        return "unknown"
    minutes = round(seconds / 60)
    if minutes < 1:
        return "under a minute"
    hours, minutes = divmod(minutes, 60)
    return "about " + (f"{hours} h {minutes} min" if hours else f"{minutes} min")
