"""Every resource belongs to a user: another user gets 404 on all of it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from backend.db import session_scope
from backend.models import ModelArtifact
from tests.support.api import API, create_project, new_user, train_body, upload_dataset
from tests.support.zips import class_folder_zip, flower_images


def test_user_b_cannot_see_or_touch_user_a_resources(service: Path, client: TestClient) -> None:
    alice, bob = new_user(client), new_user(client)
    project = create_project(client, alice)
    ds = upload_dataset(client, alice, project, class_folder_zip(flower_images(per_class=4)))
    dataset, version = ds.json()["id"], ds.json()["versions"][0]["id"]
    job = client.post(f"{API}/projects/{project}/jobs", json=train_body(version), headers=alice)
    job_id = job.json()["id"]
    alice_id = client.get(f"{API}/auth/me", headers=alice).json()["id"]
    with session_scope() as session:
        model = ModelArtifact(
            owner_id=alice_id,
            project_id=project,
            job_id=job_id,
            dataset_version_id=version,
            architecture="efficientnet_b0",
            class_names=[],
            metrics={},
            files={},
            package_key="x/package.zip",
            package_sha256="0" * 64,
            package_size=1,
        )
        session.add(model)
        session.flush()
        model_id = model.id

    thumbnails = ds.json()["versions"][0]["report"]["thumbnails"]
    thumbnail = f"/dataset-versions/{version}/{next(iter(thumbnails.values()))[0]}"
    owner_sees = client.get(API + thumbnail, headers=alice)
    assert owner_sees.status_code == 200 and owner_sees.headers["content-type"] == "image/jpeg"
    coco = f"/dataset-versions/{version}/coco"
    assert client.get(API + coco, headers=alice).status_code == 422  # hers, but not detection

    reads = [
        f"/projects/{project}",
        f"/projects/{project}/datasets",
        f"/datasets/{dataset}",
        f"/dataset-versions/{version}",
        thumbnail,
        coco,
        f"/jobs/{job_id}",
        f"/jobs/{job_id}/events",
        f"/models/{model_id}",
        f"/models/{model_id}/evaluation",
        f"/models/{model_id}/parity",
        f"/models/{model_id}/files",
        f"/models/{model_id}/files/evaluation",
        f"/models/{model_id}/download",
        f"/models/{model_id}/download-url",
    ]
    for path in reads:
        r = client.get(API + path, headers=bob)
        assert r.status_code == 404, path
        assert "not found" in r.json()["detail"]
    writes = [
        (f"/jobs/{job_id}/cancel", None),
        (f"/jobs/{job_id}/resume", None),
        (f"/projects/{project}/jobs", train_body(version)),
    ]
    for path, body in writes:
        assert client.post(API + path, json=body, headers=bob).status_code == 404, path
    upload = client.post(
        f"{API}/datasets/{dataset}/versions",
        content=b"PK",
        headers={**bob, "Content-Type": "application/zip"},
    )
    assert upload.status_code == 404
    bob_project = create_project(client, bob)
    stolen = client.post(
        f"{API}/projects/{bob_project}/jobs", json=train_body(version), headers=bob
    )
    assert stolen.status_code == 404
    assert client.get(f"{API}/jobs", headers=bob).json() == []
    assert client.get(f"{API}/models", headers=bob).json() == []
    assert [p["id"] for p in client.get(f"{API}/projects", headers=bob).json()] == [bob_project]
    assert client.get(f"{API}/models/{model_id}", headers=alice).status_code == 200
    assert client.get(f"{API}/jobs/{job_id}", headers=alice).status_code == 200
