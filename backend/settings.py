"""Service settings: embedded defaults, production parts switched on by environment variables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Self
from urllib.parse import urlsplit

from limits import parse as parse_limit
from pydantic import AliasChoices, Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from backend.yandex_settings import YANDEX, get_yandex_settings
from mlcore.contract.job import ServiceFacts
from mlcore.contract.weights import WeightsSource

MIRROR_SCHEMES = ("http", "https", "file")


def _env(*names: str) -> AliasChoices:
    return AliasChoices(*names)


class Settings(BaseSettings):
    """Everything configurable, read from the environment (and `.env` when present)."""

    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True)

    var_dir: Path = Field(Path("var"), validation_alias=_env("KONSTRUKTOR_VAR_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL"))
    redis_url: str | None = Field(None, validation_alias=_env("REDIS_URL"))
    queue_name: str = Field("jobs", validation_alias=_env("KONSTRUKTOR_QUEUE"))

    s3_bucket: str | None = Field(None, validation_alias=_env("S3_BUCKET"))
    s3_endpoint_url: str | None = Field(None, validation_alias=_env("S3_ENDPOINT_URL"))
    s3_region: str = Field("ru-central1", validation_alias=_env("S3_REGION"))
    s3_access_key_id: str | None = Field(None, validation_alias=_env("S3_ACCESS_KEY_ID"))
    s3_secret_access_key: str | None = Field(None, validation_alias=_env("S3_SECRET_ACCESS_KEY"))
    s3_prefix: str = Field("", validation_alias=_env("S3_PREFIX"))

    max_upload_mb: int = Field(2048, validation_alias=_env("KONSTRUKTOR_MAX_UPLOAD_MB"))
    import_s3_endpoints: str = Field(
        "https://storage.yandexcloud.net", validation_alias=_env("KONSTRUKTOR_IMPORT_S3_ENDPOINTS")
    )
    ingest_memory_mb: int = Field(2048, validation_alias=_env("KONSTRUKTOR_INGEST_MEMORY_MB"))
    ingest_timeout_s: int = Field(1800, validation_alias=_env("KONSTRUKTOR_INGEST_TIMEOUT_S"))
    ingest_concurrency: int = Field(
        1,
        ge=1,
        validation_alias=_env("KONSTRUKTOR_INGEST_CONCURRENCY"),
        description="uploads an API process checks at the same time (the others wait in line)",
    )
    ingest_queue: int = Field(
        100,
        ge=0,
        validation_alias=_env("KONSTRUKTOR_INGEST_QUEUE"),
        description="uploads that may wait for a check; beyond, an upload gets 503 + Retry-After",
    )
    db_pool_size: int = Field(
        10, ge=1, validation_alias=_env("KONSTRUKTOR_DB_POOL_SIZE"), description="PostgreSQL"
    )
    db_pool_overflow: int = Field(
        30,
        ge=0,
        validation_alias=_env("KONSTRUKTOR_DB_POOL_OVERFLOW"),
        description="connections opened beyond the pool under load (PostgreSQL)",
    )
    api_threads: int = Field(
        20,
        ge=1,
        validation_alias=_env("KONSTRUKTOR_API_THREADS"),
        description="threads an API process runs its blocking work in (fewer than connections)",
    )
    db_pool_timeout_s: float = Field(
        10.0,
        gt=0,
        validation_alias=_env("KONSTRUKTOR_DB_POOL_TIMEOUT_S"),
        description="how long a request waits for a connection before a 503 + Retry-After",
    )
    weights_dir: Path | None = Field(None, validation_alias=_env("KONSTRUKTOR_WEIGHTS_DIR"))
    weights_mirror: str | None = Field(
        None,
        validation_alias=_env("KONSTRUKTOR_WEIGHTS_MIRROR"),
        description="fetch publisher weights from MIRROR/<file name> instead of the publishers",
    )
    weights_offline: bool = Field(
        False,
        validation_alias=_env("KONSTRUKTOR_WEIGHTS_OFFLINE"),
        description="never fetch publisher weights: use only what is in the weights directory",
    )
    compute_backend: str = Field(
        "local",
        validation_alias=_env("KONSTRUKTOR_COMPUTE_BACKEND"),
        description="where new jobs run unless the request names another of compute_backends",
    )
    compute_backends_list: str = Field(
        "local",
        validation_alias=_env("KONSTRUKTOR_COMPUTE_BACKENDS"),
        description="comma-separated compute backends this service's workers run jobs on",
    )
    predict_memory_mb: int = Field(2048, validation_alias=_env("KONSTRUKTOR_PREDICT_MEMORY_MB"))
    predict_timeout_s: float = Field(120.0, validation_alias=_env("KONSTRUKTOR_PREDICT_TIMEOUT_S"))
    recommend_memory_mb: int = Field(
        2048,
        validation_alias=_env("KONSTRUKTOR_RECOMMEND_MEMORY_MB"),
        description="address space of the recommender's ranking child (one per API process)",
    )
    recommend_timeout_s: float = Field(
        60.0,
        validation_alias=_env("KONSTRUKTOR_RECOMMEND_TIMEOUT_S"),
        description="how long one ranking may take, the child's start included",
    )
    nas_llm_url: str | None = Field(
        None,
        validation_alias=_env("KONSTRUKTOR_NAS_LLM_URL"),
        description="an OpenAI-compatible endpoint for LLM-assisted search (mutator llm)",
    )
    nas_llm_model: str | None = Field(None, validation_alias=_env("KONSTRUKTOR_NAS_LLM_MODEL"))
    nas_llm_api_key: str | None = Field(
        None, validation_alias=_env("KONSTRUKTOR_NAS_LLM_API_KEY"), repr=False
    )
    job_heartbeat_interval_s: float = Field(
        10.0,
        gt=0,
        validation_alias=_env("KONSTRUKTOR_JOB_HEARTBEAT_INTERVAL_S"),
        description="how often a worker tells the database its job is alive",
    )
    job_heartbeat_timeout_s: float = Field(
        40.0,
        gt=0,
        validation_alias=_env("KONSTRUKTOR_JOB_HEARTBEAT_TIMEOUT_S"),
        description="a running job whose worker has been silent this long is requeued",
    )
    job_max_attempts: int = Field(2, validation_alias=_env("KONSTRUKTOR_JOB_MAX_ATTEMPTS"))
    reaper_interval_s: float = Field(
        15.0,
        gt=0,
        validation_alias=_env("KONSTRUKTOR_REAPER_INTERVAL_S"),
        description="how often a worker looks for stale running jobs and lost queued ones",
    )
    download_url_ttl_s: int = Field(
        300,
        ge=1,
        validation_alias=_env("KONSTRUKTOR_DOWNLOAD_URL_TTL_S"),
        description="how long a signed model-package download URL stays valid (S3 storage)",
    )
    checkpoint_retention_days: float = Field(
        7.0,
        validation_alias=_env("KONSTRUKTOR_CHECKPOINT_RETENTION_DAYS"),
        description="how long a failed or cancelled job stays resumable",
    )
    # Accounts: who may create one, and how often sign-in may be tried (docs/auth.md).
    registration: Literal["open", "closed"] = Field(
        "open",
        validation_alias=_env("KONSTRUKTOR_REGISTRATION"),
        description="open: anyone may create an account; closed: only the operator, with "
        "`python -m backend.cli create-user EMAIL`",
    )
    login_account_limit: str = Field(
        "5 per 15 minutes",
        validation_alias=_env("KONSTRUKTOR_LOGIN_ACCOUNT_LIMIT"),
        description="failed sign-ins (or wrong current passwords) one account may have in a "
        "moving window before even its right password gets 429 + Retry-After",
    )
    login_client_limit: str = Field(
        "30 per minute",
        validation_alias=_env("KONSTRUKTOR_LOGIN_CLIENT_LIMIT"),
        description="sign-in and password-change attempts one client address may make",
    )
    registration_limit: str = Field(
        "20 per hour",
        validation_alias=_env("KONSTRUKTOR_REGISTRATION_LIMIT"),
        description="account creations one client address may try",
    )

    @field_validator("login_account_limit", "login_client_limit", "registration_limit")
    @classmethod
    def _rate_limit(cls, value: str) -> str:
        try:
            parse_limit(value)
        except ValueError as exc:
            raise ValueError(f"{value!r} is no rate limit; write e.g. '5 per 15 minutes'") from exc
        return value

    @property
    def compute_backends(self) -> list[str]:
        """The compute backends a job may ask for, the default first."""
        listed = [name.strip() for name in self.compute_backends_list.split(",") if name.strip()]
        return [self.compute_backend, *(name for name in listed if name != self.compute_backend)]

    @property
    def cache_dir(self) -> Path:
        """Local copies of stored objects the API reads often (unpacked packages, archives)."""
        return self.var_dir / "cache"

    @model_validator(mode="after")
    def _llm_endpoint(self) -> Self:
        if self.nas_llm_url:
            if urlsplit(self.nas_llm_url).scheme not in ("http", "https"):
                raise ValueError(
                    f"KONSTRUKTOR_NAS_LLM_URL must be an http(s) URL, not {self.nas_llm_url!r}"
                )
            if not self.nas_llm_model:
                raise ValueError(
                    "KONSTRUKTOR_NAS_LLM_URL is set but KONSTRUKTOR_NAS_LLM_MODEL is not"
                )
        return self

    @model_validator(mode="after")
    def _connections_beyond_threads(self) -> Self:
        if self.db_pool_size + self.db_pool_overflow <= self.api_threads:
            raise ValueError(
                "KONSTRUKTOR_DB_POOL_SIZE + KONSTRUKTOR_DB_POOL_OVERFLOW must exceed "
                f"KONSTRUKTOR_API_THREADS ({self.api_threads}): requests hold sessions in "
                "the connections beyond the threads' (see backend/api/deps.py)"
            )
        return self

    @model_validator(mode="after")
    def _compute_backends_configured(self) -> Self:
        if YANDEX in self.compute_backends:
            get_yandex_settings()  # read once; a YandexSettingsError names what to fix
        return self

    @model_validator(mode="after")
    def _weights_mirror(self) -> Self:
        if self.weights_mirror and urlsplit(self.weights_mirror).scheme not in MIRROR_SCHEMES:
            raise ValueError(
                "KONSTRUKTOR_WEIGHTS_MIRROR must be an http(s) or file URL, "
                f"not {self.weights_mirror!r}"
            )
        return self

    @property
    def service_facts(self) -> ServiceFacts:
        """What this service offers a job beyond its data (torch-free, for job kinds)."""
        return ServiceFacts(
            llm_url=self.nas_llm_url,
            llm_model=self.nas_llm_model if self.nas_llm_url else None,
            weights_status=self.weights_source.status_of,
        )

    @property
    def sqlalchemy_url(self) -> str:
        """The database URL; a SQLite file under `var_dir` by default."""
        return self.database_url or f"sqlite:///{(self.var_dir / 'konstruktor.db').resolve()}"

    @property
    def allowed_import_endpoints(self) -> list[str]:
        """S3 endpoints users may import from (never implicitly the service's own storage)."""
        return sorted(
            {e.strip().rstrip("/") for e in self.import_s3_endpoints.split(",") if e.strip()}
        )

    @property
    def storage_dir(self) -> Path:
        return self.var_dir / "storage"

    @property
    def resolved_weights_dir(self) -> Path:
        return self.weights_dir or self.var_dir / "weights"

    @property
    def weights_source(self) -> WeightsSource:
        """The service's publisher weights cache, mirror and offline switch."""
        return WeightsSource(
            self.resolved_weights_dir.resolve(), self.weights_mirror, self.weights_offline
        )

    @property
    def max_upload_bytes(self) -> int:
        return self.max_upload_mb * 1024 * 1024


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings (cached; tests clear the cache after changing the env)."""
    return Settings()
