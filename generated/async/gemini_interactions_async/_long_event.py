# Copied from codegen/runtime/_long_event.py by `nox -s generate` - edit it there, not here.
"""An event that is mostly one long JSON string (a base64 image), validated from its pieces.

Validating the joined JSON holds the bytes and the str built from them at once: twice the
payload. Here the event is validated with a short stand-in for that string, and when the stand-in
lands in a plain `str` attribute (which keeps any string as it is), the long string is built piece
by piece, by a JSON string's rules, while the pieces are let go of, and put in its place: the bytes
and the str are never both whole. The event is the one validating the whole JSON gives; whenever
that cannot be shown (another shape, an escape, a field with a constraint or a validator, ...),
nothing is taken and the caller validates the whole block as before."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pydantic
import pydantic_core

__all__ = ["NOT_TAKEN", "validate_pieces"]

NOT_TAKEN: Any = object()
# What stands in for the long string while the rest is validated; found again by value.
_STAND_IN = "gemini-interactions: a long string, validated apart"
_STAND_IN_BYTES = _STAND_IN.encode()
_QUOTE, _BACKSLASH, _LF = 34, 92, 10
_HEAD = 4096  # pieces before the data are merged up to this size: the head may arrive cut up
_STR_TYPES = (str, str | None)  # typing.Optional[str] == str | None
_STR_SETTINGS = ("str_strip_whitespace", "str_to_lower", "str_to_upper", "str_max_length", "str_min_length")
_GROUPS = 256  # the long string is built in about this many appends, at most (see _text_of)
_SLICE = 64 * 1024  # the least bytes an append takes: below the size glibc gives its own pages


def validate_pieces(validate_json: Callable[[bytes], Any], pieces: list[bytes]) -> Any:
    """The event of a block ("event: X\\ndata: {...}" or "data: {...}") given in `pieces`, or NOT_TAKEN.

    When it is taken the pieces are consumed (the list is emptied); when not, `pieces` holds the
    same bytes as before, maybe cut differently."""
    while len(pieces) > 1 and len(pieces[0]) < _HEAD:
        pieces[0:2] = [pieces[0] + pieces[1]]
    first = pieces[0]
    if first.startswith(b"event: "):
        lf = first.find(_LF)
        if lf < 0 or not first.startswith(b"\ndata: ", lf) or first.find(_LF, lf + 1) >= 0:
            return NOT_TAKEN
        start = lf + 7
    elif first.startswith(b"data: ") and first.find(_LF) < 0:
        start = 6
    else:
        return NOT_TAKEN
    n = len(pieces)
    if any(piece.find(_LF) >= 0 for piece in pieces[1:]):
        return NOT_TAKEN  # more lines than the API's shapes have
    # The long string runs through the first piece with no quote in it, and ends at the next quote.
    k = 1
    while k < n and pieces[k].find(_QUOTE) >= 0:
        k += 1
    j = k + 1
    while j < n and pieces[j].find(_QUOTE) < 0:
        j += 1
    if j >= n:
        return NOT_TAKEN
    opening = pieces[k - 1].rfind(_QUOTE, start if k == 1 else 0)
    closing = pieces[j].find(_QUOTE)
    if opening < 0:
        return NOT_TAKEN
    parts = [pieces[k - 1][opening + 1 :], *pieces[k:j], pieces[j][:closing]]
    size = sum(map(len, parts))
    # Mostly this string, and no escape in it: its bytes are then exactly its text's UTF-8.
    if size * 2 < sum(map(len, pieces)) or any(part.find(_BACKSLASH) >= 0 for part in parts):
        return NOT_TAKEN
    before = b"".join([*pieces[: k - 1], pieces[k - 1][: opening + 1]])
    after = b"".join([pieces[j][closing:], *pieces[j + 1 :]])
    try:
        event = validate_json(before[start:] + _STAND_IN_BYTES + after)
    except pydantic.ValidationError:
        return NOT_TAKEN
    places: list[tuple[Any, str] | None] = []
    _find_stand_in(event, places)
    if len(places) != 1 or places[0] is None:
        return NOT_TAKEN
    model, name = places[0]
    if not _plain_str(model, name):
        return NOT_TAKEN

    pieces.clear()
    text, stop = _text_of(parts, max(_SLICE, size // _GROUPS + 1))
    if stop >= 0:  # not a JSON string's content after all: the block as it came
        pieces += [before, text.encode(), *parts[stop:], after]
        return NOT_TAKEN
    if name in model.__dict__:
        model.__dict__[name] = text
    else:
        model.__pydantic_extra__[name] = text
    return event


def _text_of(parts: list[bytes], slice_size: int) -> tuple[str, int]:
    """The text of a JSON string's content given in `parts`, and -1; or the text of the parts
    before the one at the index returned, where it stops being a JSON string's content.

    A JSON string's rules (no control character, valid UTF-8) are checked slice by slice, and each
    part let go of once its text is appended: `+=` grows the str in place (CPython, with the only
    reference), so it is never copied whole. The slices are small so that each one's temporaries
    (its bytes and its str) reuse the memory the one before freed: large ones would each be given
    fresh pages by the allocator, which costs more than the decoding. There are at most about
    _GROUPS of them: were the str copied at each append (3.11 does while tracing), the cost would
    still be linear for a fixed count."""
    text = ""
    carry = b""  # the start of a character that the next slice finishes
    last = len(parts) - 1
    for i in range(last + 1):
        part = parts[i]
        mark, kept = len(text), carry
        view = memoryview(part)  # its slices copy nothing: the join below is the one copy of a slice
        for at in range(0, len(part), slice_size):
            piece = view[at : at + slice_size]
            cut = 0 if i == last and at + slice_size >= len(part) else _cut_character(piece)
            try:
                text += pydantic_core.from_json(
                    b"".join((b'"', carry, piece[: len(piece) - cut], b'"')), cache_strings=False
                )
            except ValueError:
                parts[i] = kept + part
                return text[:mark], i
            carry = bytes(piece[len(piece) - cut :])
        parts[i] = b""
    if carry:  # an empty last part: the string ends inside a character
        parts[last] = carry
        return text, last
    return text, -1


def _cut_character(part: bytes | memoryview) -> int:
    """How many bytes at the end of `part` begin a UTF-8 character that they do not finish (0: none)."""
    for back in range(1, min(4, len(part)) + 1):
        byte = part[-back]
        if byte < 0x80:
            return 0
        if byte >= 0xC0:  # the first byte of a character of this many bytes
            return back if (2 if byte < 0xE0 else 3 if byte < 0xF0 else 4) > back else 0
    return 0


# CPython 3.11 grows a str in place only where it has specialised the `+=`, after a few rounds of
# the loop: a first long string would otherwise be copied at each of its first appends.
_text_of([b"x"] * 16, 1)


def _plain_str(model: pydantic.BaseModel, name: str) -> bool:
    """Whether the model keeps any str for this attribute as it is, as it kept the stand-in: a `str`
    field (or an untyped extra one) with no constraint, on a model with no validator and no
    string setting. Then the long string needs no validating of its own beyond a JSON string's."""
    cls = type(model)
    decorators = cls.__pydantic_decorators__
    if decorators.validators or decorators.field_validators or decorators.root_validators:
        return False
    if decorators.model_validators or cls.model_post_init is not pydantic.BaseModel.model_post_init:
        return False
    config = cls.model_config
    if any(config.get(setting) for setting in _STR_SETTINGS):
        return False
    field = cls.__pydantic_fields__.get(name)
    if field is None:  # an extra attribute: untyped unless a class says `__pydantic_extra__: dict[str, X]`
        own = [c for c in cls.__mro__ if c is not pydantic.BaseModel]
        return not any("__pydantic_extra__" in vars(c).get("__annotations__", {}) for c in own)
    return field.annotation in _STR_TYPES and not field.metadata and name in model.__dict__


def _find_stand_in(value: Any, places: list[tuple[Any, str] | None]) -> None:
    """Where the stand-in string is in a validated value: (model, attribute), or None elsewhere."""
    if isinstance(value, pydantic.BaseModel):
        for attributes in (value.__dict__, value.__pydantic_extra__ or {}):
            for name, item in attributes.items():
                if isinstance(item, str):
                    if item == _STAND_IN:
                        places.append((value, name))
                else:
                    _find_stand_in(item, places)
    elif isinstance(value, dict):
        for key, item in value.items():
            if key == _STAND_IN or (isinstance(item, str) and item == _STAND_IN):
                places.append(None)
            else:
                _find_stand_in(item, places)
    elif isinstance(value, (list, tuple)):
        for item in value:
            if isinstance(item, str) and item == _STAND_IN:
                places.append(None)
            else:
                _find_stand_in(item, places)
