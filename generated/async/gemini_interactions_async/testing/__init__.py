# Copied from codegen/runtime/testing/__init__.py by `nox -s generate` - edit it there, not here.
"""A fake Gemini Interactions API server for tests (standard library only).

Quick start:

    from gemini_interactions.testing import InteractionsTestServer

    with InteractionsTestServer() as server:
        client = Client(api_key="test-key", base_url=server.base_url)
        ...
        assert server.requests[-1].body["model"] == "gemini-3-flash-preview"

Scenarios (what the fake answers) are data: JSON files with `steps` or raw
`.sse` transcripts. Built-ins: `text`, `thinking`, `function_call`,
`function_call_result`, `search_and_function`, `interleaved_image`,
`deep_research_agent`; for long runs `long_answer` (three continuation hops),
`stuck_continuation`, `rejected_continuation`, `dropping_continuation`,
`checkpoint_answer` (a checkpoint token in a status update, then a drop; an interaction
created with `store=false` cannot be read or resumed by id), `background_run`,
`background_failure` and `background_forever`. A scenario is
chosen by, in order: a `continuation_token` the server issued (the issuing scenario's
`continues_with`, checked as the API checks a hop: see `_continuation`); the
`x-test-scenario` request header; the `next` of the scenario of the
request's `previous_interaction_id`; the server's `default_scenario`; the
scenarios' `match` rules (model/agent globs, input text, input item types,
tool types); the `fallback_scenario` (`text`).

The `model` scenario (`_model_scenario`) plays the model instead of replaying
a transcript: asked for by name (`x-test-scenario: model` or
`default_scenario="model"`) it calls every declared `function` tool once with
arguments generated from its schema, then answers with text quoting the results
(400 for a `function_result` without `name` or with an unknown `call_id`);
a text `response_format` with a JSON schema is answered, by default, with an
instance of the schema over several text deltas.

Faults (see `Faults`) are set server-wide (`faults=`), per scenario
(`"faults"` in its JSON) or per request with the header
`x-test-fault: drop_after=3; event_delay=0.025`.

Extending the server (the modules are private; their shape is the contract)
---------------------------------------------------------------------------

* `_http`: the HTTP handler. It reads a request, records it
  (`_records.Recorder`) and calls `server.dispatch`; it writes the
  `_wire.Response` it is handed and knows nothing of the API.
* `_server`: `InteractionsTestServer`; `dispatch` routes by method
  and path (`_routing.Router`), checks the key, then calls the route's handler
  with an `_exchange.Exchange`.
* A **route**: in a resource module, `router = Router()` and:

      @router.route("PATCH", "/{api_version}/webhooks/{id}")
      @router.route("POST", "/{api_version}/webhooks/{id}:ping")
      @router.route("POST", "/upload/{api_version}/environments/{env}/files/{path=**}")
      def handler(exchange: Exchange) -> None: ...

  `{name}` is one path segment, `{name=**}` the rest of the path; the values
  are in `exchange.params`. The request is `exchange.query`, `.headers`,
  `.raw_body`, `.json_object()`; answer with `send_json`, `send_bytes`,
  `send_stream` or `send_error`, or raise `ApiError`. Add the module's
  `router` to `_server.ROUTERS` (or `server.router.add(...)` for one server).
* The platform resources (agents, credentials, environments and their files, triggers,
  webhooks) are `_platform`: one in-memory `PlatformStore` (records by collection,
  trigger runs, environment files by path that uploads may add to), list pages by
  `page_token`/`next_page_token`, PATCH by `update_mask`.
* A **resource's state**: a `_state.ResourceState` subclass (its data behind
  `self.lock`, a `reset()`), reached with `exchange.server.state(MyStore)`;
  `server.reset()` resets every state. `_interactions.InteractionStore` is the example.
* A **scenario selector**: a function `(Selection) -> Scenario | None`
  (`_selection`); put it in `_selection.DEFAULT_SELECTORS` at its place in the
  order, or in one server's `server.selectors`. It sees the create body and
  headers, the scenario catalog and, through `selection.server.state(...)`,
  earlier interactions.
* **Faults** on any answer: `faults = exchange.faults(scenario_name, kind)`,
  `if exchange.answered_by_fault(faults): return` (injected status), then pass
  `faults` to `send_stream`/`send_json`/`send_bytes` (`_faults` applies them).

Environment files (`_files`) speak Google's resumable upload protocol; `server.state(FileStore)` has
the knobs (`max_size`, `interrupt_at`). Webhook deliveries (`_deliveries`): finished interactions,
`:ping` and rotations are POSTed, signed, to loopback URIs; `server.state(Deliveries)` records them
(`sent`, `wait_for(n)`) and holds the `secret` that signs `webhook_config` deliveries.

Deliberately hostile servers (protocol violations) belong in the tests, not here.
"""

from __future__ import annotations

from .._interaction_builder import apply_delta, assemble, finish_step
from ._deliveries import Deliveries, Delivery
from ._faults import Faults
from ._files import FileStore
from ._interactions import StoredInteraction
from ._records import Disconnect, RecordedRequest
from ._scenarios import Scenario, builtin_scenarios, load_scenarios, parse_sse
from ._server import InteractionsTestServer
from ._validation import Validator, default_validator, structural_validator
from ._wire import DONE_EVENT, encode_event

__all__ = [
    "DONE_EVENT",
    "Deliveries",
    "Delivery",
    "Disconnect",
    "Faults",
    "FileStore",
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
