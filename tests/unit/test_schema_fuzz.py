"""Schemathesis against the app on embedded defaults: whatever it sends, valid or not, the
answer is no server error and is what the OpenAPI schema says (status, media type, body)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.configuration import set_hypothesis_home_dir
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from backend.main import create_app
from tests.support.api import API, create_project, new_user, upload_dataset
from tests.support.env import configure, reset_caches
from tests.support.zips import class_folder_zip, flower_images

CLOSED = "http://127.0.0.1:9"  # an S3 endpoint imports may use; nothing listens there
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]
EXAMPLES = 10  # generated cases per operation, beside its examples and boundary cases
CONFIG = {"generation": {"mode": "all", "max-examples": EXAMPLES}}  # valid and invalid data


set_hypothesis_home_dir(tempfile.mkdtemp(prefix="konstruktor-tests-hypothesis-"))  # not ./
schemathesis.serializer.alias("application/zip", "application/octet-stream")  # upload bodies
schema = schemathesis.openapi.from_asgi(
    "/openapi.json", create_app(), config=schemathesis.Config.from_dict(CONFIG)
)
REAL_IDS: dict[str, str] = {}
"""Path parameter -> the id of a row that exists (the `fuzzed` fixture's)."""


@schema.hook
def flatmap_path_parameters(
    context: schemathesis.HookContext, path_parameters: dict[str, Any] | None
) -> st.SearchStrategy[dict[str, Any] | None]:
    """Each id as generated or a real one (not for deletions: the fixture's rows stay)."""
    assert context.operation is not None
    if not path_parameters or context.operation.method.upper() == "DELETE":
        return st.just(path_parameters)
    return st.fixed_dictionaries(
        {
            name: st.sampled_from([value, REAL_IDS[name]]) if name in REAL_IDS else st.just(value)
            for name, value in path_parameters.items()
        }
    )


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The service in a temporary folder, with a project and a dataset (REAL_IDS); yields
    their owner's API key."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        configure(
            monkeypatch,
            tmp_path_factory.mktemp("fuzz") / "var",
            KONSTRUKTOR_IMPORT_S3_ENDPOINTS=CLOSED,
            KONSTRUKTOR_WEIGHTS_OFFLINE="true",
            KONSTRUKTOR_MAX_UPLOAD_MB="1",
        )
        with TestClient(schema.app) as client:
            headers = new_user(client)
            key = client.post(f"{API}/api-keys", json={"name": "k"}, headers=headers).json()["key"]
            auth = {"Authorization": f"Bearer {key}"}  # not a login token: /auth/logout keeps it
            project = create_project(client, auth)
            upload = upload_dataset(
                client, auth, project, class_folder_zip(flower_images(per_class=4))
            )
            assert upload.status_code == 201, upload.text
        dataset = upload.json()
        REAL_IDS.update(
            project_id=project, dataset_id=dataset["id"], version_id=dataset["versions"][0]["id"]
        )
        yield key
        REAL_IDS.clear()
        reset_caches()


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_answers_as_its_schema_says(case: schemathesis.Case, fuzzed: str) -> None:
    case.call_and_validate(headers={"Authorization": f"Bearer {fuzzed}"}, checks=CHECKS)
