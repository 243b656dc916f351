"""A run stopped while it saves its checkpoint (a cancel: the runner turns SIGTERM into an
exit that unwinds) leaves the last complete checkpoint alone, with no half-written file
beside it (tests/e2e/test_train_to_download.py checks the whole cancel)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import torch

from mlcore.classify.checkpoints import load_state, save_state


def test_a_save_interrupted_midway_leaves_the_last_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    save_state(tmp_path, {}, {"mode": "resident"}, epoch=1)
    real_save = torch.save

    def interrupted(obj: Any, path: Path) -> None:
        real_save(obj, path)  # the bytes are written, the rename is not reached
        raise KeyboardInterrupt

    monkeypatch.setattr(torch, "save", interrupted)
    with pytest.raises(KeyboardInterrupt):
        save_state(tmp_path, {}, {"mode": "resident"}, epoch=2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["last.json", "last.pt"]
    saved = load_state(tmp_path, {})
    assert saved is not None and saved["epoch"] == 1
