# Copied from codegen/runtime/_config.py by `nox -s generate` - edit it there, not here.
"""Client settings shared by both flavours: where requests go, how they authenticate, how long they wait."""

from __future__ import annotations

import logging
import math
import os
import platform
from dataclasses import dataclass, field
from typing import Final

from ._credentials import AsyncCredentialsLike, Authorizer
from ._exceptions import InvalidArgumentError, MissingAPIKeyError
from ._redaction import split_base_url
from ._version import API_REVISION, DEFAULT_API_VERSION, DEFAULT_BASE_URL, PACKAGE_NAME, __version__

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

# Read in this order, the first set one wins (google-genai prefers GOOGLE_API_KEY: a warning says which is used).
API_KEY_ENV_VARS: Final = ("GEMINI_API_KEY", "GOOGLE_API_KEY")
BASE_URL_ENV_VARS: Final = ("GEMINI_BASE_URL", "GOOGLE_GEMINI_BASE_URL")
DEFAULT_MAX_RETRIES: Final = 2
# The largest stream event the client reads (bytes): far above an inline image or audio clip,
# far below what would hurt the process; a larger one raises EventTooLargeError.
DEFAULT_MAX_EVENT_SIZE: Final = 64 * 1024 * 1024
# Connections one client keeps open at once. A stream holds its connection for its whole life, so the
# limit is the number of concurrent streams: high enough that 1,000 streams on one client never queue
# (aiohttp's 100 and requests' 10 made streams wait, then time out), low enough to stay under the
# usual 1,024 open files. Past it a call waits for a free connection, for at most Timeout.pool.
DEFAULT_MAX_CONNECTIONS: Final = 1000

# A live stream sends an event or a keep-alive well within this; a dead one raises in minutes, not hours.
DEFAULT_STREAM_IDLE: Final = 120.0
USER_AGENT: Final = f"{PACKAGE_NAME}/{__version__} api-revision/{API_REVISION} python/{platform.python_version()}"


@dataclass(frozen=True)
class Timeout:
    """Seconds to wait: `connect` for the connection, `read` between bytes of the answer, `pool` for a free
    connection when all `max_connections` are in use (None: as long as it takes).

    `read` bounds silence, not a whole answer: a stream may run for minutes as long as data keeps coming
    (a call's `deadline=` bounds all of it).
    `stream_idle` bounds a stream's time without a complete line (an event's or a keep-alive comment's),
    so bytes trickling in cannot hold it either; past it the stream resumes, a few times, then raises.
    Each is a positive, finite number of seconds, or None for no limit; anything else (0, negative,
    NaN, infinity, a string) raises InvalidArgumentError. Waiting for a free connection is not counted
    into `connect`: running out of `pool` raises APIPoolTimeoutError, never a server timeout."""

    connect: float | None = 10.0
    read: float | None = 600.0
    pool: float | None = None
    stream_idle: float | None = DEFAULT_STREAM_IDLE

    def __post_init__(self) -> None:
        for name in ("connect", "read", "pool", "stream_idle"):
            _check_seconds(name, getattr(self, name))

    @classmethod
    def of(cls, value: float | Timeout | None) -> Timeout:
        if isinstance(value, Timeout):
            return value
        return cls(connect=value, read=value)


