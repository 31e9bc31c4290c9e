"""`client.with_options(**changes)`: a client with some constructor options changed, on the same HTTP session.

Written once for both clients: the options are whatever the client's `__init__` takes (an option added there
is changeable here with no further code), except those that only a new connection pool can honour."""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from typing_extensions import Self

# Options a copy cannot change because it shares the original's session and connection pool
# (pool limits join these when the client grows them).
POOL_OPTIONS = frozenset({"session", "trust_env"})
# Changing one of these drops the other: a client authenticates one way.
_EXCLUSIVE = {"credentials": "api_key", "api_key": "credentials"}


class ConstructorOptions(dict[str, Any]):
    """The options a client was made with; shown by name only, as they hold keys, tokens and secret URLs."""

    def __repr__(self) -> str:
        return f"ConstructorOptions({', '.join(self)})"

    __str__ = __repr__


def constructor_options(arguments: Mapping[str, Any]) -> ConstructorOptions:
    """The options a client was made with: its `__init__`'s `locals()` as they were on entry."""
    return ConstructorOptions((n, v) for n, v in arguments.items() if n not in ("self", "__class__"))


class WithOptions:
    """Base of each client class: `with_options`, and whether `close()` may close the HTTP session."""

    _options: dict[str, Any]
    _transport: Any
    _shares_transport = False  # a copy's close() leaves the shared session to its owner

    def with_options(self, **changes: Any) -> Self:
        """A client with `changes` applied to this one's constructor options, sharing its HTTP session and pool.

        This client is unchanged; closing the copy does not close the shared session (closing this one does).
        Any constructor option can change except `session`; an unknown option is a TypeError."""
        accepted = [
            name
            for name, parameter in inspect.signature(type(self).__init__).parameters.items()
            if parameter.kind is parameter.KEYWORD_ONLY
        ]
        for name in changes:
            if name in POOL_OPTIONS:
                raise TypeError(
                    f"with_options() cannot change {name!r}: the copy shares this client's HTTP session and "
                    f"connection pool; make a new {type(self).__name__} for another one"
                )
            if name not in accepted:
                known = ", ".join(n for n in accepted if n not in POOL_OPTIONS)
                raise TypeError(f"with_options() got an unknown option {name!r}; the options are: {known}")
        options = {**self._options, **changes}
        for name, other in _EXCLUSIVE.items():
            if changes.get(name) is not None and other not in changes:
                options[other] = None
        clone = type(self)(**options)
        clone._transport = self._transport  # the session the new client made is unused: nothing to close
        clone._shares_transport = True
        return clone
