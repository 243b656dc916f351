"""A model's report files (plots, thumbnails) listed and streamed to its owner only."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from backend.api.deps import get_storage
from backend.db import session_scope
from tests.support.api import API, new_user
from tests.support.records import add_model

PREFIX = "models/m1"
STORED = {
    "package": "package.zip",
    "evaluation": "evaluation.json",
    "parity": "parity.json",
    "confusion_matrix": "confusion_matrix.png",
    "error_0": "errors/00.jpg",
}


def image_bytes(fmt: str) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), (200, 30, 30)).save(buffer, fmt)
    return buffer.getvalue()


CONTENT = {
    "package": b"PK\x05\x06" + bytes(18),
    "evaluation": json.dumps({"accuracy": 0.5}).encode(),
    "parity": json.dumps({"images": 3, "formats": {"onnx": {"agreement": 1.0}}}).encode(),
    "confusion_matrix": image_bytes("PNG"),
    "error_0": image_bytes("JPEG"),
}


def user_id(client: TestClient, headers: dict[str, str]) -> str:
    return str(client.get(f"{API}/auth/me", headers=headers).json()["id"])


@pytest.fixture
def owned_model(service: Path, client: TestClient) -> tuple[dict[str, str], str]:
    """(owner's headers, model id) for a model whose files are all in storage."""
    headers = new_user(client)
    storage = get_storage()
    for name, relative in STORED.items():
        storage.put_stream(f"{PREFIX}/{relative}", [CONTENT[name]])
    files = {name: f"{PREFIX}/{relative}" for name, relative in STORED.items()}
    with session_scope() as session:
        model = add_model(
            session, user_id(client, headers), files, CONTENT["package"], sha256="0" * 64
        )
        return headers, model.id


def test_owner_lists_names_and_media_types_without_storage_keys(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    headers, model_id = owned_model
    r = client.get(f"{API}/models/{model_id}/files", headers=headers)
    assert r.status_code == 200, r.text
    assert sorted(r.json(), key=lambda f: f["name"]) == [
        {"name": "confusion_matrix", "media_type": "image/png"},
        {"name": "error_0", "media_type": "image/jpeg"},
        {"name": "evaluation", "media_type": "application/json"},
        {"name": "package", "media_type": "application/zip"},
        {"name": "parity", "media_type": "application/json"},
    ]
    assert PREFIX not in r.text


@pytest.mark.parametrize(
    ("name", "media_type"),
    [
        ("confusion_matrix", "image/png"),
        ("error_0", "image/jpeg"),
        ("evaluation", "application/json"),
        ("package", "application/zip"),
    ],
)
def test_owner_fetches_stored_bytes_with_their_media_type(
    client: TestClient, owned_model: tuple[dict[str, str], str], name: str, media_type: str
) -> None:
    headers, model_id = owned_model
    r = client.get(f"{API}/models/{model_id}/files/{name}", headers=headers)
    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == media_type
    assert r.content == CONTENT[name]
    assert r.headers["content-length"] == str(len(CONTENT[name]))


def test_parity_is_served_to_the_owner_only(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    headers, model_id = owned_model
    r = client.get(f"{API}/models/{model_id}/parity", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == json.loads(CONTENT["parity"])
    assert (
        client.get(f"{API}/models/{model_id}/parity", headers=new_user(client)).status_code == 404
    )


def test_other_user_gets_404_for_list_and_file(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    _, model_id = owned_model
    intruder = new_user(client)
    for path in (f"/models/{model_id}/files", f"/models/{model_id}/files/confusion_matrix"):
        r = client.get(API + path, headers=intruder)
        assert r.status_code == 404, path
        assert "not found" in r.json()["detail"]
        assert CONTENT["confusion_matrix"] not in r.content


def test_unknown_name_is_404_with_the_known_names(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    headers, model_id = owned_model
    r = client.get(f"{API}/models/{model_id}/files/roc_curve", headers=headers)
    assert r.status_code == 404
    detail = r.json()["detail"]
    assert "no file 'roc_curve'" in detail and "confusion_matrix" in detail


def test_listed_file_missing_from_storage_is_404(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    headers, model_id = owned_model
    get_storage().delete_prefix(f"{PREFIX}/errors")
    r = client.get(f"{API}/models/{model_id}/files/error_0", headers=headers)
    assert r.status_code == 404
    assert "'error_0'" in r.json()["detail"] and "gone" in r.json()["detail"]


def test_download_url_on_local_storage_is_the_streaming_path(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    headers, model_id = owned_model
    r = client.get(f"{API}/models/{model_id}/download-url", headers=headers)
    assert r.status_code == 200, r.text
    assert r.json() == {
        "url": f"{API}/models/{model_id}/download",
        "expires_at": None,
        "signed": False,
        "sha256": "0" * 64,
        "size": len(CONTENT["package"]),
    }
    served = client.get(r.json()["url"], headers=headers)
    assert served.status_code == 200
    assert served.content == CONTENT["package"]
    assert served.headers["x-content-sha256"] == "0" * 64
    # Without a signing backend, redirect=true streams as usual instead of redirecting.
    same = client.get(
        r.json()["url"], params={"redirect": "true"}, headers=headers, follow_redirects=False
    )
    assert same.status_code == 200 and same.content == CONTENT["package"]


def test_other_user_gets_404_for_download_url(
    client: TestClient, owned_model: tuple[dict[str, str], str]
) -> None:
    _, model_id = owned_model
    r = client.get(f"{API}/models/{model_id}/download-url", headers=new_user(client))
    assert r.status_code == 404
    assert "not found" in r.json()["detail"]
