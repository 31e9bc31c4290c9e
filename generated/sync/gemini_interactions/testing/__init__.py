# Copied from codegen/runtime/testing/__init__.py by `nox -s generate` - edit it there, not here.
"""A fake Gemini Interactions API server for tests (standard library only).

Quick start::

    from gemini_interactions.testing import InteractionsTestServer

    with InteractionsTestServer() as server:
        client = Client(api_key="test-key", base_url=server.base_url)
        ...
        assert server.requests[-1].body["model"] == "gemini-3-flash-preview"

Scenarios (what the fake answers) are data: JSON files with ``steps`` or raw
``.sse`` transcripts. Built-ins: ``text``, ``thinking``, ``function_call``,
``function_call_result``, ``search_and_function``, ``interleaved_image``,
``deep_research_agent``. A scenario is chosen by, in order: the
``x-test-scenario`` request header; the ``next`` of the scenario of the
request's ``previous_interaction_id``; the server's ``default_scenario``; the
scenarios' ``match`` rules (model/agent globs, input text, input item types,
tool types); the ``fallback_scenario`` (``text``).

Faults (see :class:`Faults`) are set server-wide (``faults=``), per scenario
(``"faults"`` in its JSON) or per request with the header
``x-test-fault: drop_after=3; event_delay=0.025``.
"""

from __future__ import annotations

from .._interaction_builder import apply_delta, assemble, finish_step
from ._faults import Faults
from ._scenarios import Scenario, builtin_scenarios, load_scenarios, parse_sse
from ._server import (
    DONE_EVENT,
    Disconnect,
    InteractionsTestServer,
    RecordedRequest,
    StoredInteraction,
    encode_event,
)
from ._validation import Validator, default_validator, structural_validator

__all__ = [
    "DONE_EVENT",
    "Disconnect",
    "Faults",
    "InteractionsTestServer",
    "RecordedRequest",
    "Scenario",
    "StoredInteraction",
    "Validator",
    "apply_delta",
    "assemble",
    "builtin_scenarios",
    "default_validator",
    "encode_event",
    "finish_step",
    "load_scenarios",
    "parse_sse",
    "structural_validator",
]
