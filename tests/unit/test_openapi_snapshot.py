"""The web app's API client is generated from frontend/openapi.json: that file is the API."""

from __future__ import annotations

from backend.cli import openapi_json
from tests.support.paths import ROOT


def test_the_committed_schema_is_the_apis() -> None:
    committed = (ROOT / "frontend" / "openapi.json").read_text(encoding="utf-8")
    assert committed == openapi_json(), (
        "frontend/openapi.json is stale: run `python -m backend.cli openapi "
        "frontend/openapi.json` and `npm run gen:api` in frontend/"
    )
