"""The stateless-replay core: a conversation as the next turn's `input` (no sockets)."""

from __future__ import annotations

from gemini_interactions._replay import Transcript, input_steps, model_steps
from gemini_interactions.types import Interaction, TextContent

TURN = Interaction.model_validate(
    {
        "id": "v1_a",
        "status": "requires_action",
        "steps": [
            {"type": "user_input", "content": [{"type": "text", "text": "echoed"}]},
            {"type": "thought", "signature": "c2ln"},
            {"type": "function_call", "id": "c1", "name": "f", "arguments": {"x": 1}},
            {"type": "model_output", "content": [{"type": "text", "text": "hi"}], "future_field": 7},
        ],
    }
)


def test_input_forms_become_steps() -> None:
    text = {"type": "text", "text": "Hi"}
    assert input_steps("Hi") == [{"type": "user_input", "content": [text]}]
    assert input_steps(TextContent(text="Hi")) == [{"type": "user_input", "content": [text]}]
    assert input_steps([text, {"type": "image", "uri": "u"}]) == [
        {"type": "user_input", "content": [text, {"type": "image", "uri": "u"}]}
    ]
    result = {"type": "function_result", "call_id": "c1", "name": "f", "result": "ok"}
    assert input_steps([text, result, "Next"]) == [
        {"type": "user_input", "content": [text]},
        result,
        {"type": "user_input", "content": [text | {"text": "Next"}]},
    ]
    assert input_steps(None) == []


def test_model_steps_keep_signatures_and_unknown_fields_and_drop_echoed_input() -> None:
    assert model_steps(TURN) == [
        {"type": "thought", "signature": "c2ln"},
        {"type": "function_call", "id": "c1", "name": "f", "arguments": {"x": 1}},
        {"type": "model_output", "content": [{"type": "text", "text": "hi"}], "future_field": 7},
    ]


def test_transcript_is_the_whole_history_in_order() -> None:
    transcript = Transcript("Weather?")
    transcript.add_interaction(TURN)
    transcript.extend([{"type": "function_result", "call_id": "c1", "name": "f", "result": "sunny"}])
    transcript.add_input("Thanks")
    history = transcript.as_input()
    assert [step["type"] for step in history] == [
        "user_input",
        "thought",
        "function_call",
        "model_output",
        "function_result",
        "user_input",
    ]
    history[1]["signature"] = "changed"
    assert transcript.as_input()[1]["signature"] == "c2ln", "as_input() is a copy"
    assert len(transcript) == 6
