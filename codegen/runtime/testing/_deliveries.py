"""Webhook deliveries: signed POSTs of events to loopback receivers, so a webhook endpoint can be tested offline.

An interaction created with `webhook_config.uris` is announced to those URIs when it finishes
(`interaction.completed`, `.failed`, `.requires_action`), signed with the server's own secret
(`Deliveries.secret`); every enabled registered webhook subscribed to the event gets it too,
signed with each of its live secrets (all of them during a rotation's overlap). `:ping` sends a
`webhook.ping`. Deliveries run on a thread after the answer has gone out and are recorded in
`Deliveries.sent` (`Deliveries.wait_for` waits for them). Only loopback hosts are
delivered to: any other URI is recorded as refused, never contacted."""

from __future__ import annotations

import ipaddress
import json
import secrets
import threading
import urllib.error
import urllib.request
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from .._webhooks import signature_headers
from ._interactions import now
from ._platform import COLLECTIONS, PlatformStore, new_signing_secret
from ._state import ResourceState

if TYPE_CHECKING:
    from ._server import InteractionsTestServer

__all__ = ["Deliveries", "Delivery", "deliver", "notify_finished"]

FINISHED = {
    "completed": "interaction.completed",
    "failed": "interaction.failed",
    "requires_action": "interaction.requires_action",
}


@dataclass(frozen=True)
class Delivery:
    uri: str
    event: dict[str, Any]
    headers: dict[str, str]
    status: int | None  # the receiver's answer; None when refused or unreachable
    error: str | None = None


class Deliveries(ResourceState):
    """What was delivered, the secret of `webhook_config` deliveries, the interactions already announced."""

    def __init__(self) -> None:
        super().__init__()
        self.changed: threading.Condition = threading.Condition(self.lock)
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.sent: list[Delivery] = []
            self.announced: set[str] = set()
            # Signs deliveries to `webhook_config.uris` (a registered webhook uses its own secrets).
            self.secret: str = new_signing_secret()

    def record(self, delivery: Delivery) -> None:
        with self.changed:
            self.sent.append(delivery)
            self.changed.notify_all()

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[Delivery]:
        """The deliveries once there are at least `count` (TimeoutError after `timeout` seconds)."""
        with self.changed:
            if not self.changed.wait_for(lambda: len(self.sent) >= count, timeout):
                raise TimeoutError(f"{len(self.sent)} webhook deliveries after {timeout} s, expected {count}")
            return list(self.sent)


def _loopback(uri: str) -> bool:
    parts = urlsplit(uri)
    host = parts.hostname or ""
    if parts.scheme not in ("http", "https"):
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _post(state: Deliveries, uri: str, event: dict[str, Any], signing: Iterable[str]) -> None:
    body = json.dumps(event, separators=(",", ":")).encode()
    headers = signature_headers(body, secrets=list(signing), webhook_id="msg_" + secrets.token_hex(8))
    if not _loopback(uri):
        state.record(Delivery(uri, event, headers, None, "refused: the test server delivers to loopback hosts only"))
        return
    request = urllib.request.Request(
        uri, data=body, method="POST", headers={**headers, "Content-Type": "application/json"}
    )
    try:
        with urllib.request.urlopen(request, timeout=5) as answer:  # noqa: S310 - loopback checked above
            state.record(Delivery(uri, event, headers, answer.status))
    except urllib.error.HTTPError as exc:
        state.record(Delivery(uri, event, headers, exc.code, str(exc)))
    except OSError as exc:
        state.record(Delivery(uri, event, headers, None, str(exc)))


def deliver(server: InteractionsTestServer, targets: Iterable[tuple[str, list[str]]], event: dict[str, Any]) -> None:
    """POST `event` to each (uri, secrets) target on a thread of its own."""
    state = server.state(Deliveries)
    for uri, signing in targets:
        threading.Thread(target=_post, args=(state, uri, event, signing), name="webhook-delivery", daemon=True).start()


def event(kind: str, data: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": kind, "timestamp": now(), "data": dict(data)}


def subscribers(server: InteractionsTestServer, kind: str) -> list[tuple[str, list[str]]]:
    """The registered, enabled webhooks subscribed to `kind`, with their live secrets."""
    platform = server.state(PlatformStore)
    with platform.lock:
        return [
            (str(hook["uri"]), list(platform.signing_secrets.get(hook_id, [])))
            for hook_id, hook in platform.records[COLLECTIONS["webhooks"].name].items()
            if hook.get("state", "enabled") == "enabled" and kind in (hook.get("subscribed_events") or ())
        ]


def notify_finished(server: InteractionsTestServer, request: Mapping[str, Any], snapshot: Mapping[str, Any]) -> None:
    """Announce a finished interaction once, to its `webhook_config.uris` and the subscribed webhooks."""
    kind = FINISHED.get(str(snapshot.get("status")))
    interaction_id = snapshot.get("id")
    if kind is None or not isinstance(interaction_id, str):
        return
    state = server.state(Deliveries)
    with state.lock:
        if interaction_id in state.announced:
            return
        state.announced.add(interaction_id)
        secret = state.secret
    config = request.get("webhook_config")
    config = config if isinstance(config, Mapping) else {}
    data: dict[str, Any] = {"id": interaction_id, "status": snapshot.get("status")}
    if isinstance(config.get("user_metadata"), Mapping):
        data["user_metadata"] = dict(config["user_metadata"])
    uris = config.get("uris")
    uris = uris if isinstance(uris, list) else []
    targets = [(str(uri), [secret]) for uri in uris] + subscribers(server, kind)
    deliver(server, targets, event(kind, data))
