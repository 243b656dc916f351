"""Storage in an S3-compatible bucket (AWS, Yandex Object Storage, MinIO, rclone serve s3)."""

from __future__ import annotations

import base64
import hashlib
import io
import logging
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, BinaryIO
from urllib.parse import quote, urlencode

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from storage.base import Storage, StorageError, check_key, limited

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_s3.type_defs import CompletedPartTypeDef

log = logging.getLogger(__name__)

PART_SIZE = 8 * 1024 * 1024
LIST_PAGE_SIZE = 1000
DELETE_BATCH = 1000
_MISSING = {"404", "NoSuchKey", "NotFound"}


def _add_content_md5(params: dict[str, Any], **_: Any) -> None:
    """Many non-AWS stores require Content-MD5 on DeleteObjects; botocore >= 1.36 omits it."""
    body = params.get("body")
    if isinstance(body, bytes) and "Content-MD5" not in params["headers"]:
        digest = hashlib.md5(body, usedforsecurity=False).digest()
        params["headers"]["Content-MD5"] = base64.b64encode(digest).decode()


def _attachment(filename: str) -> str:
    """A Content-Disposition for saving as `filename` (ASCII fallback plus RFC 5987 form)."""
    ascii_name = "".join(
        c if c.isascii() and c.isprintable() and c not in '"\\' else "_" for c in filename
    )
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename, safe='')}"


def _is_missing(exc: ClientError) -> bool:
    return exc.response.get("Error", {}).get("Code") in _MISSING


class _BodyReader(io.RawIOBase):
    """A botocore StreamingBody as a raw stream, so it can be buffered and used with `with`."""

    def __init__(self, body: Any, key: str) -> None:
        self._body = body
        self._key = key

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        try:
            data = self._body.read(len(buffer))
        except (BotoCoreError, OSError) as exc:
            raise StorageError(f"reading {self._key} failed: {exc}") from exc
        n = len(data)
        buffer[:n] = data
        return n

    def close(self) -> None:
        if not self.closed:
            self._body.close()
        super().close()


