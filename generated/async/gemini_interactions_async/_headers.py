# Copied from codegen/runtime/_headers.py by `nox -s generate` - edit it there, not here.
"""HTTP headers as the SDK hands them out: read-only, names looked up in any case (as HTTP means them)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping


class Headers(Mapping[str, str]):
    """Response headers, read-only; names are looked up case-insensitively."""

    def __init__(self, headers: Mapping[str, str]) -> None:
        self._items = {name.lower(): (name, value) for name, value in headers.items()}

    def __getitem__(self, name: str) -> str:
        return self._items[name.lower()][1]

    def __iter__(self) -> Iterator[str]:
        return (name for name, _ in self._items.values())

    def __len__(self) -> int:
        return len(self._items)

    def __repr__(self) -> str:
        return f"Headers({dict(self.items())!r})"
