"""Publisher weights in the service: each catalog model's status, a pretrained start refused
at submission when its weights are absent, and the settings that reach the job runner."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from backend.settings import Settings, get_settings
from tests.support.api import API
from worker.compute.local import weights_arguments

EFFICIENTNET_B0 = "efficientnet_b0_rwightman-7f5810bc.pth"


def set_env(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    """Change the service's settings for the next requests."""
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    get_settings.cache_clear()


def statuses(client: TestClient) -> dict[str, str]:
    r = client.get(f"{API}/catalog")
    assert r.status_code == 200, r.text
    return {model["name"]: model["weights"] for model in r.json()}


def mirror_of(folder: Path, files: list[str]) -> str:
    """A file: mirror serving `files` (their contents do not matter to a status)."""
    folder.mkdir(parents=True)
    for file in files:
        (folder / file).write_bytes(b"served by the mirror")
    return folder.resolve().as_uri()


def test_the_catalog_says_whether_weights_are_cached_fetchable_or_absent(
    sqlite_service: Path, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    weights_dir = sqlite_service / "weights"  # the default: var/weights
    weights_dir.mkdir(parents=True)
    (weights_dir / "yolo11n.pt").write_bytes(b"placed by the operator")
    mirror = mirror_of(sqlite_service / "mirror", [EFFICIENTNET_B0])
    set_env(monkeypatch, KONSTRUKTOR_WEIGHTS_MIRROR=mirror)

    online = statuses(client)
    assert online.pop("yolo11n") == "cached"
    assert online.pop("efficientnet_b0") == "fetchable"  # the mirror answers for it
    assert online and set(online.values()) == {"absent"}  # the mirror lacks the others

    set_env(monkeypatch, KONSTRUKTOR_WEIGHTS_OFFLINE="true")
    offline = statuses(client)
    assert offline.pop("yolo11n") == "cached"
    assert set(offline.values()) == {"absent"}

    entry = next(m for m in client.get(f"{API}/catalog").json() if m["name"] == "efficientnet_b0")
    assert entry["weights_url"].endswith("/" + EFFICIENTNET_B0)
    assert entry["weights_sha256_prefix"] == "7f5810bc"


def test_pretrained_is_refused_at_submission_when_its_weights_are_absent(
    sqlite_service: Path,
    client: TestClient,
    project_with_data: tuple[dict[str, str], str, str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers, project, version = project_with_data

    def submit(pretrained: bool) -> tuple[int, str]:
        params = {"model": "efficientnet_b0", "pretrained": pretrained}
        body = {"dataset_version_id": version, "params": params}
        r = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
        return r.status_code, r.text

    mirror = mirror_of(sqlite_service / "mirror", [EFFICIENTNET_B0])
    set_env(monkeypatch, KONSTRUKTOR_WEIGHTS_MIRROR=mirror)
    assert submit(pretrained=True)[0] == 201  # fetched from the mirror on first use
    set_env(monkeypatch, KONSTRUKTOR_WEIGHTS_MIRROR=mirror + "-gone")
    code, text = submit(pretrained=True)
    assert code == 422  # nothing cached and the source does not answer
    assert EFFICIENTNET_B0 in text and "make weights MODELS=efficientnet_b0" in text
    set_env(monkeypatch, KONSTRUKTOR_WEIGHTS_MIRROR=mirror, KONSTRUKTOR_WEIGHTS_OFFLINE="true")
    code, text = submit(pretrained=True)
    assert code == 422
    assert EFFICIENTNET_B0 in text and "make weights MODELS=efficientnet_b0" in text
    assert "pretrained=false" in text and "KONSTRUKTOR_WEIGHTS_OFFLINE" in text
    assert submit(pretrained=False)[0] == 201

    weights_dir = sqlite_service / "own-weights"
    weights_dir.mkdir()
    (weights_dir / EFFICIENTNET_B0).write_bytes(b"placed by the operator")
    set_env(monkeypatch, KONSTRUKTOR_WEIGHTS_DIR=str(weights_dir))
    assert submit(pretrained=True)[0] == 201  # cached


def test_the_weights_settings_reach_the_runner(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("KONSTRUKTOR_WEIGHTS_DIR", str(tmp_path))
    monkeypatch.setenv("KONSTRUKTOR_WEIGHTS_MIRROR", "https://mirror.internal/weights")
    monkeypatch.setenv("KONSTRUKTOR_WEIGHTS_OFFLINE", "true")
    assert weights_arguments(Settings().weights_source) == [
        "--weights-dir",
        str(tmp_path.resolve()),
        "--weights-mirror",
        "https://mirror.internal/weights",
        "--offline",
    ]
    monkeypatch.setenv("KONSTRUKTOR_WEIGHTS_MIRROR", "mirror.internal/weights")
    with pytest.raises(ValidationError, match="KONSTRUKTOR_WEIGHTS_MIRROR"):
        Settings()
