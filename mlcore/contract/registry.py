"""One registry class for every pluggable concept: architectures, engines, search strategies,
job kinds, compute backends.

An entry registers itself where it is defined, with the registry's `register` decorator.
A registry names the modules that define its entries (`providers`) and imports them when
it is read (only as far as needed to find a name), so the registry module itself stays a
leaf that imports none of them.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
E = TypeVar("E")


class UnknownName(KeyError):
    """A name that is not registered; its message lists the valid names."""

    def __init__(self, what: str, name: str, valid: list[str]) -> None:
        super().__init__(name)
        self.what = what
        self.name = name
        self.valid = valid

    def __str__(self) -> str:
        return f"unknown {self.what} {self.name!r}; valid: {', '.join(self.valid)}"


def _module_of(entry: object) -> str:
    """The module that defines `entry` (its class's, for an instance)."""
    return str(getattr(entry, "__module__", None) or type(entry).__module__)


class Registry(Generic[T]):
    """Entries of one kind by name; listed in provider order, then registration order."""

    def __init__(self, what: str, providers: tuple[str, ...] = ()) -> None:
        self.what = what
        self.providers = providers
        self._entries: dict[str, T] = {}
        self._unloaded = list(providers)

    def register(self, name: str) -> Callable[[E], E]:
        """Decorator: register the decorated object under `name` (its value: the object)."""

        def decorate(entry: E) -> E:
            self.add(name, entry)  # type: ignore[arg-type]
            return entry

        return decorate

    def add(self, name: str, entry: T) -> T:
        """Register `entry` under `name`; a name is registered once."""
        if name in self._entries and self._entries[name] is not entry:
            raise ValueError(f"{self.what} {name!r} is registered twice")
        self._entries[name] = entry
        return entry

    def _load(self, name: str | None = None) -> dict[str, T]:
        """Import providers (in order) until `name` is registered, or all of them."""
        while self._unloaded and (name is None or name not in self._entries):
            importlib.import_module(self._unloaded.pop(0))  # popped first: no recursion
        return self._entries

    def _ordered(self) -> list[tuple[str, T]]:
        """Every entry, the providers' in provider order whatever was imported first."""
        rank = {module: index for index, module in enumerate(self.providers)}
        indexed = enumerate(self._load().items())
        order = sorted(
            indexed, key=lambda item: (rank.get(_module_of(item[1][1]), len(rank)), item[0])
        )
        return [entry for _, entry in order]

    def get(self, name: str) -> T:
        """The entry `name`; raises UnknownName listing the valid names."""
        entries = self._load(name)
        if name not in entries:
            raise UnknownName(self.what, name, self.names())
        return entries[name]

    def names(self) -> list[str]:
        """Every registered name."""
        return [name for name, _ in self._ordered()]

    def items(self) -> list[tuple[str, T]]:
        """(name, entry) pairs."""
        return self._ordered()

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and name in self._load(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self._load())
