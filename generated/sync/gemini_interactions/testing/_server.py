# Copied from codegen/runtime/testing/_server.py by `nox -s generate` - edit it there, not here.
"""The fake Interactions API server: configuration, lifecycle, inspection and the dispatcher."""

from __future__ import annotations

import os
import socket
import ssl
import threading
from collections.abc import Callable, Container, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Union

from .._version import API_REVISION
from . import _files, _interactions, _platform
from ._exchange import Exchange
from ._faults import FaultPolicy, Faults, as_faults
from ._http import HTTPServer
from ._interactions import InteractionStore, StoredInteraction
from ._records import Disconnect, RecordedRequest, Recorder
from ._routing import ApiError, Router
from ._scenarios import Scenario, builtin_scenarios, load_scenarios, render_events
from ._selection import DEFAULT_SELECTORS, ScenarioCatalog, Selection, Selector, select
from ._state import StateRegistry, StateT
from ._validation import Validator, default_validator
from ._wire import Response, error_response

if TYPE_CHECKING:
    from typing_extensions import Self

__all__ = ["ROUTERS", "InteractionsTestServer"]

# The route tables every server serves, in order; a new resource module adds its `router` here.
ROUTERS: tuple[Router, ...] = (_interactions.router, _platform.router, _files.router)

ScenarioSource = Union[Scenario, Mapping[str, Any], str, "os.PathLike[str]"]


