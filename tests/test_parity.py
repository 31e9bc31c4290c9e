"""codegen/parity.py on small documents: every part of an operation is compared, and the allowlist is strict."""

from __future__ import annotations

import copy
from typing import Any

from codegen import parity

THING = {
    "type": "object",
    "properties": {"id": {"type": "string"}, "size": {"type": "integer"}},
    "required": ["id"],
}


def document() -> dict[str, Any]:
    """A reference-like document: a list call answering through `default`, a create call with a body."""
    thing = {"$ref": "#/components/schemas/Thing"}
    return {
        "paths": {
            "/{api_version}/things": {
                "parameters": [{"name": "api_version", "in": "path", "required": True, "schema": {"type": "string"}}],
                "get": {
                    "parameters": [{"name": "page_size", "in": "query", "schema": {"type": "integer"}}],
                    "responses": {"default": {"content": {"application/json": {"schema": thing}}}},
                },
                "post": {
                    "requestBody": {"content": {"application/json": {"schema": thing}}},
                    "responses": {"200": {"content": {"application/json": {"schema": thing}}}},
                },
            },
            "/{api_version}/things/{id}:ping": {"post": {"responses": {"200": {}}}},
        },
        "components": {"schemas": {"Thing": copy.deepcopy(THING)}},
    }


def ours_like(reference: dict[str, Any]) -> dict[str, Any]:
    """The same document as our spec writes it: success as 200, errors under `default`."""
    ours = copy.deepcopy(reference)
    listing = ours["paths"]["/{api_version}/things"]["get"]
    listing["responses"] = {"200": listing["responses"]["default"], "default": {"description": "error"}}
    return ours


def test_the_same_operations_written_our_way_have_no_differences() -> None:
    reference = document()
    assert parity.Comparer(reference, ours_like(reference), parity.Allowlist()).run() == set()


def test_every_part_of_an_operation_is_compared() -> None:
    reference = document()
    ours = ours_like(reference)
    things = ours["paths"]["/{api_version}/things"]
    things["get"]["parameters"] = [
        {"name": "page_size", "in": "query", "schema": {"type": "string"}},
        {"name": "page_token", "in": "query", "required": True, "schema": {"type": "string"}},
    ]
    things["post"]["requestBody"]["content"] = {"application/x-ndjson": {"schema": {"type": "string"}}}
    things["post"]["responses"]["200"]["content"]["application/json"]["schema"] = {"type": "object"}
    del ours["paths"]["/{api_version}/things/{id}:ping"]
    ours["paths"]["/{api_version}/things/{id}"] = {"delete": {"responses": {"204": {}}}}
    ours["components"]["schemas"]["Thing"]["properties"]["colour"] = {"type": "string"}

    assert parity.Comparer(reference, ours, parity.Allowlist()).run() == {
        "GET:/{api_version}/things:query:page_size type integer->string",
        "GET:/{api_version}/things param +query:page_token",
        "POST:/{api_version}/things:body body -application/json",
        "POST:/{api_version}/things:body body +application/x-ndjson",
        "POST:/{api_version}/things:200:application/json type ref:Thing->object",
        "op -POST:/{api_version}/things/{id}:ping",
        "op +DELETE:/{api_version}/things/{id}",
        "Thing property +colour",
    }


def test_a_success_status_that_differs_is_a_difference() -> None:
    reference = document()
    ours = ours_like(reference)
    ping = ours["paths"]["/{api_version}/things/{id}:ping"]["post"]
    ping["responses"] = {"202": ping["responses"]["200"]}
    assert parity.Comparer(reference, ours, parity.Allowlist()).run() == {
        "POST:/{api_version}/things/{id}:ping status 200->202"
    }


def test_schemas_of_an_operation_we_do_not_have_are_left_to_its_op_entry() -> None:
    reference = document()
    reference["paths"]["/{api_version}/gadgets"] = {
        "get": {"responses": {"200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/G"}}}}}}
    }
    reference["components"]["schemas"]["G"] = {"type": "object", "properties": {"x": {"type": "string"}}}
    allow = parity.Allowlist.parse("op -GET:/{api_version}/gadgets  # not in the SDK yet\n")
    assert parity.problems(reference, ours_like(document()), allow) == []
    assert parity.missing_counterparts(reference, ours_like(document()), allow) == []


def test_allowlist_entries_must_explain_a_difference_and_give_a_reason() -> None:
    reference = document()
    ours = ours_like(reference)
    del ours["paths"]["/{api_version}/things/{id}:ping"]
    allow = parity.Allowlist.parse(
        "op -POST:/{api_version}/things/{id}:ping -GET:/{api_version}/gone  # not yet\n"
        "Thing property +colour\n"
        "rename Old => Thing  # stale\n"
    )
    assert allow.entries == {
        "op -POST:/{api_version}/things/{id}:ping",
        "op -GET:/{api_version}/gone",
        "Thing property +colour",
    }
    assert parity.problems(reference, ours, allow) == [
        "malformed allowlist line 2: missing '# reason': Thing property +colour",
        "stale rename: Old => Thing",
        "2 allowlist entr(y/ies) that match no difference (remove them):\n"
        "    Thing property +colour\n    op -GET:/{api_version}/gone",
    ]
