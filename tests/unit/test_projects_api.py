"""Projects are renamed and deleted by their owner; a delete takes everything with it."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from backend.api.deps import get_storage
from tests.support.api import API, create_project, new_user, train_body, upload_dataset
from tests.support.zips import class_folder_zip, flower_images


def test_a_project_is_renamed_by_its_owner_only(service: Path, client: TestClient) -> None:
    owner, stranger = new_user(client), new_user(client)
    project = create_project(client, owner, "first")
    r = client.patch(f"{API}/projects/{project}", json={"name": "flowers"}, headers=owner)
    assert r.status_code == 200 and r.json()["name"] == "flowers"
    refused = client.patch(f"{API}/projects/{project}", json={"name": "x"}, headers=stranger)
    assert refused.status_code == 404
    empty = client.patch(f"{API}/projects/{project}", json={"name": ""}, headers=owner)
    assert empty.status_code == 422


def test_deleting_a_project_takes_its_data_but_not_while_a_job_runs(
    service: Path, client: TestClient
) -> None:
    owner = new_user(client)
    project = create_project(client, owner)
    uploaded = upload_dataset(client, owner, project, class_folder_zip(flower_images(per_class=4)))
    dataset, version = uploaded.json()["id"], uploaded.json()["versions"][0]["id"]
    stored = get_storage().list("users")
    assert stored, "the upload is in storage"
    job = client.post(f"{API}/projects/{project}/jobs", json=train_body(version), headers=owner)
    busy = client.delete(f"{API}/projects/{project}", headers=owner)
    assert busy.status_code == 409 and "cancel them first" in busy.json()["detail"]
    assert client.delete(f"{API}/projects/{project}", headers=new_user(client)).status_code == 404

    client.post(f"{API}/jobs/{job.json()['id']}/cancel", headers=owner)
    assert client.delete(f"{API}/projects/{project}", headers=owner).status_code == 204
    for gone in (f"/projects/{project}", f"/datasets/{dataset}", f"/dataset-versions/{version}"):
        assert client.get(API + gone, headers=owner).status_code == 404, gone
    assert client.get(f"{API}/jobs", headers=owner).json() == []
    assert get_storage().list("users") == []


def test_a_project_whose_data_another_project_trains_on_waits_for_that_job(
    service: Path, client: TestClient
) -> None:
    owner = new_user(client)
    source, other = create_project(client, owner, "source"), create_project(client, owner, "b")
    uploaded = upload_dataset(client, owner, source, class_folder_zip(flower_images(per_class=4)))
    version = uploaded.json()["versions"][0]["id"]
    job = client.post(f"{API}/projects/{other}/jobs", json=train_body(version), headers=owner)
    assert job.status_code == 201, job.text
    busy = client.delete(f"{API}/projects/{source}", headers=owner)
    assert busy.status_code == 409 and job.json()["id"] in busy.json()["detail"]
    client.post(f"{API}/jobs/{job.json()['id']}/cancel", headers=owner)
    assert client.delete(f"{API}/projects/{source}", headers=owner).status_code == 204
