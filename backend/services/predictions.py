"""Try a trained model on uploaded images: the model's own package (its predict.py and
model.onnx, exactly what the user downloads) run in a limited child process, so the API
process never loads a model runtime and a hostile image can only exhaust the child."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PREDICT_SCRIPT = "predict.py"


class PredictionFailed(RuntimeError):
    """The package could not run on the images; the message says why."""


@dataclass(frozen=True)
class PredictLimits:
    """What one prediction request may use."""

    memory_mb: int = 2048
    cpu_s: int = 120
    wall_s: float = 120.0


def _limit_child(limits: PredictLimits) -> None:
    memory = limits.memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_s, limits.cpu_s))


def predict_images(
    package: Path,
    images: Sequence[tuple[str, bytes]],
    topk: int | None,
    conf: float | None,
    limits: PredictLimits,
) -> list[dict[str, Any]]:
    """One result per image, in order: the package's `predict.py --json` output (its
    `top` labels or `boxes` in original pixels) with the uploaded file's name."""
    with tempfile.TemporaryDirectory(prefix="konstruktor-predict-") as tmp:
        folder = Path(tmp)
        stored = []
        for index, (name, data) in enumerate(images):
            path = folder / f"{index:03d}{Path(name).suffix.lower() or '.jpg'}"
            path.write_bytes(data)
            stored.append(path)
        command = [sys.executable, PREDICT_SCRIPT, str(folder), "--json", "--backend", "onnx"]
        if topk is not None:
            command += ["--topk", str(topk)]
        if conf is not None:
            command += ["--conf", str(conf)]
        env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        try:
            proc = subprocess.run(
                command,
                cwd=package,
                capture_output=True,
                text=True,
                timeout=limits.wall_s,
                env=env,
                preexec_fn=lambda: _limit_child(limits),
                check=False,
            )
        except subprocess.TimeoutExpired as exc:
            raise PredictionFailed(f"the model took longer than {limits.wall_s:g}s") from exc
        if proc.returncode != 0:
            reason = proc.stderr.strip().splitlines()[-1:] or [f"exit {proc.returncode}"]
            raise PredictionFailed(f"the model could not read the images: {reason[0][:500]}")
        by_file = {
            Path(line["file"]).name: line
            for line in map(json.loads, proc.stdout.splitlines())
            if line
        }
    results = []
    for (name, _), path in zip(images, stored, strict=True):
        line = by_file.get(path.name)
        if line is None:
            raise PredictionFailed(f"{name} is not an image the model can read")
        results.append({**{k: v for k, v in line.items() if k != "file"}, "file": name})
    return results
