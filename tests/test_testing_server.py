"""Tests for the embedded fake Interactions API server (`<pkg>.testing`), as the sync package ships it."""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gemini_interactions.testing as testing
import pytest
import requests
from gemini_interactions import API_REVISION
from gemini_interactions.testing import Faults, InteractionsTestServer, Scenario, assemble, parse_sse

from .conftest import API_KEY, MODEL, SCENARIO_REQUESTS, WEATHER_TOOL

# The `gemini_interactions_server` fixture comes from the package's pytest plugin (opted into in conftest.py).
PACKAGE_TESTING_DIR = Path(testing.__file__).resolve().parent

HEADERS = {"x-goog-api-key": API_KEY, "Api-Revision": API_REVISION}

VOLATILE = ("id", "created", "updated")


def stream_events(response: requests.Response) -> list[dict[str, Any]]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/event-stream")
    text = response.content.decode()
    assert text.endswith("event: done\ndata: [DONE]\n\n")
    return parse_sse(text)


def strip(obj: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in obj.items() if k not in VOLATILE}


def create(
    server: InteractionsTestServer,
    body: dict[str, Any],
    headers: dict[str, str] | None = None,
    **kwargs: Any,
) -> requests.Response:
    return requests.post(
        server.url(),
        json=body,
        headers={**HEADERS, **(headers or {})},
        timeout=10,
        **kwargs,
    )


def text_of(interaction: dict[str, Any]) -> str:
    return "".join(
        c.get("text", "")
        for s in interaction["steps"]
        if s["type"] == "model_output"
        for c in s.get("content", [])
        if c["type"] == "text"
    )


class Raw:
    """A raw HTTP/1.1 (or `version`) exchange over a socket, to observe framing and faults."""

    def __init__(
        self,
        server: InteractionsTestServer,
        method: str,
        path: str,
        body: Any = None,
        headers: dict[str, str] | None = None,
        version: str = "HTTP/1.1",
    ) -> None:
        data = b"" if body is None else json.dumps(body).encode()
        lines = [
            f"{method} {path} {version}",
            f"Host: 127.0.0.1:{server.port}",
            "Content-Type: application/json",
            f"Content-Length: {len(data)}",
            "Connection: close",
        ]
        lines += [f"{k}: {v}" for k, v in {**HEADERS, **(headers or {})}.items()]
        self.sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + data)

    def read_all(self) -> bytes:
        parts = []
        while True:
            try:
                chunk = self.sock.recv(65536)
            except ConnectionResetError:
                break
            if not chunk:
                break
            parts.append(chunk)
        self.sock.close()
        return b"".join(parts)


