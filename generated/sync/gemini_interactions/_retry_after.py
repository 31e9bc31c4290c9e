# Copied from codegen/runtime/_retry_after.py by `nox -s generate` - edit it there, not here.
"""The wait a server asks for before the next attempt: `retry-after-ms`, or `Retry-After` in seconds or as a date."""

from __future__ import annotations

import email.utils
import math
import time
from collections.abc import Mapping


def retry_after_seconds(headers: Mapping[str, str]) -> float | None:
    """Seconds the server asked to wait (0.0 for a date already past); None when it asked nothing readable."""
    lowered = {k.lower(): v for k, v in headers.items()}
    if "retry-after-ms" in lowered:
        milliseconds = _number(lowered["retry-after-ms"])
        if milliseconds is not None:
            return milliseconds / 1000
    value = lowered.get("retry-after")
    if value is None:
        return None
    seconds = _number(value)
    if seconds is not None:
        return seconds
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return max(0.0, parsed.timestamp() - time.time())


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return max(0.0, value) if math.isfinite(value) else None
