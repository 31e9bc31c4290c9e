# Copied from codegen/runtime/_request.py by `nox -s generate` - edit it there, not here.
"""Building requests and reading answers, without doing any I/O: both transports call these."""

from __future__ import annotations

import dataclasses
import functools
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic

from ._arguments import BodyCheck
from ._config import ClientConfig, Timeout
from ._credentials import Authorizer
from ._deadline import bound_to_current
from ._exceptions import APIResponseValidationError, APIStatusError, CrossOriginRedirectError, status_error_class
from ._models_base import lenient, validation_errors
from ._redaction import origin_text
from ._redirects import is_cross_origin, location
from ._retry_after import retry_after_seconds

T = TypeVar("T")


class NotGiven:
    """Marks a per-call option the caller did not pass (None can be a meaningful value)."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()


@dataclass(frozen=True)
class RequestOptions:
    """Per-call overrides: extra headers/query/body and this call's timeout and retry budget."""

    extra_headers: Mapping[str, str] | None = None
    extra_query: Mapping[str, object] | None = None
    extra_body: Mapping[str, object] | None = None
    timeout: float | Timeout | None | NotGiven = NOT_GIVEN
    max_retries: int | None = None


@dataclass(frozen=True)
class PreparedRequest:
    """One request, ready for a transport to send (and send again when the retry policy says so)."""

    method: str
    url: str
    headers: dict[str, str]
    params: dict[str, str]
    content: bytes | None
    timeout: Timeout
    max_retries: int
    idempotent: bool = True  # sending it twice does what sending it once does (the spec's x-sdk-idempotent)
    deadline_at: float | None = None  # time.monotonic() past which nothing is retried (see _deadline.py)
    # Fills in the credential headers just before sending (`_credentials.authorized`); None with an API key.
    auth: Authorizer | None = field(default=None, repr=False, compare=False)

    def describe(self) -> str:
        """`METHOD url` for messages and logs; the key is in a header, never in the URL."""
        return f"{self.method} {self.url}"

    def deadline_left(self) -> float | None:
        """Seconds until `deadline_at` (at least a millisecond: a zero timeout means "no wait"), None without one."""
        return None if self.deadline_at is None else max(self.deadline_at - time.monotonic(), 0.001)

    def deadline_passed(self) -> bool:
        return self.deadline_at is not None and time.monotonic() >= self.deadline_at


# Values that are JSON as they are: most arguments. Checked by exact type, before the ABC checks below.
_PLAIN_JSON = frozenset({str, int, float, bool, type(None)})


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from what the caller passed: dicts, lists and typed models, mixed freely."""
    if type(value) in _PLAIN_JSON:
        return value
    if isinstance(value, pydantic.BaseModel):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)
    if isinstance(value, Mapping):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)) or (isinstance(value, Sequence) and not isinstance(value, (str, bytes))):
        return [to_jsonable(v) for v in value]
    return value


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@functools.lru_cache(maxsize=64)
def _stream_timeout(timeout: Timeout) -> Timeout:
    """`timeout` for a stream: a silent stream is idle too, so no read waits longer than `stream_idle`.

    Cached: a Timeout is frozen, and nearly every call of a client passes the same one."""
    idle = timeout.stream_idle
    if idle is not None and (timeout.read is None or timeout.read > idle):
        return dataclasses.replace(timeout, read=idle)
    return timeout


def prepare_request(
    config: ClientConfig,
    method: str,
    path: str,
    *,
    query: Mapping[str, object] | None = None,
    body: Mapping[str, object] | None = None,
    stream: bool = False,
    options: RequestOptions = RequestOptions(),
    body_check: BodyCheck | None = None,
    operation_headers: Mapping[str, object] | None = None,
    path_prefix: str = "",
    idempotent: bool = True,
) -> PreparedRequest:
    """The request of one call. `operation_headers` are the operation's own (None values left out); `path_prefix`
    goes before the API version (`/upload`); `idempotent=False` marks a request that must not be replayed."""
    headers = config.headers()
    headers.update({k: str(v) for k, v in (operation_headers or {}).items() if v is not None})
    if stream:
        headers["Accept"] = "text/event-stream"
    params = dict(config.base_query)
    params.update({k: _query_value(v) for k, v in (query or {}).items() if v is not None})
    if options.extra_query:
        params.update({k: _query_value(v) for k, v in options.extra_query.items()})
    content = None
    if body is not None or options.extra_body:
        payload = {k: to_jsonable(v) for k, v in (body or {}).items() if v is not None}
        if body_check is not None:
            body_check.check(payload, supplied_elsewhere=set(options.extra_body or ()))
        payload.update(to_jsonable(dict(options.extra_body or {})))
        content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        headers["Content-Type"] = "application/json"
    if options.extra_headers:
        headers.update(options.extra_headers)
    timeout = config.timeout if isinstance(options.timeout, NotGiven) else Timeout.of(options.timeout)
    if stream:
        timeout = _stream_timeout(timeout)
    request = PreparedRequest(
        method=method,
        url=config.url(path, prefix=path_prefix),
        headers=headers,
        params=params,
        content=content,
        timeout=timeout,
        max_retries=config.max_retries if options.max_retries is None else options.max_retries,
        idempotent=idempotent,
        auth=config.auth,
    )
    return bound_to_current(request)


def status_error(request: PreparedRequest, status: int, headers: Mapping[str, str], body: bytes) -> APIStatusError:
    """The typed exception for an HTTP error answer, with the API's error message when it sent one."""
    try:
        parsed: Any = json.loads(body) if body else None
    except ValueError:
        parsed = body.decode("utf-8", "replace")
    error = parsed.get("error") if isinstance(parsed, dict) else None
    detail = error.get("message") if isinstance(error, dict) else None
    if detail is None:
        detail = (parsed if isinstance(parsed, str) else "")[:200] or "no error message in the body"
    message = f"{request.describe()} -> HTTP {status}: {detail}"
    kind = status_error_class(status)
    target = location(request, status, headers)
    if target is not None and is_cross_origin(request, target):
        kind = CrossOriginRedirectError
        message = (
            f"{request.describe()} -> HTTP {status}: redirected to another origin ({origin_text(target)}); "
            f"not followed, so that credentials stay with {origin_text(request.url)}"
        )
    error = kind(message, status_code=status, body=parsed, headers=headers, method=request.method, url=request.url)
    error.retry_after = retry_after_seconds(headers)
    if isinstance(error, CrossOriginRedirectError):
        error.location = target
    return error


