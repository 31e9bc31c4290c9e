"""An event that is mostly one long JSON string, validated from its pieces (_long_event): the
event is the one validating the whole JSON gives, and whatever cannot be shown to be is left to
the caller with the block's bytes intact. Both packages' copies; the streams over a socket are in
test_stream_fast_path.py."""

from __future__ import annotations

import base64
import json
from types import ModuleType
from typing import Any

import gemini_interactions._long_event as sync_long_event
import gemini_interactions_async._long_event as async_long_event
import pydantic
import pytest

LONG = 300_000
DATA = base64.b64encode(bytes(range(256)) * (LONG // 342)).decode()


@pytest.fixture(params=[sync_long_event, async_long_event], ids=["sync", "async"])
def long_event(request: pytest.FixtureRequest) -> ModuleType:
    return request.param  # type: ignore[no-any-return]


class Image(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="allow")
    type: str
    data: str | None = None
    mime_type: str | None = None


class Event(pydantic.BaseModel):
    event_type: str
    index: int
    delta: Image


class Capped(pydantic.BaseModel):
    data: str = pydantic.Field(max_length=10**9)


class Checked(pydantic.BaseModel):
    data: str

    @pydantic.field_validator("data")
    @classmethod
    def upper(cls, value: str) -> str:
        return value.upper()


class Lowered(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(str_to_lower=True)
    data: str


class Listed(pydantic.BaseModel):
    data: list[str]


def block_of(payload: Any, *, event: str | None = "step.delta") -> bytes:
    data = json.dumps(payload).encode()
    return data if event is None else b"event: " + event.encode() + b"\ndata: " + data


def cut(block: bytes, size: int) -> list[bytes]:
    return [block[i : i + size] for i in range(0, len(block), size)]


def validator(model: type[pydantic.BaseModel]) -> Any:
    return pydantic.TypeAdapter(model).validator.validate_json


def data_of(block: bytes) -> bytes:
    return block.partition(b"data: ")[2]


IMAGE = {"event_type": "step.delta", "index": 0, "delta": {"type": "image", "data": DATA, "mime_type": "image/png"}}


@pytest.mark.parametrize("size", [65536, 4096, 1000, 7])
@pytest.mark.parametrize("event", ["step.delta", None], ids=["event-and-data", "data-only"])
def test_the_event_of_the_whole_json(long_event: ModuleType, size: int, event: str | None) -> None:
    block = block_of(IMAGE, event=event) if event else b"data: " + block_of(IMAGE, event=None)
    pieces = cut(block, size)
    got = long_event.validate_pieces(validator(Event), pieces)
    want = Event.model_validate_json(data_of(block))
    assert got is not long_event.NOT_TAKEN
    assert got == want and got.delta.data == DATA
    assert got.model_fields_set == want.model_fields_set and got.delta.model_fields_set == want.delta.model_fields_set
    assert pieces == []  # let go of


def test_a_long_extra_attribute(long_event: ModuleType) -> None:
    payload = {**IMAGE, "delta": {"type": "hologram", "depth": 3, "frames": DATA}}
    got = long_event.validate_pieces(validator(Event), cut(block_of(payload), 65536))
    assert got == Event.model_validate_json(json.dumps(payload)) and got.delta.frames == DATA


@pytest.mark.parametrize("size", [65536, 65535, 4097])
def test_a_long_non_ascii_string_however_it_is_cut(long_event: ModuleType, size: int) -> None:
    # A character cut between two pieces is decoded whole, with the piece that finishes it.
    payload = {**IMAGE, "delta": {"type": "image", "data": "é€😀" * (LONG // 9)}}
    block = json.dumps(payload, ensure_ascii=False).encode()
    pieces = cut(b"data: " + block, size)
    got = long_event.validate_pieces(validator(Event), pieces)
    assert got == Event.model_validate_json(block) and pieces == []


@pytest.mark.parametrize(
    ("model", "payload"),
    [
        (Capped, {"data": DATA}),  # a constraint: the stand-in says nothing about the long string
        (Checked, {"data": DATA}),  # a validator would see the stand-in
        (Lowered, {"data": DATA}),  # a string setting changes the string
        (Listed, {"data": ["x", DATA]}),  # not a model's attribute
        (Event, {**IMAGE, "delta": {"type": "image", "data": DATA.replace("A", "\n")}}),  # an escape
        (Event, {**IMAGE, "delta": {"type": "image", "data": "x" * 200, "uri": DATA[:1000]}}),  # not mostly one string
    ],
    ids=["constraint", "validator", "str-setting", "in-a-list", "escape", "no-long-string"],
)
def test_not_taken_the_block_is_intact(long_event: ModuleType, model: Any, payload: Any) -> None:
    block = block_of(payload)
    pieces = cut(block, 65535)
    assert long_event.validate_pieces(validator(model), pieces) is long_event.NOT_TAKEN
    assert b"".join(pieces) == block


@pytest.mark.parametrize(
    "block",
    [
        block_of(IMAGE).replace(DATA[1000:1010].encode(), b"\x01" * 10),  # a control character: not JSON
        block_of(IMAGE).replace(DATA[-1000:-990].encode(), b"\xff" * 10),  # not UTF-8
        block_of(IMAGE)[: 2 * 65536 - 2] + b"\xe2\x82" + block_of(IMAGE)[2 * 65536 :],  # a character never finished
        b"id: 7\n" + block_of(IMAGE),  # an id line: not the API's shape
        b": comment\n" + block_of(IMAGE),
        block_of(IMAGE).replace(b"\ndata: ", b"\ndata:"),
        block_of(IMAGE) + b"\ndata: more",
    ],
    ids=[
        "control-character",
        "invalid-utf8",
        "cut-character",
        "id-line",
        "comment",
        "data-without-space",
        "two-data-lines",
    ],
)
def test_other_blocks_are_not_taken_and_intact(long_event: ModuleType, block: bytes) -> None:
    pieces = cut(block, 65536)
    assert long_event.validate_pieces(validator(Event), pieces) is long_event.NOT_TAKEN
    assert b"".join(pieces) == block


class Plain(pydantic.BaseModel):
    data: str


BIG = "é€😀x" * 250_000  # 2.5 MB of UTF-8, each character but x cut somewhere by slices and pieces


@pytest.mark.parametrize("size", [700_001, 1 << 20])
def test_pieces_larger_than_a_slice_are_decoded_whole(long_event: ModuleType, size: int) -> None:
    # The decoder hands a long line over in 1 MiB segments; each is decoded in slices, and a
    # character cut between two slices (or two pieces) goes with the one that finishes it.
    block = b"data: " + json.dumps({"data": BIG}, ensure_ascii=False).encode()
    pieces = cut(block, size)
    got = long_event.validate_pieces(validator(Plain), pieces)
    assert got is not long_event.NOT_TAKEN and got.data == BIG and pieces == []


@pytest.mark.parametrize(
    "block",
    [
        # A control character in a later slice of a piece: what was decoded before it is given back.
        b'data: {"data": "' + BIG[:400_000].encode() + b"\x01" + BIG[400_000:].encode() + b'"}',
        # The string ends inside a character, and the closing quote starts the last piece.
        b'data: {"data": "' + b"x" * 300_000 + b'\xe2\x82"}',
    ],
    ids=["control-in-a-later-slice", "ends-inside-a-character"],
)
def test_a_long_string_broken_late_is_not_taken_and_intact(long_event: ModuleType, block: bytes) -> None:
    quote = block.rindex(b'"')
    pieces = [*cut(block[:quote], 100_001), block[quote:]]
    assert long_event.validate_pieces(validator(Plain), pieces) is long_event.NOT_TAKEN
    assert b"".join(pieces) == block
