"""Webhook signatures, the Standard Webhooks way: pure functions shared by the clients and the test server.

A delivery carries `webhook-id`, `webhook-timestamp` (Unix seconds) and `webhook-signature`, a
space-separated list of `v1,<base64 HMAC-SHA256>` entries over `"{id}.{timestamp}.{body}"`, keyed with
the bytes the secret's base64 (after `whsec_`) decodes to. Several entries let a sender sign with an
old and a new secret while a rotation overlaps; any one matching is enough. Secrets never appear in
an error message, a log line or a repr."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import os
import time
from collections.abc import Iterable, Mapping
from typing import Any, ClassVar, Literal

import pydantic

from ._exceptions import GeminiInteractionsError

__all__ = [
    "DEFAULT_TOLERANCE",
    "SECRET_ENV",
    "WebhookEvent",
    "WebhookVerificationError",
    "parse_event",
    "sign",
    "signature_headers",
    "verify_signature",
]

# How far a delivery's timestamp may be from now, either way (seconds): older is a replay, newer a bad clock.
DEFAULT_TOLERANCE = 300
# Where the secret is read from when the caller passes none.
SECRET_ENV = "GEMINI_WEBHOOK_SECRET"
SECRET_PREFIX = "whsec_"

Check = Literal["secret", "missing_header", "timestamp", "stale", "future", "signature", "body"]


class WebhookVerificationError(GeminiInteractionsError, ValueError):
    """A delivery failed verification; `check` names the check: a missing header, a stale or future
    timestamp, no matching signature (or no usable secret, or a verified body that is not an event)."""

    def __init__(self, message: str, *, check: Check) -> None:
        super().__init__(message)
        self.check: Check = check


class WebhookEvent(pydantic.BaseModel):
    """A webhook delivery's event: `type` (`interaction.completed`, `webhook.ping`, …), when it happened and
    its `data`. Open: fields this SDK does not know are kept (`model_extra`), as is an unknown `type`."""

    # Built on first use: building a validator at import loads pydantic's plugin machinery too.
    model_config: ClassVar[pydantic.ConfigDict] = pydantic.ConfigDict(extra="allow", defer_build=True)

    type: str
    timestamp: str | None = None
    data: dict[str, Any] = pydantic.Field(default_factory=dict)

    @property
    def interaction_id(self) -> str | None:
        """The interaction an `interaction.*` event is about."""
        value = self.data.get("id") if self.type.startswith("interaction.") else None
        return value if isinstance(value, str) else None


def _key(secret: str | None) -> bytes:
    secret = secret if secret is not None else os.environ.get(SECRET_ENV)
    if not secret:
        raise WebhookVerificationError(f"no webhook signing secret: pass secret= or set {SECRET_ENV}", check="secret")
    try:
        return base64.b64decode(secret.removeprefix(SECRET_PREFIX), validate=True)
    except (binascii.Error, ValueError):
        # The message says what is wrong, never what the secret is.
        raise WebhookVerificationError(
            "the webhook signing secret is not 'whsec_' followed by base64", check="secret"
        ) from None


def _as_bytes(body: bytes | bytearray | str) -> bytes:
    return body.encode() if isinstance(body, str) else bytes(body)


def sign(body: bytes | str, *, secret: str, webhook_id: str, timestamp: int) -> str:
    """The `v1,<base64>` signature of one delivery with one secret."""
    message = f"{webhook_id}.{timestamp}.".encode() + _as_bytes(body)
    digest = hmac.new(_key(secret), message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_headers(
    body: bytes | str, *, secrets: Iterable[str], webhook_id: str, timestamp: int | None = None
) -> dict[str, str]:
    """The three headers of a delivery signed with every secret in `secrets` (the overlap of a rotation)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    signatures = " ".join(sign(body, secret=s, webhook_id=webhook_id, timestamp=stamp) for s in secrets)
    return {"webhook-id": webhook_id, "webhook-timestamp": str(stamp), "webhook-signature": signatures}


def _header(headers: Mapping[str, str], name: str) -> str:
    for key, value in headers.items():
        if key.lower() == name:
            return value
    raise WebhookVerificationError(f"the {name} header is missing", check="missing_header")


def verify_signature(
    body: bytes | bytearray | str,
    headers: Mapping[str, str],
    *,
    secret: str | None = None,
    tolerance: float = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> None:
    """Raise `WebhookVerificationError` unless the delivery is signed with `secret` (else $GEMINI_WEBHOOK_SECRET)
    and its timestamp is within `tolerance` seconds of now. Pass the body exactly as received."""
    key = _key(secret)
    webhook_id = _header(headers, "webhook-id")
    stamp_text = _header(headers, "webhook-timestamp")
    signatures = _header(headers, "webhook-signature")
    try:
        stamp = int(stamp_text)
    except ValueError:
        raise WebhookVerificationError("the webhook-timestamp header is not Unix seconds", check="timestamp") from None
    current = time.time() if now is None else now
    if stamp < current - tolerance:
        raise WebhookVerificationError(
            f"the delivery's timestamp is {int(current - stamp)} s old, beyond the {tolerance:g} s tolerance",
            check="stale",
        )
    if stamp > current + tolerance:
        raise WebhookVerificationError(
            f"the delivery's timestamp is {int(stamp - current)} s in the future, beyond the {tolerance:g} s tolerance",
            check="future",
        )
    message = f"{webhook_id}.{stamp_text}.".encode() + _as_bytes(body)
    expected = base64.b64encode(hmac.new(key, message, hashlib.sha256).digest())
    found = False
    for entry in signatures.split():
        version, _, value = entry.partition(",")
        # Every entry is compared (no early exit), each in constant time.
        if version == "v1" and hmac.compare_digest(value.encode(), expected):
            found = True
    if not found:
        raise WebhookVerificationError("no v1 signature in webhook-signature matches the secret", check="signature")


def parse_event(body: bytes | bytearray | str) -> WebhookEvent:
    """The event of a verified delivery; a body that is not a JSON object with a `type` is an error."""
    try:
        payload = json.loads(_as_bytes(body))
    except ValueError:
        raise WebhookVerificationError("the delivery's body is not JSON", check="body") from None
    try:
        return WebhookEvent.model_validate(payload)
    except pydantic.ValidationError as exc:
        detail = exc.errors()[0]["msg"]
        raise WebhookVerificationError(f"the delivery's body is not a webhook event: {detail}", check="body") from None
