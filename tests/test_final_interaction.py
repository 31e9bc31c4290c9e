"""`final_interaction()`: the streamed events assembled into the Interaction the API would have answered."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from gemini_interactions.testing import InteractionsTestServer

from .conftest import MODEL, SCENARIO_REQUESTS, TEXT, Flavour

VOLATILE = ("id", "created", "updated", "continuation_ids")  # differ between two runs of the same scenario


def stable(interaction: Any) -> dict[str, Any]:
    data: dict[str, Any] = interaction.to_dict()
    for key in VOLATILE:
        data.pop(key, None)
    return data


@pytest.mark.parametrize("scenario", sorted(SCENARIO_REQUESTS))
async def test_final_interaction_equals_non_streamed(
    flavour: Flavour, server: InteractionsTestServer, client: Any, scenario: str
) -> None:
    kwargs = dict(SCENARIO_REQUESTS[scenario])
    plain = await flavour.create(client, **kwargs)
    while plain.status == "in_progress":  # background agent: poll until done
        plain = await flavour.get(client, plain.id)
    stream = await flavour.create(client, stream=True, **kwargs)
    final = await flavour.final(stream)
    assert isinstance(final, flavour.types.Interaction)
    assert {r.scenario for r in server.requests if r.method == "POST"} == {scenario}
    assert final.id == stream.interaction_id
    assert stable(final) == stable(plain)
    assert final.status == plain.status != "in_progress"


@pytest.mark.parametrize("consumed", ["all", "some"])
async def test_final_interaction_after_a_loop(
    flavour: Flavour, server: InteractionsTestServer, client: Any, consumed: str
) -> None:
    # The Stainless pattern: show events as they come, then ask for the whole result.
    kwargs = SCENARIO_REQUESTS["thinking"]
    plain = await flavour.create(client, **kwargs)
    stream = await flavour.create(client, stream=True, **kwargs)
    if consumed == "all":
        seen = await flavour.events(stream)
    else:
        events = flavour.iterator(stream)  # still held: the loop is paused, not left
        seen = [await flavour.next(events) for _ in range(4)]
    final = await flavour.final(stream)
    assert seen and seen[-1].event_type == ("interaction.completed" if consumed == "all" else "step.delta")
    assert stable(final) == stable(plain)
    assert await flavour.final(stream) == final  # asking twice gives the same answer


async def test_final_interaction_raises_on_error_event(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "error_after=3"})
    with pytest.raises(flavour.pkg.StreamError) as info:
        await flavour.final(stream)
    assert info.value.code == "gateway_timeout"


async def test_final_interaction_raises_for_an_error_event_seen_in_a_loop(flavour: Flavour, client: Any) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "error_after=3"})
    events = await flavour.events(stream)
    assert events[-1].event_type == "error"  # a plain loop gets the event itself
    with pytest.raises(flavour.pkg.StreamError):
        await flavour.final(stream)


async def test_final_interaction_after_leaving_the_loop_early_is_a_clear_error(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-fault": "delay=0.05"})
    await flavour.first_n(stream, 3)  # break: the connection is closed
    await flavour.wait_for_disconnects(server)
    with pytest.raises(RuntimeError, match="closed before the interaction completed") as info:
        await flavour.final(stream)
    assert f"last_event_id={stream.last_event_id!r}" in str(info.value)


async def test_final_interaction_assembles_as_the_api_documents(flavour: Flavour, client: Any) -> None:
    # Written out by hand rather than by testing.assemble, which also builds the server's non-streamed answer.
    stream = await flavour.create(client, stream=True, **SCENARIO_REQUESTS["thinking"])
    thought, answer = (await flavour.final(stream)).steps
    assert thought.type == "thought" and thought.signature == "c2lnLXRoaW5raW5nLTAwMQ=="
    (summary,) = thought.summary  # the two summary deltas, concatenated
    assert summary.type == "text"
    assert summary.text.startswith("**Applying the Euclidean algorithm**\n\nDividing 1071 by 462")
    assert summary.text.endswith(
        "\n\n**Checking the result**\n\nBoth 1071 = 21 x 51 and 462 = 21 x 22, and 51 and 22 share no factor.\n\n"
    )
    assert answer.type == "model_output" and len(answer.content) == 1
    assert answer.content[0].text == (
        "The greatest common divisor of 1071 and 462 is **21**.\n\nUsing the Euclidean algorithm: "
        "1071 = 2 x 462 + 147, 462 = 3 x 147 + 21, 147 = 7 x 21 + 0."
    )
    stream = await flavour.create(client, stream=True, **SCENARIO_REQUESTS["function_call"])
    final = await flavour.final(stream)
    call = final.steps[-1]
    assert (call.type, call.id, call.name, call.arguments) == (
        "function_call",
        "fc_8q3zk1pw",
        "get_weather",
        {"location": "Paris, France"},
    )
    assert final.status == "requires_action" and final.usage.total_tokens == 188


async def test_final_interaction_joins_media_chunks(
    flavour: Flavour, server: InteractionsTestServer, client: Any
) -> None:
    # An image or audio clip may arrive as several deltas: base64 pieces of one item, the last one padded.
    image, audio = bytes(range(200)), b"\x00\x01" * 301
    image_b64, audio_b64 = base64.b64encode(image).decode(), base64.b64encode(audio).decode()
    assert image_b64.endswith("=") and audio_b64.endswith("=")
    steps = [
        {
            "step": {"type": "model_output"},
            "deltas": [
                {"type": "image", "mime_type": "image/png", "data": image_b64[:120]},
                {"type": "image", "mime_type": "image/png", "data": image_b64[120:]},
                {"type": "image", "mime_type": "image/png", "data": image_b64},  # a second, whole image
                {"type": "text", "text": "and a clip:"},
                {"type": "audio", "mime_type": "audio/l16", "data": audio_b64[:400]},
                {"type": "audio", "mime_type": "audio/l16", "data": audio_b64[400:]},
            ],
        }
    ]
    server.add_scenario({"name": "media_chunks", "model": MODEL, "steps": steps, "status": "completed"})
    stream = await flavour.create(client, **TEXT, stream=True, extra_headers={"x-test-scenario": "media_chunks"})
    final = await flavour.final(stream)
    content = final.steps[0].content
    assert [item.type for item in content] == ["image", "image", "text", "audio"]
    assert (content[0].data, content[1].data, content[3].data) == (image_b64, image_b64, audio_b64)
    assert [(i.data, i.mime_type) for i in final.output_images] == [(image, "image/png")] * 2
