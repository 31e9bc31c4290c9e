"""Webhooks you can trust: Standard Webhooks verification (each failure named), deliveries from the test server
to a local receiver verified by `unwrap` in both flavours, `:ping`, and a rotation whose overlap keeps both
secrets valid. The secret never shows in an error."""

from __future__ import annotations

import base64
import json
import queue
import time
from collections.abc import Iterator
from typing import Any

import pytest
from gemini_interactions import WebhookVerificationError
from gemini_interactions._webhooks import SECRET_ENV, sign, signature_headers, verify_signature
from gemini_interactions.testing import Deliveries, InteractionsTestServer

from .conftest import TEXT, Flavour
from .local_http import LocalHTTPServer, QuietHandler

SECRET = "whsec_" + base64.b64encode(b"a very secret signing key 32 byt").decode()
OTHER = "whsec_" + base64.b64encode(b"another secret signing key, also").decode()
BODY = b'{"type":"interaction.completed","timestamp":"2026-12-01T00:00:00Z","data":{"id":"v1_abc"}}'
NOW = 1_790_000_000


def signed(body: bytes = BODY, *, secrets: tuple[str, ...] = (SECRET,), at: int = NOW) -> dict[str, str]:
    return signature_headers(body, secrets=secrets, webhook_id="msg_1", timestamp=at)


# ---------------------------------------------------------------------------------------- pure verification
def test_a_known_signature() -> None:
    """HMAC-SHA256 over "id.timestamp.body" with the base64-decoded key, as Standard Webhooks define it."""
    import hashlib
    import hmac

    key = base64.b64decode(SECRET.removeprefix("whsec_"))
    expected = base64.b64encode(hmac.new(key, b"msg_1.%d." % NOW + BODY, hashlib.sha256).digest()).decode()
    assert sign(BODY, secret=SECRET, webhook_id="msg_1", timestamp=NOW) == "v1," + expected
    verify_signature(BODY, signed(), secret=SECRET, now=NOW)


def test_any_of_several_signatures_may_match() -> None:
    headers = signed(secrets=(OTHER, SECRET))
    assert len(headers["webhook-signature"].split()) == 2
    verify_signature(BODY, headers, secret=SECRET, now=NOW)
    verify_signature(BODY, headers, secret=OTHER, now=NOW)
    headers["webhook-signature"] = "v0,abc v1,bm90IGl0 " + headers["webhook-signature"]
    verify_signature(BODY, headers, secret=SECRET, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header(missing: str) -> None:
    headers = {k: v for k, v in signed().items() if k != missing}
    with pytest.raises(WebhookVerificationError, match=missing) as caught:
        verify_signature(BODY, headers, secret=SECRET, now=NOW)
    assert caught.value.check == "missing_header"


def test_headers_are_found_whatever_their_case() -> None:
    verify_signature(BODY, {k.title(): v for k, v in signed().items()}, secret=SECRET, now=NOW)


@pytest.mark.parametrize(("offset", "check"), [(-301, "stale"), (301, "future")])
def test_a_timestamp_beyond_the_tolerance(offset: int, check: str) -> None:
    headers = signed(at=NOW + offset)
    with pytest.raises(WebhookVerificationError) as caught:
        verify_signature(BODY, headers, secret=SECRET, now=NOW)
    assert caught.value.check == check
    verify_signature(BODY, headers, secret=SECRET, now=NOW, tolerance=400)  # a wider tolerance takes it
    verify_signature(BODY, signed(at=NOW - 299), secret=SECRET, now=NOW)


def test_a_timestamp_that_is_not_a_number() -> None:
    headers = {**signed(), "webhook-timestamp": "yesterday"}
    with pytest.raises(WebhookVerificationError) as caught:
        verify_signature(BODY, headers, secret=SECRET, now=NOW)
    assert caught.value.check == "timestamp"


@pytest.mark.parametrize(
    ("body", "secret", "headers"),
    [
        (BODY + b" ", SECRET, None),  # the body changed
        (BODY, OTHER, None),  # signed with another secret
        (BODY, SECRET, {"webhook-id": "msg_2"}),  # the id changed
        (BODY, SECRET, {"webhook-signature": "v2," + signed()["webhook-signature"][3:]}),  # unknown version
    ],
)
def test_no_matching_signature(body: bytes, secret: str, headers: dict[str, str] | None) -> None:
    with pytest.raises(WebhookVerificationError) as caught:
        verify_signature(body, {**signed(), **(headers or {})}, secret=secret, now=NOW)
    assert caught.value.check == "signature"
    assert SECRET not in str(caught.value) and OTHER not in str(caught.value)
    assert SECRET.removeprefix("whsec_") not in repr(caught.value)


def test_the_secret_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SECRET_ENV, raising=False)
    with pytest.raises(WebhookVerificationError) as caught:
        verify_signature(BODY, signed(), now=NOW)
    assert caught.value.check == "secret" and SECRET_ENV in str(caught.value)
    monkeypatch.setenv(SECRET_ENV, SECRET)
    verify_signature(BODY, signed(), now=NOW)
    monkeypatch.setenv(SECRET_ENV, "whsec_not base64!")
    with pytest.raises(WebhookVerificationError) as caught:
        verify_signature(BODY, signed(), now=NOW)
    assert caught.value.check == "secret" and "not base64" not in str(caught.value)


