# Copied from codegen/runtime/_flows.py by `nox -s generate` - edit it there, not here.
"""Calls made of several HTTP requests, written once for both flavours as generators without I/O.

A flow yields what it needs done (`Send` a request, `Sleep`) and is sent back the outcome (a
`Reply`), or has the failure thrown into it; `_driver.drive` does the I/O with the flavour's
transport. The flows here: automatic continuation of a create (`continued`), waiting for a
background run (`wait`), and the two in a row (`create_and_wait`)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pydantic

from ._continuation import Continuation, HopEnd
from ._deadline import Deadline
from ._exceptions import APIError, WaitTimeoutError
from ._hops import merge_hops
from ._request import PreparedRequest
from ._response import Headers
from ._wait import WaitPolicy, is_running

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

T = TypeVar("T")
R = TypeVar("R")

# What ends a wait early: Ctrl-C in a sync program, cancelling the task in an async one.
INTERRUPTS = (KeyboardInterrupt, asyncio.CancelledError)


@dataclass(frozen=True)
class Send(Generic[T]):
    """Send `request`; the flow is sent a Reply with the answer parsed by `adapter`."""

    request: PreparedRequest
    adapter: pydantic.TypeAdapter[T]


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Reply(Generic[T]):
    value: T
    headers: Headers


Step = Send[Any] | Sleep
Flow = Generator[Step, Reply[Any], R]


def merged(hops: list[Any], adapter: pydantic.TypeAdapter[T]) -> T:
    """One Interaction of these hops (models); a single hop only gains its `continuation_ids`."""
    if len(hops) == 1:
        hop = hops[0]
        return hop.model_copy(update={"continuation_ids": [hop.id]} if hop.id else {})  # type: ignore[no-any-return]
    return adapter.validate_python(merge_hops([hop.to_dict() for hop in hops]))


def continued(continuation: Continuation, adapter: pydantic.TypeAdapter[T]) -> Flow[T]:
    """A unary create, continued hop by hop while the server asks for it; returns the merged Interaction.

    A failure once a hop has come back raises ContinuationInterruptedError with the hops so far."""
    hops: list[Any] = []
    request: PreparedRequest | None = continuation.first_request
    deadline = continuation.deadline
    while request is not None:
        try:
            deadline.check(request.describe())
            reply = yield Send(deadline.bound(request), adapter)
        except APIError as exc:
            if not hops:
                raise
            last = HopEnd.of(hops[-1])
            raise continuation.interrupted(
                exc, partial=merged(hops, adapter), token=last.token, owner_id=last.interaction_id
            ) from exc
        hops.append(reply.value)
        request = continuation.next_request(HopEnd.of(reply.value))
    if not continuation.enabled:
        return hops[0]  # type: ignore[no-any-return]
    return merged(hops, adapter)


def wait(
    poll: PreparedRequest,
    adapter: pydantic.TypeAdapter[T],
    policy: WaitPolicy,
    *,
    cancel: PreparedRequest | None = None,
    on_update: Callable[[T], object] | None = None,
    first: T | None = None,
) -> Flow[T]:
    """Poll `poll` (a get) until the status leaves queued/in_progress; returns the last Interaction.

    `first` is a state already known (the create's answer): when it has ended, nothing is sent.
    An interrupt (KeyboardInterrupt, task cancellation) sends `cancel` first, when given, then
    propagates."""
    deadline = policy.deadline
    last = first
    status = getattr(first, "status", None)
    polls = 0
    try:
        if first is not None and not is_running(status):
            return first
        while True:
            if deadline.expired:
                raise _wait_timeout(poll, deadline, last)
            reply = yield Send(deadline.bound(poll), adapter)
            polls += 1
            current: T = reply.value
            last = current
            if getattr(current, "status", None) != status:
                status = getattr(current, "status", None)
                logger.info("%s: status %s", poll.describe(), status)
                if on_update is not None:
                    on_update(current)
            if not is_running(status):
                return current
            delay = policy.delay(polls, reply.headers)
            if not deadline.allows_wait(delay):
                raise _wait_timeout(poll, deadline, last)
            yield Sleep(delay)
    except INTERRUPTS:
        if cancel is not None:
            logger.info("interrupted while waiting: cancelling %s", cancel.describe())
            try:
                yield Send(cancel, adapter)
            except APIError as exc:
                logger.warning("could not cancel the run after the interrupt: %s", exc.message)
        raise


def create_and_wait(
    create: PreparedRequest,
    adapter: pydantic.TypeAdapter[T],
    policy: WaitPolicy,
    *,
    poll_for: Callable[[str], PreparedRequest],
    cancel_for: Callable[[str], PreparedRequest] | None,
    on_update: Callable[[T], object] | None = None,
) -> Flow[T]:
    """A background create, then `wait` on the run it started (`poll_for`/`cancel_for` build requests by id)."""
    policy.deadline.check(create.describe())
    created = yield Send(policy.deadline.bound(create), adapter)
    interaction: T = created.value
    interaction_id = getattr(interaction, "id", None)
    if not isinstance(interaction_id, str) or not interaction_id:
        if is_running(getattr(interaction, "status", None)):
            raise APIError(f"{create.describe()}: the answer names no interaction id to wait for")
        return interaction
    if on_update is not None:
        on_update(interaction)
    cancel = cancel_for(interaction_id) if cancel_for is not None else None
    result: T = yield from wait(
        poll_for(interaction_id), adapter, policy, cancel=cancel, on_update=on_update, first=interaction
    )
    return result


def _wait_timeout(poll: PreparedRequest, deadline: Deadline, last: Any) -> WaitTimeoutError:
    status = getattr(last, "status", None)
    return WaitTimeoutError(
        f"{poll.describe()}: still {status or 'not seen'} when the deadline of {deadline.seconds:g} s passed; "
        "the run goes on: wait again, or cancel it",
        interaction=last,
    )
