# Copied from codegen/runtime/_lazy.py by `nox -s generate` - edit it there, not here.
"""Module attributes bound on first use (PEP 562).

The models cost most of an import (every class and its fields are built), and most programs only
need them once the first response arrives: the namespaces that hold them bind their names here when
one is first looked up. Type checkers see the names through `if TYPE_CHECKING:` imports instead."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_names(
    namespace: dict[str, Any], homes: Mapping[str, str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """`__getattr__` and `__dir__` for the module whose globals are `namespace`: `homes` maps each
    lazy name to the module (relative to that package) that defines it."""
    package = namespace["__name__"]

    def module_getattr(name: str) -> Any:
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = importlib.import_module(home, package)
        # One lookup imports the whole module: bind all its names, later lookups are plain globals.
        namespace.update({other: getattr(module, other) for other, where in homes.items() if where == home})
        return namespace[name]

    def module_dir() -> list[str]:
        return sorted({*namespace, *homes})

    return module_getattr, module_dir
