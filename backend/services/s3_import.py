"""Server-side import of a dataset archive from an S3 URI (for uploads too large for a browser)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import boto3
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError
from pydantic import BaseModel, Field

from backend.datasets.errors import DatasetError
from backend.services.uploads import SpooledUpload, spool_chunks
from storage import UploadTooLarge

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

CHUNK = 1024 * 1024


class S3Source(BaseModel):
    """Where the archive is, and how to read it (no credentials: a public bucket)."""

    uri: str = Field(
        pattern=r"^s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/[^?#]+$",
        examples=["s3://my-bucket/data/flowers.zip"],
        description="s3://BUCKET/KEY; a plain bucket name, a key without ? or #",
    )
    endpoint_url: str = Field("https://storage.yandexcloud.net")
    region: str = Field(
        "ru-central1",
        pattern=r"^[a-z]([a-z0-9-]{0,30}[a-z0-9])?$",
        description="a letter first, then letters, digits or hyphens; not ending in a hyphen",
    )
    access_key_id: str | None = None
    secret_access_key: str | None = None


def _client(source: S3Source, allowed: list[str]) -> S3Client:
    endpoint = source.endpoint_url.rstrip("/")
    if endpoint not in allowed:
        raise DatasetError(
            f"imports from {endpoint} are not allowed on this server; allowed: "
            f"{', '.join(allowed) or 'none'} (KONSTRUKTOR_IMPORT_S3_ENDPOINTS)"
        )
    signed = source.access_key_id and source.secret_access_key
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name=source.region,
        aws_access_key_id=source.access_key_id if signed else None,
        aws_secret_access_key=source.secret_access_key if signed else None,
        config=Config(
            signature_version="s3v4" if signed else UNSIGNED,
            s3={"addressing_style": "path"},
            retries={"max_attempts": 3},
            connect_timeout=10,
            read_timeout=60,
        ),
    )


def fetch(source: S3Source, allowed: list[str], tmp_dir: Path, limit: int) -> SpooledUpload:
    """Stream the object to a temp file (constant memory, size-limited); DatasetError names
    what is wrong with the source or why S3 did not answer."""
    bucket, key = source.uri.removeprefix("s3://").split("/", 1)
    try:
        client = _client(source, allowed)
    except BotoCoreError as exc:  # e.g. a region name botocore refuses
        raise DatasetError(
            f"cannot use region {source.region!r} with endpoint_url {source.endpoint_url}: {exc}"
        ) from exc
    try:
        head = client.head_object(Bucket=bucket, Key=key)
        if head["ContentLength"] > limit:
            raise UploadTooLarge(limit)
        body = client.get_object(Bucket=bucket, Key=key)["Body"]
        return spool_chunks(body.iter_chunks(CHUNK), tmp_dir, limit)
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        what = {
            "404": "not found",
            "NoSuchKey": "not found",
            "NoSuchBucket": "bucket not found",
            "403": "access denied: check the credentials",
            "AccessDenied": "access denied: check the credentials",
        }.get(code, code)
        raise DatasetError(f"cannot read {source.uri}: {what}") from exc
    except BotoCoreError as exc:
        raise DatasetError(f"cannot reach {source.endpoint_url}: {exc}") from exc
