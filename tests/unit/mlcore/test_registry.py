"""The one Registry class: entries register where they are defined; providers are imported
only as far as a lookup needs; listing order does not depend on import order."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlcore.contract.registry import Registry, UnknownName

PROVIDER = """
from tests_registry_home import REGISTRY


class {cls}:
    pass


for _name in {names!r}:
    REGISTRY.add(_name, {cls})
"""


@pytest.fixture
def registry(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry[type]]:
    """A registry with two provider modules written into a folder on sys.path."""
    home = Registry[type]("widget", providers=("tests_registry_first", "tests_registry_second"))
    (tmp_path / "tests_registry_home.py").write_text("REGISTRY = None\n")
    (tmp_path / "tests_registry_first.py").write_text(PROVIDER.format(cls="A", names=["a1", "a2"]))
    (tmp_path / "tests_registry_second.py").write_text(PROVIDER.format(cls="B", names=["b1"]))
    monkeypatch.syspath_prepend(str(tmp_path))
    home_module: Any = importlib.import_module("tests_registry_home")
    home_module.REGISTRY = home
    yield home
    for name in ("tests_registry_home", "tests_registry_first", "tests_registry_second"):
        sys.modules.pop(name, None)


def test_a_lookup_imports_providers_only_until_it_finds_the_name(registry: Registry[type]) -> None:
    assert registry.get("a2").__name__ == "A"
    assert "tests_registry_first" in sys.modules and "tests_registry_second" not in sys.modules


def test_listing_follows_the_providers_whatever_was_imported_first(
    registry: Registry[type],
) -> None:
    importlib.import_module("tests_registry_second")  # imported directly, before the registry
    assert registry.names() == ["a1", "a2", "b1"]
    assert "b1" in registry and "zz" not in registry and len(registry) == 3


def test_an_unknown_name_lists_the_valid_ones(registry: Registry[type]) -> None:
    with pytest.raises(UnknownName, match=r"unknown widget 'zz'; valid: a1, a2, b1"):
        registry.get("zz")


def test_a_name_is_registered_once(registry: Registry[type]) -> None:
    registry.get("b1")
    with pytest.raises(ValueError, match="widget 'b1' is registered twice"):
        registry.add("b1", int)
