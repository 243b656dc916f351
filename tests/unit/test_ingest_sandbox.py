"""Ingestion runs in a child process whose memory and time are limited."""

from __future__ import annotations

from pathlib import Path

import pytest

from backend.datasets.archive import ArchiveLimits
from backend.datasets.errors import DatasetError
from backend.datasets.sandbox import SandboxLimits, run_sandboxed
from tests.support.paths import shared_dataset


def _run(tmp_path: Path, **limits: float) -> dict[str, object]:
    return run_sandboxed(
        shared_dataset("flowers12_fewshot.zip"),
        tmp_path / "out.zip",
        tmp_path / "thumbs",
        SandboxLimits(ArchiveLimits(), **limits),  # type: ignore[arg-type]
    )


def test_sandboxed_ingest_returns_the_result(tmp_path: Path) -> None:
    result = _run(tmp_path)
    assert result["task"] == "classify" and len(result["class_names"]) == 12  # type: ignore[arg-type]
    assert (tmp_path / "out.zip").stat().st_size > 1_000_000


def test_memory_limit_turns_into_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="needed more than 120 MiB of memory"):
        _run(tmp_path, memory_mb=120)


def test_wall_clock_limit_turns_into_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match=r"took longer than 0.05s"):
        _run(tmp_path, wall_s=0.05)
