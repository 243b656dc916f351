"""A training run killed mid-way resumes from its last epoch and ends where an unbroken run ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import torch

from mlcore.spec import ProgressEvent, TrainParams
from mlcore.training import train_classifier
from tests.support.paths import ROOT

EPOCHS = 3


def cli(flowers_dir: Path, out: Path, *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "mlcore",
        "train",
        str(flowers_dir),
        str(out),
        "--epochs",
        str(EPOCHS),
        "--image-size",
        "32",
        "--batch-size",
        "4",
        "--seed",
        "3",
        *extra,
    ]


def weights(path: Path) -> dict[str, torch.Tensor]:
    state: dict[str, torch.Tensor] = torch.load(path, weights_only=True)["state_dict"]
    return state


def test_killed_run_resumes_and_matches_an_unbroken_run(flowers_dir: Path, tmp_path: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = tmp_path / "interrupted"
    proc = subprocess.Popen(
        cli(flowers_dir, out), stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT
    )
    assert proc.stdout is not None
    for line in proc.stdout:  # kill it right after the first epoch's checkpoint
        if f"epoch 1/{EPOCHS} done" in line:
            proc.send_signal(signal.SIGKILL)
            break
    proc.wait()
    assert proc.returncode == -signal.SIGKILL
    assert (out / "train" / "last.pt").is_file()
    assert not (out / "output" / "package.zip").exists()

    resumed = subprocess.run(
        cli(flowers_dir, out, "--resume"),
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        check=True,
        timeout=600,
    )
    assert "resumed after epoch 1" in resumed.stdout
    assert (
        f"epoch 2/{EPOCHS} done" in resumed.stdout
        and f"epoch 1/{EPOCHS} done" not in resumed.stdout
    )

    events: list[ProgressEvent] = []
    params = TrainParams(
        model="efficientnet_b0", epochs=EPOCHS, image_size=32, batch_size=4, seed=3
    )
    unbroken = train_classifier(params, flowers_dir, tmp_path / "unbroken", events.append)
    assert len(unbroken.history) == EPOCHS
    got, expected = weights(out / "train" / "model.pt"), weights(unbroken.checkpoint)
    assert got.keys() == expected.keys()
    for name in expected:
        torch.testing.assert_close(got[name], expected[name], rtol=1e-4, atol=1e-5, msg=name)
