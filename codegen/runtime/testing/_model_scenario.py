"""The `model` scenario: the server plays a deterministic model for function tools and JSON answers.

Given `function` tools it calls each declared function once (arguments generated from the
function's schema, one call per tool in the same turn, streamed as `arguments_delta`s, after a
thought with a signature); once the results come back it answers with text quoting them. A
`function_result` without `name`, or with a `call_id` no earlier call has, is rejected with 400, as
the API does. Given a text `response_format` with a JSON schema it answers with an instance of the
schema (valid by construction), split over several text deltas.

`turn(body, issued_calls)` is the pure part: the scenario data of the answer (steps, status), or
None when the request is not for this player; `PlayError` is a request the API would reject."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from .._interaction_builder import assemble
from ._interactions import InteractionStore
from ._routing import ApiError
from ._scenarios import Scenario

if TYPE_CHECKING:
    from ._selection import Selection

__all__ = ["MODEL_SCENARIO", "PlayError", "by_model_player", "instance_of", "issued_calls", "scenario_data", "turn"]

MODEL_SCENARIO = "model"
SIGNATURE = "c2lnLW1vZGVsLXNjZW5hcmlv"  # base64 of "sig-model-scenario"
TEXT_PIECES = 4
MAX_DEPTH = 4


class PlayError(Exception):
    """A request the API would reject (400 invalid_argument)."""


def by_model_player(selection: Selection) -> Scenario | None:
    """The selector: the scenario this player answers with (see `scenario_data`), or None."""
    previous = selection.server.state(InteractionStore).find(selection.body.get("previous_interaction_id"))
    previous_steps = assemble(previous.events).get("steps") if previous is not None else None
    try:
        data = scenario_data(selection.body, selection.headers, selection.default_scenario, previous_steps)
    except PlayError as exc:
        raise ApiError(400, "invalid_argument", str(exc)) from None
    return Scenario.from_dict(data) if data is not None else None


def scenario_data(
    body: Mapping[str, Any], headers: Mapping[str, str], default_scenario: str | None, previous_steps: Any
) -> dict[str, Any] | None:
    """The scenario (JSON format) this player answers a create request with, or None to leave it to the others.

    It plays when asked by name (`x-test-scenario: model`, or the server's `default_scenario="model"`),
    and by default for a JSON `response_format` without function tools (no canned scenario answers
    those). `previous_steps` are the steps of the interaction `previous_interaction_id` names."""
    header = headers.get("x-test-scenario")
    named = header == MODEL_SCENARIO or (not header and default_scenario == MODEL_SCENARIO)
    has_functions = any(isinstance(t, Mapping) and t.get("type") == "function" for t in body.get("tools") or ())
    by_default = not header and not default_scenario and not has_functions
    if not named and not (by_default and json_schema_of(body.get("response_format")) is not None):
        return None
    data = turn(body, {**issued_calls(previous_steps), **issued_calls(body.get("input"))})
    if data is None:
        data = _answer("OK")
    return {"name": MODEL_SCENARIO, "description": "The server playing the model (tools, JSON).", **data}


def turn(body: Mapping[str, Any], issued: Mapping[str, str]) -> dict[str, Any] | None:
    """The answer to a create request as scenario data (`steps`, `status`), or None when not played.

    `issued` maps the call id of every function call the model made earlier in this conversation
    to the function's name (from the previous interaction, or from replayed input steps)."""
    functions = [t for t in body.get("tools") or () if isinstance(t, Mapping) and t.get("type") == "function"]
    schema = json_schema_of(body.get("response_format"))
    results = [item for item in _items(body.get("input")) if item.get("type") == "function_result"]
    _check_results(results, issued)
    if results:
        quoted = "; ".join(
            f"{result['name']}{' failed' if result.get('is_error') else ''}: "
            f"{json.dumps(result.get('result'), sort_keys=True, ensure_ascii=False)}"
            for result in results
        )
        text = json.dumps(instance_of(schema)) if schema is not None else f"Results: {quoted}"
        return _answer(text)
    if functions:
        return {"steps": [_thought(), *(_call(f, i) for i, f in enumerate(functions))], "status": "requires_action"}
    if schema is not None:
        return _answer(json.dumps(instance_of(schema)))
    return None


def issued_calls(steps: Any) -> dict[str, str]:
    """Call id -> function name of the `function_call` steps among `steps` (dicts)."""
    return {
        step["id"]: step.get("name", "")
        for step in _items(steps)
        if step.get("type") == "function_call" and isinstance(step.get("id"), str)
    }


def json_schema_of(response_format: Any) -> dict[str, Any] | None:
    formats = response_format if isinstance(response_format, list) else [response_format]
    for fmt in formats:
        if isinstance(fmt, Mapping) and fmt.get("type") == "text" and isinstance(fmt.get("schema"), Mapping):
            return dict(fmt["schema"])
    return None


def instance_of(schema: Any, defs: Mapping[str, Any] | None = None, *, name: str = "value", depth: int = 0) -> Any:
    """A JSON value valid against `schema` (the subset function and response schemas use)."""
    if not isinstance(schema, Mapping):
        return "sample"
    defs = {**(defs or {}), **schema.get("$defs", {})}
    if "$ref" in schema:
        return instance_of(defs[str(schema["$ref"]).rsplit("/", 1)[-1]], defs, name=name, depth=depth + 1)
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    for key in ("anyOf", "oneOf"):
        if key in schema:
            options = [o for o in schema[key] if not (isinstance(o, Mapping) and o.get("type") == "null")]
            return instance_of(options[0] if options else {"type": "null"}, defs, name=name, depth=depth)
    if "allOf" in schema:
        merged: dict[str, Any] = {}
        for part in schema["allOf"]:
            merged.update(part)
        return instance_of(merged, defs, name=name, depth=depth)
    kind = schema.get("type", "object" if "properties" in schema else "string")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind == "object":
        properties: Mapping[str, Any] = schema.get("properties", {})
        required = set(schema.get("required", properties if depth < MAX_DEPTH else ()))
        return {
            key: instance_of(sub, defs, name=key, depth=depth + 1) for key, sub in properties.items() if key in required
        }
    if kind == "array":
        count = max(int(schema.get("minItems", 0)), 0 if depth >= MAX_DEPTH else 2)
        return [instance_of(schema.get("items", {}), defs, name=name, depth=depth + 1) for _ in range(count)]
    if kind == "integer":
        return int(schema.get("minimum", 3))
    if kind == "number":
        return float(schema.get("minimum", 2.5))
    if kind == "boolean":
        return True
    if kind == "null":
        return None
    return f"{name} sample"


def _check_results(results: list[dict[str, Any]], issued: Mapping[str, str]) -> None:
    for result in results:
        call_id = result.get("call_id")
        if not result.get("name"):
            raise PlayError(f"function_result for call {call_id!r} has no `name`; every function_result needs one.")
        if call_id not in issued:
            raise PlayError(
                f"function_result names call_id {call_id!r}, which no function call in this conversation has."
            )


def _items(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, Mapping):
        return [dict(value)]
    if isinstance(value, list):
        return [dict(item) for item in value if isinstance(item, Mapping)]
    return []


def _thought() -> dict[str, Any]:
    return {"step": {"type": "thought"}, "deltas": [{"type": "thought_signature", "signature": SIGNATURE}]}


def _call(function: Mapping[str, Any], index: int) -> dict[str, Any]:
    name = str(function.get("name", f"function_{index}"))
    arguments = json.dumps(instance_of(function.get("parameters") or {"type": "object"}, name=name))
    third = max(len(arguments) // 3, 1)
    pieces = [arguments[:third], arguments[third : 2 * third], arguments[2 * third :]]
    return {
        "step": {"type": "function_call", "id": f"call_{index + 1}_{name}", "name": name, "arguments": {}},
        "deltas": [{"type": "arguments_delta", "arguments": piece} for piece in pieces if piece],
    }


def _answer(text: str) -> dict[str, Any]:
    size = max(-(-len(text) // TEXT_PIECES), 1)
    pieces = [text[i : i + size] for i in range(0, len(text), size)] or [""]
    return {
        "steps": [{"step": {"type": "model_output"}, "deltas": [{"type": "text", "text": p} for p in pieces]}],
        "status": "completed",
    }
