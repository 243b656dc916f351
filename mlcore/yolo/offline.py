"""Make ultralytics run without touching the network; import this before ultralytics.

Importing the module configures the environment ultralytics reads at import time, then
imports it and closes every network path a train/val/predict run can reach:

- settings and fonts live in YOLO_CONFIG_DIR as the caller sets it (the worker points it
  into its var directory), else in Konstruktor's own cache folder, never ~/.config;
- no DNS probe at import and no telemetry, update check or auto-update (YOLO_OFFLINE makes
  `is_online()` False, which gates events, `check_pip_update_available` and pip installs);
- no `pip install` of missing requirements (YOLO_AUTOINSTALL);
- no Ultralytics Platform logging or model upload (ULTRALYTICS_API_KEY removed, the
  settings' api_key blank) and no third-party loggers (settings integrations off);
- no font download (`check_font`) and no weights download (`attempt_download_asset`),
  both monkeypatched below because ultralytics has no setting for them.
"""

from __future__ import annotations

import inspect
import os
import sys
import warnings
from pathlib import Path
from typing import Any

CACHE_HOME = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
CONFIG_DIR = CACHE_HOME / "konstruktor" / "ultralytics"  # when the caller sets none

ENVIRONMENT = {
    "YOLO_CONFIG_DIR": str(CONFIG_DIR),
    "YOLO_OFFLINE": "true",
    "YOLO_AUTOINSTALL": "false",
}
if "ultralytics" in sys.modules:
    warnings.warn(
        "ultralytics was imported before mlcore.yolo.offline: its config directory and "
        "online state were fixed at that import; only the patches below apply",
        RuntimeWarning,
        stacklevel=2,
    )
for _name, _value in ENVIRONMENT.items():
    os.environ.setdefault(_name, _value)
os.environ.pop("ULTRALYTICS_API_KEY", None)  # the Platform callback uploads runs when set

import matplotlib  # noqa: E402
import ultralytics.data.utils  # noqa: E402
import ultralytics.utils.checks  # noqa: E402
import ultralytics.utils.downloads  # noqa: E402
import ultralytics.utils.plotting  # noqa: E402
from ultralytics.utils import SETTINGS  # noqa: E402

SETTINGS_OFF = {
    "sync": False,  # anonymous usage events
    "api_key": "",  # Ultralytics Platform
    **dict.fromkeys(
        ("clearml", "comet", "dvc", "mlflow", "raytune", "tensorboard", "wandb"), False
    ),
}
# The release ultralytics itself fetches weights from (read before the patch below).
ASSETS_URL = "https://github.com/{repo}/releases/download/{release}".format(
    repo=ultralytics.utils.downloads.GITHUB_ASSETS_REPO,
    release=inspect.signature(ultralytics.utils.downloads.attempt_download_asset)
    .parameters["release"]
    .default,
)
BUNDLED_FONT = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"


class OfflineAssetMissing(ConnectionError):
    """Ultralytics asked for a file it would download; it is a ConnectionError on purpose,
    the error ultralytics' own callers (e.g. `check_amp`) treat as "offline"."""


def bundled_font(font: str = "Arial.ttf") -> Path:
    """Stand-in for `ultralytics.utils.checks.check_font`, which HEADs and downloads
    Arial(.Unicode).ttf from GitHub when absent: answer matplotlib's bundled DejaVu Sans."""
    return BUNDLED_FONT


def local_asset(file: str | Path, *args: Any, **kwargs: Any) -> str:
    """Stand-in for `ultralytics.utils.downloads.attempt_download_asset`, which downloads
    weights missing locally (e.g. yolo26n.pt for the CUDA AMP check): local files only."""
    path = Path(str(file).strip())
    if path.is_file():
        return str(path)
    in_weights_dir = Path(SETTINGS["weights_dir"]) / path
    if in_weights_dir.is_file():
        return str(in_weights_dir)
    raise OfflineAssetMissing(f"{file} is not available locally and Konstruktor runs offline")


# Every module that imported check_font by name holds its own reference.
for _module in (ultralytics.utils.checks, ultralytics.data.utils, ultralytics.utils.plotting):
    _module.check_font = bundled_font  # type: ignore[attr-defined]
# tasks.load_checkpoint and check_amp import it from the module at call time.
ultralytics.utils.downloads.attempt_download_asset = local_asset
if any(SETTINGS.get(key) != value for key, value in SETTINGS_OFF.items()):
    SETTINGS.update(SETTINGS_OFF)
