# Copied from codegen/runtime/testing/_interactions.py by `nox -s generate` - edit it there, not here.
"""The interactions resource: stored interactions, their behaviour (polls, replays, cancel) and routes."""

from __future__ import annotations

import secrets
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .._interaction_builder import assemble
from ._continuation import HopLedger
from ._conversation import check_conversation, signatures_of
from ._exchange import Exchange
from ._routing import ApiError, Router
from ._scenarios import Scenario, render_events
from ._state import ResourceState

__all__ = ["InteractionStore", "StoredInteraction", "now", "router"]

router = Router()


def now() -> str:
    """A timestamp as the API writes `created`/`updated`."""
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())


def owner_of(scenario: Scenario, body: Mapping[str, Any]) -> dict[str, str]:
    """`{"model": ...}` or `{"agent": ...}`: the request's, else the scenario's."""
    if isinstance(body.get("agent"), str):
        return {"agent": body["agent"]}
    if isinstance(body.get("model"), str):
        return {"model": body["model"]}
    if scenario.agent:
        return {"agent": scenario.agent}
    return {"model": scenario.model or "gemini-3-flash-preview"}


@dataclass
class StoredInteraction:
    """Server-side state of one interaction."""

    id: str
    scenario: str
    owner: dict[str, str]
    request: dict[str, Any]
    events: list[dict[str, Any]]
    created: str
    background: bool
    polls_remaining: int
    status_override: str | None = None
    queued_until: int = 0  # polls answer "queued" while more than this many remain

    def snapshot(self, *, include_input: bool = False) -> dict[str, Any]:
        """The Interaction resource as `GET` (non-streamed) would return it now."""
        if self.polls_remaining > 0:
            result: dict[str, Any] = {
                "id": self.id,
                "status": "queued" if self.polls_remaining > self.queued_until else "in_progress",
                "object": "interaction",
            }
            result.update(self.owner)
            result["created"] = self.created
            result["updated"] = now()
        else:
            result = assemble(self.events)
        if self.status_override is not None:
            result["status"] = self.status_override
        previous = self.request.get("previous_interaction_id")
        if isinstance(previous, str):
            result["previous_interaction_id"] = previous
        if include_input and "input" in self.request:
            result["input"] = self.request["input"]
        return result


class InteractionStore(ResourceState):
    """Every interaction the server created, by id."""

    def __init__(self) -> None:
        super().__init__()
        self._items: dict[str, StoredInteraction] = {}

    def reset(self) -> None:
        with self.lock:
            self._items.clear()

    def all(self) -> dict[str, StoredInteraction]:
        with self.lock:
            return dict(self._items)

    def issued_signatures(self) -> set[str]:
        """Every thought signature an answer of this server carried (a replayed history must bring them back)."""
        with self.lock:
            return {signature for item in self._items.values() for signature in signatures_of(item.events)}

    def find(self, interaction_id: object) -> StoredInteraction | None:
        if not isinstance(interaction_id, str):
            return None
        with self.lock:
            return self._items.get(interaction_id)

    def get(self, interaction_id: str) -> StoredInteraction:
        stored = self.find(interaction_id)
        if stored is None:
            raise ApiError(404, "not_found", f"Interaction {interaction_id!r} not found.")
        return stored

    def create(self, scenario: Scenario, body: Mapping[str, Any], hops: HopLedger | None = None) -> StoredInteraction:
        """A new interaction answering `body` with `scenario`; `hops` issues its continuation tokens."""
        interaction_id = "v1_" + secrets.token_urlsafe(36)
        owner = owner_of(scenario, body)
        created = now()
        background = bool(body.get("background", False))
        events = render_events(scenario, interaction_id, owner, created)
        if hops is not None:
            hops.add_tokens(
                events,
                interaction_id=interaction_id,
                next_scenario=scenario.continues_with,
                hands_back_token=scenario.hands_back_token,
                body=body,
            )
        polled = background and not body.get("stream")
        stored = StoredInteraction(
            id=interaction_id,
            scenario=scenario.name,
            owner=owner,
            request=dict(body),
            events=events,
            created=created,
            background=background,
            polls_remaining=scenario.queued_polls + scenario.polls_until_done if polled else 0,
            queued_until=scenario.polls_until_done,
        )
        with self.lock:
            self._items[interaction_id] = stored
        return stored

    def snapshot(self, stored: StoredInteraction) -> dict[str, Any]:
        with self.lock:
            return stored.snapshot()

    def poll(self, stored: StoredInteraction, include_input: bool) -> dict[str, Any]:
        """A non-streamed `GET`: the snapshot now; a background run is one poll closer to done."""
        with self.lock:
            result = stored.snapshot(include_input=include_input)
            if stored.polls_remaining > 0:
                stored.polls_remaining -= 1
            return result

    def replay(self, stored: StoredInteraction, last_event_id: str | None) -> list[dict[str, Any]]:
        """A streamed `GET`: the events after `last_event_id` (all without it); the run counts as done."""
        with self.lock:
            events = list(stored.events)
            stored.polls_remaining = 0
        if last_event_id:
            ids = [e.get("event_id") for e in events]
            if last_event_id not in ids:
                raise ApiError(400, "invalid_argument", f"Unknown last_event_id {last_event_id!r}.")
            events = events[ids.index(last_event_id) + 1 :]
        return events

    def cancel(self, stored: StoredInteraction) -> dict[str, Any]:
        with self.lock:
            if stored.polls_remaining > 0:
                stored.events = _cancelled_events(stored)
                stored.polls_remaining = 0
            stored.status_override = "cancelled"
            return stored.snapshot()

    def delete(self, interaction_id: str) -> None:
        with self.lock:
            if self._items.pop(interaction_id, None) is None:
                raise ApiError(404, "not_found", f"Interaction {interaction_id!r} not found.")