def split_response(raw: bytes) -> tuple[int, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    status = int(lines[0].split()[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def dechunk(body: bytes) -> tuple[list[bytes], bool]:
    """Decode a chunked body; returns (chunks, saw terminating 0-chunk)."""
    chunks: list[bytes] = []
    pos = 0
    while pos < len(body):
        end = body.find(b"\r\n", pos)
        if end < 0:
            return chunks, False
        size = int(body[pos:end], 16)
        if size == 0:
            return chunks, True
        chunk = body[end + 2 : end + 2 + size]
        chunks.append(chunk)
        if len(chunk) < size:
            return chunks, False
        pos = end + 2 + size + 2
    return chunks, False


def raw_stream(
    server: InteractionsTestServer, fault: str | None = None, scenario: str = "text"
) -> tuple[int, dict[str, str], bytes]:
    headers = {"x-test-scenario": scenario}
    if fault:
        headers["x-test-fault"] = fault
    raw = Raw(
        server,
        "POST",
        "/v1beta/interactions",
        {"model": MODEL, "input": "hi", "stream": True},
        headers,
    )
    return split_response(raw.read_all())


# --------------------------------------------------------------------------- scenarios


@pytest.mark.parametrize("name", sorted(SCENARIO_REQUESTS))
def test_scenario_streamed_and_not_streamed(server: InteractionsTestServer, name: str) -> None:
    body = SCENARIO_REQUESTS[name]
    events = stream_events(create(server, {**body, "stream": True}))
    assert server.last_request.scenario == name  # selected by model/agent/input/tools
    assert [e["event_id"] for e in events] == [f"evt_{i:06d}" for i in range(1, len(events) + 1)]
    assert events[0]["event_type"] == "interaction.created"
    assert events[0]["interaction"]["status"] == "in_progress"
    assert events[1]["event_type"] == "interaction.status_update"
    assert events[-1]["event_type"] == "interaction.completed"
    stream_id = events[0]["interaction"]["id"]
    assert stream_id.startswith("v1_") and events[-1]["interaction"]["id"] == stream_id
    owner = "agent" if "agent" in body else "model"
    assert events[0]["interaction"][owner] == body[owner]
    for e in events:
        if e["event_type"] == "step.start":
            assert set(e) >= {"index", "step"}
    final = events[-1]["interaction"]
    assert set(final) >= {
        "id",
        "status",
        "usage",
        "created",
        "updated",
        "object",
        owner,
    }

    response = create(server, body)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/json")
    interaction = response.json()
    if name == "deep_research_agent":  # background: poll until done
        assert interaction["status"] == "in_progress"
        for _ in range(5):
            got = requests.get(server.url(f"/{interaction['id']}"), headers=HEADERS, timeout=10)
            interaction = got.json()
            if interaction["status"] != "in_progress":
                break
    assert strip(interaction) == strip(assemble(events))
    assert interaction["steps"], "non-streamed answer must list steps"


def test_text_content(server: InteractionsTestServer) -> None:
    events = stream_events(create(server, {**SCENARIO_REQUESTS["text"], "stream": True}))
    deltas = [e for e in events if e["event_type"] == "step.delta" and e["delta"]["type"] == "text"]
    assert len(deltas) >= 4
    expected = ", ".join(str(i) for i in range(1, 26)) + "."
    assert "".join(d["delta"]["text"] for d in deltas) == expected
    assert text_of(assemble(events)) == expected


def test_thinking_scenario_shape(server: InteractionsTestServer) -> None:
    interaction = create(server, SCENARIO_REQUESTS["thinking"]).json()
    thought, _output = interaction["steps"]
    assert thought["type"] == "thought" and thought["signature"]
    assert thought["summary"][0]["type"] == "text" and "Euclidean" in thought["summary"][0]["text"]
    assert "21" in text_of(interaction)


def test_function_call_two_turns(server: InteractionsTestServer) -> None:
    events = stream_events(create(server, {**SCENARIO_REQUESTS["function_call"], "stream": True}))
    start = next(e for e in events if e["event_type"] == "step.start" and e["step"]["type"] == "function_call")
    assert start["step"]["name"] == "get_weather" and start["step"]["arguments"] == {}
    args = "".join(
        e["delta"]["arguments"]
        for e in events
        if e["event_type"] == "step.delta" and e["delta"]["type"] == "arguments_delta"
    )
    assert json.loads(args) == {"location": "Paris, France"}
    assert events[-1]["interaction"]["status"] == "requires_action"
    first_id = events[0]["interaction"]["id"]
    call = next(s for s in assemble(events)["steps"] if s["type"] == "function_call")
    assert call["arguments"] == {"location": "Paris, France"}

    turn2 = {
        "model": MODEL,
        "previous_interaction_id": first_id,
        "input": [
            {
                "type": "function_result",
                "name": "get_weather",
                "call_id": start["step"]["id"],
                "result": {"content": [{"type": "text", "text": '{"weather": "Sunny and 22°C"}'}]},
            }
        ],
    }
    events2 = stream_events(create(server, {**turn2, "stream": True}))
    assert server.last_request.scenario == "function_call_result"
    answer = text_of(assemble(events2))
    assert "sunny" in answer.lower() and "22°C" in answer
    assert events2[-1]["interaction"]["status"] == "completed"
    plain = create(server, turn2).json()
    assert plain["previous_interaction_id"] == first_id and text_of(plain) == answer


def test_search_and_function_steps(server: InteractionsTestServer) -> None:
    interaction = create(server, SCENARIO_REQUESTS["search_and_function"]).json()
    types = [s["type"] for s in interaction["steps"]]
    assert types == [
        "google_search_call",
        "google_search_result",
        "thought",
        "function_call",
    ]
    call, result = interaction["steps"][0], interaction["steps"][1]
    assert call["arguments"] == {"queries": ["highest mountain in the Alps"]} and call["signature"]
    assert result["call_id"] == call["id"] and result["is_error"] is False
    assert interaction["status"] == "requires_action"


def test_interleaved_image_is_valid_png(server: InteractionsTestServer) -> None:
    interaction = create(server, SCENARIO_REQUESTS["interleaved_image"]).json()
    items = [c for s in interaction["steps"] if s["type"] == "model_output" for c in s["content"]]
    kinds = [c["type"] for c in items]
    assert kinds.count("image") == 2 and kinds[0] == "text" and kinds[-1] == "text"
    for image in (c for c in items if c["type"] == "image"):
        assert image["mime_type"] == "image/png"
        assert base64.b64decode(image["data"]).startswith(b"\x89PNG\r\n\x1a\n")


def test_deep_research_polling_and_resume(server: InteractionsTestServer) -> None:
    created = create(server, SCENARIO_REQUESTS["deep_research_agent"]).json()
    assert created["status"] == "in_progress" and created["agent"].startswith("deep-research")
    url = server.url(f"/{created['id']}")
    statuses = [requests.get(url, headers=HEADERS, timeout=10).json()["status"] for _ in range(3)]
    assert statuses == ["in_progress", "in_progress", "completed"]
    full = stream_events(requests.get(url, params={"stream": "true"}, headers=HEADERS, timeout=10))
    thoughts = [e for e in full if e["event_type"] == "step.start" and e["step"]["type"] == "thought"]
    assert len(thoughts) >= 3
    rest = stream_events(
        requests.get(
            url,
            params={"stream": "true", "last_event_id": full[4]["event_id"]},
            headers=HEADERS,
            timeout=10,
        )
    )
    assert rest == full[5:]
    report = text_of(assemble(full))
    assert len(report) > 500 and report.startswith("# ")


# --------------------------------------------------------------------------- get / cancel / delete


def test_get_cancel_delete(server: InteractionsTestServer) -> None:
    body = SCENARIO_REQUESTS["text"]
    created = create(server, body).json()
    url = server.url(f"/{created['id']}")
    got = requests.get(url, headers=HEADERS, timeout=10).json()
    assert got == {**created, "updated": got["updated"]}
    with_input = requests.get(url, params={"include_input": "true"}, headers=HEADERS, timeout=10).json()
    assert with_input["input"] == body["input"]
    cancelled = requests.post(url + "/cancel", headers=HEADERS, timeout=10)
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert requests.get(url, headers=HEADERS, timeout=10).json()["status"] == "cancelled"
    deleted = requests.delete(url, headers=HEADERS, timeout=10)
    assert deleted.status_code == 200 and deleted.json() == {}
    missing = requests.get(url, headers=HEADERS, timeout=10)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    assert requests.delete(url, headers=HEADERS, timeout=10).status_code == 404
    assert [r.method for r in server.requests][-3:] == ["DELETE", "GET", "DELETE"]


def test_path_parameters_are_percent_decoded(server: InteractionsTestServer) -> None:
    # RFC 3986 section 6.2.2.2: a percent-encoded unreserved character is the character itself, so
    # a client that encodes more of an id than it must still names the same interaction. (Over a
    # raw socket: requests would decode them before sending.)
    created = create(server, SCENARIO_REQUESTS["text"]).json()
    encoded = "".join(f"%{ord(c):02X}" if c in "_-" or i % 3 == 0 else c for i, c in enumerate(created["id"]))

    def answer(method: str, path: str) -> tuple[int, Any]:
        status, _headers, data = split_response(Raw(server, method, f"/v1beta/interactions/{path}").read_all())
        return status, json.loads(data)

    assert answer("GET", encoded) == (200, {**created, "updated": answer("GET", encoded)[1]["updated"]})
    status, cancelled = answer("POST", f"{encoded}/cancel")
    assert status == 200 and cancelled["id"] == created["id"] and cancelled["status"] == "cancelled"
    # An encoded slash stays inside its segment: an id, not two path segments.
    status, missing = answer("GET", f"{created['id']}%2Fcancel")
    assert status == 404 and missing["error"]["code"] == "not_found"


def test_cancel_running_background_interaction(server: InteractionsTestServer) -> None:
    created = create(server, SCENARIO_REQUESTS["deep_research_agent"]).json()
    url = server.url(f"/{created['id']}")
    assert requests.post(url + "/cancel", headers=HEADERS, timeout=10).json()["status"] == "cancelled"
    events = stream_events(requests.get(url, params={"stream": "true"}, headers=HEADERS, timeout=10))
    assert events[-1]["event_type"] == "interaction.completed"
    assert events[-1]["interaction"]["status"] == "cancelled"


def test_get_stream_replays_finished_interaction(
    server: InteractionsTestServer,
) -> None:
    events = stream_events(create(server, {**SCENARIO_REQUESTS["thinking"], "stream": True}))
    url = server.url(f"/{events[0]['interaction']['id']}")
    assert stream_events(requests.get(url, params={"stream": "true"}, headers=HEADERS, timeout=10)) == events
    bad = requests.get(
        url,
        params={"stream": "true", "last_event_id": "evt_999999"},
        headers=HEADERS,
        timeout=10,
    )
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_argument"


def test_resume_after_drop_replays_exact_remainder(
    server: InteractionsTestServer,
) -> None:
    full = server.expected_events("text")
    status, _headers, body = raw_stream(server, "drop_after=5")
    chunks, complete = dechunk(body)
    assert status == 200 and not complete
    seen = parse_sse(b"".join(chunks).decode())
    assert len(seen) == 5
    interaction_id = seen[0]["interaction"]["id"]
    rest = stream_events(
        requests.get(
            server.url(f"/{interaction_id}"),
            params={"stream": "true", "last_event_id": seen[-1]["event_id"]},
            headers=HEADERS,
            timeout=10,
        )
    )
    assert [e["event_id"] for e in rest] == [e["event_id"] for e in full[5:]]
    assert [e["event_type"] for e in seen + rest] == [e["event_type"] for e in full]
    assert assemble(seen + rest)["steps"] == assemble(full)["steps"]


def test_prefixed_base_path_and_unknown_route(server: InteractionsTestServer) -> None:
    url = f"{server.base_url}/proxy/v1beta/interactions"
    response = requests.post(url, json=SCENARIO_REQUESTS["text"], headers=HEADERS, timeout=10)
    assert response.status_code == 200
    got = requests.get(f"{url}/{response.json()['id']}", headers=HEADERS, timeout=10)
    assert got.status_code == 200
    assert requests.get(f"{server.base_url}/nope", headers=HEADERS, timeout=10).status_code == 404


# --------------------------------------------------------------------------- faults


def test_fault_drop_after(server: InteractionsTestServer) -> None:
    _status, headers, body = raw_stream(server, "drop_after=3")
    assert headers["transfer-encoding"] == "chunked"
    chunks, complete = dechunk(body)
    assert not complete and b"[DONE]" not in body
    assert len(parse_sse(b"".join(chunks).decode())) == 3
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        _ = create(
            server,
            {"model": MODEL, "input": "hi", "stream": True},
            {"x-test-fault": "drop_after=3"},
        ).content


def test_fault_truncate_mid_event(server: InteractionsTestServer) -> None:
    _status, _headers, body = raw_stream(server, "truncate_after=2")
    chunks, complete = dechunk(body)
    assert not complete
    text = b"".join(chunks).decode()
    assert text.count("\n\n") == 2  # two whole events, then a partial one
    partial = text.split("\n\n")[2]
    assert partial.startswith(("event: step.start", "event:"))
    assert len(parse_sse(text)) == 2


def test_fault_malformed_json(server: InteractionsTestServer) -> None:
    _status, _headers, body = raw_stream(server, "malformed_at=3")
    chunks, complete = dechunk(body)
    assert complete
    blocks = [b for b in b"".join(chunks).decode().split("\n\n") if b]
    data = [b.split("data: ", 1)[1] for b in blocks]
    with pytest.raises(ValueError):
        json.loads(data[3])
    for i, item in enumerate(data[:-1]):
        if i != 3:
            json.loads(item)
    assert data[-1] == "[DONE]"


def test_fault_error_event(server: InteractionsTestServer) -> None:
    response = create(
        server,
        {"model": MODEL, "input": "hi", "stream": True},
        {"x-test-fault": "error_after=4"},
    )
    text = response.content.decode()  # stream ends cleanly
    events = parse_sse(text)
    assert len(events) == 5 and "[DONE]" not in text
    assert events[-1] == {
        "error": {
            "message": "Deadline expired before operation could complete.",
            "code": "gateway_timeout",
        },
        "event_type": "error",
    }
    assert assemble(events)["status"] == "failed"


@pytest.mark.parametrize(
    ("status", "code"),
    [(429, "resource_exhausted"), (500, "internal"), (503, "unavailable")],
)
def test_fault_http_status_first_n_attempts(server: InteractionsTestServer, status: int, code: str) -> None:
    fault = {"x-test-fault": f"status={status}; times=2; retry_after=1"}
    results = [create(server, SCENARIO_REQUESTS["text"], fault) for _ in range(3)]
    assert [r.status_code for r in results] == [status, status, 200]
    assert results[0].json() == {"error": {"message": f"Injected fault: HTTP {status}.", "code": code}}
    assert results[0].headers["Retry-After"] == "1"
    assert server.attempts["text"] == 3
    assert len(server.interactions) == 1  # failed attempts create nothing


def test_scenario_and_server_level_faults() -> None:
    flaky = {
        "name": "flaky",
        "match": {"input_contains": "flaky"},
        "faults": {"http_status": 503, "fail_times": 1},
        "steps": [
            {
                "step": {"type": "model_output"},
                "deltas": [{"type": "text", "text": "ok"}],
            }
        ],
    }
    with InteractionsTestServer([flaky], faults="status=429;times=1;retry_after=0.5") as srv:
        first = create(srv, {"model": MODEL, "input": "flaky please"})
        assert first.status_code == 503  # scenario fault overrides the server-wide status
        second = create(srv, {"model": MODEL, "input": "flaky please"})
        assert second.status_code == 200 and text_of(second.json()) == "ok"
        other = create(srv, SCENARIO_REQUESTS["text"])
        assert other.status_code == 429 and other.headers["Retry-After"] == "0.5"
        assert create(srv, SCENARIO_REQUESTS["text"]).status_code == 200


def test_fault_only_on_get(server: InteractionsTestServer) -> None:
    fault = {"x-test-fault": "status=500;on=get"}
    created = create(server, SCENARIO_REQUESTS["text"], fault)
    assert created.status_code == 200
    got = requests.get(server.url(f"/{created.json()['id']}"), headers={**HEADERS, **fault}, timeout=10)
    assert got.status_code == 500


def test_fault_slow_first_byte_and_event_pause(server: InteractionsTestServer) -> None:
    start = time.monotonic()
    response = create(server, SCENARIO_REQUESTS["text"], {"x-test-fault": "first_byte_delay=0.3"})
    assert response.status_code == 200 and time.monotonic() - start >= 0.3
    start = time.monotonic()
    events = stream_events(
        create(
            server,
            {**SCENARIO_REQUESTS["text"], "stream": True},
            {"x-test-fault": "event_delay=0.025"},
        )
    )
    assert time.monotonic() - start >= 0.025 * (len(events) - 1)


def test_bad_fault_header(server: InteractionsTestServer) -> None:
    response = create(server, SCENARIO_REQUESTS["text"], {"x-test-fault": "explode=1"})
    assert response.status_code == 400 and "explode" in response.json()["error"]["message"]


def test_faults_parse_and_merge() -> None:
    faults = Faults.parse("status=429, times=2, retry_after=1.5; delay=0.01")
    assert faults == Faults(http_status=429, fail_times=2, retry_after=1.5, event_delay=0.01)
    assert Faults.parse("503").http_status == 503
    merged = Faults(drop_after=3).merged(Faults(framing="close"))
    assert merged == Faults(drop_after=3, framing="close")
    assert Faults.parse(merged.spec()) == merged
    with pytest.raises(ValueError):
        Faults(framing="bogus")  # type: ignore[arg-type]


# --------------------------------------------------------------------------- framing


def test_framing_chunked_one_chunk_per_event(server: InteractionsTestServer) -> None:
    _status, headers, body = raw_stream(server)
    assert headers["transfer-encoding"] == "chunked" and "content-length" not in headers
    chunks, complete = dechunk(body)
    assert complete
    events = parse_sse(b"".join(chunks).decode())
    assert len(chunks) == len(events) + 1  # + [DONE]
    assert all(c.endswith(b"\n\n") for c in chunks)


def test_framing_chunk_size_not_aligned(server: InteractionsTestServer) -> None:
    _status, _headers, body = raw_stream(server, "chunk_size=7")
    chunks, complete = dechunk(body)
    assert complete
    assert all(len(c) == 7 for c in chunks[:-1]) and 0 < len(chunks[-1]) <= 7
    assert b"".join(chunks).endswith(b"data: [DONE]\n\n")


def test_framing_content_length(server: InteractionsTestServer) -> None:
    _status, headers, body = raw_stream(server, "framing=content-length")
    assert "transfer-encoding" not in headers
    assert int(headers["content-length"]) == len(body)
    assert body.endswith(b"data: [DONE]\n\n")
    _status, headers, body = raw_stream(server, "framing=content-length;drop_after=2")
    assert int(headers["content-length"]) > len(body)  # announced more than was sent


def test_framing_read_until_close(server: InteractionsTestServer) -> None:
    _status, headers, body = raw_stream(server, "framing=close; chunk_size=100")
    assert "transfer-encoding" not in headers and "content-length" not in headers
    assert headers["connection"] == "close"
    assert body.endswith(b"data: [DONE]\n\n") and len(parse_sse(body.decode())) > 5
    # requests copes with all three framings
    for spec in ("framing=close", "framing=content-length", "chunk_size=3"):
        events = stream_events(
            create(
                server,
                {**SCENARIO_REQUESTS["text"], "stream": True},
                {"x-test-fault": spec},
            )
        )
        assert events[-1]["event_type"] == "interaction.completed"


def test_http_1_0_request_gets_no_transfer_coding(server: InteractionsTestServer) -> None:
    # RFC 9112 section 6.1: no Transfer-Encoding in an answer to an HTTP/1.0 request. The stream
    # then runs to the connection's close, and an unstreamed answer keeps its Content-Length.
    body = {"model": MODEL, "input": "hi", "stream": True}
    raw = Raw(server, "POST", "/v1beta/interactions", body, {"x-test-scenario": "text"}, version="HTTP/1.0")
    status, headers, data = split_response(raw.read_all())
    assert status == 200 and "transfer-encoding" not in headers and "content-length" not in headers
    assert headers["connection"] == "close"
    assert data.endswith(b"data: [DONE]\n\n") and parse_sse(data.decode())[-1]["event_type"] == "interaction.completed"
    raw = Raw(server, "POST", "/v1beta/interactions", {**body, "stream": False}, version="HTTP/1.0")
    status, headers, data = split_response(raw.read_all())
    assert status == 200 and "transfer-encoding" not in headers
    assert int(headers["content-length"]) == len(data) and json.loads(data)["status"] == "completed"


def test_non_stream_faults(server: InteractionsTestServer) -> None:
    raw = Raw(
        server,
        "POST",
        "/v1beta/interactions",
        SCENARIO_REQUESTS["text"],
        {"x-test-fault": "truncate_after=0"},
    )
    _status, headers, body = split_response(raw.read_all())
    assert int(headers["content-length"]) > len(body)
    malformed = create(server, SCENARIO_REQUESTS["text"], {"x-test-fault": "malformed_at=0"})
    assert malformed.status_code == 200
    with pytest.raises(ValueError):
        json.loads(malformed.content)
    with pytest.raises(requests.exceptions.ConnectionError):
        create(server, SCENARIO_REQUESTS["text"], {"x-test-fault": "drop_after=0"})


# --------------------------------------------------------------------------- auth / validation / recording


def test_auth_errors(server: InteractionsTestServer) -> None:
    missing = requests.post(server.url(), json=SCENARIO_REQUESTS["text"], timeout=10)
    assert missing.status_code == 401
    assert missing.json()["error"]["code"] == "unauthenticated"
    wrong = requests.post(
        server.url(),
        json=SCENARIO_REQUESTS["text"],
        headers={"x-goog-api-key": "nope"},
        timeout=10,
    )
    assert wrong.status_code == 403 and set(wrong.json()["error"]) == {
        "code",
        "message",
    }
    with InteractionsTestServer(api_key=None) as open_server:
        assert requests.post(open_server.url(), json=SCENARIO_REQUESTS["text"], timeout=10).status_code == 200


def test_revision_mismatch_is_recorded_not_rejected(
    server: InteractionsTestServer,
) -> None:
    ok = create(server, SCENARIO_REQUESTS["text"], {"Api-Revision": "2025-01-01"})
    assert ok.status_code == 200
    record = server.last_request
    assert record.api_revision == "2025-01-01" and record.revision_mismatch
    assert server.revision_mismatches == [record]
    create(server, SCENARIO_REQUESTS["text"])
    assert not server.last_request.revision_mismatch


@pytest.mark.parametrize(
    "body",
    [
        {"input": "no model"},
        {"model": MODEL, "agent": "deep-research-preview-04-2026", "input": "both"},
        {"model": MODEL},
        {"model": MODEL, "input": "x", "stream": "yes"},
        ["not", "an", "object"],
    ],
)
def test_bad_body_gives_400(server: InteractionsTestServer, body: Any) -> None:
    response = create(server, body)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_argument"
    assert len(server.interactions) == 0


def test_invalid_json_and_custom_validator() -> None:
    def no_temperature(body: dict[str, Any]) -> str | None:
        return "temperature not allowed" if "temperature" in body.get("generation_config", {}) else None

    with InteractionsTestServer(validate_request=no_temperature) as srv:
        bad = requests.post(
            srv.url(),
            data=b"{not json",
            headers={**HEADERS, "Content-Type": "application/json"},
            timeout=10,
        )
        assert bad.status_code == 400 and bad.json()["error"]["code"] == "invalid_argument"
        rejected = create(srv, {"model": MODEL, "input": "x", "generation_config": {"temperature": 1}})
        assert rejected.json() == {"error": {"message": "temperature not allowed", "code": "invalid_argument"}}
        assert create(srv, {"input": "x"}).status_code == 200  # custom validator replaces the default


def test_requests_are_recorded(server: InteractionsTestServer) -> None:
    create(server, SCENARIO_REQUESTS["text"], {"x-extra": "1"})
    record = server.last_request
    assert record.method == "POST" and record.path == "/v1beta/interactions"
    assert record.body == SCENARIO_REQUESTS["text"] and record.header("X-Extra") == "1"
    assert record.header("x-goog-api-key") == API_KEY and record.status == 200
    assert record.interaction_id in server.interactions
    requests.get(
        server.url(f"/{record.interaction_id}"),
        params={"include_input": "true"},
        headers=HEADERS,
        timeout=10,
    )
    assert server.last_request.query == {"include_input": "true"}
    server.reset()
    assert server.requests == [] and server.interactions == {}


# --------------------------------------------------------------------------- scenario data


def test_explicit_and_default_scenario(server: InteractionsTestServer) -> None:
    response = create(server, SCENARIO_REQUESTS["text"], {"x-test-scenario": "thinking"})
    assert response.json()["steps"][0]["summary"]
    unknown = create(server, SCENARIO_REQUESTS["text"], {"x-test-scenario": "nope"})
    assert unknown.status_code == 400
    with InteractionsTestServer(default_scenario="interleaved_image") as srv:
        assert srv.scenarios["interleaved_image"].description
        interaction = create(srv, SCENARIO_REQUESTS["text"]).json()
        assert interaction["model"] == MODEL  # owner echoes the request
        assert any(c["type"] == "image" for s in interaction["steps"] for c in s.get("content", []))


def test_user_scenarios_from_dict_sse_and_directory(tmp_path: Path) -> None:
    transcript = (
        ': scenario {"match": {"model": "my-model-*"}}\n\n'
        'event: interaction.created\ndata: {"interaction":{"id":"v1_x","status":"in_progress"},"event_type":"interaction.created"}\n\n'  # noqa: E501
        'event: step.start\ndata: {"index":0,"step":{"type":"model_output"},"event_type":"step.start"}\n\n'
        'event: step.delta\ndata: {"index":0,"delta":{"type":"text","text":"recorded"},"event_type":"step.delta"}\n\n'
        'event: step.stop\ndata: {"index":0,"event_type":"step.stop"}\n\n'
        'event: interaction.completed\ndata: {"interaction":{"id":"v1_x","status":"completed"},"event_type":"interaction.completed"}\n\n'  # noqa: E501
        "event: done\ndata: [DONE]\n\n"
    )
    (tmp_path / "recorded.sse").write_text(transcript)
    (tmp_path / "override.json").write_text(
        json.dumps(
            {
                "match": {"input_contains": "override me"},
                "priority": 5,
                "steps": [
                    {
                        "step": {"type": "model_output"},
                        "deltas": [
                            {"type": "text", "text": "over"},
                            {"type": "text", "text": "ridden"},
                        ],
                    },
                    {"status_update": "in_progress"},
                    {
                        "step": {"type": "custom_tool_call", "id": "c1"},
                        "deltas": [
                            {"type": "custom_tool_call", "extra": [1]},
                            {"type": "custom_tool_call", "extra": [2]},
                        ],
                    },
                ],
                "status": "incomplete",
            }
        )
    )
    with InteractionsTestServer(tmp_path) as srv:
        recorded = create(srv, {"model": "my-model-1", "input": "hello"}).json()
        assert srv.last_request.scenario == "recorded"
        assert text_of(recorded) == "recorded" and recorded["model"] == "my-model-1"
        over = create(
            srv,
            {"model": MODEL, "input": "please override me", "tools": [WEATHER_TOOL]},
        ).json()
        assert srv.last_request.scenario == "override"
        assert text_of(over) == "overridden" and over["status"] == "incomplete"
        assert over["steps"][1] == {
            "type": "custom_tool_call",
            "id": "c1",
            "extra": [1, 2],
        }
        srv.add_scenario(Scenario.from_dict({"name": "tiny", "steps": []}))
        tiny = create(srv, {"model": MODEL, "input": "x"}, {"x-test-scenario": "tiny"}).json()
        assert tiny["steps"] == [] and tiny["status"] == "completed"


def test_builtin_scenario_files_are_package_data() -> None:
    names = {s.name for s in testing.builtin_scenarios()}
    assert names >= set(SCENARIO_REQUESTS)
    shipped = {p.stem for p in (PACKAGE_TESTING_DIR / "scenarios").iterdir()}
    assert shipped == names


def test_assemble_unknown_types_and_partial_arguments() -> None:
    events: list[dict[str, Any]] = [
        {
            "event_type": "interaction.created",
            "interaction": {"id": "v1_a", "status": "in_progress"},
        },
        {"event_type": "step.start", "index": 0, "step": {"type": "mystery", "x": 1}},
        {
            "event_type": "step.delta",
            "index": 0,
            "delta": {"type": "mystery_delta", "y": 2},
        },
        {"event_type": "step.stop", "index": 0},
        {
            "event_type": "step.start",
            "index": 1,
            "step": {"type": "function_call", "id": "f", "name": "n", "arguments": {}},
        },
        {
            "event_type": "step.delta",
            "index": 1,
            "delta": {"type": "arguments_delta", "arguments": '{"a": '},
        },
        {"event_type": "some.future_event", "foo": 1},
        {
            "event_type": "interaction.status_update",
            "interaction_id": "v1_a",
            "status": "requires_action",
        },
    ]
    result = assemble(events)
    assert result["status"] == "requires_action"
    assert result["steps"][0] == {"type": "mystery", "x": 1, "y": 2}
    assert result["steps"][1]["arguments"] == '{"a": '  # unparsable fragments are kept as text


# --------------------------------------------------------------------------- disconnects / async / plugin / CLI


def test_disconnect_detection(server: InteractionsTestServer) -> None:
    raw = Raw(
        server,
        "POST",
        "/v1beta/interactions",
        {"model": MODEL, "input": "hi", "stream": True},
        {"x-test-scenario": "text", "x-test-fault": "event_delay=0.05"},
    )
    received = b""
    while received.count(b"\n\n") < 2:
        received += raw.sock.recv(4096)
    raw.sock.close()
    disconnects = server.wait_for_disconnects(1, timeout=5)
    assert len(disconnects) == 1
    assert disconnects[0].interaction_id is not None
    assert 2 <= disconnects[0].events_sent < len(server.expected_events("text"))
    # requests closing the response early is detected too
    response = create(
        server,
        {"model": MODEL, "input": "hi", "stream": True},
        {"x-test-fault": "event_delay=0.05"},
        stream=True,
    )
    next(response.iter_lines())
    response.close()
    assert len(server.wait_for_disconnects(2, timeout=5)) == 2


def test_aiohttp_stream(server: InteractionsTestServer) -> None:
    aiohttp = pytest.importorskip("aiohttp")

    async def run() -> list[dict[str, Any]]:
        async with aiohttp.ClientSession() as session:
            body = {**SCENARIO_REQUESTS["thinking"], "stream": True}
            async with session.post(server.url(), json=body, headers=HEADERS) as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith("text/event-stream")
                text = ""
                async for chunk in response.content.iter_any():
                    text += chunk.decode()
            return parse_sse(text)

    events = asyncio.run(run())
    assert events[-1]["event_type"] == "interaction.completed"
    assert any(e.get("delta", {}).get("type") == "thought_summary" for e in events)


def test_pytest_fixture(gemini_interactions_server: InteractionsTestServer) -> None:
    assert gemini_interactions_server.base_url.startswith("http://127.0.0.1:")
    assert create(gemini_interactions_server, SCENARIO_REQUESTS["text"]).status_code == 200


def test_cli_serves(tmp_path: Path) -> None:
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gemini_interactions.testing",
            "--port",
            "0",
            "--scenario",
            "thinking",
            "--api-key",
            "k2",
        ],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert proc.stdout is not None
        base_url = proc.stdout.readline().strip()
        assert base_url.startswith("http://127.0.0.1:")
        response = requests.post(
            f"{base_url}/v1beta/interactions",
            json=SCENARIO_REQUESTS["text"],
            headers={"x-goog-api-key": "k2", "Api-Revision": API_REVISION},
            timeout=10,
        )
        assert response.status_code == 200 and response.json()["steps"][0]["summary"]
    finally:
        proc.terminate()
        proc.communicate(timeout=10)  # waits, and closes the pipes
    assert proc.returncode == 0


@pytest.mark.gemini_interactions_server(default_scenario="thinking", api_key="other")
def test_pytest_fixture_marker(gemini_interactions_server: InteractionsTestServer) -> None:
    response = create(gemini_interactions_server, SCENARIO_REQUESTS["text"], {"x-goog-api-key": "other"})
    assert response.status_code == 200 and response.json()["steps"][0]["summary"]
