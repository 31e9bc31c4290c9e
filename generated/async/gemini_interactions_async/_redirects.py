# Copied from codegen/runtime/_redirects.py by `nox -s generate` - edit it there, not here.
"""Which redirects a request follows: same-origin ones only, so credentials never reach another host.

Both transports send with their library's redirect following off and let `_retry.Attempts` follow
what `follow` allows; an answer redirecting elsewhere becomes a `CrossOriginRedirectError`
(`status_error` in _request.py), as does an https-to-http redirect on the same host."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

from ._redaction import origin

if TYPE_CHECKING:
    from ._request import PreparedRequest

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
MAX_REDIRECTS = 5


def location(request: PreparedRequest, status: int, headers: Mapping[str, str]) -> str | None:
    """The absolute URL a redirect answer points at; None for any other answer."""
    if status not in REDIRECT_STATUSES:
        return None
    target = next((value for name, value in headers.items() if name.lower() == "location"), None)
    if not target:
        return None
    sent = f"{request.url}?{urlencode(request.params)}" if request.params else request.url
    return urljoin(sent, target)


def is_cross_origin(request: PreparedRequest, target: str) -> bool:
    return origin(target) != origin(request.url)


def follow(request: PreparedRequest, status: int, target: str) -> PreparedRequest:
    """The request to send to a same-origin `target`: 307/308 repeat it, 301/302/303 turn it into a GET.

    The target's query becomes the parameters and userinfo in it is dropped, so `url` stays clean."""
    parts = urlsplit(target)
    url = urlunsplit((parts.scheme, parts.netloc.rpartition("@")[2], parts.path, "", ""))
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if status in (307, 308) or request.method in ("GET", "HEAD"):
        return dataclasses.replace(request, url=url, params=params)
    headers = {name: value for name, value in request.headers.items() if name.lower() != "content-type"}
    return dataclasses.replace(
        request, method="GET", url=url, params=params, headers=headers, content=None, idempotent=True
    )