class InteractionsTestServer:
    """An in-process fake of the Gemini Interactions API.

    >>> with InteractionsTestServer() as server:  # doctest: +SKIP
    ...     client = Client(api_key="test-key", base_url=server.base_url)

    `scenarios` (one source or an iterable of them) adds `Scenario`
    objects, dicts in the scenario JSON format, or paths to `.json`/`.sse` files or directories of them, on top
    of the built-in scenarios (same name replaces a built-in). `api_key=None`
    disables the key check. `faults` (a `Faults`, mapping or spec
    string) applies to every request. `validate_request=None` disables body
    validation. `ssl_context` (a server-side `ssl.SSLContext` with its
    certificate loaded) serves HTTPS instead of HTTP. `access_tokens` (a container
    of bearer tokens) requires OAuth-style `Authorization: Bearer` instead of a key.

    Extension points (see the package docstring): `router` (routes),
    `selectors` (scenario selection) and `state` (resource state).
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
        access_tokens: Container[str] | None = None,
    ) -> None:
        self.api_key = api_key
        # When set, requests need `Authorization: Bearer <token>` with a token in it (keys are not accepted);
        # remove a token from it to make it expire.
        self.access_tokens = access_tokens
        self.revision = revision
        self.host = host
        self.port: int = port
        self.default_scenario = default_scenario
        self.fallback_scenario = fallback_scenario
        self.validate_request = validate_request
        self.require_revision = require_revision
        self.ssl_context = ssl_context
        # Routes served by this server (a copy of `ROUTERS`; add to it for one server only).
        self.router: Router = Router()
        for router in ROUTERS:
            self.router.include(router)
        # Scenario selectors tried in order for every create request (a copy of `DEFAULT_SELECTORS`).
        self.selectors: list[Selector] = list(DEFAULT_SELECTORS)
        self.recorder: Recorder = Recorder()
        self._catalog = ScenarioCatalog()
        self._fault_policy = FaultPolicy(as_faults(faults))
        self._states = StateRegistry()
        self._httpd: HTTPServer | None = None
        self._thread: threading.Thread | None = None
        if include_builtin:
            self._catalog.add(builtin_scenarios())
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
        httpd = HTTPServer((self.host, self.port), self)
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
        for conn in self.recorder.connections():
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
        """`http://HOST:PORT` (`https://` with an ssl_context); no API version: clients append `/v1beta/...`."""
        if self._httpd is None:
            raise RuntimeError("server not started")
        host = self.host if ":" not in self.host else f"[{self.host}]"
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    def url(self, path: str = "", api_version: str = "v1beta") -> str:
        """Absolute URL of `/{api_version}/interactions{path}`."""
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
        self._catalog.add(loaded)
        return loaded

    def load_scenarios(self, directory: str | os.PathLike[str]) -> list[Scenario]:
        """Register every `.json`/`.sse` scenario in `directory`."""
        return self.add_scenario(directory)

    @property
    def scenarios(self) -> dict[str, Scenario]:
        return self._catalog.all()

    def scenario(self, name: str) -> Scenario:
        return self._catalog.get(name)

    def expected_events(self, name: str) -> list[dict[str, Any]]:
        """A scenario's events as they would be streamed (ids are placeholders)."""
        scenario = self.scenario(name)
        return render_events(scenario, "v1_example", _interactions.owner_of(scenario, {}), _interactions.now())

    def select_scenario(self, body: Mapping[str, Any], headers: Mapping[str, str]) -> Scenario:
        """The scenario that answers a create request with `body` and `headers` (see `selectors`)."""
        previous = self.state(InteractionStore).find(body.get("previous_interaction_id"))
        selection = Selection(
            server=self,
            body=body,
            headers=headers,
            catalog=self._catalog,
            previous_scenario=previous.scenario if previous is not None else None,
            default_scenario=self.default_scenario,
            fallback_scenario=self.fallback_scenario,
        )
        return select(self.selectors, selection)

    # ------------------------------------------------------------------ faults
    @property
    def faults(self) -> Faults:
        """The server-wide faults (see `set_faults`)."""
        return self._fault_policy.faults

    @faults.setter
    def faults(self, faults: Faults) -> None:
        self.set_faults(faults)

    def set_faults(self, faults: Faults | Mapping[str, Any] | str | None) -> None:
        """Replace the server-wide faults (`None` clears them)."""
        self._fault_policy.replace(as_faults(faults))

    def faults_for(self, scenario: str, header: str | None, kind: str) -> Faults:
        """The faults of one request of `kind` answered from `scenario` (counts the attempt)."""
        known = self._catalog.find(scenario)
        faults = self._fault_policy.for_request(scenario, known.faults if known else None, header, kind)
        self.recorder.attempt(scenario)
        return faults

    # ------------------------------------------------------------------- state
    def state(self, kind: type[StateT]) -> StateT:
        """The server's instance of a resource state class (created on first use, cleared by `reset`)."""
        return self._states.get(kind)

    # --------------------------------------------------------------- inspection
    @property
    def requests(self) -> list[RecordedRequest]:
        return self.recorder.requests()

    @property
    def last_request(self) -> RecordedRequest:
        requests = self.recorder.requests()
        if not requests:
            raise LookupError("no request recorded")
        return requests[-1]

    @property
    def disconnects(self) -> list[Disconnect]:
        return self.recorder.disconnects()

    def wait_for_disconnects(self, count: int = 1, timeout: float = 5.0) -> list[Disconnect]:
        """Block until at least `count` disconnects were seen (or timeout)."""
        return self.recorder.wait_for_disconnects(count, timeout)

    @property
    def open_connections(self) -> int:
        """Client TCP connections open right now (a client that closed its session leaves none)."""
        return len(self.recorder.connections())

    @property
    def interactions(self) -> dict[str, StoredInteraction]:
        return self.state(InteractionStore).all()

    @property
    def attempts(self) -> dict[str, int]:
        """Number of requests seen per scenario name (create, get, cancel, delete)."""
        return self.recorder.attempts()

    @property
    def revision_mismatches(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.revision_mismatch]

    def reset(self) -> None:
        """Forget recorded requests, disconnects, attempt counters and every resource's state."""
        self.recorder.reset()
        self._fault_policy.reset()
        self._states.reset()

    # --------------------------------------------------------------- dispatch
    def dispatch(self, record: RecordedRequest, body_error: str | None, write: Callable[[Response], None]) -> None:
        """Answer one recorded request: route it, check the key, run its handler (called by the HTTP handler)."""
        try:
            resolved = self.router.resolve(record.method, record.path)
            if resolved.route is None or resolved.route.auth:
                self._check_auth(record.headers, record.query)
            if resolved.route is None:
                raise ApiError(405, "unimplemented", f"Method {record.method} not allowed on {record.path}.")
            resolved.route.handler(Exchange(self, record, resolved.params, body_error, write))
        except ApiError as exc:
            record.status = exc.status
            write(error_response(exc.status, exc.code, exc.message))

    def _check_auth(self, headers: Mapping[str, str], query: Mapping[str, str]) -> None:
        if self.require_revision and not headers.get("api-revision"):
            raise ApiError(400, "invalid_argument", "Missing Api-Revision header.")
        if self.access_tokens is not None:
            scheme, _, token = (headers.get("authorization") or "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                raise ApiError(401, "unauthenticated", "Request is missing a bearer token.")
            if token not in self.access_tokens:
                raise ApiError(401, "unauthenticated", "Request had invalid authentication credentials.")
            return
        if self.api_key is None:
            return
        key = headers.get("x-goog-api-key") or query.get("key")
        if not key:
            raise ApiError(
                401, "unauthenticated", "Request is missing an API key. Pass it in the x-goog-api-key header."
            )
        if key != self.api_key:
            raise ApiError(403, "permission_denied", "API key not valid. Please pass a valid API key.")
