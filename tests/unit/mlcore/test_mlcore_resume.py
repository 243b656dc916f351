"""A training run killed mid-way resumes from its last epoch and ends where an unbroken run ends."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from tests.support.paths import ROOT

pytestmark = pytest.mark.slow  # trains models

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
    assert (out / "resume" / "last.pt").is_file()
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
    assert f"epoch 1/{EPOCHS} restored" in resumed.stdout  # the job's chart stays whole
    assert (
        f"epoch 2/{EPOCHS} done" in resumed.stdout
        and f"epoch 1/{EPOCHS} done" not in resumed.stdout
    )

    # The reference runs the same command unbroken, in the same kind of process.
    unbroken = tmp_path / "unbroken"
    subprocess.run(cli(flowers_dir, unbroken), env=env, cwd=ROOT, check=True, timeout=600)
    for file, key in (("last.pt", "model"), ("model.pt", "state_dict")):
        got = torch.load(out / "resume" / file, weights_only=True)[key]
        expected = torch.load(unbroken / "resume" / file, weights_only=True)[key]
        assert got.keys() == expected.keys()
        for name in expected:
            torch.testing.assert_close(got[name], expected[name], rtol=0, atol=0, msg=name)