def _check_seconds(name: str, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problem = f"timeout.{name} must be a number of seconds or None, not {type(value).__name__}"
    elif not math.isfinite(value) or value <= 0:
        problem = f"timeout.{name} must be a positive, finite number of seconds (or None for no limit), not {value!r}"
    else:
        return
    raise InvalidArgumentError(problem, argument="timeout", problems=[problem])


DEFAULT_TIMEOUT: Final = Timeout()

_warned_revisions: set[str] = set()
_warned_key_conflict = False


def _from_environment(names: tuple[str, ...]) -> str | None:
    return next((os.environ[name] for name in names if os.environ.get(name)), None)


def _api_key_from_environment() -> str | None:
    """GEMINI_API_KEY, else GOOGLE_API_KEY; warns once when both are set and differ (naming them, never the values)."""
    global _warned_key_conflict
    first, second = (os.environ.get(name) for name in API_KEY_ENV_VARS)
    if first and second and first != second and not _warned_key_conflict:
        _warned_key_conflict = True
        logger.warning("Both %s and %s are set, to different keys: using %s.", *API_KEY_ENV_VARS, API_KEY_ENV_VARS[0])
    return _from_environment(API_KEY_ENV_VARS)


@dataclass(frozen=True)
class ClientConfig:
    api_key: str | None = field(repr=False)  # None when `auth` authenticates instead
    base_url: str
    api_version: str
    api_revision: str
    timeout: Timeout
    max_retries: int
    default_headers: dict[str, str] = field(default_factory=dict, repr=False)
    auth: Authorizer | None = field(default=None, repr=False)
    max_event_size: int = DEFAULT_MAX_EVENT_SIZE
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    strict: bool = False  # a server payload of a known type that fails validation raises (else: lenient form)
    # What base_url carried besides the URL (see _redaction.split_base_url): sent, never shown.
    base_query: dict[str, str] = field(default_factory=dict, repr=False)
    base_headers: dict[str, str] = field(default_factory=dict, repr=False)

    @classmethod
    def resolve(
        cls,
        *,
        api_key: str | None,
        base_url: str | None,
        api_version: str | None,
        api_revision: str | None,
        timeout: float | Timeout | None,
        max_retries: int | None,
        default_headers: dict[str, str] | None = None,
        credentials: AsyncCredentialsLike | None = None,
        max_event_size: int | None = None,
        max_connections: int | None = None,
        strict: bool = False,
    ) -> ClientConfig:
        if credentials is not None and api_key:
            raise TypeError("Pass api_key or credentials, not both.")
        # With credentials no key is read from the environment: none is sent.
        auth = Authorizer(credentials) if credentials is not None else None
        base = split_base_url(base_url or _from_environment(BASE_URL_ENV_VARS) or DEFAULT_BASE_URL)
        api_key = api_key or base.api_key
        key = None if auth is not None else api_key or _api_key_from_environment()
        if auth is None and not key:
            raise MissingAPIKeyError(
                "No API key: pass api_key=... or set the GEMINI_API_KEY environment variable "
                "(GOOGLE_API_KEY is read too)."
            )
        revision = api_revision or API_REVISION
        if revision != API_REVISION and revision not in _warned_revisions:
            _warned_revisions.add(revision)
            logger.warning(
                "Sending Api-Revision %s, but this SDK was generated for %s: types may not match the answers.",
                revision,
                API_REVISION,
            )
        if max_retries is not None and (type(max_retries) is not int or max_retries < 0):
            problem = f"max_retries must be an integer >= 0, not {max_retries!r}"
            raise InvalidArgumentError(problem, argument="max_retries", problems=[problem])
        if max_event_size is not None and max_event_size <= 0:
            raise ValueError("max_event_size must be > 0 (bytes)")
        if max_connections is not None and max_connections <= 0:
            raise ValueError("max_connections must be > 0")
        return cls(
            api_key=key,
            base_url=base.url,
            api_version=api_version or DEFAULT_API_VERSION,
            api_revision=revision,
            timeout=DEFAULT_TIMEOUT if timeout is None else Timeout.of(timeout),
            max_retries=DEFAULT_MAX_RETRIES if max_retries is None else max_retries,
            default_headers=dict(default_headers or {}),
            auth=auth,
            max_event_size=DEFAULT_MAX_EVENT_SIZE if max_event_size is None else max_event_size,
            max_connections=DEFAULT_MAX_CONNECTIONS if max_connections is None else max_connections,
            strict=strict,
            base_query=base.query,
            base_headers=base.headers,
        )

    def url(self, path: str, *, prefix: str = "") -> str:
        """`{base_url}{prefix}/{api_version}{path}`; a path prefix in base_url (a proxy, a test server) is kept.

        A query in base_url is not part of it: it goes with every request's parameters (`base_query`)."""
        return f"{self.base_url}{prefix}/{self.api_version}{path}"

    def headers(self) -> dict[str, str]:
        """The headers of every request; credentials add theirs when it is sent (`_credentials.authorized`)."""
        key = {"x-goog-api-key": self.api_key} if self.api_key is not None else {}
        return {
            **key,
            "Api-Revision": self.api_revision,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            **self.base_headers,
            **self.default_headers,
        }
