# Copied from codegen/runtime/_upload.py by `nox -s generate` - edit it there, not here.
"""Google's resumable upload protocol as a sans-IO flow, and the sources it reads: shared by both clients.

`upload_flow` yields the requests it wants made and receives their answers (each flavour's driver does
the I/O): `StartUpload` (the start request, answered with its headers, which carry `X-Goog-Upload-URL`),
then `SendChunk`s at increasing `X-Goog-Upload-Offset`s, the last one finalizing. The start is not
idempotent, so it is sent once and never replayed; a chunk that fails (a connection error, a 5xx) is
not replayed blindly either: the flow asks the server what it has (`QueryUpload`, answered with
`X-Goog-Upload-Size-Received`) and continues from that offset."""

from __future__ import annotations

import io
import mimetypes
import os
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, Union
from urllib.parse import urlsplit

from ._config import ClientConfig
from ._exceptions import APIConnectionError, APIStatusError, GeminiInteractionsError, InvalidArgumentError
from ._request import PreparedRequest

__all__ = [
    "DEFAULT_CHUNK_SIZE",
    "Progress",
    "QueryUpload",
    "SendChunk",
    "StartUpload",
    "UploadAnswer",
    "UploadError",
    "UploadSource",
    "upload_flow",
    "upload_request",
]

DEFAULT_CHUNK_SIZE = 8 * 1024 * 1024
# How many times in a row an upload is resumed without the server's offset moving before it gives up.
MAX_RESUMES_WITHOUT_PROGRESS = 3
# Headers that carry the caller's credentials: sent to the API's own origin only.
CREDENTIAL_HEADERS = frozenset({"x-goog-api-key", "authorization"})

# What `upload` takes: the bytes themselves, a binary file object (read from where it stands) or a path.
FileSource = Union[bytes, bytearray, memoryview, IO[bytes], str, "os.PathLike[str]"]
# Told the bytes the server has confirmed so far and the total (`lambda sent, total: bar.update(sent - bar.n)`).
Progress = Callable[[int, int], object]


class UploadError(GeminiInteractionsError):
    """The upload protocol went wrong in a way no retry fixes (the start gave no upload URL)."""


@dataclass(frozen=True)
class StartUpload:
    size: int
    mime_type: str


@dataclass(frozen=True)
class SendChunk:
    url: str
    offset: int
    data: bytes
    finalize: bool

    @property
    def command(self) -> str:
        return "upload, finalize" if self.finalize else "upload"


@dataclass(frozen=True)
class QueryUpload:
    url: str


UploadStep = StartUpload | SendChunk | QueryUpload


@dataclass(frozen=True)
class UploadAnswer:
    """An answer of the upload URL: its headers and body."""

    headers: Mapping[str, str]
    body: bytes

    def header(self, name: str) -> str | None:
        lowered = name.lower()
        return next((v for k, v in self.headers.items() if k.lower() == lowered), None)


class UploadSource:
    """Reads a source in chunks at any offset, so a 1 GiB file never needs 1 GiB of memory and a resumed
    upload can go back to the server's offset. A file object is read from its current position."""

    def __init__(self, source: FileSource) -> None:
        self.name: str | None = None
        self._data: memoryview | None = None
        self._file: IO[bytes] | None = None
        self._owned = False
        self._start = 0
        if isinstance(source, (bytes, bytearray, memoryview)):
            self._data = memoryview(source).cast("B")
            self.size = len(self._data)
        elif isinstance(source, (str, os.PathLike)):
            path = Path(source)
            if not path.is_file():
                raise _bad("file", f"{str(path)!r} is not a file")
            self.name = path.name
            self.size = path.stat().st_size
            self._path: Path | None = path
        elif hasattr(source, "read") and hasattr(source, "seek"):
            if isinstance(source, io.TextIOBase):
                raise _bad("file", "the file object must be opened in binary mode ('rb')")
            if not source.seekable():
                raise _bad("file", "the file object must be seekable (its size is sent first)")
            self._file = source
            self._start = source.tell()
            self.size = source.seek(0, os.SEEK_END) - self._start
            source.seek(self._start)
            name = getattr(source, "name", None)
            self.name = Path(name).name if isinstance(name, str) else None
        else:
            raise _bad("file", f"file must be bytes, a binary file object or a path, not {type(source).__name__}")

    def read_at(self, offset: int, size: int) -> bytes:
        if self._data is not None:
            return bytes(self._data[offset : offset + size])
        if self._file is None:
            self._file = open(self._path or "", "rb")  # noqa: SIM115 - closed by close()
            self._owned = True
        self._file.seek(self._start + offset)
        return self._file.read(size)

    def close(self) -> None:
        if self._owned and self._file is not None:
            self._file.close()
            self._file = None


