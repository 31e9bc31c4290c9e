"""Pages of a list operation, sans-IO: which page comes next and when the walk ends.

A list answers `{"<items>": [...], "next_page_token": "..."}` (the page-token convention). The
page classes of both flavours (`_pages.py`, one template) keep one `PageCursor` each and only do
the fetching (the resource method again, with the token); the decisions are here, written once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

R = TypeVar("R")  # the response model of one page
T = TypeVar("T")  # one item

# A server that answers the same token again would keep a walk going for ever; a walk stops at one it has seen.
_SEEN_LIMIT = 10_000


@dataclass(frozen=True)
class PageCursor(Generic[R, T]):
    """One fetched page: the response, its items and the token of the next page, and the tokens seen so far."""

    response: R
    items_field: str
    token_field: str
    seen: frozenset[str] = frozenset()

    @property
    def items(self) -> list[T]:
        items: Sequence[T] | None = getattr(self.response, self.items_field, None)
        return list(items or [])

    @property
    def next_page_token(self) -> str | None:
        token: str | None = getattr(self.response, self.token_field, None)
        return token or None

    def has_next_page(self) -> bool:
        """True while the server names a next page it has not named before in this walk."""
        token = self.next_page_token
        return token is not None and token not in self.seen and len(self.seen) < _SEEN_LIMIT

    def following(self, response: R) -> PageCursor[R, T]:
        """The cursor of the page this one's token fetched."""
        token = self.next_page_token
        seen = self.seen | {token} if token else self.seen
        return PageCursor(response, self.items_field, self.token_field, seen)
