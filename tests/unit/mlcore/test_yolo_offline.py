"""mlcore.yolo.offline: ultralytics configured and patched so nothing reaches the network."""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from mlcore.yolo import offline

# isort: split
import ultralytics.data.utils
import ultralytics.utils
import ultralytics.utils.checks
import ultralytics.utils.downloads
import ultralytics.utils.plotting
from ultralytics import YOLO

INTERNET = (socket.AF_INET, socket.AF_INET6)


@contextmanager
def network_guard() -> Iterator[list[Any]]:
    """Refuse and record every DNS lookup and internet connection made inside the block."""
    attempts: list[Any] = []
    real_connect = socket.socket.connect

    def connect(sock: socket.socket, address: Any) -> None:
        if sock.family in INTERNET:
            attempts.append(address)
            raise OSError(f"network blocked by the test: connect to {address}")
        real_connect(sock, address)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        attempts.append(host)
        raise socket.gaierror(f"network blocked by the test: lookup of {host}")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(socket.socket, "connect", connect)
        patch.setattr(socket, "getaddrinfo", getaddrinfo)
        yield attempts


def test_the_guard_sees_what_ultralytics_would_send() -> None:
    with network_guard() as attempts:
        reachable = ultralytics.utils.downloads.is_url("https://github.com", check=True)
    assert not reachable
    assert attempts, "the guard must record a real HTTP attempt, or the other tests prove nothing"


def test_settings_live_where_the_caller_says_with_every_online_feature_off() -> None:
    config_dir = Path(ultralytics.utils.USER_CONFIG_DIR)
    assert config_dir.is_relative_to(os.environ["YOLO_CONFIG_DIR"])  # set by tests/conftest.py
    assert ultralytics.utils.SETTINGS.file.is_relative_to(config_dir)
    assert not offline.CONFIG_DIR.is_relative_to(Path.home() / ".config")  # the default
    for key, value in offline.SETTINGS_OFF.items():
        assert ultralytics.utils.SETTINGS[key] == value, key
    assert ultralytics.utils.ONLINE is False
    assert ultralytics.utils.AUTOINSTALL is False


def test_fonts_come_from_matplotlib_not_github() -> None:
    with network_guard() as attempts:
        fonts = [
            module.check_font(name)
            for module in (ultralytics.data.utils, ultralytics.utils.plotting)
            for name in ("Arial.ttf", "Arial.Unicode.ttf")
        ]
    assert attempts == []
    assert all(Path(font).is_file() and Path(font).suffix == ".ttf" for font in fonts)


def test_missing_weights_fail_as_offline_instead_of_downloading(tmp_path: Path) -> None:
    present = tmp_path / "here.pt"
    present.write_bytes(b"x")
    with network_guard() as attempts:
        assert ultralytics.utils.downloads.attempt_download_asset(present) == str(present)
        with pytest.raises(ConnectionError, match=r"yolo26n\.pt"):
            ultralytics.utils.downloads.attempt_download_asset("yolo26n.pt")
        # check_amp (CUDA) loads this file and treats ConnectionError as "offline, skip the check"
        with pytest.raises(ConnectionError):
            YOLO(ultralytics.utils.WEIGHTS_DIR / "yolo26n.pt")
    assert attempts == []


def test_no_pip_install_and_no_update_check(monkeypatch: pytest.MonkeyPatch) -> None:
    commands: list[Any] = []
    monkeypatch.setattr(subprocess, "check_output", lambda *a, **k: commands.append(a))
    monkeypatch.setattr(subprocess, "run", lambda *a, **k: commands.append(a))
    with network_guard() as attempts:
        installed = ultralytics.utils.checks.check_requirements("konstruktor-absent-package")
        update = ultralytics.utils.checks.check_pip_update_available()
    assert installed is False
    assert update is False
    assert commands == []
    assert attempts == []
