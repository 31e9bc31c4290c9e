"""Continuation hops for the fake server: the tokens it issues, and checking a hop as the API does.

A scenario whose interaction stops with `"status": "requires_continuation"` names the scenario
of its next hop in `continues_with`. Its `interaction.completed` event (and the stored
Interaction) get a fresh `continuation_token`; a `status_update` item of its steps with
`"checkpoint": true` gets one too. A create carrying a token is a hop: with `store` on it
must name the interaction that issued the token as `previous_interaction_id` and send no
`input`; with `store=False` it must resend the original `input`. Anything else is a 400,
and the hop is served by the `continues_with` scenario. `"hands_back_token": true` makes a
hop return the very token it was started with (a server stuck without progress)."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._routing import ApiError
from ._scenarios import Scenario
from ._state import ResourceState

if TYPE_CHECKING:
    from ._selection import Selection

__all__ = ["Grant", "HopLedger", "HopRejectedError", "by_continuation_token"]

REQUIRES_CONTINUATION = "requires_continuation"


class HopRejectedError(Exception):
    """A continuation hop the API would refuse: `status` and `message` for the error answer."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Grant:
    """A token issued by an interaction: who issued it, what serves the next hop, what the first request sent."""

    token: str
    interaction_id: str
    next_scenario: str | None
    store: bool
    input: Any


class HopLedger(ResourceState):
    """Every continuation token the server issued (`server.state(HopLedger)`)."""

    def __init__(self) -> None:
        super().__init__()
        self._grants: dict[str, Grant] = {}

    def reset(self) -> None:
        with self.lock:
            self._grants.clear()

    def grant(self, token: str) -> Grant | None:
        with self.lock:
            return self._grants.get(token)

    def hop_scenario(self, body: Mapping[str, Any]) -> str | None:
        """The scenario serving a create that carries a token (None without one); raises HopRejectedError."""
        token = body.get("continuation_token")
        if token is None:
            return None
        grant = self.grant(token) if isinstance(token, str) else None
        if grant is None:
            raise HopRejectedError(400, "Invalid continuation_token: the server did not issue it.")
        store = body.get("store") is not False
        if store:
            previous = body.get("previous_interaction_id")
            if previous != grant.interaction_id:
                raise HopRejectedError(
                    400,
                    "continuation_token does not belong to previous_interaction_id "
                    f"(it was issued by {grant.interaction_id!r}, got {previous!r}).",
                )
            if "input" in body:
                raise HopRejectedError(400, "A continuation hop with previous_interaction_id takes no input.")
        elif body.get("input") != grant.input:
            raise HopRejectedError(400, "With store=false a continuation hop must resend the original input.")
        if grant.next_scenario is None:
            raise HopRejectedError(400, "The interaction that issued this continuation_token cannot be continued.")
        return grant.next_scenario

    def issue(self, interaction_id: str, next_scenario: str | None, body: Mapping[str, Any]) -> str:
        token = "ct_" + secrets.token_urlsafe(18)
        store = body.get("store") is not False
        first_input = body.get("input")
        if "input" not in body:
            # A stateful hop sends no input: the original is that of the hop it continues.
            earlier = self.grant(str(body.get("continuation_token")))
            first_input = earlier.input if earlier is not None else None
        with self.lock:
            self._grants[token] = Grant(token, interaction_id, next_scenario, store, first_input)
        return token

    def add_tokens(
        self,
        events: list[dict[str, Any]],
        *,
        interaction_id: str,
        next_scenario: str | None,
        hands_back_token: bool,
        body: Mapping[str, Any],
    ) -> str | None:
        """Put tokens into a hop's rendered events (in place); returns the final token, if any."""
        final: str | None = None
        for event in events:
            etype = event.get("event_type")
            if etype == "interaction.status_update" and event.pop("checkpoint", False):
                event["continuation_token"] = self.issue(interaction_id, next_scenario, body)
            elif etype == "interaction.completed":
                interaction = event.get("interaction")
                if isinstance(interaction, dict) and interaction.get("status") == REQUIRES_CONTINUATION:
                    received = body.get("continuation_token")
                    if hands_back_token and isinstance(received, str):
                        final = received
                    else:
                        final = self.issue(interaction_id, next_scenario, body)
                    interaction["continuation_token"] = final
        return final


def by_continuation_token(selection: Selection) -> Scenario | None:
    """A create carrying a `continuation_token` is a hop: the issuing scenario's `continues_with` answers it."""
    try:
        name = selection.server.state(HopLedger).hop_scenario(selection.body)
    except HopRejectedError as exc:
        raise ApiError(exc.status, "invalid_argument", exc.message) from None
    if name is None:
        return None
    scenario = selection.catalog.find(name)
    if scenario is None:
        raise ApiError(500, "internal", f"Unknown continues_with scenario {name!r}.")
    return scenario
