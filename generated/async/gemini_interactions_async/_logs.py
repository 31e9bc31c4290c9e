# Copied from codegen/runtime/_logs.py by `nox -s generate` - edit it there, not here.
"""Opt-in logging: GEMINI_INTERACTIONS_LOG=info|debug, or configure the package logger yourself.

INFO: each response (method, URL, status, time), retry decisions with their delay, stream reconnects
and stream completion. DEBUG adds each request's headers, with the values of credential headers
redacted (see _redaction.py)."""

from __future__ import annotations

import logging
import os

ENV_VAR = "GEMINI_INTERACTIONS_LOG"
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
