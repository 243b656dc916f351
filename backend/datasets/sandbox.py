"""Ingestion in a child process with memory, CPU-time and wall-clock limits.

A hostile archive can at worst exhaust the child: the API process stays small and
responsive, and the upload gets a clear 4xx. The child runs at a lower priority than the API
(reads stay quick while uploads are checked) and dies with the API process. Run as
`python -m backend.datasets.sandbox UPLOAD OUT_ZIP THUMBS_DIR LIMITS_JSON`.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from backend.child_processes import child_environment, die_with_parent
from backend.datasets.archive import ArchiveLimits
from backend.datasets.errors import DatasetError

log = logging.getLogger(__name__)
DATASET_ERROR_EXIT = 3
NICE = 10


@dataclass(frozen=True)
class SandboxLimits:
    """Resources one ingestion may use."""

    archive: ArchiveLimits
    memory_mb: int = 2048
    cpu_s: int = 1800
    wall_s: float = 1800.0


def _limit_self(memory_mb: int, cpu_s: int) -> None:
    memory = memory_mb * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_s, cpu_s))


def run_sandboxed(
    upload: Path, out_zip: Path, thumbs_dir: Path, limits: SandboxLimits
) -> dict[str, Any]:
    """Ingest in a limited child; the IngestResult as a dict. Raises DatasetError."""
    env = child_environment({**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"})
    config = json.dumps({**asdict(limits), "archive": asdict(limits.archive)})
    try:
        proc = subprocess.run(
            [
                sys.executable,
                "-m",
                "backend.datasets.sandbox",
                str(upload),
                str(out_zip),
                str(thumbs_dir),
                config,
            ],
            capture_output=True,
            text=True,
            timeout=limits.wall_s,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise DatasetError(
            f"checking the dataset took longer than {limits.wall_s:g}s; split it into "
            "smaller uploads"
        ) from exc
    if proc.returncode == DATASET_ERROR_EXIT:
        raise DatasetError(json.loads(proc.stdout)["error"])
    if proc.returncode != 0:
        if "MemoryError" in proc.stderr or proc.returncode in (-9, 137):
            raise DatasetError(
                f"checking the dataset needed more than {limits.memory_mb} MiB of memory; "
                "it may hold a decompression bomb, or split it into smaller uploads"
            )
        if proc.returncode in (-24, 152):  # SIGXCPU
            raise DatasetError(f"checking the dataset used more than {limits.cpu_s}s of CPU")
        log.error("dataset check crashed (%s): %s", proc.returncode, proc.stderr[-2000:])
        raise DatasetError(
            f"checking the archive stopped unexpectedly (exit code {proc.returncode}); "
            "re-create the zip, and report it to the operator if it happens again"
        )
    result: dict[str, Any] = json.loads(proc.stdout)
    return result


def main(argv: list[str]) -> int:
    die_with_parent()
    os.nice(NICE)
    upload, out_zip, thumbs_dir, config_json = argv
    config = json.loads(config_json)
    from backend.datasets.ingest import ingest_archive  # imported before the limits apply

    _limit_self(config["memory_mb"], config["cpu_s"])

    try:
        result = ingest_archive(
            Path(upload), Path(out_zip), Path(thumbs_dir), ArchiveLimits(**config["archive"])
        )
    except DatasetError as exc:
        print(json.dumps({"error": str(exc)}))
        return DATASET_ERROR_EXIT
    except (MemoryError, RecursionError):
        raise
    except Exception as exc:  # anything else in a hostile archive: refuse it, say what broke
        message = f"the archive could not be read ({type(exc).__name__}: {exc}); re-create it"
        print(json.dumps({"error": message[:2000]}))
        return DATASET_ERROR_EXIT
    print(json.dumps({**asdict(result), "thumbnails": [str(p) for p in result.thumbnails]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
