"""The pure parts of the platform surface: path segments, derived update masks, page cursors (no sockets)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from gemini_interactions import InvalidArgumentError
from gemini_interactions._pagination import PageCursor
from gemini_interactions._paths import path_segment, path_segments
from gemini_interactions._update_mask import derive_update_mask


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("abc", "abc"),
        ("a/b", "a%2Fb"),
        ("a?b#c", "a%3Fb%23c"),
        ("%2e%2e", "%252e%252e"),
        ("...", "..."),
        ("é", "%C3%A9"),
        (":ping", "%3Aping"),
        ("a b", "a%20b"),
    ],
)
def test_a_value_is_one_segment(value: str, encoded: str) -> None:
    assert path_segment(value, "id") == encoded


@pytest.mark.parametrize("value", ["", ".", ".."])
def test_dot_and_empty_segments_are_refused(value: str) -> None:
    with pytest.raises(InvalidArgumentError) as info:
        path_segment(value, "id")
    assert info.value.argument == "id" and "`id`" in str(info.value)


def test_a_non_string_is_refused() -> None:
    with pytest.raises(InvalidArgumentError, match="must be a string"):
        path_segment(3, "id")


@pytest.mark.parametrize(
    ("value", "encoded"),
    [
        ("main.py", "main.py"),
        ("src/main.py", "src/main.py"),
        ("a b/c?d#e", "a%20b/c%3Fd%23e"),
        ("a/.hidden", "a/.hidden"),
    ],
)
def test_a_reserved_path_keeps_its_slashes(value: str, encoded: str) -> None:
    assert path_segments(value, "path") == encoded


@pytest.mark.parametrize("value", ["", "/", "a//b", "../x", "a/./b", "a/..", "/abs", "dir/"])
def test_a_reserved_path_refuses_empty_and_dot_segments(value: str) -> None:
    with pytest.raises(InvalidArgumentError):
        path_segments(value, "path")


def test_the_mask_names_the_fields_given_in_order() -> None:
    assert derive_update_mask({"name": "n", "state": None, "uri": "u"}) == "name,uri"
    assert derive_update_mask({"name": None}) is None
    assert derive_update_mask({"subscribed_events": []}) == "subscribed_events", "an empty list is a value"


def test_a_cursor_stops_at_the_end_and_at_a_token_seen_before() -> None:
    first: PageCursor[SimpleNamespace, int] = PageCursor(
        SimpleNamespace(items=[1, 2], next_page_token="t1"), "items", "next_page_token"
    )
    assert first.items == [1, 2] and first.has_next_page()
    second = first.following(SimpleNamespace(items=[3], next_page_token="t1"))
    assert second.items == [3] and not second.has_next_page(), "a server repeating a token cannot loop the walk"
    last = first.following(SimpleNamespace(items=None, next_page_token=""))
    assert last.items == [] and last.next_page_token is None and not last.has_next_page()
