"""Check on the training device: a run interrupted after epoch 1 and resumed finishes, with
CUDA generators restored, and lands near an unbroken run (cuDNN kernels are not bitwise
deterministic, so the difference is reported rather than asserted).

    python benchmarks/resume_check.py --out benchmarks/results
"""

from __future__ import annotations

import argparse
import contextlib
import sys
import tempfile
from pathlib import Path
from typing import Any

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


from benchmarks.bench_env import environment, unpack_image_folder, write_result
from mlcore.classify.training import train_classifier
from mlcore.contract.results import ProgressEvent
from mlcore.contract.train import TrainConfig


class Interrupted(Exception):
    """Stands in for a killed worker."""


def stop_after_first_epoch(event: ProgressEvent) -> None:
    if event.type == "epoch" and event.epoch == 1:
        raise Interrupted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "results")
    args = parser.parse_args()
    config = TrainConfig(
        model="efficientnet_b0",
        epochs=3,
        image_size=64,
        batch_size=32,
        learning_rate=1e-3,
        warmup_epochs=0.5,
        augmentation="strong",
    )
    with tempfile.TemporaryDirectory() as tmp:
        data = unpack_image_folder("flowers12_fewshot.zip", Path(tmp) / "data")
        unbroken = train_classifier(config, data, Path(tmp) / "a", lambda e: None)
        with contextlib.suppress(Interrupted):
            train_classifier(config, data, Path(tmp) / "b", stop_after_first_epoch)
        events: list[ProgressEvent] = []
        resumed = train_classifier(config, data, Path(tmp) / "b", events.append, resume=True)
        a, b = unbroken.model.state_dict(), resumed.model.state_dict()
        diff = max(float((a[k].float() - b[k].float()).abs().max()) for k in a)
        result: dict[str, Any] = {
            **environment(),
            "data_mode": resumed.data_mode,
            "resumed_log": [e.message for e in events if e.type == "log"],
            "unbroken_history": unbroken.history,
            "resumed_history": resumed.history,
            "max_abs_weight_diff": diff,
            "cuda": torch.cuda.is_available(),
        }
    print(result)
    print(write_result(args.out, "resume-check", result))


if __name__ == "__main__":
    main()
