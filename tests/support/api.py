"""Small helpers that drive the REST API the way a client would."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any, Protocol

API = "/api/v1"


class HttpClient(Protocol):
    def post(self, url: str, **kwargs: Any) -> Any: ...

    def get(self, url: str, **kwargs: Any) -> Any: ...


def new_user(client: HttpClient, email: str | None = None) -> dict[str, str]:
    """Register a user, log in, and return the auth headers."""
    email = email or f"user-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"
    r = client.post(f"{API}/auth/register", json={"email": email, "password": password})
    assert r.status_code == 201, r.text
    r = client.post(f"{API}/auth/login", json={"email": email, "password": password})
    assert r.status_code == 200, r.text
    return {"Authorization": f"Bearer {r.json()['token']}"}


def create_project(client: HttpClient, headers: dict[str, str], name: str = "demo") -> str:
    r = client.post(f"{API}/projects", json={"name": name}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def upload_dataset(
    client: HttpClient,
    headers: dict[str, str],
    project_id: str,
    data: bytes | Path,
    name: str = "data",
    content_type: str = "application/zip",
) -> Any:
    body = data.read_bytes() if isinstance(data, Path) else data
    return client.post(
        f"{API}/projects/{project_id}/datasets",
        params={"name": name},
        content=body,
        headers={**headers, "Content-Type": content_type},
    )


def train_body(version_id: str, **params: Any) -> dict[str, Any]:
    defaults = {"model": "efficientnet_b0", "epochs": 1, "image_size": 32, "batch_size": 16}
    return {"dataset_version_id": version_id, "params": {**defaults, **params}}
