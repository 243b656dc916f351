"""The repository's licence is the one every model package carries, and its third-party notices
name every runtime dependency."""

from __future__ import annotations

import json
import re
from pathlib import Path

from mlcore.package.notices import KONSTRUKTOR_LICENSE

ROOT = Path(__file__).resolve().parents[2]


def listed_packages() -> set[str]:
    """The names in the first column of THIRD_PARTY_NOTICES.md's tables."""
    text = (ROOT / "THIRD_PARTY_NOTICES.md").read_text(encoding="utf-8")
    cells = [row.split("|")[1].strip() for row in text.splitlines() if row.startswith("| ")]
    return {name for cell in cells for name in cell.split(" (")[0].split(", ")}


def test_packages_carry_the_repository_licence() -> None:
    assert (ROOT / "LICENSE").read_text(encoding="utf-8") == KONSTRUKTOR_LICENSE


def test_third_party_notices_name_every_runtime_dependency() -> None:
    lines = (ROOT / "requirements.txt").read_text(encoding="utf-8").splitlines()
    python = {re.split(r"[\[<>=~ ]", line)[0] for line in lines if line and line[0] != "#"}
    package = json.loads((ROOT / "frontend" / "package.json").read_text(encoding="utf-8"))
    assert python | set(package["dependencies"]) <= listed_packages()
