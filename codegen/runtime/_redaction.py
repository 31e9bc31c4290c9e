"""What in a request is a secret, and how it is kept out of logs, messages and other origins.

A credential header is one of CREDENTIAL_HEADERS or any header named like a secret (so headers
the auth layer adds, such as `Authorization: Bearer …`, are covered without a list): log lines
show them redacted, and a request carrying them is never sent to another origin (_redirects.py).
URLs carry no secret past `split_base_url`: userinfo becomes an `Authorization: Basic` header and
a `key=` query the API key, which travels in `x-goog-api-key`; so the URL in messages, `exc.url`
and log lines is safe to show as it is."""

from __future__ import annotations

import base64
from collections.abc import Mapping
from typing import NamedTuple
from urllib.parse import parse_qsl, unquote, urlsplit, urlunsplit

REDACTED = "<redacted>"
# Header names (lower case) whose values are secrets, plus fragments that mark a custom one as secret.
CREDENTIAL_HEADERS = frozenset({"x-goog-api-key", "authorization", "proxy-authorization", "cookie", "set-cookie"})
CREDENTIAL_FRAGMENTS = ("key", "token", "secret", "auth", "password", "signature")
API_KEY_QUERY = "key"  # the API's query-parameter spelling of x-goog-api-key


def is_credential(name: str) -> bool:
    """Whether a header (or query parameter) of this name holds a secret."""
    lowered = name.lower()
    return lowered in CREDENTIAL_HEADERS or any(fragment in lowered for fragment in CREDENTIAL_FRAGMENTS)


def redacted_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The headers for a log line: credential values replaced by <redacted>."""
    return {name: REDACTED if is_credential(name) else value for name, value in headers.items()}


def origin(url: str) -> tuple[str, str, int]:
    """(scheme, host, port) with the scheme's default port filled in: what "same origin" compares."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    return scheme, (parts.hostname or "").lower(), parts.port or (443 if scheme == "https" else 80)


def origin_text(url: str) -> str:
    scheme, host, port = origin(url)
    return f"{scheme}://{host}:{port}"


class BaseURL(NamedTuple):
    """A base_url taken apart: the URL requests are built on, and the secrets it carried."""

    url: str  # scheme://host[:port][/prefix], no userinfo, query or fragment
    query: dict[str, str]  # the other query parameters, sent with every request
    headers: dict[str, str]  # Authorization: Basic from a user:password@ userinfo
    api_key: str | None  # from a key= query parameter


def split_base_url(base_url: str) -> BaseURL:
    parts = urlsplit(base_url)
    query = dict(parse_qsl(parts.query, keep_blank_values=True))
    api_key = query.pop(API_KEY_QUERY, None) or None
    headers: dict[str, str] = {}
    if parts.username is not None or parts.password is not None:
        userinfo = f"{unquote(parts.username or '')}:{unquote(parts.password or '')}"
        headers["Authorization"] = "Basic " + base64.b64encode(userinfo.encode()).decode("ascii")
    netloc = parts.netloc.rpartition("@")[2]
    url = urlunsplit((parts.scheme, netloc, parts.path, "", "")).rstrip("/")
    return BaseURL(url=url, query=query, headers=headers, api_key=api_key)
