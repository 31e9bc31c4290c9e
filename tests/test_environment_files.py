"""Environment files over real sockets, both flavours: the resumable upload (start once, chunks, resume by
query after an interruption), sources read in chunks, MIME guessing, progress, streamed download, listing."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import pytest
from gemini_interactions._upload import QueryUpload, SendChunk, StartUpload, UploadAnswer, UploadSource, upload_flow
from gemini_interactions.testing import FileStore, InteractionsTestServer

from .conftest import Flavour

CHUNK = 64 * 1024
# Larger than the upload chunk and than the transports' 64 KiB read size; not a multiple of either.
PAYLOAD = bytes(range(256)) * 1100 + b"tail"


async def new_environment(flavour: Flavour, client: Any) -> str:
    env = await flavour.aw(client.environments.create(sources=[]))
    return str(env.id)


def upload_requests(server: InteractionsTestServer) -> list[tuple[str, str | None, str | None]]:
    """(method path, X-Goog-Upload-Command, X-Goog-Upload-Offset) of every upload request."""
    return [
        (f"{r.method} {r.path}", r.headers.get("x-goog-upload-command"), r.headers.get("x-goog-upload-offset"))
        for r in server.requests
        if r.path.startswith("/upload/")
    ]


async def test_upload_in_chunks_then_download_streamed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, tmp_path: Path
) -> None:
    env = await new_environment(flavour, client)
    seen: list[tuple[int, int]] = []
    answer = await flavour.aw(
        client.environments.files.upload(
            env, "src/data.bin", PAYLOAD, chunk_size=CHUNK, progress=lambda sent, total: seen.append((sent, total))
        )
    )
    assert [f.path for f in answer.files] == ["src/data.bin"]
    assert answer.files[0].size_bytes == str(len(PAYLOAD))
    start, *chunks = upload_requests(server)
    assert start == (f"PUT /upload/v1beta/environments/{env}/files/src/data.bin", "start", None)
    started = next(r for r in server.requests if r.path.startswith("/upload/"))
    assert started.headers["x-goog-upload-protocol"] == "resumable"
    assert started.headers["x-goog-upload-header-content-length"] == str(len(PAYLOAD))
    offsets = list(range(0, len(PAYLOAD), CHUNK))
    assert [(c[1], c[2]) for c in chunks] == [
        ("upload, finalize" if o == offsets[-1] else "upload", str(o)) for o in offsets
    ]
    assert seen == [(min(o + CHUNK, len(PAYLOAD)), len(PAYLOAD)) for o in offsets]

    assert await flavour.aw(client.environments.files.download(env, "src/data.bin")) == PAYLOAD
    assert server.last_request.query == {"alt": "media"}
    target = tmp_path / "copy.bin"
    assert await flavour.aw(client.environments.files.download(env, "src/data.bin", to=target)) == target
    assert target.read_bytes() == PAYLOAD

    listed = await flavour.aw(client.environments.files.list(env, "src"))
    assert [f.path for f in listed.items] == ["src/data.bin"]


async def test_a_path_and_a_file_object_are_read_in_chunks_with_the_mime_type_guessed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, tmp_path: Path
) -> None:
    env = await new_environment(flavour, client)
    local = tmp_path / "notes.json"
    local.write_bytes(b'{"a": 1}' * 20000)
    await flavour.aw(client.environments.files.upload(env, "notes", local, chunk_size=CHUNK))
    assert server.requests[1].headers["x-goog-upload-header-content-type"] == "application/json"
    # Every chunk's body is at most one chunk: the file is never read whole.
    assert max(len(r.raw_body) for r in server.requests if r.path.startswith("/upload/v1beta/uploads/")) == CHUNK

    handle = io.BytesIO(b"skip me|" + b"x" * 70000)
    handle.seek(8)  # read from where it stands
    await flavour.aw(
        client.environments.files.upload(env, "page.html", handle, chunk_size=CHUNK, overwrite=True, extract=False)
    )
    start = [r for r in server.requests if r.headers.get("x-goog-upload-command") == "start"][-1]
    assert start.headers["x-goog-upload-header-content-type"] == "text/html"
    assert start.query == {"overwrite": "true", "extract": "false"}
    assert await flavour.aw(client.environments.files.download(env, "page.html")) == b"x" * 70000


async def test_an_interrupted_upload_resumes_from_the_servers_offset(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    env = await new_environment(flavour, client)
    server.state(FileStore).interrupt_at = CHUNK + 1000  # the second chunk is cut after 1000 bytes
    await flavour.aw(client.environments.files.upload(env, "big.bin", PAYLOAD, chunk_size=CHUNK))
    commands = [(c[1], c[2]) for c in upload_requests(server)]
    assert commands[:4] == [("start", None), ("upload", "0"), ("upload", str(CHUNK)), ("query", None)]
    assert commands[4] == ("upload", str(CHUNK + 1000)), "goes on from the offset the server reported"
    assert [c for c, _ in commands].count("start") == 1, "the start is never replayed"
    assert await flavour.aw(client.environments.files.download(env, "big.bin")) == PAYLOAD


async def test_a_start_that_fails_is_not_replayed(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    env = await new_environment(flavour, client)
    server.set_faults("status=503,on=create")  # retryable for an idempotent request; the start is not one
    with pytest.raises(flavour.pkg.InternalServerError):
        await flavour.aw(client.environments.files.upload(env, "a.txt", b"hello"))
    assert [c for _, c, _ in upload_requests(server)] == ["start"]


async def test_the_size_limit_and_bad_sources(flavour: Flavour, server: InteractionsTestServer, client: Any) -> None:
    env = await new_environment(flavour, client)
    server.state(FileStore).max_size = 1000
    with pytest.raises(flavour.pkg.APIStatusError) as caught:
        await flavour.aw(client.environments.files.upload(env, "too-big.bin", b"x" * 1001))
    assert caught.value.status_code == 413
    assert [c for _, c, _ in upload_requests(server)] == ["start"], "refused at the start, nothing else sent"
    with pytest.raises(flavour.pkg.InvalidArgumentError):
        await flavour.aw(client.environments.files.upload(env, "a.txt", io.StringIO("text mode")))
    with pytest.raises(flavour.pkg.InvalidArgumentError):
        await flavour.aw(client.environments.files.upload(env, "a.txt", "/no/such/file"))
    with pytest.raises(flavour.pkg.NotFoundError):
        await flavour.aw(client.environments.files.download(env, "missing.txt"))


def test_the_flow_gives_up_when_the_server_never_moves() -> None:
    """Stepped by hand: each resume that finds the offset unchanged counts; the original error comes out."""
    from gemini_interactions import APIConnectionError

    flow = upload_flow(UploadSource(b"abcdef"), "text/plain", chunk_size=4)
    assert next(flow) == StartUpload(6, "text/plain")
    step = flow.send({"x-goog-upload-url": "http://127.0.0.1:9/u"})
    assert step == SendChunk("http://127.0.0.1:9/u", 0, b"abcd", False)
    lost = APIConnectionError("connection reset", method="POST", url="http://127.0.0.1:9/u")
    for _ in range(3):
        assert flow.throw(lost) == QueryUpload("http://127.0.0.1:9/u")
        step = flow.send(UploadAnswer({"X-Goog-Upload-Size-Received": "0"}, b""))
        assert step == SendChunk("http://127.0.0.1:9/u", 0, b"abcd", False)
    assert flow.throw(lost) == QueryUpload("http://127.0.0.1:9/u")
    with pytest.raises(APIConnectionError):
        flow.send(UploadAnswer({"X-Goog-Upload-Size-Received": "0"}, b""))


def test_a_query_finding_the_upload_final_ends_it() -> None:
    from gemini_interactions import InternalServerError

    flow = upload_flow(UploadSource(b"abc"), "text/plain", chunk_size=4)
    next(flow)
    assert flow.send({"X-Goog-Upload-URL": "http://h/u"}) == SendChunk("http://h/u", 0, b"abc", True)
    error = InternalServerError("boom", status_code=500, body=None, headers={}, method="POST", url="http://h/u")
    assert flow.throw(error) == QueryUpload("http://h/u")
    with pytest.raises(StopIteration) as done:
        flow.send(UploadAnswer({"x-goog-upload-status": "final"}, b'{"files": []}'))
    assert done.value.value == b'{"files": []}'


def test_the_key_goes_to_the_upload_url_only_on_the_api_origin() -> None:
    from gemini_interactions._config import ClientConfig, Timeout
    from gemini_interactions._upload import upload_request

    config = ClientConfig(
        api_key="k-secret", base_url="http://127.0.0.1:8000", api_version="v1beta", api_revision="r",
        timeout=Timeout.of(5), max_retries=2,
    )  # fmt: skip
    same = upload_request(config, SendChunk("http://127.0.0.1:8000/upload/v1beta/uploads/1", 5, b"xy", True))
    assert same.headers["x-goog-api-key"] == "k-secret"
    assert same.headers["X-Goog-Upload-Command"] == "upload, finalize" and same.headers["X-Goog-Upload-Offset"] == "5"
    assert same.content == b"xy" and not same.idempotent and same.max_retries == 0, "a chunk is sent once"
    other = upload_request(config, QueryUpload("https://uploads.example.com/u/1"))
    assert "x-goog-api-key" not in {k.lower() for k in other.headers}
    assert other.headers["X-Goog-Upload-Command"] == "query" and other.idempotent
