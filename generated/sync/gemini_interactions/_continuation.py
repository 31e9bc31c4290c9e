# Copied from codegen/runtime/_continuation.py by `nox -s generate` - edit it there, not here.
"""Automatic continuation, without I/O: when a create call needs another hop, and what that hop sends.

An interaction that reaches the API's per-request decode limit stops with status
`requires_continuation` and a `continuation_token`. The next hop is another create with that
token: with `store` on (the default) it names the hop that issued the token as
`previous_interaction_id` and sends no `input` (the server rebuilds the context); with
`store=False` nothing was kept, so it resends the original `input` with the token. Background
runs and agents are continued by the server itself and are left alone."""

from __future__ import annotations

import dataclasses
import json
import logging
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._deadline import Deadline
from ._exceptions import ContinuationInterruptedError
from ._request import PreparedRequest

if TYPE_CHECKING:
    from ._interaction_builder import InteractionBuilder

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

REQUIRES_CONTINUATION = "requires_continuation"
DEFAULT_MAX_CONTINUATIONS = 16

INCOMPLETE_WARNING = (
    "the interaction stopped early (status 'requires_continuation': the per-request decode limit was reached) "
    "and was not continued, so its answer is incomplete. Continue it automatically with "
    "automatic_continuation=True (the default; each hop re-reads the input and bills its tokens), run it with "
    "background=True and interactions.wait() (the server continues it), or continue by hand: "
    "interactions.create(continuation_token=..., previous_interaction_id=<its id>) without input "
    "(with store=False: the original input and the token)."
)


class IncompleteInteractionWarning(UserWarning):
    """An interaction that needs continuation was returned as it is (automatic_continuation=False)."""


_warned = False


def warn_incomplete() -> None:
    """Warn once per process that an answer was left incomplete, pointing at the caller's line."""
    global _warned
    if not _warned:
        _warned = True
        warnings.warn(INCOMPLETE_WARNING, IncompleteInteractionWarning, stacklevel=_callers_level())


def _callers_level() -> int:
    """The stacklevel of the first frame outside this package (flows and drivers add frames of their own)."""
    package = __name__.rsplit(".", 1)[0]
    frame, level = sys._getframe(1), 1  # the frame calling warnings.warn is level 1
    while frame.f_back is not None and str(frame.f_globals.get("__name__", "")).startswith(package + "."):
        frame, level = frame.f_back, level + 1
    return level


@dataclass(frozen=True)
class HopEnd:
    """How one hop ended: its interaction, its status, and the token to continue from (if any)."""

    interaction_id: str | None
    status: str | None
    token: str | None

    @classmethod
    def of(cls, interaction: Any) -> HopEnd:
        """From an Interaction model or its JSON."""

        def get(name: str) -> Any:
            return interaction.get(name) if isinstance(interaction, Mapping) else getattr(interaction, name, None)

        return cls(_text(get("id")), _text(get("status")), _text(get("continuation_token")))

    @classmethod
    def of_stream(cls, hop: InteractionBuilder) -> HopEnd:
        """How a streamed hop ended: `interaction.completed` is the final word (a completion without a
        token ends the call); a stream that ended without one (`[DONE]`) leaves its last checkpoint."""
        end = cls.of(hop.fields())
        return end if hop.completed else dataclasses.replace(end, token=hop.checkpoint)

    @property
    def needs_continuation(self) -> bool:
        return self.status == REQUIRES_CONTINUATION and self.token is not None


def hop_payload(payload: Mapping[str, Any], token: str, owner_id: str | None) -> dict[str, Any]:
    """The body of the hop continuing `payload` (the first request's body) from `token`.

    `owner_id` is the interaction that issued the token; without one (store=False) the original
    request is resent as it is, with the token."""
    body = {**payload, "continuation_token": token}
    if owner_id is not None and payload.get("store") is not False:
        body["previous_interaction_id"] = owner_id
        body.pop("input", None)
    return body


def with_payload(request: PreparedRequest, payload: Mapping[str, Any]) -> PreparedRequest:
    content = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    return dataclasses.replace(request, content=content)


def payload_of(request: PreparedRequest) -> dict[str, Any]:
    loaded = json.loads(request.content) if request.content else {}
    return loaded if isinstance(loaded, dict) else {}


