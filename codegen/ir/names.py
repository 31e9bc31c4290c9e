"""Python names and one-line texts from the spec's."""

from __future__ import annotations

import keyword
import re


def python_name(name: str) -> str:
    """A wire name as a Python identifier: `last-event-id` -> `last_event_id`, `from` -> `from_`."""
    cleaned = re.sub(r"\W", "_", name)
    return cleaned + "_" if keyword.iskeyword(cleaned) else cleaned


def pascal(name: str) -> str:
    return "".join(part.capitalize() for part in re.split(r"[_\W]+", name) if part)


def one_line(text: str) -> str:
    return " ".join(text.split())
