"""The dependency rule at run time: the API process never imports torch (the static rules,
imports included, are import-linter's contracts in pyproject.toml: `make lint`)."""

from __future__ import annotations

import subprocess
import sys

from tests.support.paths import ROOT


def test_api_process_never_imports_torch() -> None:
    code = (
        "import sys\n"
        "from fastapi.testclient import TestClient\n"
        "import backend.main, backend.cli, backend.launcher\n"
        "with TestClient(backend.main.app) as c: c.get('/api/v1/catalog').raise_for_status()\n"
        "heavy = sorted(m for m in ('torch', 'torchvision', 'onnx', 'onnxruntime') "
        "if m in sys.modules)\n"
        "print(','.join(heavy))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "", f"the API imported {out.stdout.strip()}"