class Continuation:
    """The hops of one logical create call: whether to send another, and the request for it.

    Used by the unary flow (`_flows.continued`) and by streams alike. `hop_ids` lists every hop
    seen so far, in order."""

    def __init__(
        self,
        request: PreparedRequest,
        *,
        automatic: bool = True,
        max_continuations: int = DEFAULT_MAX_CONTINUATIONS,
        deadline: Deadline | None = None,
    ) -> None:
        if max_continuations < 0:
            raise ValueError("max_continuations must be 0 or more")
        self.first_request: PreparedRequest = request
        self.payload: dict[str, Any] = payload_of(request)
        server_continued = bool(self.payload.get("background")) or "agent" in self.payload
        self.enabled: bool = automatic and not server_continued
        # Warn only where the caller turned it off; a caller's own token says they know.
        self.warns: bool = not automatic and not server_continued and not self.payload.get("continuation_token")
        self.stateful: bool = self.payload.get("store") is not False
        self.max_continuations: int = max_continuations
        self.deadline: Deadline = deadline or Deadline(None)
        self.sent_token: str | None = _text(self.payload.get("continuation_token"))
        self.continuations: int = 0
        self.hop_ids: list[str] = []

    def seen(self, interaction_id: str | None) -> None:
        if interaction_id and interaction_id not in self.hop_ids:
            self.hop_ids.append(interaction_id)

    def next_request(self, end: HopEnd) -> PreparedRequest | None:
        """The next hop's request after a hop that ended so, or None when the call is complete."""
        self.seen(end.interaction_id)
        if not end.needs_continuation or end.token is None:
            return None
        if not self.enabled:
            if self.warns:
                warn_incomplete()
            return None
        if end.token == self.sent_token:
            # Continuing from the token a hop was started with would loop without progress.
            logger.warning(
                "interaction %s handed back the token it was started with: not continuing",
                end.interaction_id,
            )
            return None
        if self.continuations >= self.max_continuations:
            logger.warning(
                "interaction %s still needs continuation after %d hops (max_continuations); returning it as it is",
                end.interaction_id,
                self.continuations,
            )
            return None
        return self._hop(end.interaction_id, end.token)

    def from_checkpoint(self, hop: InteractionBuilder) -> PreparedRequest | None:
        """The hop continuing a streamed hop that broke off and cannot be resumed by event id, from its
        latest checkpoint (a status update's token); None without one, or when output came after it
        (continuing would generate that output again: the caller gets the error, with the token)."""
        interaction_id = _text(hop.fields().get("id"))
        token = hop.checkpoint
        if not self.enabled or token is None or hop.output_since_checkpoint or token == self.sent_token:
            return None
        if self.continuations >= self.max_continuations:
            return None
        self.seen(interaction_id)
        logger.info("the stream of %s broke off after a checkpoint: continuing from it", interaction_id)
        return self._hop(interaction_id, token)

    def _hop(self, interaction_id: str | None, token: str) -> PreparedRequest:
        self.continuations += 1
        self.sent_token = token
        owner = interaction_id if self.stateful else None
        logger.info("continuing interaction %s (hop %d)", interaction_id, self.continuations + 1)
        return with_payload(self.first_request, hop_payload(self.payload, token, owner))

    def interrupted(
        self,
        error: BaseException,
        *,
        partial: Any,
        token: str | None,
        owner_id: str | None,
        checkpoint: bool = False,
    ) -> ContinuationInterruptedError:
        """The error for a failure after output was delivered: it says where to resume.

        `checkpoint`: the token is a status update's, from the middle of a hop; what came after it
        is generated again by a resumed call."""
        resume = (
            f"resume with interactions.create(continuation_token={token!r}, previous_interaction_id={owner_id!r})"
            if self.stateful and owner_id
            else "resume with interactions.create(continuation_token=..., input=<the original input>, store=False)"
        )
        if checkpoint:
            resume += " (the output after that checkpoint is generated again)"
        hops = len(self.hop_ids)
        return ContinuationInterruptedError(
            f"automatic continuation was interrupted after {hops} hop(s) ({error}); the output so far is kept; "
            + (resume if token else "no continuation token was received to resume from"),
            partial_interaction=partial,
            continuation_token=token,
            interaction_id=owner_id if self.stateful else None,
            continuation_ids=list(self.hop_ids),
        )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
