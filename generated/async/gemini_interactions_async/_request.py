# Copied from codegen/runtime/_request.py by `nox -s generate` - edit it there, not here.
"""Building requests and reading answers, without doing any I/O: both transports call these."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import pydantic

from ._arguments import BodyCheck
from ._config import ClientConfig, Timeout
from ._credentials import Authorizer
from ._exceptions import APIResponseValidationError, APIStatusError, CrossOriginRedirectError, status_error_class
from ._models_base import validation_errors
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


def to_jsonable(value: Any) -> Any:
    """Plain JSON values from what the caller passed: dicts, lists and typed models, mixed freely."""
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
    idempotent: bool = True,
) -> PreparedRequest:
    headers = config.headers()
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
    return PreparedRequest(
        method=method,
        url=config.url(path),
        headers=headers,
        params=params,
        content=content,
        timeout=timeout,
        max_retries=config.max_retries if options.max_retries is None else options.max_retries,
        idempotent=idempotent,
        auth=config.auth,
    )


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


def parse_body(request: PreparedRequest, adapter: pydantic.TypeAdapter[T], body: bytes) -> T:
    try:
        return adapter.validate_json(body)
    except pydantic.ValidationError as exc:
        raise APIResponseValidationError(
            f"{request.describe()}: the answer does not match the API's schema: {validation_errors(exc)} "
            f"(body starts {body[:200]!r})",
            payload=body,
            method=request.method,
            url=request.url,
        ) from exc
