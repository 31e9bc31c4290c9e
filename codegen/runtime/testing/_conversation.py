"""Multi-turn checks the real API makes, so conversation helpers are tested against them.

A turn chained with `previous_interaction_id` needs a stored earlier interaction. A stateless turn
(`store: false`) resends the history as `input`: every `thought` step in it must carry the
signature this server issued with it (the API answers 400 when one is missing), and every
`function_result` must follow the `function_call` it answers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._routing import ApiError

if TYPE_CHECKING:
    from ._interactions import InteractionStore


def check_conversation(store: InteractionStore, body: dict[str, Any]) -> None:
    previous = body.get("previous_interaction_id")
    if isinstance(previous, str):
        earlier = store.find(previous)
        if earlier is None or earlier.request.get("store") is False:
            raise ApiError(404, "not_found", f"Interaction {previous!r} not found (was it stored?).")
    steps = body.get("input")
    if not isinstance(steps, list):
        return
    issued = store.issued_signatures()
    calls: set[str] = set()
    for number, step in enumerate(steps):
        if not isinstance(step, dict):
            continue
        kind = step.get("type")
        if kind == "thought":
            signature = step.get("signature")
            if not signature:
                raise ApiError(400, "invalid_argument", f"input[{number}]: a thought step is missing its signature.")
            if signature not in issued:
                raise ApiError(400, "invalid_argument", f"input[{number}]: the thought signature is not valid.")
        elif kind == "function_call" and isinstance(step.get("id"), str):
            calls.add(step["id"])
        elif kind == "function_result" and body.get("store") is False:
            if step.get("call_id") not in calls:
                raise ApiError(
                    400, "invalid_argument", f"input[{number}]: a function result without its function call before it."
                )


def signatures_of(events: list[dict[str, Any]]) -> set[str]:
    """The thought signatures a stream of events hands out."""
    found: set[str] = set()
    for event in events:
        delta = event.get("delta") if event.get("event_type") == "step.delta" else None
        step = event.get("step") if event.get("event_type") == "step.start" else None
        for part in (delta, step):
            if isinstance(part, dict) and isinstance(part.get("signature"), str):
                found.add(part["signature"])
    return found
