"""The service's object storage: the one its settings name."""

from __future__ import annotations

from backend.settings import Settings, get_settings
from storage import LocalStorage, Storage


def create_storage(settings: Settings | None = None) -> Storage:
    """S3 when `S3_BUCKET` is set, else the local directory under `var/storage`."""
    settings = settings or get_settings()
    if settings.s3_bucket:
        from storage.s3 import S3Storage

        return S3Storage(
            bucket=settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=settings.s3_secret_access_key,
            prefix=settings.s3_prefix,
        )
    return LocalStorage(settings.storage_dir)
