"""Benchmark: ingest + validate synthetic ImageFolder archives of two sizes.

Reports images/s and the peak RSS of a fresh process per archive (so the sizes can be
compared: memory must not grow with the archive). CPU only; run:

    .venv/bin/python benchmarks/ingest_throughput.py --sizes 2500 5000 --out benchmarks/results
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
CLASSES = 10
SIDE = 96


def synthetic_archive(path: Path, images: int, seed: int = 0, classes: int = CLASSES) -> None:
    """Distinct JPEGs (smooth colour fields plus noise) in CLASS/ folders."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 1, SIDE, dtype=np.float32)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for i in range(images):
            colour = rng.uniform(0, 255, 3).astype(np.float32)
            field = ramp[None, :, None] * colour + ramp[:, None, None] * (255 - colour)
            noisy = field + rng.normal(0, 12, (SIDE, SIDE, 3))
            pixels = np.clip(noisy, 0, 255).astype(np.uint8)
            buf = io.BytesIO()
            Image.fromarray(pixels).save(buf, "JPEG", quality=85)
            zf.writestr(f"class_{i % classes}/{i:06d}.jpg", buf.getvalue())


def measure_one(archive: Path) -> dict[str, float]:
    """Run in a fresh process: ingest `archive`, return seconds and peak RSS."""
    from backend.datasets.archive import ArchiveLimits
    from backend.datasets.ingest import ingest_archive

    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = ingest_archive(
            archive, Path(tmp) / "out.zip", Path(tmp) / "thumbs", ArchiveLimits()
        )
        seconds = time.perf_counter() - start
    return {
        "images": result.stats["images"],
        "seconds": seconds,
        "images_per_s": result.stats["images"] / seconds,
        "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[2500, 5000])
    parser.add_argument("--out", type=Path)
    parser.add_argument("--measure", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure_one(args.measure)))
        return 0
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            archive = Path(tmp) / f"synthetic-{size}.zip"
            synthetic_archive(archive, size)
            out = subprocess.run(
                [sys.executable, __file__, "--measure", str(archive)],
                capture_output=True,
                text=True,
                check=True,
                env={**os.environ, "PYTHONPATH": str(ROOT)},
            )
            row = {"archive_mib": archive.stat().st_size / 2**20, **json.loads(out.stdout)}
            rows.append(row)
            print(json.dumps(row))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        report = args.out / f"ingest-cpu-{date.today().isoformat()}.json"
        report.write_text(
            json.dumps(
                {
                    "benchmark": "dataset ingest + validation (synthetic 96x96 JPEG ImageFolder)",
                    "device": f"CPU: {platform.processor() or platform.machine()}, "
                    f"{os.cpu_count()} cores",
                    "date": date.today().isoformat(),
                    "command": "python benchmarks/ingest_throughput.py "
                    + " ".join(["--sizes", *map(str, args.sizes), "--out", str(args.out)]),
                    "results": rows,
                },
                indent=2,
            )
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
