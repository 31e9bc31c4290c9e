# Copied from codegen/runtime/_flows.py by `nox -s generate` - edit it there, not here.
"""Calls made of several HTTP requests, written once for both flavours as generators without I/O.

A flow yields what it needs done (`Send` a prepared request, `Sleep`, or `Poll`/`Cancel`/`Create`
through the resource's generated methods) and is sent back the outcome (a `Reply`), or has the
failure thrown into it; `_drive.drive` runs it, with a `perform` that does the I/O in the
flavour. The flows here: automatic continuation of a create (`continued`), waiting for a
background run (`wait`), and the two in a row (`create_and_wait`)."""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Generator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import pydantic

from ._continuation import Continuation, HopEnd
from ._deadline import Deadline
from ._exceptions import APIConnectionError, APIError, WaitTimeoutError
from ._headers import Headers
from ._hops import merge_hops
from ._request import PreparedRequest
from ._wait import WaitPolicy, is_running

logger = logging.getLogger(__name__.rsplit(".", 1)[0])

T = TypeVar("T")
R = TypeVar("R")


def interrupted(exc: BaseException) -> bool:
    """What ends a wait early: Ctrl-C in a sync program, cancelling the task in an async one.

    asyncio is not imported for this (it costs the sync package's import): a program that has not
    imported it has no task to cancel."""
    asyncio = sys.modules.get("asyncio")
    return isinstance(exc, KeyboardInterrupt) or (asyncio is not None and isinstance(exc, asyncio.CancelledError))


@dataclass(frozen=True)
class Send(Generic[T]):
    """Send `request`; the flow is sent a Reply with the answer parsed by `adapter`."""

    request: PreparedRequest
    adapter: pydantic.TypeAdapter[T]


@dataclass(frozen=True)
class Sleep:
    seconds: float


@dataclass(frozen=True)
class Poll:
    """Get the interaction `interaction_id` (a Reply with its headers) `within` the deadline: its timeout,
    retries and their sleeps end with it."""

    interaction_id: str
    deadline: Deadline


@dataclass(frozen=True)
class Cancel:
    interaction_id: str


@dataclass(frozen=True)
class Create:
    """Create an interaction with these keyword arguments (the generated method's)."""

    arguments: dict[str, Any]
    deadline: Deadline


@dataclass(frozen=True)
class Reply(Generic[T]):
    value: T
    headers: Headers


Step = Send[Any] | Sleep | Poll | Cancel | Create
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
                # A retry would have outlived the deadline: the deadline is what failed.
                if deadline.cut(exc):
                    raise deadline.error(request.describe()) from exc
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
    interaction_id: str,
    policy: WaitPolicy,
    *,
    cancel_on_interrupt: bool = True,
    on_update: Callable[[Any], object] | None = None,
    first: Any = None,
) -> Flow[Any]:
    """Poll until the status leaves queued/in_progress; returns the last Interaction.

    `first` is a state already known (the create's answer): when it has ended, nothing is sent.
    An interrupt (KeyboardInterrupt, task cancellation) cancels the run first when
    `cancel_on_interrupt`, then propagates."""
    deadline = policy.deadline
    last = first
    status = getattr(first, "status", None)
    polls = 0
    try:
        if first is not None and not is_running(status):
            return first
        while True:
            if deadline.expired:
                raise _wait_timeout(interaction_id, deadline, last)
            try:
                reply = yield Poll(interaction_id, deadline)
            except APIError as exc:
                # The poll's timeout was what was left of the deadline, or a retry would have outlived it.
                if deadline.cut(exc) or (isinstance(exc, APIConnectionError) and deadline.expired):
                    raise _wait_timeout(interaction_id, deadline, last) from exc
                raise
            polls += 1
            last = reply.value
            if getattr(last, "status", None) != status:
                status = getattr(last, "status", None)
                logger.info("interaction %s: status %s", interaction_id, status)
                if on_update is not None:
                    on_update(last)
            if not is_running(status):
                return last
            delay = policy.delay(polls, reply.headers)
            if not deadline.allows_wait(delay):
                raise _wait_timeout(interaction_id, deadline, last)
            yield Sleep(delay)
    except BaseException as exc:
        if not interrupted(exc):
            raise
        if cancel_on_interrupt:
            logger.info("interrupted while waiting: cancelling interaction %s", interaction_id)
            try:
                yield Cancel(interaction_id)
            except APIError as exc:
                logger.warning("could not cancel interaction %s after the interrupt: %s", interaction_id, exc.message)
        raise


def create_and_wait(
    arguments: dict[str, Any],
    policy: WaitPolicy,
    *,
    cancel_on_interrupt: bool = True,
    on_update: Callable[[Any], object] | None = None,
) -> Flow[Any]:
    """A background create, then `wait` on the run it started."""
    policy.deadline.check("interactions.create_and_wait()")
    try:
        created = yield Create({**arguments, "background": True}, policy.deadline)
    except APIError as exc:
        if policy.deadline.cut(exc):
            raise policy.deadline.error("interactions.create_and_wait()") from exc
        raise
    interaction = created.value
    interaction_id = getattr(interaction, "id", None)
    if not isinstance(interaction_id, str) or not interaction_id:
        if is_running(getattr(interaction, "status", None)):
            raise APIError("interactions.create_and_wait(): the answer names no interaction id to wait for")
        return interaction
    if on_update is not None:
        on_update(interaction)
    result = yield from wait(
        interaction_id, policy, cancel_on_interrupt=cancel_on_interrupt, on_update=on_update, first=interaction
    )
    return result


def _wait_timeout(interaction_id: str, deadline: Deadline, last: Any) -> WaitTimeoutError:
    status = getattr(last, "status", None)
    return WaitTimeoutError(
        f"interaction {interaction_id}: still {status or 'not seen'} when the deadline of "
        f"{deadline.seconds:g} s passed; the run goes on: wait again, or cancel it",
        interaction=last,
    )
