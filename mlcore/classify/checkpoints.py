"""The last-epoch training state, so a crashed run resumes where it stopped."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import numpy as np
import torch

from mlcore.engines.atomic import save_atomically, write_atomically

LAST_STATE = "last.pt"
LAST_META = "last.json"  # small facts read before the data is set up (mode, config)


Generators = dict[str, torch.Generator]


def _rng_state(generators: Generators) -> dict[str, Any]:
    kind, keys, pos, has_gauss, gauss = np.random.get_state()
    return {
        "cuda": torch.cuda.get_rng_state_all() if torch.cuda.is_available() else [],
        "torch": torch.get_rng_state(),
        "generators": {name: g.get_state() for name, g in generators.items()},
        "python": random.getstate(),
        "numpy": (kind, torch.from_numpy(np.asarray(keys).astype(np.int64)), pos, has_gauss, gauss),
    }


def _restore_rng(state: dict[str, Any], generators: Generators) -> None:
    torch.set_rng_state(state["torch"])
    if state["cuda"] and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])
    for name, g in generators.items():
        g.set_state(state["generators"][name])
    random.setstate(state["python"])
    kind, keys, pos, has_gauss, gauss = state["numpy"]
    np.random.set_state((kind, keys.numpy().astype(np.uint32), pos, has_gauss, gauss))


def save_state(folder: Path, generators: Generators, meta: dict[str, Any], **state: Any) -> None:
    """Write `folder/last.pt` atomically: everything a resumed run needs, RNGs included,
    and `last.json` with `meta` (what must be known before the run is set up again)."""
    folder.mkdir(parents=True, exist_ok=True)
    save_atomically({**state, "rng": _rng_state(generators)}, folder / LAST_STATE)
    write_atomically(folder / LAST_META, lambda tmp: tmp.write_text(json.dumps(meta)))


def load_meta(folder: Path) -> dict[str, Any] | None:
    """The `meta` of the last saved state, or None when there is none."""
    path = folder / LAST_META
    if not (path.is_file() and (folder / LAST_STATE).is_file()):
        return None
    meta: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return meta


def load_state(folder: Path, generators: Generators) -> dict[str, Any] | None:
    """The saved state (RNGs restored), or None when there is none."""
    path = folder / LAST_STATE
    if not path.is_file():
        return None
    state: dict[str, Any] = torch.load(path, map_location="cpu", weights_only=True)
    _restore_rng(state.pop("rng"), generators)
    return state
