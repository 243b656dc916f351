"""Object storage: one interface, a local-directory and an S3 implementation, opened by URL.

A plain library (no service settings): the API and the worker open the storage their
settings name, and the job runner opens the one it is given on its command line.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

from storage.base import Storage, StorageError, UploadTooLarge
from storage.local import LocalStorage

__all__ = ["LocalStorage", "Storage", "StorageError", "UploadTooLarge", "open_storage"]
DEFAULT_REGION = "ru-central1"


def open_storage(
    url: str, access_key_id: str | None = None, secret_access_key: str | None = None
) -> Storage:
    """The storage at `url`: `file:///abs/dir`, or `s3://bucket/prefix?endpoint=URL&region=R`
    (credentials given here, else boto3's own chain: AWS_ACCESS_KEY_ID, ...)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        return LocalStorage(Path(unquote(parts.path)))
    if parts.scheme == "s3" and parts.netloc:
        from storage.s3 import S3Storage

        query = {name: values[-1] for name, values in parse_qs(parts.query).items()}
        return S3Storage(
            bucket=parts.netloc,
            endpoint_url=query.get("endpoint"),
            region=query.get("region", DEFAULT_REGION),
            access_key_id=access_key_id,
            secret_access_key=secret_access_key,
            prefix=unquote(parts.path).strip("/"),
        )
    raise StorageError(
        f"unsupported storage URL {url!r}: use file:///path or "
        "s3://bucket/prefix?endpoint=URL&region=REGION"
    )