async def test_unwrap_verifies_then_parses_an_open_event(flavour: Flavour) -> None:
    client = flavour.client(base_url="http://127.0.0.1:9")
    body = json.dumps({"type": "video.generated", "timestamp": "t", "data": {"id": "x"}, "extra": [1]}).encode()
    headers = signature_headers(body, secrets=[SECRET], webhook_id="msg_9")
    event = client.webhooks.unwrap(body, headers, secret=SECRET)
    assert isinstance(event, flavour.pkg.WebhookEvent)
    assert event.type == "video.generated" and event.model_extra == {"extra": [1]}, "an unknown event is kept whole"
    assert client.webhooks.verify_signature(body, headers, secret=SECRET) is None
    with pytest.raises(flavour.pkg.WebhookVerificationError):
        client.webhooks.unwrap(body + b"!", headers, secret=SECRET)
    not_event = b"[1, 2]"
    with pytest.raises(flavour.pkg.WebhookVerificationError) as caught:
        client.webhooks.unwrap(not_event, signature_headers(not_event, secrets=[SECRET], webhook_id="m"), secret=SECRET)
    assert caught.value.check == "body"
    await flavour.close(client)


# ------------------------------------------------------------------------------- deliveries over sockets
class Receiver:
    """A local webhook endpoint: every POST's raw body and headers, queued."""

    def __init__(self) -> None:
        self.received: queue.Queue[tuple[bytes, dict[str, str]]] = queue.Queue()
        received = self.received

        class Handler(QuietHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                received.put((body, {k.lower(): v for k, v in self.headers.items()}))
                self.send_response(204)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self._server = LocalHTTPServer(Handler)
        self.url = self._server.base_url + "/hook"

    def next(self) -> tuple[bytes, dict[str, str]]:
        return self.received.get(timeout=5)  # a handshake: the delivery arrives, or the test fails

    def close(self) -> None:
        self._server.close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    endpoint = Receiver()
    yield endpoint
    endpoint.close()


async def test_a_finished_interaction_is_delivered_signed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, receiver: Receiver
) -> None:
    secret = server.state(Deliveries).secret
    created = await flavour.create(
        client, **TEXT, webhook_config={"uris": [receiver.url], "user_metadata": {"order": "42"}}
    )
    body, headers = receiver.next()
    event = client.webhooks.unwrap(body, headers, secret=secret)
    assert event.type == "interaction.completed"
    assert event.interaction_id == created.id and event.data["user_metadata"] == {"order": "42"}
    assert [d.status for d in server.state(Deliveries).wait_for(1)] == [204]
    await flavour.get(client, created.id)  # announced once, however often it is read
    assert len(server.state(Deliveries).sent) == 1


async def test_registered_webhooks_ping_and_rotation(
    flavour: Flavour, server: InteractionsTestServer, client: Any, receiver: Receiver
) -> None:
    hook = await flavour.aw(client.webhooks.create(uri=receiver.url, subscribed_events=["interaction.completed"]))
    first = hook.new_signing_secret
    assert first and first not in repr(await flavour.aw(client.webhooks.get(hook.id)))
    await flavour.aw(client.webhooks.ping(hook.id))
    body, headers = receiver.next()
    assert client.webhooks.unwrap(body, headers, secret=first).type == "webhook.ping"

    rotated = await flavour.aw(client.webhooks.rotate_signing_secret(hook.id))
    second = rotated.secret
    assert second and second != first
    created = await flavour.create(client, **TEXT)  # no webhook_config: the registered webhook is told
    body, headers = receiver.next()
    assert len(headers["webhook-signature"].split()) == 2, "signed with the new and the old secret"
    for secret in (first, second):
        assert client.webhooks.unwrap(body, headers, secret=secret).interaction_id == created.id
    with pytest.raises(flavour.pkg.WebhookVerificationError):
        client.webhooks.unwrap(body, headers, secret=SECRET)


async def test_only_loopback_receivers_are_contacted(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    await flavour.create(client, **TEXT, webhook_config={"uris": ["https://example.com/hook"]})
    (delivery,) = server.state(Deliveries).wait_for(1)
    assert delivery.status is None and delivery.error and "loopback" in delivery.error


def test_a_delivery_is_fresh() -> None:
    headers = signature_headers(BODY, secrets=[SECRET], webhook_id="m")
    assert abs(int(headers["webhook-timestamp"]) - time.time()) < 60