def _cancelled_events(stored: StoredInteraction) -> list[dict[str, Any]]:
    """A run cancelled while still "running": its stream ends here with a cancellation."""
    kept = [e for e in stored.events[:2] if e.get("event_type", "").startswith("interaction.")]
    tail: list[dict[str, Any]] = [
        {"interaction_id": stored.id, "status": "cancelled", "event_type": "interaction.status_update"},
        {
            "interaction": {
                "id": stored.id,
                "status": "cancelled",
                "created": stored.created,
                "updated": now(),
                "object": "interaction",
                **stored.owner,
            },
            "event_type": "interaction.completed",
        },
    ]
    for number, event in enumerate(tail, start=len(kept) + 1):
        event["event_id"] = f"evt_{number:06d}"
    return kept + tail


# ------------------------------------------------------------------- routes
@router.route("POST", "/{api_version}/interactions")
def create(exchange: Exchange) -> None:
    server = exchange.server
    body = exchange.json_object()
    if server.validate_request is not None:
        problem = server.validate_request(body)
        if problem is not None:
            raise ApiError(400, "invalid_argument", problem)
    check_conversation(server.state(InteractionStore), body)
    scenario = server.select_scenario(body, exchange.headers)
    faults = exchange.faults(scenario.name, "create")
    if exchange.answered_by_fault(faults):
        return
    store = server.state(InteractionStore)
    stored = store.create(scenario, body, server.state(HopLedger))
    exchange.record.interaction_id = stored.id
    if body.get("stream"):
        exchange.send_stream(stored.events, faults)
    else:
        exchange.send_json(store.snapshot(stored), faults)
    _announce(exchange, stored)


@router.route("GET", "/{api_version}/interactions/{id}")
def get(exchange: Exchange) -> None:
    store = exchange.server.state(InteractionStore)
    stored = store.get(_interaction_id(exchange))
    if stored.request.get("store") is False:
        # Nothing of it was kept: it can be neither read nor replayed (a broken stream cannot be resumed by id).
        raise ApiError(404, "not_found", f"Interaction {stored.id!r} was created with store=false and was not kept.")
    faults = exchange.faults(stored.scenario, "get")
    stream = exchange.flag("stream")
    last_event_id = exchange.query.get("last_event_id")
    if last_event_id and not stream:
        raise ApiError(400, "invalid_argument", "last_event_id can only be used with stream=true.")
    if exchange.answered_by_fault(faults):
        return
    if stream:
        exchange.send_stream(store.replay(stored, last_event_id), faults)
    else:
        exchange.send_json(store.poll(stored, exchange.flag("include_input")), faults)
    _announce(exchange, stored)


def _announce(exchange: Exchange, stored: StoredInteraction) -> None:
    """Tell the webhooks of an interaction that has finished (once; `_deliveries`)."""
    from ._deliveries import notify_finished  # it reads the platform's webhooks, which import this module

    store = exchange.server.state(InteractionStore)
    with store.lock:
        snapshot = stored.snapshot() if stored.polls_remaining == 0 else {}
    notify_finished(exchange.server, stored.request, snapshot)


@router.route("POST", "/{api_version}/interactions/{id}:cancel")
@router.route("POST", "/{api_version}/interactions/{id}/cancel")
def cancel(exchange: Exchange) -> None:
    store = exchange.server.state(InteractionStore)
    stored = store.get(_interaction_id(exchange))
    faults = exchange.faults(stored.scenario, "cancel")
    if not exchange.answered_by_fault(faults):
        exchange.send_json(store.cancel(stored), faults)


@router.route("DELETE", "/{api_version}/interactions/{id}")
def delete(exchange: Exchange) -> None:
    store = exchange.server.state(InteractionStore)
    interaction_id = _interaction_id(exchange)
    faults = exchange.faults(store.get(interaction_id).scenario, "delete")
    if not exchange.answered_by_fault(faults):
        store.delete(interaction_id)
        exchange.send_json({}, faults)


def _interaction_id(exchange: Exchange) -> str:
    interaction_id = exchange.params["id"]
    exchange.record.interaction_id = interaction_id
    return interaction_id
