"""The Yandex Cloud GPU compute backend's settings (`KONSTRUKTOR_YC_*`), validated when the
service starts with `yandex` among its compute backends (docs/yandex-cloud.md).

Torch- and SDK-free: the API reads them for the compute targets and cost estimates, the
worker's `worker.compute.yandex` for the machines it starts.
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Self

from pydantic import Field, ValidationError, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

YANDEX = "yandex"  # the compute backend's name
ENV_PREFIX = "KONSTRUKTOR_YC_"
PRIVATE_KEY_MARK = "-----BEGIN PRIVATE KEY-----"
RUNNER_DIR = Path("dist/runner")  # where `make runner-wheel` puts the runner wheel


class YandexSettingsError(ValueError):
    """The Yandex Cloud settings are missing or wrong; the message names what to fix."""


class YandexSettings(BaseSettings):
    """Where and how jobs run on Yandex Cloud GPU machines, and what those cost."""

    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, env_file=".env", extra="ignore")

    folder_id: str = Field(description="the folder the machines are created in")
    zone: str = Field("ru-central1-a", description="the availability zone of the machines")
    subnet_id: str = Field(description="a subnet in that zone, with egress (NAT) to the internet")
    key_file: Path = Field(
        description="the worker's service-account authorized key (JSON from `yc iam key "
        "create`); never an OAuth token"
    )
    service_account_id: str | None = Field(
        None, description="a service account attached to the machines (none needed: leave empty)"
    )
    platform: str = Field("gpu-standard-v3", description="gpu-standard-v3 (A100), ...")
    cores: int = Field(28, ge=2, description="vCPUs per machine (the platform fixes the choices)")
    memory_gb: int = Field(119, ge=1, description="RAM per machine, GB")
    gpus: int = Field(1, ge=1, description="GPUs per machine")
    image_family: str = Field(description="a GPU-ready Ubuntu image family with Python 3")
    image_folder_id: str = Field("standard-images", description="the folder of that family")
    disk_gb: int = Field(100, ge=20, description="boot disk size, GB")
    disk_type: str = Field("network-ssd", description="boot disk type")
    preemptible: bool = Field(False, description="preemptible machines: cheaper, may be stopped")
    max_preemptions: int = Field(
        3, ge=0, description="preemptions a job survives (each resumes on a new machine)"
    )
    max_job_hours: float = Field(24.0, gt=0, description="a machine older than this is deleted")
    max_vms: int = Field(2, ge=1, description="machines running at once; more jobs wait")
    bucket: str = Field(description="Object Storage bucket for job inputs, progress, outputs")
    s3_endpoint: str = Field("https://storage.yandexcloud.net")
    s3_region: str = Field("ru-central1")
    s3_access_key_id: str = Field(description="static access key with storage.editor on bucket")
    s3_secret_access_key: str = Field(repr=False)
    s3_prefix: str = Field("konstruktor-vm", description="key prefix in the bucket")
    currency: str = Field("RUB")
    price_gpu_hour: float = Field(ge=0, description="price of one GPU for an hour")
    price_core_hour: float = Field(ge=0, description="price of one vCPU for an hour")
    price_memory_gb_hour: float = Field(ge=0, description="price of 1 GB of RAM for an hour")
    price_disk_gb_hour: float = Field(0.0, ge=0, description="price of 1 GB of disk for an hour")
    startup_s: float = Field(
        600.0, ge=0, description="a machine's start (boot, install) assumed before one is measured"
    )
    runner_wheel: Path | None = Field(
        None, description="the runner wheel (`make runner-wheel`); default: the newest in dist/"
    )
    api_endpoint: str = Field("api.cloud.yandex.net", description="the Yandex Cloud API")
    ca_file: Path | None = Field(None, description="root certificates for the API (PEM)")
    label: str = Field(
        "konstruktor", description="the `konstruktor` label on this service's machines"
    )
    poll_s: float = Field(5.0, gt=0, description="how often the worker reads a job's progress")
    status_poll_s: float = Field(15.0, gt=0, description="how often it asks for the machine")

    @model_validator(mode="after")
    def _key_is_an_authorized_key(self) -> Self:
        try:
            key = json.loads(self.key_file.read_text())
        except (OSError, ValueError) as exc:
            raise ValueError(
                f"{ENV_PREFIX}KEY_FILE {self.key_file}: unreadable JSON: {exc}"
            ) from exc
        missing = [k for k in ("id", "service_account_id", "private_key") if not key.get(k)]
        if missing or PRIVATE_KEY_MARK not in str(key.get("private_key")):
            raise ValueError(
                f"{ENV_PREFIX}KEY_FILE {self.key_file} is not a service-account authorized key "
                f"(missing {', '.join(missing) or 'a PEM private key'}); create one with "
                "`yc iam key create --service-account-name NAME --output key.json`"
            )
        return self

    @property
    def authorized_key(self) -> dict[str, str]:
        """The authorized key as the SDK takes it."""
        key = json.loads(self.key_file.read_text())
        return {k: key[k] for k in ("id", "service_account_id", "private_key")}

    @property
    def price_per_hour(self) -> float:
        """What one machine of the configured shape costs for an hour."""
        return (
            self.gpus * self.price_gpu_hour
            + self.cores * self.price_core_hour
            + self.memory_gb * self.price_memory_gb_hour
            + self.disk_gb * self.price_disk_gb_hour
        )

    @property
    def machine(self) -> str:
        """The machine shape in words."""
        kind = "preemptible " if self.preemptible else ""
        return f"{kind}{self.platform}: {self.gpus} GPU, {self.cores} vCPU, {self.memory_gb} GB RAM"

    def wheel(self) -> Path:
        """The runner wheel the machines install; YandexSettingsError when there is none."""
        if self.runner_wheel:
            if not self.runner_wheel.is_file():
                raise YandexSettingsError(
                    f"{ENV_PREFIX}RUNNER_WHEEL {self.runner_wheel} is missing"
                )
            return self.runner_wheel
        wheels = sorted(RUNNER_DIR.glob("konstruktor-*.whl"), key=lambda p: p.stat().st_mtime)
        if not wheels:
            raise YandexSettingsError(
                f"no runner wheel in {RUNNER_DIR}: run `make runner-wheel` (or set "
                f"{ENV_PREFIX}RUNNER_WHEEL)"
            )
        return wheels[-1]


@lru_cache
def get_yandex_settings() -> YandexSettings:
    """The process-wide settings from the environment, read once (cached like
    backend.settings.get_settings); YandexSettingsError naming each variable to fix."""
    try:
        return YandexSettings()  # required fields come from the environment
    except ValidationError as exc:
        problems = [
            f"{ENV_PREFIX}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
            if e["loc"]
            else str(e["msg"]).removeprefix("Value error, ")
            for e in exc.errors()
        ]
        raise YandexSettingsError(
            "the yandex compute backend is switched on but its settings are wrong: "
            + "; ".join(problems)
            + " (docs/yandex-cloud.md)"
        ) from None
