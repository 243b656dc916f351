"""The last-epoch training state, so a crashed run resumes where it stopped."""

from __future__ import annotations

import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

LAST_STATE = "last.pt"


def _rng_state(loader: torch.Generator) -> dict[str, Any]:
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    return {
        "torch": torch.get_rng_state(),
        "loader": loader.get_state(),
        "python": random.getstate(),
        "numpy": (kind, torch.from_numpy(np.asarray(keys).astype(np.int64)), pos, has_gauss, gauss),
    }


def _restore_rng(state: dict[str, Any], loader: torch.Generator) -> None:
    torch.set_rng_state(state["torch"])
    loader.set_state(state["loader"])
    random.setstate(state["python"])
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))


def save_state(folder: Path, loader: torch.Generator, **state: Any) -> None:
    """Write `folder/last.pt` atomically: everything a resumed run needs, RNGs included."""
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (LAST_STATE + ".tmp")
    torch.save({**state, "rng": _rng_state(loader)}, tmp)
    os.replace(tmp, folder / LAST_STATE)


def load_state(folder: Path, loader: torch.Generator) -> dict[str, Any] | None:
    """The saved state (RNGs restored), or None when there is none."""
    path = folder / LAST_STATE
    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    _restore_rng(state.pop("rng"), loader)
    return state
