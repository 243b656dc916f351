"""The yandex backend's settings fail the service's start with what to fix; its price is the
machine's parts; its user-data carries the job manifest and a start script that parses."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest
from pydantic import ValidationError

from backend.compute_targets import ComputeTargetOut, estimate_cost
from backend.settings import Settings
from backend.yandex_settings import YandexSettings, get_yandex_settings
from tests.support.yandex_cloud import authorized_key
from worker.compute.yandex.userdata import START_SCRIPT, manifest_of, user_data

REQUIRED: dict[str, object] = {
    "folder_id": "b1gfolder",
    "subnet_id": "e9bsubnet",
    "image_family": "ubuntu-2204-lts-gpu",
    "bucket": "jobs",
    "s3_access_key_id": "YCAJE",
    "s3_secret_access_key": "secret",
    "price_gpu_hour": 300.0,
    "price_core_hour": 1.0,
    "price_memory_gb_hour": 0.5,
}


def test_switching_yandex_on_without_its_settings_names_each_variable_to_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("KONSTRUKTOR_COMPUTE_BACKENDS", "local,yandex")
    get_yandex_settings.cache_clear()  # read from this environment, not an earlier test's
    with pytest.raises(ValidationError) as raised:
        Settings()
    message = str(raised.value)
    for name in ("FOLDER_ID", "SUBNET_ID", "KEY_FILE", "IMAGE_FAMILY", "BUCKET", "PRICE_GPU_HOUR"):
        assert f"KONSTRUKTOR_YC_{name}" in message
    assert "docs/yandex-cloud.md" in message
    monkeypatch.setenv("KONSTRUKTOR_COMPUTE_BACKENDS", "local")
    assert Settings().compute_backends == ["local"]  # off, nothing is asked for


def test_an_oauth_token_is_refused_in_place_of_an_authorized_key(tmp_path: Path) -> None:
    token = tmp_path / "token.json"
    token.write_text(json.dumps({"token": "y0_AgAAAA"}))
    with pytest.raises(ValidationError, match="not a service-account authorized key"):
        YandexSettings.model_validate({**REQUIRED, "key_file": token})
    authorized_key(tmp_path / "key.json")
    settings = YandexSettings.model_validate({**REQUIRED, "key_file": tmp_path / "key.json"})
    assert set(settings.authorized_key) == {"id", "service_account_id", "private_key"}


def test_the_price_is_the_machines_parts_and_the_cost_covers_its_start(tmp_path: Path) -> None:
    authorized_key(tmp_path / "key.json")
    settings = YandexSettings.model_validate(
        {**REQUIRED, "key_file": tmp_path / "key.json", "gpus": 2, "cores": 56, "memory_gb": 238}
    )
    assert settings.price_per_hour == pytest.approx(2 * 300 + 56 * 1.0 + 238 * 0.5)
    target = ComputeTargetOut(
        name="yandex",
        title="Yandex Cloud GPU",
        device="cuda",
        machine=settings.machine,
        currency="RUB",
        price_per_hour=100.0,
        max_hours=10,
    )
    cost = estimate_cost(target, 3000.0, 600.0, "10 min assumed")
    assert cost is not None
    assert cost.estimate == pytest.approx(100.0)  # (3000 + 600) s at 100 an hour
    assert cost.ceiling == pytest.approx(1000.0)
    assert "10 min assumed" in cost.basis
    search = estimate_cost(target, None, 600.0, "10 min assumed")
    assert search is not None and search.estimate is None and search.ceiling == 1000.0
    free = target.model_copy(update={"price_per_hour": None})
    assert estimate_cost(free, 3000.0, 600.0, "") is None


def test_the_user_data_carries_the_manifest_and_a_start_script_bash_accepts() -> None:
    manifest = {"spec": "https://storage.example/spec?X-Amz-Signature=1", "max_seconds": 60}
    document = user_data(manifest)
    assert document.startswith("#cloud-config\n")
    assert manifest_of(document) == manifest
    bash = shutil.which("bash")
    assert bash is not None
    checked = subprocess.run([bash, "-n"], input=START_SCRIPT, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr
    for step in ("pip install", "--no-deps", "timeout", "worker.vm_agent", "poweroff"):
        assert step in START_SCRIPT
