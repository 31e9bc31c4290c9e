"""The public names of streams, conversations, client options, credentials and output kinds, in both packages.

(`test_surface.py` proves the two packages alike; this proves these names are part of what they offer.)"""

from __future__ import annotations

import inspect
from typing import Any

import gemini_interactions
import gemini_interactions_async
import pytest

from .conftest import Flavour

PACKAGE_NAMES = ["CredentialsError", "types.OutputAudio", "types.OutputVideo", "types.OutputMedia"]
STREAM_MEMBERS = ["text_stream", "until_done", "current_interaction", "final_interaction"]
CHAT_MEMBERS = ["send", "stream", "history", "last_interaction", "fork", "to_dict", "from_dict", "store"]
ACCESSORS = ["output_text", "output_images", "output_audio", "output_videos", "function_calls", "thought_summaries"]


@pytest.mark.parametrize("package", [gemini_interactions, gemini_interactions_async], ids=["sync", "async"])
def test_the_new_names_are_public(package: object) -> None:
    for dotted in PACKAGE_NAMES:
        owner: Any = package
        for part in dotted.split("."):
            assert part in owner.__all__, dotted
            owner = getattr(owner, part)


def test_flavoured_classes_and_members(flavour: Flavour) -> None:
    chat_class = flavour.pkg.AsyncChat if flavour.is_async else flavour.pkg.Chat
    assert chat_class.__name__ in flavour.pkg.__all__
    for name in CHAT_MEMBERS:
        assert hasattr(chat_class, name), name
    for name in STREAM_MEMBERS:
        assert hasattr(flavour.stream_class, name), name
    for name in ACCESSORS:
        assert isinstance(getattr(flavour.types.Interaction, name), property), name
    client = flavour.client(base_url="http://127.0.0.1:9")
    assert "credentials" in inspect.signature(flavour.client_class).parameters
    assert callable(client.with_options) and callable(client.interactions.chat)
    io = [chat_class.send, chat_class.stream, flavour.stream_class.until_done]
    assert all(inspect.iscoroutinefunction(method) == flavour.is_async for method in io)
    assert not inspect.iscoroutinefunction(flavour.stream_class.current_interaction)
    # text_stream is one of the iterations of _events, the flavoured generator.
    assert inspect.isasyncgenfunction(flavour.stream_class._events) == flavour.is_async
