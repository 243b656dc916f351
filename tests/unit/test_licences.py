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


def requirement_lines(name: str) -> list[str]:
    """The lines of requirements file `name`, with the files it includes (`-r FILE`)."""
    lines = []
    for line in (ROOT / name).read_text(encoding="utf-8").splitlines():
        if line.startswith("-r "):
            lines += requirement_lines(line[3:].strip())
        elif line and line[0] != "#":
            lines.append(line)
    return lines


def test_third_party_notices_name_every_runtime_dependency() -> None:
    lines = requirement_lines("requirements.txt")
    assert "torch==2.14.1" in lines  # the runner's, included
    python = {re.split(r"[\[<>=~ ]", line)[0] for line in lines}
    package = json.loads((ROOT / "frontend" / "package.json").read_text(encoding="utf-8"))
    assert python | set(package["dependencies"]) <= listed_packages()
