"""The streaming guide's own Python examples, run unchanged but for the client construction.

Each example runs against a local server that replays the wire transcript the guide shows for
it, in both flavours; the events the client yields must be exactly the transcript's, typed."""

from __future__ import annotations

import asyncio
import contextlib
import io
import json
from typing import Any

import gemini_interactions
import gemini_interactions_async
import pytest
from gemini_interactions._stream_state import DONE_DATA
from gemini_interactions.testing import InteractionsTestServer

from tests import guide

from .conftest import API_KEY

FLAVOURS = ["sync", "async"]

if not guide.guide_path().exists():
    pytest.skip(
        f"the streaming guide is not at {guide.guide_path()} (set GEMINI_SHARED_DIR to the folder holding seeds/)",
        allow_module_level=True,
    )

SECTIONS = guide.sections()
WITH_TRANSCRIPT = [s for s in SECTIONS if s.transcript is not None]
WITHOUT_TRANSCRIPT = [s for s in SECTIONS if s.transcript is None]


def _run(code: str) -> str:
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<guide snippet>", "exec"), {"__name__": "__guide__"})
    return out.getvalue()


def _stream_events(flavour: str, base_url: str) -> list[Any]:
    if flavour == "sync":
        client = gemini_interactions.Client(api_key=API_KEY, base_url=base_url)
        with client, client.interactions.create(model="m", input="x", stream=True) as stream:
            return list(stream)

    async def collect() -> list[Any]:
        async with gemini_interactions_async.AsyncClient(api_key=API_KEY, base_url=base_url) as client:
            stream = await client.interactions.create(model="m", input="x", stream=True)
            async with stream:
                return [event async for event in stream]

    return asyncio.run(collect())


def test_guide_has_examples_and_transcripts() -> None:
    assert len(SECTIONS) >= 6 and len(WITH_TRANSCRIPT) >= 5


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("section", WITH_TRANSCRIPT, ids=lambda s: s.snippet.split("input=")[1][:30])
def test_client_yields_exactly_the_transcript(flavour: str, section: guide.Section) -> None:
    assert section.transcript is not None
    with guide.ReplayServer(section.transcript) as server:
        events = _stream_events(flavour, server.base_url)
    expected = section.transcript.payloads()
    assert [e.to_dict() for e in events] == expected
    for event, payload in zip(events, expected, strict=True):
        assert not type(event).__name__.startswith("Unknown"), payload
        assert event.event_type == payload["event_type"]
        for part in ("step", "delta"):
            if part in payload:
                assert not type(getattr(event, part)).__name__.startswith("Unknown"), payload


@pytest.mark.parametrize("flavour", FLAVOURS)
@pytest.mark.parametrize("section", WITH_TRANSCRIPT, ids=lambda s: s.snippet.split("input=")[1][:30])
def test_guide_example_runs_unchanged(flavour: str, section: guide.Section) -> None:
    assert section.transcript is not None
    with guide.ReplayServer(section.transcript) as server:
        output = _run(guide.with_client(section.snippet, flavour, server.base_url, API_KEY))
    (request,) = server.requests
    assert request["path"] == "/proxy/v1beta/interactions"
    assert request["headers"]["x-goog-api-key"] == API_KEY
    assert request["headers"]["api-revision"] == gemini_interactions.API_REVISION
    assert isinstance(request["body"], dict) and request["body"]["stream"] is True
    # Every text delta the example prints appears, in order.
    texts = [p["delta"]["text"] for p in section.transcript.payloads() if p.get("delta", {}).get("type") == "text"]
    position = 0
    for text in texts:
        position = output.index(text, position) + len(text)


@pytest.mark.parametrize("flavour", FLAVOURS)
def test_function_calling_example_runs_both_turns(flavour: str) -> None:
    (section,) = [s for s in WITHOUT_TRANSCRIPT if "function_result" in s.snippet]
    with InteractionsTestServer(api_key=API_KEY) as server:
        output = _run(guide.with_client(section.snippet, flavour, server.base_url, API_KEY))
        first, second = server.requests
    assert first.body is not None and second.body is not None
    assert first.body["tools"][0]["name"] == "get_weather"
    first_id = first.interaction_id
    assert second.body["previous_interaction_id"] == first_id
    (result,) = second.body["input"]
    assert result["type"] == "function_result" and result["name"] == "get_weather" and result["call_id"]
    assert "22" in output  # the second turn's answer streamed to stdout


def test_transcripts_are_json() -> None:
    for section in WITH_TRANSCRIPT:
        assert section.transcript is not None
        for _, data in section.transcript.events:
            assert data == DONE_DATA or isinstance(json.loads(data), dict)
