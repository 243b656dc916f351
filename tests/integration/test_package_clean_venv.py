"""A model package runs on a clean machine: a fresh virtual environment with only the package's
requirements.txt (onnx backend, no torch) reproduces the service's evaluation with predict.py."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from tests.support.configs import tiny_config
from tests.support.paths import ROOT, image_folder_subset

pytestmark = pytest.mark.integration

CLASSES = ["bluebell", "daisy", "sunflower"]
PER_SPLIT = {"train": 4, "val": 3}
# Git-ignored (`/.cache/`) and kept between runs. pip's own --cache-dir only keeps wheels whose
# HTTP responses carry cache headers (a proxy may strip them), so the downloaded wheels are also
# kept as a wheelhouse: with it warm the install needs no network. Delete it to refresh.
PIP_CACHE = ROOT / ".cache" / "pip-package-tests"
WHEELHOUSE = PIP_CACHE / "wheels"
PIP_TIMEOUT_S = 60  # per network request
INSTALL_TIMEOUT_S = 600  # the whole cold download (onnxruntime is a large wheel)
PYPI_PROBE = "https://pypi.org/simple/onnxruntime/"


@dataclass
class CleanPackage:
    dataset: Path
    package: Path
    python: Path  # the clean venv's interpreter
    evaluation: dict[str, Any]
    setup_s: float  # venv creation + pip install


def clean_env() -> dict[str, str]:
    """The caller's environment minus anything that would leak its packages into the venv."""
    leaks = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    env = {k: v for k, v in os.environ.items() if k not in leaks}
    env["PYTHONNOUSERSITE"] = "1"
    return env


def pypi_reachable() -> str | None:
    """None when PyPI answers, else why not."""
    index = os.environ.get("PIP_INDEX_URL", "").rstrip("/")
    url = f"{index}/onnxruntime/" if index else PYPI_PROBE
    try:
        with urllib.request.urlopen(url, timeout=15) as response:
            response.read(1)
    except OSError as exc:
        return f"{url}: {exc}"
    return None


def pip(python: Path, subcommand: str, *args: str) -> subprocess.CompletedProcess[str]:
    """This interpreter's pip acting on the venv of `python` (which has no pip of its own)."""
    command = [sys.executable, "-m", "pip", "--python", str(python), subcommand]
    command += ["--disable-pip-version-check", "--no-input", "--cache-dir", str(PIP_CACHE / "http")]
    try:
        return subprocess.run(
            [*command, *args],
            capture_output=True,
            text=True,
            env=clean_env(),
            timeout=INSTALL_TIMEOUT_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"pip {subcommand} took over {INSTALL_TIMEOUT_S} s: {' '.join(args)}")


def install_requirements(target: Path, requirements: Path) -> Path:
    """`python -m venv` (no system site-packages, no pip) + `pip install -r requirements`:
    from the wheelhouse alone when it has everything, else after downloading from the index."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--clear", "--without-pip", str(target)],
        env=clean_env(),
        check=True,
    )
    python = target / "bin" / "python"
    assert python.is_file(), f"no interpreter in the new venv {target}"
    WHEELHOUSE.mkdir(parents=True, exist_ok=True)
    install = ("install", "--no-compile", "--no-index", "--find-links", str(WHEELHOUSE))
    if pip(python, *install, "-r", str(requirements)).returncode == 0:
        return python
    download = pip(
        python, "download", "--timeout", str(PIP_TIMEOUT_S), "-d", str(WHEELHOUSE),
        "-r", str(requirements),
    )  # fmt: skip
    if download.returncode != 0:
        unreachable = pypi_reachable()
        reason = (
            f"PyPI cannot be reached ({unreachable}); this test needs the package index "
            f"once to fill {WHEELHOUSE}"
            if unreachable
            else "pip download failed"
        )
        pytest.fail(
            f"{reason}: downloading the package's {requirements.name} for a clean venv "
            f"failed (exit {download.returncode}):\n{download.stderr[-3000:]}"
        )
    out = pip(python, *install, "-r", str(requirements))
    assert out.returncode == 0, f"pip install into the clean venv failed:\n{out.stderr[-3000:]}"
    return python


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> CleanPackage:
    """A tiny trained job's package, unzipped, and a clean venv with its requirements.txt."""
    dataset = image_folder_subset(
        "flowers12_fewshot.zip",
        "flowers12_fewshot/",
        CLASSES,
        PER_SPLIT,
        tmp_path_factory.mktemp("flowers"),
    )
    work = tmp_path_factory.mktemp("job")
    run_job(EngineRequest(tiny_config(), dataset, work, lambda event: None))
    output = work / "output"
    evaluation = json.loads((output / "evaluation.json").read_text())
    package = tmp_path_factory.mktemp("package")
    with zipfile.ZipFile(output / "package.zip") as z:
        z.extractall(package)
    start = time.perf_counter()
    python = install_requirements(tmp_path_factory.mktemp("venv"), package / "requirements.txt")
    setup_s = time.perf_counter() - start
    print(f"clean venv + pip install -r requirements.txt: {setup_s:.1f} s", file=sys.stderr)
    return CleanPackage(dataset, package, python, evaluation, setup_s)


def test_clean_venv_has_no_torch(clean: CleanPackage) -> None:
    """The venv really is clean, so the predictions below need only requirements.txt."""
    for module in ("torch", "torchvision", "mlcore"):
        out = subprocess.run(
            [str(clean.python), "-c", f"import {module}"],
            cwd=clean.package,
            capture_output=True,
            text=True,
            env=clean_env(),
        )
        assert out.returncode != 0, f"{module} is importable in the clean venv"
        assert "ModuleNotFoundError" in out.stderr
    out = subprocess.run(
        [str(clean.python), "-c", "import sys; print(sys.prefix != sys.base_prefix)"],
        cwd=clean.package,
        capture_output=True,
        text=True,
        env=clean_env(),
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_requirements_txt_is_the_onnx_runtime_set(clean: CleanPackage) -> None:
    lines = (clean.package / "requirements.txt").read_text().split()
    names = {line.split(">=")[0].lower() for line in lines}
    assert names == {"onnxruntime", "numpy", "pillow"}
    assert all(">=" in line for line in lines)


def predict_in_venv(python: Path, package: Path, *args: str) -> list[dict[str, Any]]:
    """`python predict.py ARGS --json` of the unzipped package, run by the clean venv."""
    out = subprocess.run(
        [str(python), "predict.py", *args, "--json"],
        cwd=package,
        capture_output=True,
        text=True,
        env=clean_env(),
        timeout=120,
    )
    assert out.returncode == 0, f"predict.py failed in the clean venv:\n{out.stderr[-3000:]}"
    return [json.loads(line) for line in out.stdout.splitlines()]


def test_predict_in_clean_venv_matches_evaluation(clean: CleanPackage) -> None:
    lines = predict_in_venv(clean.python, clean.package, str(clean.dataset / "val"), "--topk", "1")
    expected = {p["file"]: p for p in clean.evaluation["predictions"]}
    got = {Path(line["file"]).relative_to(clean.dataset).as_posix(): line for line in lines}
    assert sorted(got) == sorted(expected)
    assert len(got) == len(CLASSES) * PER_SPLIT["val"]
    for file, line in got.items():
        want = expected[file]
        assert len(line["top"]) == 1, file
        top = line["top"][0]
        assert top["label"] == want["predicted"], file
        assert top["probability"] == pytest.approx(want["confidence"], abs=1e-4), file