class S3Storage(Storage):
    """Keys are objects in `bucket`, under the optional `prefix`; large uploads go multipart."""

    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None,
        region: str,
        access_key_id: str | None,
        secret_access_key: str | None,
        prefix: str = "",
    ) -> None:
        self.bucket = bucket
        self.endpoint_url = endpoint_url or None
        self.region = region
        self.prefix = check_key(prefix.strip("/")) if prefix.strip("/") else ""
        config = Config(
            signature_version="s3v4",
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": 5, "mode": "standard"},
            # Non-AWS stores (Yandex included) reject the newer default CRC trailers.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
        )
        self.client: S3Client = boto3.client(
            "s3",
            endpoint_url=endpoint_url or None,
            region_name=region,
            aws_access_key_id=access_key_id or None,
            aws_secret_access_key=secret_access_key or None,
            config=config,
        )
        self.client.meta.events.register("before-call.s3.DeleteObjects", _add_content_md5)

    def _key(self, key: str) -> str:
        check_key(key)
        return f"{self.prefix}/{key}" if self.prefix else key

    @property
    def url(self) -> str:
        query = {"region": self.region}
        if self.endpoint_url:
            query["endpoint"] = self.endpoint_url
        return f"s3://{self.bucket}/{self.prefix}?{urlencode(query)}"

    def _rel(self, full: str) -> str:
        return full[len(self.prefix) + 1 :] if self.prefix else full

    def put_stream(self, key: str, chunks: Iterable[bytes], limit: int | None = None) -> int:
        full = self._key(key)
        buf = bytearray()
        total = 0
        upload_id: str | None = None
        parts: list[CompletedPartTypeDef] = []

        def send_part(data: bytes) -> None:
            nonlocal upload_id
            if upload_id is None:
                upload_id = self.client.create_multipart_upload(Bucket=self.bucket, Key=full)[
                    "UploadId"
                ]
            number = len(parts) + 1
            resp = self.client.upload_part(
                Bucket=self.bucket, Key=full, UploadId=upload_id, PartNumber=number, Body=data
            )
            parts.append({"PartNumber": number, "ETag": resp["ETag"]})

        try:
            for chunk in limited(chunks, limit):
                buf += chunk
                total += len(chunk)
                while len(buf) > PART_SIZE:  # keep the tail: the last part may be any size
                    with memoryview(buf) as view:
                        part = bytes(view[:PART_SIZE])
                    del buf[:PART_SIZE]
                    send_part(part)
                    del part
            if upload_id is None:
                self.client.put_object(Bucket=self.bucket, Key=full, Body=bytes(buf))
            else:
                send_part(bytes(buf))
                self.client.complete_multipart_upload(
                    Bucket=self.bucket,
                    Key=full,
                    UploadId=upload_id,
                    MultipartUpload={"Parts": parts},
                )
        except BaseException as exc:
            if upload_id is not None:
                self._abort(full, upload_id)
            if isinstance(exc, ClientError | BotoCoreError):
                raise StorageError(f"upload of {key} failed: {exc}") from exc
            raise
        return total

    def _abort(self, full: str, upload_id: str) -> None:
        try:
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=full, UploadId=upload_id)
        except (ClientError, BotoCoreError):
            log.warning("could not abort multipart upload %s of %s", upload_id, full, exc_info=True)

    def open(self, key: str) -> BinaryIO:
        try:
            resp = self.client.get_object(Bucket=self.bucket, Key=self._key(key))
        except ClientError as exc:
            if _is_missing(exc):
                raise StorageError(f"no such object: {key}") from exc
            raise StorageError(f"opening {key} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"opening {key} failed: {exc}") from exc
        return io.BufferedReader(_BodyReader(resp["Body"], key), buffer_size=PART_SIZE // 8)

    def _head(self, key: str) -> dict[str, Any] | None:
        try:
            return dict(self.client.head_object(Bucket=self.bucket, Key=self._key(key)))
        except ClientError as exc:
            if _is_missing(exc):
                return None
            raise StorageError(f"head of {key} failed: {exc}") from exc
        except BotoCoreError as exc:
            raise StorageError(f"head of {key} failed: {exc}") from exc

    def exists(self, key: str) -> bool:
        return self._head(key) is not None

    def size(self, key: str) -> int:
        head = self._head(key)
        if head is None:
            raise StorageError(f"no such object: {key}")
        return int(head["ContentLength"])

    def _iter_keys(self, full_prefix: str) -> Iterator[str]:
        paginator = self.client.get_paginator("list_objects_v2")
        try:
            for page in paginator.paginate(
                Bucket=self.bucket,
                Prefix=full_prefix,
                PaginationConfig={"PageSize": LIST_PAGE_SIZE},
            ):
                for obj in page.get("Contents", []):
                    yield obj["Key"]
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"listing {full_prefix} failed: {exc}") from exc

    def list(self, prefix: str) -> list[str]:
        full = self._key(prefix)
        keys = [self._rel(k) for k in self._iter_keys(full + "/")]
        if self.exists(prefix):
            keys.append(prefix)
        return sorted(keys)

    def delete_prefix(self, prefix: str) -> None:
        full = self._key(prefix)
        try:
            # Re-list from the start after each batch: no continuation token survives deletes.
            previous: list[str] = []
            while True:
                resp = self.client.list_objects_v2(
                    Bucket=self.bucket, Prefix=full + "/", MaxKeys=DELETE_BATCH
                )
                batch = [obj["Key"] for obj in resp.get("Contents", [])]
                if not batch:
                    break
                if batch == previous:
                    raise StorageError(f"deleting under {prefix} made no progress")
                result = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True},
                )
                if errors := result.get("Errors"):
                    raise StorageError(f"deleting under {prefix} failed: {errors[:3]}")
                previous = batch
            self.client.delete_object(Bucket=self.bucket, Key=full)
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"deleting {prefix} failed: {exc}") from exc

    def etag(self, key: str) -> str | None:
        """The object's ETag (it changes when the object is written again); None if absent."""
        head = self._head(key)
        return None if head is None else str(head.get("ETag"))

    def upload_url(self, key: str, expires_s: int) -> str:
        """A presigned PUT of `key` (SigV4, valid `expires_s` seconds, reusable until then)."""
        try:
            return self.client.generate_presigned_url(
                "put_object",
                Params={"Bucket": self.bucket, "Key": self._key(key)},
                ExpiresIn=expires_s,
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"presigning an upload of {key} failed: {exc}") from exc

    def download_url(
        self, key: str, expires_s: int = 300, filename: str | None = None
    ) -> str | None:
        """A presigned GET (SigV4, valid `expires_s` seconds); no credentials needed to use it."""
        params: dict[str, Any] = {"Bucket": self.bucket, "Key": self._key(key)}
        if filename:
            params["ResponseContentDisposition"] = _attachment(filename)
        try:
            return self.client.generate_presigned_url(
                "get_object", Params=params, ExpiresIn=expires_s
            )
        except (ClientError, BotoCoreError) as exc:
            raise StorageError(f"presigning {key} failed: {exc}") from exc
