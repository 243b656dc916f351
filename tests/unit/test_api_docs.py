"""/docs and /redoc work offline: every file they load comes from the service itself."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

import pytest
from fastapi.testclient import TestClient

PAGE_URL = re.compile(r"""(?:href|src|spec-url)="([^"]*)"|\burl: '([^']*)'""")
MEDIA_TYPES = {  # by suffix; Python's table names JavaScript either way, by platform
    ".js": {"text/javascript", "application/javascript"},
    ".css": {"text/css"},
    ".png": {"image/png"},
    ".json": {"application/json"},
}


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_api_docs_load_only_files_of_this_service(client: TestClient, page: str) -> None:
    html = client.get(page)
    assert html.status_code == 200 and html.headers["content-type"].startswith("text/html")
    assert "//" not in re.sub(r"<!--.*?-->", "", html.text, flags=re.S)  # no scheme, no host
    urls = [href or url for href, url in PAGE_URL.findall(html.text)]
    assert "/openapi.json" in urls and any(url.endswith(".js") for url in urls), urls
    for url in urls:
        assert url.startswith("/"), url
        r = client.get(url)
        assert r.status_code == 200, url
        media_type = r.headers["content-type"].split(";")[0]
        assert media_type in MEDIA_TYPES[PurePosixPath(url).suffix], url