def _bad(argument: str, message: str) -> InvalidArgumentError:
    return InvalidArgumentError(f"upload: {message}", argument=argument, problems=[message])


def guess_mime_type(*names: str | None) -> str:
    """The MIME type of the first name that has a known one; `application/octet-stream` otherwise."""
    for name in names:
        if name:
            guessed, _ = mimetypes.guess_type(name, strict=False)
            if guessed:
                return guessed
    return "application/octet-stream"


def _resumable(error: Exception) -> bool:
    """Whether the server may still have the upload: a lost connection or a server-side failure."""
    if isinstance(error, APIStatusError):
        return error.status_code >= 500 or error.status_code in (408, 429)
    return isinstance(error, APIConnectionError)


def upload_flow(
    source: UploadSource,
    mime_type: str,
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: Progress | None = None,
) -> Generator[UploadStep, Any, bytes]:
    """The whole upload; returns the finalizing answer's body (the uploaded file's metadata)."""
    if chunk_size <= 0:
        raise _bad("chunk_size", "chunk_size must be positive")
    total = source.size
    started: Mapping[str, str] = yield StartUpload(total, mime_type)
    start = UploadAnswer(started, b"")
    url = start.header("X-Goog-Upload-URL")
    if not url:
        raise UploadError("the upload's start answer has no X-Goog-Upload-URL header")
    granularity = int(start.header("X-Goog-Upload-Chunk-Granularity") or 0)
    if granularity > 0:  # every chunk but the last must be a multiple of it
        chunk_size = max(granularity, chunk_size - chunk_size % granularity)
    offset = 0
    stalled = 0
    while True:
        data = source.read_at(offset, chunk_size)
        final = offset + len(data) >= total
        try:
            answer: UploadAnswer = yield SendChunk(url, offset, data, final)
        except Exception as error:
            if not _resumable(error):
                raise
            # What reached the server is the server's to say: ask, and go on from there.
            while True:
                try:
                    status: UploadAnswer = yield QueryUpload(url)
                    break
                except Exception as query_error:
                    stalled += 1
                    if not _resumable(query_error) or stalled > MAX_RESUMES_WITHOUT_PROGRESS:
                        raise error from query_error
            if (status.header("X-Goog-Upload-Status") or "").lower() == "final":
                _report(progress, total, total)
                return status.body
            received = int(status.header("X-Goog-Upload-Size-Received") or 0)
            stalled = stalled + 1 if received <= offset else 0
            if stalled > MAX_RESUMES_WITHOUT_PROGRESS:
                raise error
            if not 0 <= received <= total:
                raise UploadError(f"the server reports {received} bytes received of {total}") from error
            offset = received
            _report(progress, offset, total)
            continue
        offset += len(data)
        stalled = 0
        _report(progress, offset, total)
        if final:
            return answer.body


def _report(progress: Progress | None, sent: int, total: int) -> None:
    if progress is not None:
        progress(sent, total)


def upload_request(config: ClientConfig, step: SendChunk | QueryUpload) -> PreparedRequest:
    """The request of a chunk (sent once: the flow decides what comes next) or of a query.

    The caller's key goes along only when the upload URL is on the API's own origin."""
    same_origin = urlsplit(step.url)[:2] == urlsplit(config.url(""))[:2]
    headers = {k: v for k, v in config.headers().items() if same_origin or k.lower() not in CREDENTIAL_HEADERS}
    if isinstance(step, SendChunk):
        headers["X-Goog-Upload-Command"] = step.command
        headers["X-Goog-Upload-Offset"] = str(step.offset)
        headers["Content-Type"] = "application/octet-stream"
        content, idempotent, retries = step.data, False, 0
    else:
        headers["X-Goog-Upload-Command"] = "query"
        content, idempotent, retries = b"", True, config.max_retries
    return PreparedRequest(
        method="POST",
        url=step.url,
        headers=headers,
        params=dict(config.base_query) if same_origin else {},  # a base_url's own query goes where its key goes
        content=content,
        timeout=config.timeout,
        max_retries=retries,
        idempotent=idempotent,
    )
