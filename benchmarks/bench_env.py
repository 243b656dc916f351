"""What every benchmark result records, and the shared datasets unpacked for mlcore."""

from __future__ import annotations

import json
import os
import platform
import shlex
import subprocess
import sys
import zipfile
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

import torch

ROOT = Path(__file__).resolve().parents[1]
# Where a benchmark finds ../shared/datasets; a GPU call carries copies in .bench-data/.
BENCH_DATA = ROOT / ".bench-data"
DATA_DIRS = (BENCH_DATA, ROOT.parent / "shared" / "datasets")


COMMIT_ENV = "BENCH_COMMIT"  # set where the run has no .git, e.g. on a lent GPU


def commit() -> str | None:
    """$BENCH_COMMIT if set, else the checkout's commit ("+dirty" when files differ from it);
    None outside a git clone."""
    if os.environ.get(COMMIT_ENV):
        return os.environ[COMMIT_ENV]
    try:
        head = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None
    return head + ("+dirty" if status.strip() else "")


def cpu_name() -> str:
    """The CPU's model name (from /proc/cpuinfo where there is one) and core count."""
    cpuinfo = Path("/proc/cpuinfo")
    lines = cpuinfo.read_text().splitlines() if cpuinfo.is_file() else []
    names = [line.split(":", 1)[1].strip() for line in lines if line.startswith("model name")]
    model = names[0] if names else platform.machine()
    return f"CPU ({model}, {os.cpu_count()} cores)"


def environment() -> dict[str, Any]:
    """Device, versions, date, commit and the exact command of this run."""
    cuda = torch.cuda.is_available()
    return {
        "device": torch.cuda.get_device_name(0) if cuda else cpu_name(),
        "cpu_threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "python": platform.python_version(),
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "command": shlex.join([Path(sys.executable).name, *sys.argv]),
        "commit": commit(),
    }


def shared_zip(name: str) -> Path:
    """A dataset zip from .bench-data/ or ../shared/datasets/."""
    for folder in DATA_DIRS:
        if (folder / name).is_file():
            return folder / name
    raise FileNotFoundError(f"{name} not found in {', '.join(map(str, DATA_DIRS))}")


def unpack_image_folder(name: str, dest: Path) -> Path:
    """Unpack an ImageFolder zip (optionally under one top folder) as mlcore reads it."""
    if (dest / "manifest.json").is_file():
        return dest
    classes: set[str] = set()
    with zipfile.ZipFile(shared_zip(name)) as archive:
        for member in archive.namelist():
            parts = PurePosixPath(member).parts
            split_at = next((i for i, p in enumerate(parts) if p in ("train", "val")), None)
            if split_at is None or member.endswith("/") or len(parts) - split_at != 3:
                continue
            split, cls, file = parts[split_at:]
            classes.add(cls)
            target = dest / split / cls / file
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(archive.read(member))
    manifest = {"task": "classify", "classes": sorted(classes)}
    (dest / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    return dest


def write_result(out: Path, name: str, result: dict[str, Any]) -> Path:
    """results/NAME-<device>-<date>.json"""
    device = "gpu" if torch.cuda.is_available() else "cpu"
    path = out / f"{name}-{device}-{datetime.now(UTC).date().isoformat()}.json"
    out.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return path