# Google's status names, for a JSON error body that came with a 200 (see not_an_event_stream).
_STATUS_OF_NAME = {
    "INVALID_ARGUMENT": 400,
    "FAILED_PRECONDITION": 400,
    "OUT_OF_RANGE": 400,
    "UNAUTHENTICATED": 401,
    "PERMISSION_DENIED": 403,
    "NOT_FOUND": 404,
    "ALREADY_EXISTS": 409,
    "ABORTED": 409,
    "RESOURCE_EXHAUSTED": 429,
    "CANCELLED": 499,
    "UNIMPLEMENTED": 501,
    "UNAVAILABLE": 503,
    "DEADLINE_EXCEEDED": 504,
}


def is_event_stream(headers: Mapping[str, str]) -> bool:
    content_type = headers.get("Content-Type") or headers.get("content-type") or ""
    return content_type.split(";", 1)[0].strip().lower() == "text/event-stream"


def not_an_event_stream(
    request: PreparedRequest, status: int, headers: Mapping[str, str], body: bytes
) -> APIResponseValidationError | APIStatusError:
    """The error for an answer to a stream request that is not an event stream."""
    try:
        parsed: Any = json.loads(body)
    except ValueError:
        parsed = None
    if isinstance(parsed, list) and len(parsed) == 1:
        parsed = parsed[0]
    error = parsed.get("error") if isinstance(parsed, dict) else None
    if isinstance(error, dict):
        code = error.get("code")
        described = code if isinstance(code, int) and 400 <= code <= 599 else None
        described = described or _STATUS_OF_NAME.get(str(error.get("status")), 500)
        return status_error(request, described, headers, body)
    content_type = headers.get("Content-Type") or headers.get("content-type") or "no Content-Type"
    return APIResponseValidationError(
        f"{request.describe()}: a stream was asked for, but the HTTP {status} answer is {content_type!r}, "
        f"not text/event-stream (body starts {body[:200]!r})",
        payload=body,
        method=request.method,
        url=request.url,
    )


def parse_body(request: PreparedRequest, adapter: pydantic.TypeAdapter[T], body: bytes, *, strict: bool = False) -> T:
    """The typed answer; a payload that fails validation is kept in its lenient form unless `strict`."""
    try:
        return adapter.validate_json(body)
    except pydantic.ValidationError as exc:
        if _loads_at_all(body):
            try:
                return lenient(getattr(adapter, "_type", None), body, exc, strict=strict)  # type: ignore[no-any-return]
            except pydantic.ValidationError:
                pass
        raise APIResponseValidationError(
            f"{request.describe()}: the answer does not match the API's schema: {validation_errors(exc)} "
            f"(body starts {body[:200]!r})",
            payload=body,
            method=request.method,
            url=request.url,
        ) from exc


def _loads_at_all(body: bytes) -> bool:
    """The body is a JSON object or array at all (else nothing lenient can be made of it)."""
    head = body.lstrip()[:1]
    return head in (b"{", b"[")
