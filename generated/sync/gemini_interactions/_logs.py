# Copied from codegen/runtime/_logs.py by `nox -s generate` - edit it there, not here.
"""Opt-in logging: GEMINI_INTERACTIONS_LOG=info|debug, or configure the package logger yourself.

INFO: each response (method, URL, status, time), retry decisions with their delay, stream reconnects
and stream completion. DEBUG adds each request's headers, with the values of credential headers
redacted."""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping

ENV_VAR = "GEMINI_INTERACTIONS_LOG"
REDACTED = "<redacted>"
# Header names (lower case) whose values are secrets, plus fragments that mark a custom one as secret.
CREDENTIAL_HEADERS = frozenset({"x-goog-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
CREDENTIAL_FRAGMENTS = ("key", "token", "secret", "auth", "password")
_configured = False


def configure_from_env() -> None:
    global _configured
    if _configured:
        return
    _configured = True
    level = os.environ.get(ENV_VAR, "").strip().upper()
    if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        return
    logger = logging.getLogger(__name__.rsplit(".", 1)[0])
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
    logger.addHandler(handler)
    logger.setLevel(level)


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers for a log line: credential values replaced by <redacted>."""
    return {name: REDACTED if _is_credential(name) else value for name, value in headers.items()}


def _is_credential(name: str) -> bool:
    lowered = name.lower()
    return lowered in CREDENTIAL_HEADERS or any(fragment in lowered for fragment in CREDENTIAL_FRAGMENTS)
