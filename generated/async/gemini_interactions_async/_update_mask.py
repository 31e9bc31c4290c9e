# Copied from codegen/runtime/_update_mask.py by `nox -s generate` - edit it there, not here.
"""The field mask of an update: the fields the caller gave, as the API's `update_mask` (AIP-134)."""

from __future__ import annotations

from collections.abc import Mapping


def derive_update_mask(fields: Mapping[str, object]) -> str | None:
    """`"display_name,status"` for the fields given (not None), in the order given; None when there is none,
    so no mask is sent and the server's default applies."""
    given = [name for name, value in fields.items() if value is not None]
    return ",".join(given) or None
