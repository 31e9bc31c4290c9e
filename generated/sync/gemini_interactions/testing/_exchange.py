# Copied from codegen/runtime/testing/_exchange.py by `nox -s generate` - edit it there, not here.
"""One request and its answer, as a route handler sees them."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ._faults import Faults, body_response, status_fault_response, stream_response
from ._records import RecordedRequest
from ._routing import ApiError
from ._wire import Response, encode_json, error_response

if TYPE_CHECKING:
    from ._server import InteractionsTestServer

__all__ = ["Exchange"]

_TRUE = frozenset({"1", "true", "yes", "on"})


class Exchange:
    """The request (path parameters, query, headers, body; the rest in `record`) and the ways to answer it.

    Handlers answer exactly once, through `send_json`, `send_stream`,
    `send_bytes` or `send_error` (or by raising `ApiError`);
    passing the request's `Faults` applies them to the answer.
    """

    def __init__(
        self,
        server: InteractionsTestServer,
        record: RecordedRequest,
        params: Mapping[str, str],
        body_error: str | None,
        write: Callable[[Response], None],
    ) -> None:
        self.server = server
        self.record = record
        # The path pattern's placeholders, e.g. `{"api_version": "v1beta", "id": "v1_..."}`.
        self.params = dict(params)
        self._body_error = body_error
        self._write = write

    # ------------------------------------------------------------------ request
    @property
    def query(self) -> Mapping[str, str]:
        return self.record.query

    @property
    def headers(self) -> Mapping[str, str]:
        """Lower-cased names."""
        return self.record.headers

    @property
    def raw_body(self) -> bytes:
        return self.record.raw_body

    def flag(self, name: str) -> bool:
        """A boolean query parameter (`?stream=true`)."""
        return self.query.get(name, "").lower() in _TRUE

    def json_object(self) -> dict[str, Any]:
        """The body as a JSON object; ApiError 400 when it is not valid JSON or not an object."""
        if self._body_error is not None:
            raise ApiError(400, "invalid_argument", self._body_error)
        body = self.record.body
        if not isinstance(body, dict):
            raise ApiError(400, "invalid_argument", "Request body must be a JSON object.")
        return body

    def faults(self, scenario: str, kind: str) -> Faults:
        """The faults for this request, answered from `scenario`; `kind` is what `Faults.on` names.

        Records the scenario and the faults on `record` and counts the attempt.
        """
        self.record.scenario = scenario
        try:
            faults = self.server.faults_for(scenario, self.headers.get("x-test-fault"), kind)
        except ValueError as exc:
            raise ApiError(400, "invalid_argument", f"Bad x-test-fault header: {exc}") from None
        self.record.faults = faults.spec()
        return faults

    # ------------------------------------------------------------------- answer
    def answered_by_fault(self, faults: Faults) -> bool:
        """Wait the first-byte delay, then answer with the injected HTTP status if there is one."""
        if faults.first_byte_delay > 0:
            time.sleep(faults.first_byte_delay)
        response = status_fault_response(faults)
        if response is None:
            return False
        self.send(response)
        return True

    def send(self, response: Response) -> None:
        self.record.status = response.status
        self._write(response)

    def send_json(
        self,
        obj: Any,
        faults: Faults | None = None,
        *,
        status: int = 200,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        self.send(body_response(status, encode_json(obj), faults or Faults(), headers=tuple(headers)))

    def send_bytes(
        self,
        data: bytes,
        content_type: str,
        faults: Faults | None = None,
        *,
        status: int = 200,
        headers: Sequence[tuple[str, str]] = (),
    ) -> None:
        """A raw body (a file download) with the body faults applied."""
        response = body_response(status, data, faults or Faults(), content_type=content_type, headers=tuple(headers))
        self.send(response)

    def send_stream(self, events: Sequence[Mapping[str, Any]], faults: Faults | None = None) -> None:
        """Server-sent events, then `[DONE]`, with the stream faults applied."""
        self.send(stream_response(events, faults or Faults()))

    def send_error(self, status: int, code: str, message: str, headers: Sequence[tuple[str, str]] = ()) -> None:
        self.send(error_response(status, code, message, tuple(headers)))
