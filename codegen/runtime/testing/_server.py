"""The fake Interactions API HTTP server (standard library only)."""

from __future__ import annotations

import dataclasses
import json
import os
import re
import secrets
import select
import socket
import ssl
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any, Union, cast
from urllib.parse import parse_qsl, urlsplit

from .._assemble import assemble
from .._version import API_REVISION
from ._continuation import HopLedger, HopRejected
from ._faults import STATUS_CODES, Faults
from ._scenarios import Scenario, builtin_scenarios, load_scenarios, render_events
from ._validation import Validator, default_validator

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = [
    "DONE_EVENT",
    "Disconnect",
    "InteractionsTestServer",
    "RecordedRequest",
    "StoredInteraction",
    "encode_event",
]

#: The stream terminator the API sends after the last event.
DONE_EVENT = b"event: done\ndata: [DONE]\n\n"

_ROUTE = re.compile(
    r"^(?P<prefix>(?:/[^/]+)*?)/(?P<version>v\d+[a-z0-9]*)/interactions"
    r"(?:/(?P<id>[^/:]+))?(?P<cancel>/cancel|:cancel)?/?$"
)
_TRUE = frozenset({"1", "true", "yes", "on"})

ScenarioSource = Union[Scenario, Mapping[str, Any], str, "os.PathLike[str]"]


def encode_event(event: Mapping[str, Any]) -> bytes:
    """Serialize one event the way the API does: ``event: <type>\\ndata: <json>\\n\\n``."""
    data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
    return f"event: {event.get('event_type', 'message')}\ndata: {data}\n\n".encode()


def _now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


@dataclass
class RecordedRequest:
    """One request the server received (recorded before auth/validation)."""

    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: Any
    raw_body: bytes
    api_revision: str | None
    revision_mismatch: bool
    scenario: str | None = None
    interaction_id: str | None = None
    status: int | None = None
    faults: str = ""
    #: (host, port) of the client's end of the TCP connection: equal ports mean a reused connection.
    client_address: tuple[str, int] = ("", 0)
    #: Sent back in the ``x-request-id`` response header.
    request_id: str = ""

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        return self.headers.get(name.lower())


@dataclass(frozen=True)
class Disconnect:
    """A client that went away before a response body was fully written."""

    path: str
    interaction_id: str | None
    events_sent: int
    bytes_sent: int
    reason: str
    timestamp: float = field(default_factory=time.time)


@dataclass
class StoredInteraction:
    """Server-side state of one interaction."""

    id: str
    scenario: str
    owner: dict[str, str]
    request: dict[str, Any]
    events: list[dict[str, Any]]
    created: str
    background: bool
    polls_remaining: int
    status_override: str | None = None
    queued_until: int = 0  # polls answer "queued" while more than this many remain

    def snapshot(self, *, include_input: bool = False) -> dict[str, Any]:
        """The Interaction resource as ``GET`` (non-streamed) would return it now."""
        if self.polls_remaining > 0:
            result: dict[str, Any] = {
                "id": self.id,
                "status": "queued" if self.polls_remaining > self.queued_until else "in_progress",
                "object": "interaction",
            }
            result.update(self.owner)
            result["created"] = self.created
            result["updated"] = _now()
        else:
            result = assemble(self.events)
        if self.status_override is not None:
            result["status"] = self.status_override
        previous = self.request.get("previous_interaction_id")
        if isinstance(previous, str):
            result["previous_interaction_id"] = previous
        if include_input and "input" in self.request:
            result["input"] = self.request["input"]
        return result


class _ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    app: InteractionsTestServer

    def finish_request(self, request: Any, client_address: Any) -> None:
        context = self.app.ssl_context
        if context is None:
            super().finish_request(request, client_address)
            return
        # The TLS handshake runs in the connection's own thread: a client that rejects the
        # certificate fails its handshake without holding up the server.
        try:
            tls = context.wrap_socket(request, server_side=True)
        except OSError:  # ssl.SSLError included
            return
        try:
            super().finish_request(tls, client_address)
        finally:
            self.shutdown_request(tls)  # the TLS socket took over the plain one the base class closes


