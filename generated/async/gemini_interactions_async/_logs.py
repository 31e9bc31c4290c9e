# Copied from codegen/runtime/_logs.py by `nox -s generate` - edit it there, not here.
"""Opt-in logging: GEMINI_INTERACTIONS_LOG=info|debug, or configure the package logger yourself.

Log lines name methods, URLs, statuses, retries and timings; header values are never logged."""

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
