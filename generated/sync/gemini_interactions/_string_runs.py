# Copied from codegen/runtime/_string_runs.py by `nox -s generate` - edit it there, not here.
"""Strings that arrive in pieces (text, thought summaries, base64 media, function-call arguments).

Each piece is appended in O(1) and the whole is joined once, when it is read; a run is such a
string that typed deltas of one kind can continue directly (the stream's fast path)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

__all__ = ["GROUP", "ArgumentsRun", "Joined", "MediaRun", "Run", "SummaryRun", "TextRun"]

# Pieces are joined into a chunk every GROUP of them, and chunks into a block every GROUP chunks:
# each character is copied a fixed number of times, and the list overhead per piece (about 60
# bytes for a one-character piece) stays out of the memory that lasts.
GROUP = 256
_join = "".join  # the only place characters are copied (a test counts them)


class Joined:
    """A string arriving in pieces: each appended in O(1), joined when it is read."""

    __slots__ = ("_blocks", "_chunks", "_pieces")

    def __init__(self, first: str = "") -> None:
        if not isinstance(first, str):
            raise TypeError(f"expected a string piece, got {type(first).__name__}")
        self._pieces: list[str] = [first] if first else []
        self._chunks: list[str] = []
        self._blocks: list[str] = []

    def append(self, piece: str) -> None:
        if not isinstance(piece, str):
            raise TypeError(f"expected a string piece, got {type(piece).__name__}")
        pieces = self._pieces
        pieces.append(piece)
        if len(pieces) >= GROUP:
            self._compact()

    def _compact(self) -> None:
        chunks = self._chunks
        chunks.append(_join(self._pieces))
        self._pieces.clear()
        if len(chunks) >= GROUP:
            self._blocks.append(_join(chunks))
            chunks.clear()

    def value(self) -> str:
        """The whole string. It then replaces the pieces, so reading again costs nothing more."""
        parts = self._blocks + self._chunks + self._pieces
        self._pieces.clear()
        self._chunks.clear()
        if len(parts) == 1:
            self._blocks = parts
            return parts[0]
        self._blocks = []
        whole = _grown(parts)
        self._blocks = [whole] if whole else []
        return whole

    def endswith(self, suffix: str) -> bool:
        for part in (self._pieces, self._chunks, self._blocks):
            for piece in reversed(part):
                if piece:
                    return piece.endswith(suffix)
        return suffix == ""


def _grown(parts: list[str]) -> str:
    """The parts joined, each let go of once appended: `+=` grows the str in place (CPython, with the
    only reference), so the whole and all its parts are never held at once (a join would hold both:
    twice a long output's memory).

    A long whole also has the allocator give back what its freed parts held, an eighth of it at a
    time. Parts a process's earlier long outputs have left in the heap stay resident once freed,
    while the whole grows in memory of its own (glibc maps it apart): it would end at twice the
    output all the same."""
    total = sum(map(len, parts))
    release = _heap_release() if total >= RELEASE_AT else None
    step, freed = total // 8, 0
    whole = ""
    for i in range(len(parts)):
        whole += parts[i]
        freed += len(parts[i])
        parts[i] = ""
        if release is not None and freed >= step:
            release(0)
            freed = 0
    return whole


RELEASE_AT = 4 * 1024 * 1024  # characters: below it, the freed parts are not worth a call


@functools.cache
def _heap_release() -> Callable[[int], object] | None:
    """glibc's malloc_trim (which returns free heap pages to the system), where there is one."""
    try:
        import ctypes

        trim = ctypes.CDLL(None).malloc_trim
    except Exception:  # not glibc (macOS, musl, Windows), or no ctypes: nothing to give back this way
        return None
    trim.argtypes = [ctypes.c_size_t]
    trim.restype = ctypes.c_int
    return trim


# CPython 3.11 grows a str in place only where it has specialised the `+=`, after a few rounds of
# the loop: a first long output would otherwise be copied at each of its first appends.
_grown(["x"] * 16)


class Run(Joined):
    """A `Joined` that typed deltas can continue directly: the text of a step's last content item,
    of its last summary item, its base64 media, or its arguments. `take` is the stream's fast path;
    it declines (False) whatever the rules would not simply append, which then goes through them."""

    __slots__ = ("delta_type", "text_delta")

    def __init__(self, first: str = "") -> None:
        super().__init__(first)
        self.delta_type: Any = None  # the model class of the deltas it takes, once seen
        # The same for a run of text, whose deltas are by far the most common: InteractionBuilder.add
        # appends those itself (a method call would be a third of the cost).
        self.text_delta: Any = None

    def take(self, delta: Any) -> bool:
        return False


class TextRun(Run):
    __slots__ = ()


class SummaryRun(Run):
    __slots__ = ("part_type",)

    def __init__(self, first: str = "") -> None:
        super().__init__(first)
        self.part_type: Any = None

    def take(self, delta: Any) -> bool:
        if type(delta) is not self.delta_type:
            return False
        part = delta.content
        if type(part) is not self.part_type or type(part.text) is not str:
            return False
        self.append(part.text)
        return True


class MediaRun(Run):
    __slots__ = ("mime_type", "padded")

    def __init__(self, first: str = "") -> None:
        super().__init__(first)
        self.mime_type: Any = None
        self.padded = self.endswith("=")

    def append(self, piece: str) -> None:
        super().append(piece)
        if piece:
            self.padded = piece.endswith("=")

    def take(self, delta: Any) -> bool:
        if self.padded or type(delta) is not self.delta_type or delta.mime_type != self.mime_type:
            return False
        data = delta.data
        if type(data) is not str:
            return False
        self.append(data)
        return True


class ArgumentsRun(Run):
    __slots__ = ()

    def take(self, delta: Any) -> bool:
        if type(delta) is not self.delta_type or type(delta.arguments) is not str:
            return False
        self.append(delta.arguments)
        return True
