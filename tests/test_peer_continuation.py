"""Cross-check with the peer: google-genai 3.3.0 and our client continue the same server answers the same way.

Both talk to the embedded test server's continuation scenarios; the hops they send, the merged text
and `continuation_ids` must agree. Runs in `nox -s peer` (google-genai needs Python >= 3.11 and a
newer pydantic than the packages' floor); `nox -s tests` skips it."""

from __future__ import annotations

from typing import Any

import pytest
from gemini_interactions import Client
from gemini_interactions.testing import InteractionsTestServer

genai = pytest.importorskip(
    "google.genai", reason="google-genai 3.3.0 is installed by `nox -s peer` (Python >= 3.11), not by `nox -s tests`"
)
genai_types = pytest.importorskip("google.genai.types")

API_KEY = "test-key"
MODEL = "gemini-3-flash-preview"
QUESTION = "Tell me the long answer."
EXPECTED_TEXT = "Chapter one: it began. Chapter two: it went on. Chapter three: the end."


def _theirs(server: InteractionsTestServer) -> Any:
    return genai.Client(api_key=API_KEY, http_options=genai_types.HttpOptions(base_url=server.base_url))


def _ours(server: InteractionsTestServer) -> Client:
    return Client(api_key=API_KEY, base_url=server.base_url, max_retries=0)


def _text_of(interaction: Any) -> str:
    """The model's text, from the steps of an Interaction of either SDK (as JSON)."""
    data = interaction.model_dump(mode="json", exclude_none=True)
    return "".join(
        item.get("text", "")
        for step in data.get("steps") or []
        if step.get("type") == "model_output"
        for item in step.get("content") or []
        if item.get("type") == "text"
    )


def _stream_text(events: list[Any]) -> str:
    return "".join(
        e.delta.text for e in events if e.event_type == "step.delta" and getattr(e.delta, "type", None) == "text"
    )


def _hops(server: InteractionsTestServer) -> tuple[list[dict[str, Any]], list[str]]:
    """The create bodies the server received (ids replaced by their hop number) and the ids it created."""
    creates = [r for r in server.requests if r.method == "POST" and r.path.endswith("/interactions")]
    ids = [r.interaction_id or "" for r in creates]
    tokens: dict[str, str] = {}
    bodies = []
    for record in creates:
        body = {k: v for k, v in dict(record.body).items() if k not in ("generation_config",)}
        if "previous_interaction_id" in body:
            body["previous_interaction_id"] = f"hop{ids.index(body['previous_interaction_id']) + 1}"
        if "continuation_token" in body:
            body["continuation_token"] = tokens.setdefault(body["continuation_token"], f"token{len(tokens) + 1}")
        bodies.append(body)
    server.reset()
    return bodies, ids


@pytest.mark.parametrize("store", [True, False], ids=["stored", "store=False"])
def test_unary_continuation_matches_google_genai(store: bool) -> None:
    extra: dict[str, Any] = {} if store else {"store": False}
    with InteractionsTestServer() as server:
        peer = _theirs(server)  # held: a collected google-genai client closes its connections
        theirs = peer.interactions.create(model=MODEL, input=QUESTION, **extra)
        their_hops, their_ids = _hops(server)
        with _ours(server) as client:
            ours = client.interactions.create(model=MODEL, input=QUESTION, **extra)
        our_hops, our_ids = _hops(server)
    assert len(their_ids) == 3
    assert our_hops == their_hops
    assert _text_of(ours) == _text_of(theirs) == EXPECTED_TEXT
    assert theirs.continuation_ids == their_ids
    assert ours.continuation_ids == our_ids
    assert ours.status == theirs.status == "completed"


def test_streamed_continuation_matches_google_genai() -> None:
    with InteractionsTestServer() as server:
        peer = _theirs(server)
        their_events = list(peer.interactions.create(model=MODEL, input=QUESTION, stream=True))
        their_hops, their_ids = _hops(server)
        with _ours(server) as client:
            stream = client.interactions.create(model=MODEL, input=QUESTION, stream=True)
            our_events = list(stream)
            final = stream.final_interaction()
        our_hops, our_ids = _hops(server)
    assert len(their_ids) == 3
    assert our_hops == their_hops
    assert _stream_text(our_events) == _stream_text(their_events) == EXPECTED_TEXT
    assert _text_of(final) == EXPECTED_TEXT
    their_event_ids = list(
        dict.fromkeys(e.interaction.id for e in their_events if e.event_type == "interaction.created")
    )
    assert their_event_ids == their_ids
    assert final.continuation_ids == our_ids


def test_a_stream_dropped_after_a_checkpoint_continues_from_it_like_google_genai() -> None:
    # store=False: nothing is kept to resume by id, so both continue from the status update's token.
    question: dict[str, Any] = {"model": MODEL, "input": "Tell me the checkpoint answer.", "store": False}
    with InteractionsTestServer() as server:
        peer = _theirs(server)
        their_events = list(peer.interactions.create(**question, stream=True))
        their_hops, their_ids = _hops(server)
        with _ours(server) as client:
            stream = client.interactions.create(**question, stream=True)
            our_events = list(stream)
            final = stream.final_interaction()
        our_hops, our_ids = _hops(server)
    assert len(their_ids) == 2 and their_hops[1]["continuation_token"] == "token1"
    assert our_hops == their_hops
    assert _stream_text(our_events) == _stream_text(their_events) == "Part one. Part two."
    assert _text_of(final) == "Part one. Part two."
    assert final.continuation_ids == our_ids