class InteractionsTestServer:
    """An in-process fake of the Gemini Interactions API.

    >>> with InteractionsTestServer() as server:  # doctest: +SKIP
    ...     client = Client(api_key="test-key", base_url=server.base_url)

    ``scenarios`` (one source or an iterable of them) adds :class:`Scenario`
    objects, dicts in the scenario JSON format, or paths to ``.json``/``.sse`` files or directories of them, on top
    of the built-in scenarios (same name replaces a built-in). ``api_key=None``
    disables the key check. ``faults`` (a :class:`Faults`, mapping or spec
    string) applies to every request. ``validate_request=None`` disables body
    validation. ``ssl_context`` (a server-side :class:`ssl.SSLContext` with its
    certificate loaded) serves HTTPS instead of HTTP.
    """

    def __init__(
        self,
        scenarios: Iterable[ScenarioSource] | ScenarioSource | None = None,
        *,
        api_key: str | None = "test-key",
        revision: str = API_REVISION,
        host: str = "127.0.0.1",
        port: int = 0,
        default_scenario: str | None = None,
        fallback_scenario: str = "text",
        faults: Faults | Mapping[str, Any] | str | None = None,
        validate_request: Validator | None = default_validator,
        include_builtin: bool = True,
        require_revision: bool = False,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.api_key = api_key
        self.revision = revision
        self.host = host
        self.port = port
        self.default_scenario = default_scenario
        self.fallback_scenario = fallback_scenario
        self.faults = _to_faults(faults) or Faults()
        self.validate_request = validate_request
        self.require_revision = require_revision
        self.ssl_context = ssl_context
        self._lock = threading.RLock()
        self._scenarios: dict[str, Scenario] = {}
        self._scenario_order: dict[str, int] = {}
        self._interactions: dict[str, StoredInteraction] = {}
        self._requests: list[RecordedRequest] = []
        self._disconnects: list[Disconnect] = []
        self._attempts: dict[str, int] = {}
        self._fault_attempts: dict[tuple[str, str], int] = {}
        self._connections: set[socket.socket] = set()
        self.hops = HopLedger()
        self._disconnect_event = threading.Condition(self._lock)
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None
        if include_builtin:
            for scenario in builtin_scenarios():
                self.add_scenario(scenario)
        if isinstance(scenarios, (str, os.PathLike, Scenario, Mapping)):
            self.add_scenario(scenarios)
        else:
            for source in scenarios or ():
                self.add_scenario(source)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> Self:
        """Bind and serve in a background thread (no-op if already started)."""
        if self._httpd is not None:
            return self
        httpd = _HTTPServer((self.host, self.port), _Handler)
        httpd.app = self
        self._httpd = httpd
        self.port = int(httpd.server_address[1])
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="interactions-test-server",
            daemon=True,
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and close every open client connection."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        httpd.shutdown()
        httpd.server_close()
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            try:
                conn.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def serve_forever(self) -> None:
        """Start and block until interrupted (used by the CLI)."""
        self.start()
        try:
            while self._thread is not None and self._thread.is_alive():
                self._thread.join(timeout=0.5)
        finally:
            self.stop()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_url(self) -> str:
        """``http://HOST:PORT`` (``https://`` with an ssl_context); no API version: clients append ``/v1beta/...``."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def url(self, path: str = "", api_version: str = "v1beta") -> str:
        """Absolute URL of ``/{api_version}/interactions{path}``."""
        return f"{self.base_url}/{api_version}/interactions{path}"

    # ---------------------------------------------------------------- scenarios
    def add_scenario(self, scenario: ScenarioSource) -> list[Scenario]:
        """Register a scenario (object, JSON-format dict, file or directory path)."""
        if isinstance(scenario, Scenario):
            loaded = [scenario]
        elif isinstance(scenario, Mapping):
            loaded = [Scenario.from_dict(scenario)]
        elif os.path.isdir(os.fspath(scenario)):
            loaded = load_scenarios(scenario)
        else:
            loaded = [Scenario.from_file(scenario)]
        with self._lock:
            for item in loaded:
                self._scenarios[item.name] = item
                self._scenario_order[item.name] = len(self._scenario_order)
        return loaded

    def load_scenarios(self, directory: str | os.PathLike[str]) -> list[Scenario]:
        """Register every ``.json``/``.sse`` scenario in ``directory``."""
        return self.add_scenario(directory)

    @property
    def scenarios(self) -> dict[str, Scenario]:
        with self._lock:
            return dict(self._scenarios)

    def scenario(self, name: str) -> Scenario:
        with self._lock:
            try:
                return self._scenarios[name]
            except KeyError:
                raise KeyError(f"unknown scenario {name!r}; known: {sorted(self._scenarios)}") from None

    def expected_events(self, name: str) -> list[dict[str, Any]]:
        """A scenario's events as they would be streamed (ids are placeholders)."""
        scenario = self.scenario(name)
        owner = {"agent": scenario.agent} if scenario.agent else {"model": scenario.model or "gemini-3-flash-preview"}
        return render_events(scenario, "v1_example", owner, _now())

    # --------------------------------------------------------------- inspection
    @property
    def requests(self) -> list[RecordedRequest]:
        with self._lock:
            return list(self._requests)

    @property
    def last_request(self) -> RecordedRequest:
        with self._lock:
            if not self._requests:
                raise LookupError("no request recorded")
            return self._requests[-1]

    @property
    def disconnects(self) -> list[Disconnect]:
        with self._lock:
            return list(self._disconnects)

    def wait_for_disconnects(self, count: int = 1, timeout: float = 5.0) -> list[Disconnect]:
        """Block until at least ``count`` disconnects were seen (or timeout)."""
        deadline = time.monotonic() + timeout
        with self._disconnect_event:
            while len(self._disconnects) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                self._disconnect_event.wait(remaining)
            return list(self._disconnects)

    @property
    def open_connections(self) -> int:
        """Client TCP connections open right now (a client that closed its session leaves none)."""
        with self._lock:
            return len(self._connections)

    @property
    def interactions(self) -> dict[str, StoredInteraction]:
        with self._lock:
            return dict(self._interactions)

    @property
    def attempts(self) -> dict[str, int]:
        """Number of requests seen per scenario name (create, get, cancel, delete)."""
        with self._lock:
            return dict(self._attempts)

    @property
    def revision_mismatches(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.revision_mismatch]

    def reset(self) -> None:
        """Forget recorded requests, disconnects, attempt counters and interactions."""
        with self._lock:
            self._requests.clear()
            self._disconnects.clear()
            self._attempts.clear()
            self._fault_attempts.clear()
            self._interactions.clear()
        self.hops.reset()

    def set_faults(self, faults: Faults | Mapping[str, Any] | str | None) -> None:
        """Replace the server-wide faults (``None`` clears them)."""
        self.faults = _to_faults(faults) or Faults()
        with self._lock:
            self._fault_attempts.clear()

    # ----------------------------------------------------------------- internals
    def _record(self, request: RecordedRequest) -> None:
        with self._lock:
            self._requests.append(request)

    def _record_disconnect(self, disconnect: Disconnect) -> None:
        with self._disconnect_event:
            self._disconnects.append(disconnect)
            self._disconnect_event.notify_all()

    def _check_auth(self, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        if self.require_revision and not headers.get("api-revision"):
            raise _ApiError(400, "invalid_argument", "Missing Api-Revision header.")
        if self.api_key is None:
            return
        key = headers.get("x-goog-api-key") or query.get("key")
        if not key:
            raise _ApiError(
                401,
                "unauthenticated",
                "Request is missing an API key. Pass it in the x-goog-api-key header.",
            )
        if key != self.api_key:
            raise _ApiError(
                403,
                "permission_denied",
                "API key not valid. Please pass a valid API key.",
            )

    def _select_scenario(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> Scenario:
        try:
            hop = self.hops.hop_scenario(body)
        except HopRejected as exc:
            raise _ApiError(exc.status, "invalid_argument", exc.message) from None
        if hop is not None:
            if hop not in self._scenarios:
                raise _ApiError(500, "internal", f"Unknown continues_with scenario {hop!r}.")
            return self._scenarios[hop]
        with self._lock:
            explicit = headers.get("x-test-scenario")
            if explicit:
                if explicit not in self._scenarios:
                    raise _ApiError(400, "invalid_argument", f"Unknown test scenario {explicit!r}.")
                return self._scenarios[explicit]
            previous_id = body.get("previous_interaction_id")
            previous = self._interactions.get(previous_id) if isinstance(previous_id, str) else None
            previous_name = previous.scenario if previous else None
            if previous_name is not None:
                chained = self._scenarios.get(previous_name)
                if chained is not None and chained.next and chained.next in self._scenarios:
                    return self._scenarios[chained.next]
            if self.default_scenario:
                if self.default_scenario not in self._scenarios:
                    raise _ApiError(
                        500,
                        "internal",
                        f"Unknown default scenario {self.default_scenario!r}.",
                    )
                return self._scenarios[self.default_scenario]
            candidates = [s for s in self._scenarios.values() if s.matches(body, previous_name)]
            if candidates:
                return max(
                    candidates,
                    key=lambda s: (
                        s.priority,
                        s.specificity(),
                        self._scenario_order[s.name],
                    ),
                )
            if self.fallback_scenario in self._scenarios:
                return self._scenarios[self.fallback_scenario]
            raise _ApiError(
                500,
                "internal",
                "No scenario matches the request and no fallback scenario exists.",
            )

    def _faults_for(self, scenario: Scenario, header: str | None, kind: str) -> Faults:
        try:
            header_faults = Faults.parse(header) if header else None
        except ValueError as exc:
            raise _ApiError(400, "invalid_argument", f"Bad x-test-fault header: {exc}") from None
        combined = self.faults.merged(scenario.faults).merged(header_faults)
        framing_only = Faults(
            framing=combined.framing, chunk_size=combined.chunk_size, no_event_ids=combined.no_event_ids
        )
        with self._lock:
            self._attempts[scenario.name] = self._attempts.get(scenario.name, 0) + 1
            if combined.on not in ("all", kind):
                return framing_only
            if combined.fail_times is not None:
                key = (scenario.name, combined.spec())
                count = self._fault_attempts.get(key, 0) + 1
                self._fault_attempts[key] = count
                if count > combined.fail_times:
                    return framing_only
        return combined

    def _create_interaction(self, scenario: Scenario, body: Mapping[str, Any]) -> StoredInteraction:
        interaction_id = "v1_" + secrets.token_urlsafe(36)
        owner: dict[str, str]
        if isinstance(body.get("agent"), str):
            owner = {"agent": body["agent"]}
        elif isinstance(body.get("model"), str):
            owner = {"model": body["model"]}
        elif scenario.agent:
            owner = {"agent": scenario.agent}
        else:
            owner = {"model": scenario.model or "gemini-3-flash-preview"}
        created = _now()
        background = bool(body.get("background", False))
        events = render_events(scenario, interaction_id, owner, created)
        self.hops.add_tokens(
            events,
            interaction_id=interaction_id,
            next_scenario=scenario.continues_with,
            hands_back_token=scenario.hands_back_token,
            body=body,
        )
        polled = background and not body.get("stream")
        stored = StoredInteraction(
            id=interaction_id,
            scenario=scenario.name,
            owner=owner,
            request=dict(body),
            events=events,
            created=created,
            background=background,
            polls_remaining=scenario.queued_polls + scenario.polls_until_done if polled else 0,
            queued_until=scenario.polls_until_done,
        )
        with self._lock:
            self._interactions[interaction_id] = stored
        return stored

    def _get_stored(self, interaction_id: str) -> StoredInteraction:
        with self._lock:
            stored = self._interactions.get(interaction_id)
        if stored is None:
            raise _ApiError(404, "not_found", f"Interaction {interaction_id!r} not found.")
        return stored

    def _cancel(self, stored: StoredInteraction) -> dict[str, Any]:
        with self._lock:
            if stored.polls_remaining > 0:
                # Still "running": the stream ends here with a cancellation.
                kept = [e for e in stored.events[:2] if e.get("event_type", "").startswith("interaction.")]
                number = len(kept)
                tail: list[dict[str, Any]] = [
                    {
                        "interaction_id": stored.id,
                        "status": "cancelled",
                        "event_type": "interaction.status_update",
                    },
                    {
                        "interaction": {
                            "id": stored.id,
                            "status": "cancelled",
                            "created": stored.created,
                            "updated": _now(),
                            "object": "interaction",
                            **stored.owner,
                        },
                        "event_type": "interaction.completed",
                    },
                ]
                for event in tail:
                    number += 1
                    event["event_id"] = f"evt_{number:06d}"
                stored.events = kept + tail
                stored.polls_remaining = 0
            stored.status_override = "cancelled"
            return stored.snapshot()

    def _delete(self, interaction_id: str) -> None:
        with self._lock:
            if self._interactions.pop(interaction_id, None) is None:
                raise _ApiError(404, "not_found", f"Interaction {interaction_id!r} not found.")

    def _poll(self, stored: StoredInteraction, include_input: bool) -> dict[str, Any]:
        with self._lock:
            result = stored.snapshot(include_input=include_input)
            if stored.polls_remaining > 0:
                stored.polls_remaining -= 1
            return result


def _to_faults(value: Faults | Mapping[str, Any] | str | None) -> Faults | None:
    if value is None or isinstance(value, Faults):
        return value
    if isinstance(value, str):
        return Faults.parse(value)
    return Faults.from_dict(value)


def _stream_blobs(events: list[dict[str, Any]], faults: Faults) -> tuple[list[bytes], bool]:
    """Encode events (plus ``[DONE]``) applying stream faults; returns (blobs, abort)."""
    blobs: list[bytes] = []
    error_event = {
        "error": {"message": faults.error_message, "code": faults.error_code},
        "event_type": "error",
    }
    for index, event in enumerate(events):
        if faults.error_after is not None and index >= faults.error_after:
            blobs.append(encode_event(error_event))
            return blobs, False
        if faults.drop_after is not None and index >= faults.drop_after:
            return blobs, True
        if faults.no_event_ids:
            event = {key: value for key, value in event.items() if key != "event_id"}
        blob = encode_event(event)
        if faults.truncate_after is not None and index >= faults.truncate_after:
            blobs.append(blob[: len(blob) // 2])
            return blobs, True
        if faults.malformed_at is not None and index == faults.malformed_at:
            data = json.dumps(event, ensure_ascii=False, separators=(",", ":"))
            blob = f"event: {event.get('event_type')}\ndata: {data[: len(data) // 2]}\n\n".encode()
        blobs.append(blob)
    if faults.error_after is not None:
        blobs.append(encode_event(error_event))
        return blobs, False
    if faults.drop_after is not None:
        return blobs, True
    if faults.truncate_after is not None:
        blobs.append(DONE_EVENT[: len(DONE_EVENT) // 2])
        return blobs, True
    blobs.append(DONE_EVENT)
    return blobs, False


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "InteractionsTestServer/1.0"
    timeout = 120

    @property
    def app(self) -> InteractionsTestServer:
        return cast(_HTTPServer, self.server).app

    def setup(self) -> None:
        super().setup()
        with self.app._lock:
            self.app._connections.add(self.connection)

    def finish(self) -> None:
        with self.app._lock:
            self.app._connections.discard(self.connection)
        try:
            super().finish()
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        return

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def do_DELETE(self) -> None:
        self._dispatch("DELETE")

    def do_PUT(self) -> None:
        self._dispatch("PUT")

    def do_PATCH(self) -> None:
        self._dispatch("PATCH")

    # ------------------------------------------------------------------ reading
    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            parts = []
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                parts.append(self.rfile.read(size))
                self.rfile.readline()
            return b"".join(parts)
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    # ----------------------------------------------------------------- dispatch
    def _dispatch(self, method: str) -> None:
        app = self.app
        split = urlsplit(self.path)
        query = dict(parse_qsl(split.query, keep_blank_values=True))
        headers = {k.lower(): v for k, v in self.headers.items()}
        try:
            raw = self._read_body()
        except (OSError, ValueError):
            self.close_connection = True
            return
        body: Any = None
        body_error: str | None = None
        if raw:
            try:
                body = json.loads(raw)
            except ValueError as exc:
                body_error = f"Invalid JSON payload received: {exc}"
        revision = headers.get("api-revision")
        record = RecordedRequest(
            method=method,
            path=split.path,
            query=query,
            headers=headers,
            body=body,
            raw_body=raw,
            api_revision=revision,
            revision_mismatch=revision != app.revision,
            client_address=(str(self.client_address[0]), int(self.client_address[1])),
            request_id=f"req_{secrets.token_hex(8)}",
        )
        app._record(record)
        try:
            match = _ROUTE.match(split.path)
            if match is None:
                raise _ApiError(404, "not_found", f"No route for {method} {split.path}.")
            interaction_id = match.group("id")
            cancel = match.group("cancel") is not None
            app._check_auth(headers, query)
            if method == "POST" and interaction_id is None:
                self._create(record, body, body_error, headers)
            elif method == "POST" and interaction_id is not None and cancel:
                record.interaction_id = interaction_id
                stored = app._get_stored(interaction_id)
                record.scenario = stored.scenario
                faults = self._stored_faults(record, stored, headers, "cancel")
                if not self._http_fault(record, faults):
                    self._send_json(record, 200, app._cancel(stored), faults)
            elif method == "GET" and interaction_id is not None and not cancel:
                record.interaction_id = interaction_id
                self._get(record, app._get_stored(interaction_id), query, headers)
            elif method == "DELETE" and interaction_id is not None and not cancel:
                record.interaction_id = interaction_id
                faults = self._stored_faults(record, app._get_stored(interaction_id), headers, "delete")
                if not self._http_fault(record, faults):
                    app._delete(interaction_id)
                    self._send_json(record, 200, {}, faults)
            else:
                raise _ApiError(
                    405,
                    "unimplemented",
                    f"Method {method} not allowed on {split.path}.",
                )
        except _ApiError as exc:
            self._send_error(record, exc.status, exc.code, exc.message)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def _create(
        self,
        record: RecordedRequest,
        body: Any,
        body_error: str | None,
        headers: Mapping[str, str],
    ) -> None:
        app = self.app
        if body_error is not None:
            raise _ApiError(400, "invalid_argument", body_error)
        if not isinstance(body, dict):
            raise _ApiError(400, "invalid_argument", "Request body must be a JSON object.")
        if app.validate_request is not None:
            problem = app.validate_request(body)
            if problem is not None:
                raise _ApiError(400, "invalid_argument", problem)
        scenario = app._select_scenario(body, headers)
        record.scenario = scenario.name
        faults = app._faults_for(scenario, headers.get("x-test-fault"), "create")
        record.faults = faults.spec()
        if self._http_fault(record, faults):
            return
        stored = app._create_interaction(scenario, body)
        record.interaction_id = stored.id
        if body.get("stream"):
            self._send_stream(record, stored.events, faults)
        else:
            with app._lock:
                snapshot = stored.snapshot()
            self._send_json(record, 200, snapshot, faults)

    def _get(
        self,
        record: RecordedRequest,
        stored: StoredInteraction,
        query: Mapping[str, str],
        headers: Mapping[str, str],
    ) -> None:
        app = self.app
        record.scenario = stored.scenario
        faults = self._stored_faults(record, stored, headers, "get")
        stream = query.get("stream", "").lower() in _TRUE
        last_event_id = query.get("last_event_id")
        if last_event_id and not stream:
            raise _ApiError(
                400,
                "invalid_argument",
                "last_event_id can only be used with stream=true.",
            )
        if self._http_fault(record, faults):
            return
        include_input = query.get("include_input", "").lower() in _TRUE
        if not stream:
            self._send_json(record, 200, app._poll(stored, include_input), faults)
            return
        with app._lock:
            events = list(stored.events)
            stored.polls_remaining = 0
        if last_event_id:
            ids = [e.get("event_id") for e in events]
            if last_event_id not in ids:
                raise _ApiError(400, "invalid_argument", f"Unknown last_event_id {last_event_id!r}.")
            events = events[ids.index(last_event_id) + 1 :]
        self._send_stream(record, events, faults)

    def _stored_faults(
        self, record: RecordedRequest, stored: StoredInteraction, headers: Mapping[str, str], kind: str
    ) -> Faults:
        """The faults for a request about an existing interaction (its scenario's, the server's, the header's)."""
        with self.app._lock:
            known = self.app._scenarios.get(stored.scenario)
        scenario = known or Scenario(name=stored.scenario, events=[])
        faults = self.app._faults_for(scenario, headers.get("x-test-fault"), kind)
        record.faults = faults.spec()
        return faults

    # ----------------------------------------------------------------- writing
    def _http_fault(self, record: RecordedRequest, faults: Faults) -> bool:
        if faults.first_byte_delay > 0:
            time.sleep(faults.first_byte_delay)
        if faults.http_status is None:
            return False
        extra: list[tuple[str, str]] = []
        if faults.retry_after is not None:
            value = faults.retry_after
            extra.append(
                (
                    "Retry-After",
                    str(int(value)) if float(value).is_integer() else str(value),
                )
            )
        code = STATUS_CODES.get(faults.http_status, "unknown")
        self._send_error(
            record,
            faults.http_status,
            code,
            f"Injected fault: HTTP {faults.http_status}.",
            extra,
        )
        return True

    def _send_error(
        self,
        record: RecordedRequest,
        status: int,
        code: str,
        message: str,
        extra_headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        payload = json.dumps({"error": {"message": message, "code": code}}).encode()
        record.status = status
        self._write(
            record,
            status,
            "application/json",
            [payload],
            framing="content-length",
            extra_headers=extra_headers,
        )

    def _send_json(
        self,
        record: RecordedRequest,
        status: int,
        obj: Any,
        faults: Faults | None = None,
    ) -> None:
        faults = faults or Faults()
        record.status = status
        data = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
        framing = faults.framing or "content-length"
        if faults.drop_after is not None:
            self._abort()
            return
        pieces = [data]
        abort = False
        declared = len(data)
        if faults.truncate_after is not None:
            pieces = [data[: len(data) // 2]]
            abort = True
        elif faults.malformed_at is not None:
            pieces = [data[: len(data) // 2]]
            declared = len(pieces[0])
        self._write(
            record,
            status,
            "application/json",
            pieces,
            framing=framing,
            chunk_size=faults.chunk_size,
            abort=abort,
            declared_length=declared,
        )

    def _send_stream(self, record: RecordedRequest, events: list[dict[str, Any]], faults: Faults) -> None:
        record.status = 200
        blobs, abort = _stream_blobs(events, faults)
        framing = faults.framing or "chunked"
        declared = None
        if framing == "content-length":
            # Announce the length of the complete stream even when it will be cut short.
            intact = dataclasses.replace(faults, drop_after=None, truncate_after=None)
            declared = sum(len(b) for b in _stream_blobs(events, intact)[0])
        self._write(
            record,
            200,
            "text/event-stream",
            blobs,
            framing=framing,
            chunk_size=faults.chunk_size,
            abort=abort,
            delay=faults.event_delay,
            declared_length=declared,
            extra_headers=[("Cache-Control", "no-cache")],
            count_events=True,
        )

    def _write(
        self,
        record: RecordedRequest,
        status: int,
        content_type: str,
        blobs: list[bytes],
        *,
        framing: str,
        chunk_size: int | None = None,
        abort: bool = False,
        delay: float = 0.0,
        declared_length: int | None = None,
        extra_headers: Iterable[tuple[str, str]] = (),
        count_events: bool = False,
    ) -> None:
        ends: list[int] = []
        total = 0
        for blob in blobs:
            total += len(blob)
            ends.append(total)
        if chunk_size:
            joined = b"".join(blobs)
            pieces = [joined[i : i + chunk_size] for i in range(0, len(joined), chunk_size)]
        else:
            pieces = [b for b in blobs if b]
        self.send_response(status)
        self.send_header("x-request-id", record.request_id)
        self.send_header(
            "Content-Type",
            content_type if "event-stream" in content_type else content_type + "; charset=UTF-8",
        )
        for name, value in extra_headers:
            self.send_header(name, value)
        if framing == "chunked":
            self.send_header("Transfer-Encoding", "chunked")
        elif framing == "content-length":
            self.send_header(
                "Content-Length",
                str(declared_length if declared_length is not None else total),
            )
        else:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        sent = 0
        for number, piece in enumerate(pieces):
            if number and delay > 0:
                time.sleep(delay)
            if self._peer_closed() or not self._send_piece(piece, framing):
                if count_events:
                    events_sent = sum(1 for end in ends if end <= sent)
                    self.app._record_disconnect(
                        Disconnect(
                            path=record.path,
                            interaction_id=record.interaction_id,
                            events_sent=events_sent,
                            bytes_sent=sent,
                            reason="client_closed",
                        )
                    )
                self._abort()
                return
            sent += len(piece)
        if abort:
            self._abort()
            return
        if framing == "chunked":
            self._send_piece(b"", framing)

    def _send_piece(self, piece: bytes, framing: str) -> bool:
        data = piece
        if framing == "chunked":
            data = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        try:
            self.wfile.write(data)
            self.wfile.flush()
        except OSError:
            return False
        return True

    def _peer_closed(self) -> bool:
        """True when the client has closed its side (EOF or reset) of the connection."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            if not readable:
                return False
            return bool(self.connection.recv(1, socket.MSG_PEEK) == b"")
        except (OSError, ValueError):
            return True

    def _abort(self) -> None:
        """Close the connection abruptly (no terminating chunk)."""
        self.close_connection = True
        try:
            self.wfile.flush()
        except OSError:
            pass
        try:
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
