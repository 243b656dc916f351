"""Dataset uploads: accepted layouts, and bad input rejected with nothing half-written."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from backend.db import session_scope
from backend.models import Dataset, DatasetVersion
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.paths import shared_dataset
from tests.support.zips import class_folder_zip, flower_images, make_zip


def stored_files(var_dir: Path) -> list[Path]:
    root = var_dir / "storage"
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def dataset_rows() -> int:
    with session_scope() as session:
        datasets = session.scalar(select(func.count()).select_from(Dataset)) or 0
        versions = session.scalar(select(func.count()).select_from(DatasetVersion)) or 0
    return datasets + versions


def test_upload_flowers_with_given_split(service: Path, client: TestClient) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    r = upload_dataset(client, headers, project, shared_dataset("flowers12_fewshot.zip"), "fl")
    assert r.status_code == 201, r.text
    version = r.json()["versions"][0]
    assert version["version"] == 1 and version["split_source"] == "given"
    assert len(version["class_names"]) == 12
    assert version["stats"]["train"]["iris"] == 20 and version["stats"]["val"]["iris"] == 20
    assert any("manifest.csv" in w for w in version["warnings"])
    owner = client.get(f"{API}/auth/me", headers=headers).json()["id"]
    prefix = f"users/{owner}/datasets/{r.json()['id']}/{version['id']}/"
    keys = [p.relative_to(service / "storage").as_posix() for p in stored_files(service)]
    assert keys and all(k.startswith(prefix) for k in keys)  # nothing outside its prefix
    got = client.get(f"{API}/dataset-versions/{version['id']}", headers=headers).json()
    assert got["content_hash"] == version["content_hash"]
    listed = client.get(f"{API}/projects/{project}/datasets", headers=headers).json()
    assert [d["name"] for d in listed] == ["fl"]


def test_class_folders_get_a_stratified_split(service: Path, client: TestClient) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    images = flower_images(per_class=10, classes=3)
    r = upload_dataset(client, headers, project, class_folder_zip(images, prefix="wrap/"))
    assert r.status_code == 201, r.text
    version = r.json()["versions"][0]
    assert version["split_source"] == "generated"
    assert version["stats"]["train"] == dict.fromkeys(sorted(images), 8)
    assert version["stats"]["val"] == dict.fromkeys(sorted(images), 2)
    [stored] = [p for p in stored_files(service) if p.name == "dataset.zip"]
    assert stored.parent.parent.name == r.json()["id"]
    with zipfile.ZipFile(stored) as zf:
        names = zf.namelist()
    assert "manifest.json" in names
    assert sum(n.startswith("val/") for n in names) == 6

    def new_version(data: bytes) -> Any:
        return client.post(
            f"{API}/datasets/{r.json()['id']}/versions",
            content=data,
            headers={**headers, "Content-Type": "application/zip"},
        )

    same = new_version(class_folder_zip(images))  # same images, different zip layout
    assert same.status_code == 200, same.text  # stored already: that version, nothing new
    assert same.json()["id"] == version["id"]
    changed = {label: items[:-1] for label, items in images.items()}
    again = new_version(class_folder_zip(changed))
    assert again.status_code == 201 and again.json()["version"] == 2


def _bad_uploads() -> dict[str, tuple[bytes, str, int, str]]:
    imgs = flower_images(per_class=3, classes=2)
    (a, a_imgs), (b, b_imgs) = imgs.items()
    good = [(f"{a}/{i}.jpg", d) for i, d in enumerate(a_imgs)] + [
        (f"{b}/{i}.jpg", d) for i, d in enumerate(b_imgs)
    ]
    return {
        "not a zip": (b"GIF89a not a zip", "application/zip", 422, "not a valid zip"),
        "wrong type": (make_zip(good), "text/plain", 415, "Content-Type"),
        "empty body": (b"", "application/zip", 400, "empty"),
        "empty class": (make_zip([*good, ("empty/", b"")]), "application/zip", 422, "empty"),
        "one image class": (
            make_zip([*good, ("lonely/0.jpg", a_imgs[0])]),
            "application/zip",
            422,
            "lonely",
        ),
        "single class": (make_zip(good[:3]), "application/zip", 422, "at least 2"),
        "zip slip": (
            make_zip([*good, ("../evil.jpg", a_imgs[0])]),
            "application/zip",
            422,
            "unsafe path",
        ),
        "no images": (make_zip([("a/readme.txt", b"hi")]), "application/zip", 422, "no images"),
        "val class unknown": (
            make_zip(
                [(f"train/{n}", d) for n, d in good]
                + [(f"val/{a}/x.jpg", a_imgs[0]), ("val/zzz/x.jpg", b_imgs[0])]
            ),
            "application/zip",
            422,
            "zzz",
        ),
    }


@pytest.mark.parametrize("case", list(_bad_uploads()))
def test_bad_uploads_are_rejected_and_leave_nothing(
    case: str, sqlite_service: Path, client: TestClient
) -> None:
    body, content_type, status, message = _bad_uploads()[case]
    headers = new_user(client)
    project = create_project(client, headers)
    r = upload_dataset(client, headers, project, body, content_type=content_type)
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]
    assert stored_files(sqlite_service) == []
    assert dataset_rows() == 0
    assert not [p for p in (sqlite_service / "tmp").rglob("*") if p.is_file()]


def test_upload_size_limit(
    monkeypatch: pytest.MonkeyPatch, sqlite_service: Path, client: TestClient
) -> None:
    from tests.support.env import reset_caches

    monkeypatch.setenv("KONSTRUKTOR_MAX_UPLOAD_MB", "1")
    reset_caches()
    headers = new_user(client)
    project = create_project(client, headers)
    body = shared_dataset("flowers12_fewshot.zip").read_bytes()
    r = upload_dataset(client, headers, project, body)
    assert r.status_code == 413 and "1 MiB" in r.json()["detail"]

    def chunks() -> object:  # no Content-Length: the limit is enforced while streaming
        yield from (body[i : i + 65536] for i in range(0, len(body), 65536))

    r = client.post(
        f"{API}/projects/{project}/datasets",
        params={"name": "big"},
        content=chunks(),
        headers={**headers, "Content-Type": "application/zip"},
    )
    assert r.status_code == 413
    assert stored_files(sqlite_service) == [] and dataset_rows() == 0


def test_a_version_says_first_whether_it_can_train(
    sqlite_service: Path, client: TestClient
) -> None:
    headers = new_user(client)
    project = create_project(client, headers)
    upload = upload_dataset(client, headers, project, class_folder_zip(flower_images(per_class=4)))
    version = upload.json()["versions"][0]
    few = version["verdict"]  # 4 images a class: trainable, but few
    assert few["status"] == "warnings" and "fewer than 20 training images" in few["reasons"][0]
    with session_scope() as session:  # a version whose validation split is empty
        row = session.get(DatasetVersion, version["id"])
        assert row is not None
        counts = {**row.report["counts"], "val": dict.fromkeys(row.report["counts"]["val"], 0)}
        row.report = {**row.report, "counts": counts}
    blocked = client.get(f"{API}/dataset-versions/{version['id']}", headers=headers).json()
    assert blocked["verdict"]["status"] == "blocked"
    assert "validation split has no images" in blocked["verdict"]["reasons"][0]
    body = {"dataset_version_id": version["id"], "params": {"model": "efficientnet_b0"}}
    refused = client.post(f"{API}/projects/{project}/jobs", json=body, headers=headers)
    assert refused.status_code == 422 and "cannot train" in refused.json()["detail"]


def test_datasets_are_listed_across_the_owners_projects(
    sqlite_service: Path, client: TestClient
) -> None:
    owner, other = new_user(client), new_user(client)
    first, second = create_project(client, owner, "first"), create_project(client, owner, "second")
    for project, per_class in ((first, 2), (second, 3)):
        data = class_folder_zip(flower_images(per_class=per_class))
        assert upload_dataset(client, owner, project, data, project).status_code == 201

    def names(headers: dict[str, str], **params: str) -> list[str]:
        r = client.get(f"{API}/datasets", params=params, headers=headers)
        assert r.status_code == 200, r.text
        return [d["name"] for d in r.json()]

    assert names(owner) == [second, first]  # newest first
    assert names(owner, exclude_project=second) == [first]
    assert names(other) == []
    assert client.get(f"{API}/datasets").status_code == 401
