"""Files replaced whole: a reader (or a resumed run) sees the old file or the new one, never
half of one, and a write that is interrupted (an error, a cancel's SIGTERM) leaves no
temporary file behind."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import torch


def write_atomically(path: Path, write: Callable[[Path], Any]) -> None:
    """`write` a temporary file beside `path`, then rename it to `path`."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def save_atomically(state: Any, path: Path) -> None:
    """torch.save `state` to `path`, atomically."""
    write_atomically(path, lambda tmp: torch.save(state, tmp))
