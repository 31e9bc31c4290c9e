"""Every output kind on `Interaction`: `output_audio`, `output_videos`, and `output_text` as the last turn's text.

Over the wire in both flavours (unary and streamed answers of the embedded server), plus the turn rule on
plain models. Expected values come from the scenario below, decoded here independently of the SDK."""

from __future__ import annotations

import base64
from typing import Any

import gemini_interactions
import pytest
from gemini_interactions.testing import InteractionsTestServer

from tests.conftest import Flavour

WAV = b"RIFF\x00\x00\x00\x00WAVEfmt "
MP4 = b"\x00\x00\x00\x18ftypmp42"
MEDIA_SCENARIO: dict[str, Any] = {
    "name": "media_answer",
    "steps": [
        {"step": {"type": "thought"}, "deltas": [{"type": "thought_signature", "signature": "c2ln"}]},
        {
            "step": {"type": "model_output"},
            "deltas": [
                {"type": "text", "text": "A clip "},
                {"type": "audio", "data": base64.b64encode(WAV).decode(), "mime_type": "audio/wav", "channels": 1},
                {"type": "text", "text": "and a film."},
                {"type": "video", "data": base64.urlsafe_b64encode(MP4).decode().rstrip("="), "mime_type": "video/mp4"},
                {"type": "video", "uri": "https://example.test/films/1.mp4", "mime_type": "video/mp4"},
                {"type": "audio", "uri": "https://example.test/clips/2.ogg"},
            ],
        },
    ],
}


@pytest.fixture
def media_server() -> Any:
    with InteractionsTestServer([MEDIA_SCENARIO], default_scenario="media_answer") as server:
        yield server


@pytest.mark.parametrize("streamed", [False, True], ids=["unary", "streamed"])
async def test_audio_and_videos_decoded_or_by_reference(
    flavour: Flavour, media_server: InteractionsTestServer, streamed: bool
) -> None:
    client = flavour.client(media_server)
    try:
        if streamed:
            stream, _ = await flavour.stream_events(client, model="gemini-3-flash-preview", input="Show me")
            interaction = await flavour.final(stream)
        else:
            interaction = await flavour.create(client, model="gemini-3-flash-preview", input="Show me")
    finally:
        await flavour.close(client)
    audio, videos = interaction.output_audio, interaction.output_videos
    assert [(a.data, a.mime_type, a.uri) for a in audio] == [
        (WAV, "audio/wav", None),
        (None, None, "https://example.test/clips/2.ogg"),
    ]
    assert audio[0].channels == 1
    assert [(v.data, v.mime_type, v.uri) for v in videos] == [
        (MP4, "video/mp4", None),
        (None, "video/mp4", "https://example.test/films/1.mp4"),
    ]
    assert isinstance(audio[0], flavour.types.OutputAudio) and isinstance(videos[0], flavour.types.OutputVideo)
    assert interaction.output_text == "A clip and a film."
    assert repr(audio[0]) == f"OutputAudio(mime_type='audio/wav', {len(WAV)} bytes)"
    assert "uri='https://example.test/films/1.mp4'" in repr(videos[1])


def interaction(steps: list[dict[str, Any]]) -> Any:
    return gemini_interactions.types.Interaction.model_validate({"id": "i1", "status": "completed", "steps": steps})


def said(text: str) -> dict[str, Any]:
    return {"type": "model_output", "content": [{"type": "text", "text": text}]}


def asked(text: str) -> dict[str, Any]:
    return {"type": "user_input", "content": [{"type": "text", "text": text}]}


def test_output_text_is_the_text_after_the_last_user_input() -> None:
    replayed = interaction([asked("Hi"), said("Hello!"), asked("And Paris?"), said("Paris "), said("is sunny.")])
    assert replayed.output_text == "Paris is sunny."
    # An agent's narration between tool calls is part of the answer; thoughts and tool steps are not.
    agent = interaction(
        [
            asked("Plan"),
            said("Looking it up. "),
            {"type": "thought", "summary": [{"type": "text", "text": "hmm"}]},
            {"type": "function_call", "id": "c1", "name": "f", "arguments": {}},
            {"type": "function_result", "call_id": "c1", "result": "ok"},
            said("Done."),
        ]
    )
    assert agent.output_text == "Looking it up. Done."
    assert interaction([said("no input steps")]).output_text == "no input steps"
    assert interaction([said("earlier"), asked("now")]).output_text == ""
    assert interaction([]).output_audio == [] and interaction([]).output_videos == []


def test_media_of_earlier_turns_is_not_the_answer() -> None:
    clip = {"type": "audio", "data": base64.b64encode(WAV).decode(), "mime_type": "audio/wav"}
    replayed = interaction([{"type": "model_output", "content": [clip]}, asked("again, as text")])
    assert replayed.output_audio == []
    broken = interaction([{"type": "model_output", "content": [{"type": "video", "data": "not base64!"}]}])
    assert broken.output_videos == []
