"""A trained model in the browser's hands: try it on uploaded images (its own package runs
in a child process), read its package's files, see the dataset's images; owner only."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from PIL import Image

from backend.api.deps import get_storage
from backend.db import session_scope
from backend.models import DatasetVersion, ModelArtifact
from mlcore.engines.base import EngineRequest
from mlcore.engines.registry import run_job
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.configs import tiny_config
from tests.support.records import add_job
from tests.support.zips import class_folder_zip, flower_images

pytestmark = pytest.mark.slow  # trains a model


@dataclass(frozen=True)
class Trained:
    headers: dict[str, str]
    model_id: str
    version_id: str
    evaluation: dict[str, object]
    dataset: Path


@pytest.fixture
def trained(sqlite_service: Path, client: TestClient, tmp_path: Path) -> Trained:
    """A tiny EfficientNet trained on an uploaded flowers version, recorded as the worker
    records a finished job."""
    headers = new_user(client)
    project = create_project(client, headers)
    upload = upload_dataset(client, headers, project, class_folder_zip(flower_images(per_class=4)))
    version_id = upload.json()["versions"][0]["id"]
    storage = get_storage()
    with session_scope() as session:
        version = session.get(DatasetVersion, version_id)
        assert version is not None
        owner, key = version.owner_id, version.storage_key
    dataset = tmp_path / "dataset"
    with zipfile.ZipFile(io.BytesIO(storage.read_bytes(key))) as zf:
        zf.extractall(dataset)
    result = run_job(EngineRequest(tiny_config(), dataset, tmp_path / "work", lambda e: None))
    prefix = f"users/{owner}/jobs/try"
    output = tmp_path / "work" / "output"
    for path in (p for p in output.rglob("*") if p.is_file()):
        storage.put_file(f"{prefix}/{path.relative_to(output).as_posix()}", path)
    files = {name: f"{prefix}/{rel}" for name, rel in result.files.items()}
    package = output / result.files["package"]
    with session_scope() as session:
        job = add_job(session, params={})  # the job a model record belongs to
        job.owner_id = owner
        model = ModelArtifact(
            owner_id=owner,
            project_id=project,
            job_id=job.id,
            dataset_version_id=version_id,
            architecture=result.architecture,
            class_names=result.classes,
            metrics=result.metrics,
            files=files,
            package_key=files["package"],
            package_sha256=hashlib.sha256(package.read_bytes()).hexdigest(),
            package_size=package.stat().st_size,
        )
        session.add(model)
        session.flush()
        model_id = model.id
    evaluation = json.loads((output / result.files["evaluation"]).read_text())
    return Trained(headers, model_id, version_id, evaluation, dataset)


def test_trying_the_model_gives_what_its_evaluation_gave(
    trained: Trained, client: TestClient
) -> None:
    predictions = trained.evaluation["predictions"]
    assert isinstance(predictions, list)
    chosen = predictions[:2]
    files = [
        ("files", (Path(p["file"]).name, (trained.dataset / p["file"]).read_bytes(), "image/jpeg"))
        for p in chosen
    ]
    r = client.post(
        f"{API}/models/{trained.model_id}/predict",
        files=files,
        params={"topk": 2},
        headers=trained.headers,
    )
    assert r.status_code == 200, r.text
    for answer, expected in zip(r.json(), chosen, strict=True):
        assert answer["file"] == Path(expected["file"]).name and len(answer["top"]) == 2
        assert answer["top"][0]["label"] == expected["predicted"]
        assert answer["top"][0]["probability"] == pytest.approx(expected["confidence"], abs=1e-4)


def test_what_is_not_an_image_is_refused_by_name(trained: Trained, client: TestClient) -> None:
    r = client.post(
        f"{API}/models/{trained.model_id}/predict",
        files=[("files", ("notes.txt", b"not an image", "text/plain"))],
        headers=trained.headers,
    )
    assert r.status_code == 422 and "notes.txt is not an image" in r.json()["detail"]


def test_the_package_files_are_listed_and_served(trained: Trained, client: TestClient) -> None:
    base = f"{API}/models/{trained.model_id}/package"
    listed = {f["name"]: f for f in client.get(base, headers=trained.headers).json()}
    assert {"README.md", "predict.py", "model.onnx", "labels.json"} <= set(listed)
    readme = client.get(f"{base}/README.md", headers=trained.headers)
    assert readme.headers["content-type"].startswith("text/plain")
    assert hashlib.sha256(readme.content).hexdigest() == listed["README.md"]["sha256"]
    onnx = client.get(f"{base}/model.onnx", params={"download": True}, headers=trained.headers)
    assert onnx.headers["content-disposition"].startswith("attachment")
    assert len(onnx.content) == listed["model.onnx"]["size"]
    assert client.get(f"{base}/..%2Fmodel.onnx", headers=trained.headers).status_code == 404


def test_a_versions_images_are_shown_small(trained: Trained, client: TestClient) -> None:
    file = trained.evaluation["predictions"][0]["file"]  # type: ignore[index]
    url = f"{API}/dataset-versions/{trained.version_id}/images/{file}"
    r = client.get(url, params={"max_side": 64}, headers=trained.headers)
    assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(r.content)).size) <= 64
    missing = f"{API}/dataset-versions/{trained.version_id}/images/val/none.jpg"
    assert client.get(missing, headers=trained.headers).status_code == 404


def test_another_user_gets_none_of_it(trained: Trained, client: TestClient) -> None:
    stranger = new_user(client)
    file = trained.evaluation["predictions"][0]["file"]  # type: ignore[index]
    for url in (
        f"/models/{trained.model_id}/package",
        f"/models/{trained.model_id}/package/README.md",
        f"/dataset-versions/{trained.version_id}/images/{file}",
    ):
        assert client.get(API + url, headers=stranger).status_code == 404, url
    image = ("files", ("a.jpg", (trained.dataset / file).read_bytes(), "image/jpeg"))
    r = client.post(f"{API}/models/{trained.model_id}/predict", files=[image], headers=stranger)
    assert r.status_code == 404
