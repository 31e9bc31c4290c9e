# Copied from codegen/runtime/_transfer_codings.py by `nox -s generate` - edit it there, not here.
"""Transfer codings other than chunked (RFC 9112 section 7): gzip and deflate undone as the body arrives.

Servers seldom send them (content codings are the usual way to compress), and neither http.client nor
aiohttp undoes them: the HTTP library removes the chunked framing, this undoes the rest."""

from __future__ import annotations

import zlib
from collections.abc import Iterator

from ._exceptions import APIResponseValidationError
from ._request import PreparedRequest

# zlib's window bits per coding: gzip's header and trailer, or zlib's (RFC 9112 section 7.2's "deflate").
_WBITS = {"gzip": 16 + zlib.MAX_WBITS, "x-gzip": 16 + zlib.MAX_WBITS, "deflate": zlib.MAX_WBITS}
# The most bytes a piece of a read inflates to at once: highly compressed data (a read of zeros
# inflates a thousandfold) reaches the event size bound in steps, never whole in memory.
_MOST = 1 << 20


def transfer_codings(transfer_encoding: str) -> list[str]:
    """The codings a Transfer-Encoding value lists (its header lines joined by commas), in the order
    the server applied them: lower case, parameters dropped."""
    codings = (part.split(";", 1)[0].strip().lower() for part in transfer_encoding.split(","))
    return [coding for coding in codings if coding]


def ends_chunked(codings: list[str]) -> bool:
    """The body is framed by the chunked coding (which must be the last one applied)."""
    return bool(codings) and codings[-1] == "chunked"


class _Inflater:
    """One coding undone: gzip members one after another (RFC 1952 allows several), or deflate's
    zlib stream, also taken raw (without zlib's header), as some servers send it."""

    def __init__(self, coding: str) -> None:
        self._wbits = _WBITS[coding]
        self._raw_allowed = coding == "deflate"
        self._started = False
        self._zlib = zlib.decompressobj(self._wbits)

    def pieces(self, data: bytes) -> Iterator[bytes]:
        """What `data` inflates to, at most _MOST bytes at a time."""
        full = False
        while data or full:
            try:
                out = self._zlib.decompress(data, _MOST)
            except zlib.error:
                if self._started or not self._raw_allowed:
                    raise
                self._raw_allowed = False
                self._zlib = zlib.decompressobj(-zlib.MAX_WBITS)
                continue
            self._started = True
            full = len(out) == _MOST  # zlib may hold more output for the same input
            if out:
                yield out
            if self._zlib.eof:
                data, full = self._zlib.unused_data, False
                if data:
                    self._zlib = zlib.decompressobj(self._wbits)  # the next gzip member
            else:
                data = self._zlib.unconsumed_tail

    def end(self) -> bytes:
        """What is left at the end of the body; zlib.error if the data was cut short."""
        if self._started and not self._zlib.eof:
            raise zlib.error("the compressed data ended early")
        return self._zlib.flush()


class TransferDecoding:
    """Undoes a body's transfer codings but a final chunked one (the HTTP library's), piece by piece.

    Each read's output comes in pieces of at most _MOST bytes, however well it was compressed. A
    coding's data that is corrupt, or cut short at the end of the body, raises zlib.error."""

    def __init__(self, codings: list[str]) -> None:
        # Undone in the reverse of the order they were applied.
        self._stages = [_Inflater(coding) for coding in reversed(codings)]

    def decode(self, data: bytes) -> Iterator[bytes]:
        return self._through(0, data)

    def whole(self, body: bytes) -> bytes:
        """A whole body undone at once (a unary answer's)."""
        return b"".join([*self.decode(body), *self.flush()])

    def flush(self) -> Iterator[bytes]:
        """What is left at the end of the body."""
        for n, stage in enumerate(self._stages):
            rest = stage.end()
            if rest:
                yield from self._through(n + 1, rest)

    def _through(self, n: int, data: bytes) -> Iterator[bytes]:
        """`data` through the stages from the n-th on."""
        if n == len(self._stages):
            yield data
            return
        for piece in self._stages[n].pieces(data):
            yield from self._through(n + 1, piece)


def transfer_decoding(
    request: PreparedRequest, transfer_encoding: str, content_encoding: str
) -> TransferDecoding | None:
    """The decoding a response's Transfer-Encoding needs beyond the HTTP library's chunked framing,
    None for none; APIResponseValidationError for a coding this client cannot undo (or one combined
    with a Content-Encoding, which the HTTP libraries would undo out of order)."""
    listed = transfer_codings(transfer_encoding)
    codings = [coding for coding in (listed[:-1] if ends_chunked(listed) else listed) if coding != "identity"]
    if not codings:
        return None
    content_coding = content_encoding.strip() or "identity"
    unknown = [coding for coding in codings if coding not in _WBITS]
    if unknown or content_coding.lower() not in ("", "identity"):
        reason = (
            f"names the transfer coding {unknown[0]!r}, which this client cannot undo "
            "(it undoes chunked, gzip and deflate)"
            if unknown
            else f"comes with Content-Encoding {content_coding!r} too, which this client does not undo after it"
        )
        raise APIResponseValidationError(
            f"{request.describe()}: the answer's Transfer-Encoding {', '.join(listed)!r} {reason}",
            payload=None,
            method=request.method,
            url=request.url,
        )
    return TransferDecoding(codings)
