# Copied from codegen/runtime/testing/_files.py by `nox -s generate` - edit it there, not here.
"""Environment files: Google's resumable upload protocol, and downloads (`?alt=media`), in memory.

The start (`PUT /upload/{v}/environments/{env}/files/{path}` with `X-Goog-Upload-Command: start`) opens
an upload session and answers its URL in `X-Goog-Upload-URL`; that URL takes `upload` chunks at the
`X-Goog-Upload-Offset` the session has reached, the last with `upload, finalize`, and answers `query`
with `X-Goog-Upload-Size-Received`. A finalized file joins the environment's listing (`_platform`).

Test knobs on `FileStore` (`server.state(FileStore)`): `max_size` (a larger upload is
refused at the start with 413) and `interrupt_at` (the next chunk crossing that offset is kept only up
to it and answered 503, as a dropped upload would be; a client should then ask with `query`)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from ._exchange import Exchange
from ._interactions import now
from ._platform import COLLECTIONS, PlatformStore
from ._routing import ApiError, Router
from ._state import ResourceState

__all__ = ["FileStore", "Upload", "download", "router"]

DEFAULT_MAX_SIZE = 64 * 1024 * 1024


@dataclass
class Upload:
    environment: str
    path: str
    size: int
    mime_type: str
    options: dict[str, str]  # `overwrite`, `extract` as the start request passed them
    received: bytearray = field(default_factory=bytearray)
    answer: dict[str, Any] | None = None  # set once finalized

    def status_headers(self) -> list[tuple[str, str]]:
        return [
            ("X-Goog-Upload-Status", "final" if self.answer is not None else "active"),
            ("X-Goog-Upload-Size-Received", str(len(self.received))),
        ]


class FileStore(ResourceState):
    """Upload sessions by id and file contents by (environment, path)."""

    def __init__(self) -> None:
        super().__init__()
        self.reset()

    def reset(self) -> None:
        with self.lock:
            self.uploads: dict[str, Upload] = {}
            self.contents: dict[tuple[str, str], bytes] = {}
            self.max_size = DEFAULT_MAX_SIZE
            self.interrupt_at: int | None = None
            self._ids = itertools.count(1)

    def new_upload(self, upload: Upload) -> str:
        with self.lock:
            upload_id = f"upl_{next(self._ids):04d}"
            self.uploads[upload_id] = upload
            return upload_id


def _file_path(exchange: Exchange) -> str:
    path = "/".join(unquote(part) for part in exchange.params["path"].split("/")).strip("/")
    if not path or any(part in ("", ".", "..") for part in path.split("/")):
        raise ApiError(400, "invalid_argument", "the file path must be relative, with no empty, . or .. segment")
    return path


router = Router()


@router.route("PUT", "/upload/{api_version}/environments/{environment}/files/{path=**}")
def start(exchange: Exchange) -> None:
    # Faults by the kind "create": the start creates an upload session.
    if exchange.answered_by_fault(exchange.faults("platform", "create")):
        return
    headers = exchange.headers
    if headers.get("x-goog-upload-protocol") != "resumable" or headers.get("x-goog-upload-command") != "start":
        raise ApiError(400, "invalid_argument", "expected X-Goog-Upload-Protocol: resumable and Command: start")
    try:
        size = int(headers.get("x-goog-upload-header-content-length", ""))
    except ValueError:
        raise ApiError(400, "invalid_argument", "X-Goog-Upload-Header-Content-Length must be a byte count") from None
    environment = unquote(exchange.params["environment"])
    path = _file_path(exchange)
    exchange.server.state(PlatformStore).get(COLLECTIONS["environments"], environment)
    store = exchange.server.state(FileStore)
    if size < 0 or size > store.max_size:
        raise ApiError(413, "invalid_argument", f"a file may hold at most {store.max_size} bytes, not {size}")
    if (environment, path) in store.contents and not exchange.flag("overwrite"):
        raise ApiError(409, "already_exists", f"{path} exists; pass overwrite=true to replace it")
    upload = Upload(
        environment,
        path,
        size,
        headers.get("x-goog-upload-header-content-type") or "application/octet-stream",
        {k: exchange.query[k] for k in ("overwrite", "extract") if k in exchange.query},
    )
    upload_id = store.new_upload(upload)
    url = f"{exchange.server.base_url}/upload/{exchange.params['api_version']}/uploads/{upload_id}"
    exchange.send_json({}, headers=[("X-Goog-Upload-URL", url), ("X-Goog-Upload-Status", "active")])


# The upload URL is the session's capability (as Google's are): it needs no API key.
@router.route("POST", "/upload/{api_version}/uploads/{upload_id}", auth=False)
@router.route("PUT", "/upload/{api_version}/uploads/{upload_id}", auth=False)
def upload_chunk(exchange: Exchange) -> None:
    store = exchange.server.state(FileStore)
    command = {part.strip() for part in exchange.headers.get("x-goog-upload-command", "").split(",")}
    with store.lock:
        upload = store.uploads.get(exchange.params["upload_id"])
        if upload is None:
            raise ApiError(404, "not_found", "no such upload session")
        if command == {"query"}:
            exchange.send_json(upload.answer or {}, headers=upload.status_headers())
            return
        if "upload" not in command or not command <= {"upload", "finalize"}:
            raise ApiError(400, "invalid_argument", "X-Goog-Upload-Command must be query, upload or upload, finalize")
        if upload.answer is not None:
            raise ApiError(400, "failed_precondition", "the upload is already finalized")
        offset = exchange.headers.get("x-goog-upload-offset", "")
        if offset != str(len(upload.received)):
            raise ApiError(
                400,
                "invalid_argument",
                f"X-Goog-Upload-Offset {offset!r}: the session has {len(upload.received)} bytes",
            )
        data = exchange.raw_body
        if len(upload.received) + len(data) > upload.size:
            raise ApiError(400, "invalid_argument", f"more bytes than the {upload.size} announced")
        cut = store.interrupt_at
        if cut is not None and len(upload.received) < cut < len(upload.received) + len(data):
            store.interrupt_at = None
            upload.received += data[: cut - len(upload.received)]
            raise ApiError(503, "unavailable", "the upload was interrupted; ask for its offset with query")
        upload.received += data
        if "finalize" not in command:
            exchange.send_json({}, headers=upload.status_headers())
            return
        if len(upload.received) != upload.size:
            raise ApiError(400, "invalid_argument", f"finalized at {len(upload.received)} of {upload.size} bytes")
        upload.answer = {"files": [_finish(exchange, store, upload)]}
        exchange.send_json(upload.answer, headers=upload.status_headers())


def _finish(exchange: Exchange, store: FileStore, upload: Upload) -> dict[str, Any]:
    """Store a finalized upload's bytes and list it in its environment."""
    store.contents[(upload.environment, upload.path)] = bytes(upload.received)
    meta = {
        "path": upload.path,
        "name": upload.path.rsplit("/", 1)[-1],
        "type": "file",
        "size_bytes": str(upload.size),
        "mime_type": upload.mime_type,
        "created": now(),
        "modified": now(),
    }
    platform = exchange.server.state(PlatformStore)
    with platform.lock:
        platform.files.setdefault(upload.environment, {})[upload.path] = meta
    return dict(meta)


def download(exchange: Exchange) -> None:
    """`GET …/files/{path}?alt=media` (routed here by the file listing's route): the file's bytes."""
    environment = unquote(exchange.params["environment"])
    path = _file_path(exchange)
    store = exchange.server.state(FileStore)
    with store.lock:
        content = store.contents.get((environment, path))
        platform = exchange.server.state(PlatformStore)
        meta = platform.files.get(environment, {}).get(path, {})
    if content is None:
        raise ApiError(404, "not_found", f"no file {path} in {environment}")
    faults = exchange.faults("platform", "download")
    if exchange.answered_by_fault(faults):
        return
    exchange.send_bytes(content, str(meta.get("mime_type") or "application/octet-stream"), faults)
