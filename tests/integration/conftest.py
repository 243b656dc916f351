"""Fixtures for integration tests (each self-contained; add yours alongside)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.integration.s3_server import S3ServerInfo, find_rclone, running_s3_server


@pytest.fixture(scope="session")
def s3_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[S3ServerInfo]:
    """A real S3 server (`rclone serve s3` on 127.0.0.1, SigV4) with an empty bucket.

    Shared by the whole session: give each test its own key prefix.
    """
    try:
        find_rclone()
        missing = ""
    except RuntimeError as exc:
        missing = str(exc)
    if missing:
        pytest.fail(f"s3_server fixture: {missing}", pytrace=False)
    with running_s3_server(tmp_path_factory.mktemp("s3-server")) as info:
        yield info
