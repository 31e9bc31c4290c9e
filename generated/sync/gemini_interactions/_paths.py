# Copied from codegen/runtime/_paths.py by `nox -s generate` - edit it there, not here.
"""Path parameters written into a request's path so that no value can change which path it is.

Every path parameter of every request (the first one and a stream's resume alike) goes through
here: one percent-encoded segment, so `/`, `?`, `#` and `%` in an id stay inside it. `.`, `..` and
empty ids are refused before anything is sent, since servers and proxies resolve dot segments
even when encoded. A parameter the spec marks `allowReserved` (an environment file's path) keeps
its slashes as separators; each of its segments is encoded and checked the same way."""

from __future__ import annotations

from urllib.parse import quote

from ._exceptions import InvalidArgumentError

_DOT_SEGMENTS = frozenset({".", ".."})


def path_segment(value: object, name: str) -> str:
    """`value` as one path segment (`a/b` -> `a%2Fb`); InvalidArgumentError for "", "." and ".."."""
    text = _text(value, name)
    _check_segment(text, name, text)
    return quote(text, safe="")


def path_segments(value: object, name: str) -> str:
    """`value` as one or more segments split at `/` (`src/main.py` stays `src/main.py`), each encoded;
    empty, `.` and `..` segments (`a//b`, `../x`, a leading or trailing `/`) are refused."""
    text = _text(value, name)
    parts = text.split("/")
    for part in parts:
        _check_segment(part, name, text)
    return "/".join(quote(part, safe="") for part in parts)


def _text(value: object, name: str) -> str:
    if not isinstance(value, str):
        problem = f"`{name}` must be a string, got {type(value).__name__}"
        raise InvalidArgumentError(problem, argument=name, problems=[problem])
    return value


def _check_segment(segment: str, name: str, whole: str) -> None:
    if segment and segment not in _DOT_SEGMENTS:
        return
    what = "empty" if not whole else f"{whole!r}"
    detail = "an empty segment" if not segment else f"the segment {segment!r}"
    problem = f"`{name}` cannot be {what}: {detail} would change the request's path"
    if not whole:
        problem = f"`{name}` cannot be empty: the request would name no resource"
    raise InvalidArgumentError(problem, argument=name, problems=[problem])
