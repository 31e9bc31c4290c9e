"""Parity between our Interactions spec and Google's published OpenAPI document (codegen/parity.py holds the
comparison and the allowlist grammar), and the conventions of our spec that the loader does not check.

The reference document is read from `$GEMINI_SHARED_DIR/reference/interactions.openapi.json`
(default: `<repo>/../shared`); the tests that need it skip with a message when it is absent."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from codegen import parity
from codegen.loader import spec_path

from .conftest import REPO, REVISION

pytestmark = pytest.mark.generator  # checks the spec (with the generator's tools), not the packages

SPEC_PATH = spec_path(REVISION)
ALLOWLIST_PATH = SPEC_PATH.parent / "reference-parity-allowlist.txt"
SCHEMA_PREFIX = parity.SCHEMA_PREFIX
SDK_METHODS = {
    ("post", "/{api_version}/interactions"): ("createInteraction", "create", True),
    ("get", "/{api_version}/interactions/{id}"): ("getInteraction", "get", True),
    ("delete", "/{api_version}/interactions/{id}"): ("deleteInteraction", "delete", False),
    ("post", "/{api_version}/interactions/{id}/cancel"): ("cancelInteraction", "cancel", False),
}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        document: dict[str, Any] = yaml.safe_load(fh)
    return document


@pytest.fixture(scope="module")
def reference() -> dict[str, Any]:
    path = parity.reference_path(REPO)
    if not path.is_file():
        pytest.skip(
            f"reference OpenAPI document not found at {path}; set GEMINI_SHARED_DIR to the folder "
            "that holds reference/interactions.openapi.json (default: <repo>/../shared)"
        )
    with path.open(encoding="utf-8") as fh:
        document: dict[str, Any] = json.load(fh)
    return document


def test_spec_matches_reference(reference: dict[str, Any], spec: dict[str, Any]) -> None:
    problems = parity.problems(reference, spec, parity.Allowlist.read(ALLOWLIST_PATH))
    where = f"spec {SPEC_PATH.relative_to(REPO)} vs {parity.reference_path(REPO)}"
    assert not problems, f"{where}:\n  " + "\n  ".join(problems)


def test_reference_coverage_is_complete(reference: dict[str, Any], spec: dict[str, Any]) -> None:
    """Every reference schema of the operations we have is in our spec, under its name or an allowlisted rename."""
    missing = parity.missing_counterparts(reference, spec, parity.Allowlist.read(ALLOWLIST_PATH))
    assert not missing, "reference schemas without a counterpart: " + ", ".join(missing)


def test_spec_is_valid_openapi(spec: dict[str, Any]) -> None:
    try:
        from openapi_spec_validator import validate
    except ImportError:  # pragma: no cover - optional dependency
        pytest.skip("openapi-spec-validator is not installed")
    validate(spec)


def _walk(node: Any, path: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_operation_conventions(spec: dict[str, Any]) -> None:
    assert spec["openapi"] == "3.1.0"
    assert spec["info"] == {"title": "Gemini Interactions API", "version": REVISION}
    assert spec["x-api-revision"] == REVISION
    assert spec["servers"] == [{"url": "https://generativelanguage.googleapis.com"}]
    assert (REPO / "spec" / "CURRENT").read_text() == REVISION + "\n"
    assert set(parity.operations(spec)) == set(SDK_METHODS)
    problems: list[str] = []
    for (method, path), (op_id, sdk_method, streams) in SDK_METHODS.items():
        op = spec["paths"][path].get(method)
        if op is None:
            problems.append(f"missing {method.upper()} {path}")
            continue
        if op.get("operationId") != op_id:
            problems.append(f"{op_id}: operationId is {op.get('operationId')}")
        if op.get("x-sdk-resource") != "interactions" or op.get("x-sdk-method") != sdk_method:
            problems.append(f"{op_id}: x-sdk-resource/x-sdk-method wrong")
        if bool(op.get("x-sdk-stream")) != streams:
            problems.append(f"{op_id}: x-sdk-stream should be {streams}")
        content = op["responses"]["200"].get("content", {})
        if streams and content.get("text/event-stream", {}).get("schema") != {
            "$ref": SCHEMA_PREFIX + "InteractionSSEEvent"
        }:
            problems.append(f"{op_id}: text/event-stream must be InteractionSSEEvent")
        if streams and content.get("application/json", {}).get("schema") != {"$ref": SCHEMA_PREFIX + "Interaction"}:
            problems.append(f"{op_id}: application/json must be Interaction")
        default = op["responses"].get("default", {})
        if "$ref" in default:
            default = parity.resolve(spec, default["$ref"])
        if default.get("content", {}).get("application/json", {}).get("schema") != {
            "$ref": SCHEMA_PREFIX + "ErrorResponse"
        }:
            problems.append(f"{op_id}: default response must be ErrorResponse")
    params = [p for item in spec["paths"].values() for p in item.get("parameters", [])]
    for p in params:
        p = parity.resolve(spec, p["$ref"]) if "$ref" in p else p
        if p["name"] == "api_version":
            assert p["in"] == "path" and p["schema"] == {"type": "string", "default": "v1beta"}
    assert not problems, "\n".join(problems)


def test_spec_has_no_foreign_extensions(spec: dict[str, Any]) -> None:
    bad = [
        f"{path}/{key}"
        for path, node in _walk(spec)
        for key in node
        if isinstance(key, str) and (key.startswith("x-speakeasy") or key.startswith("x-google") or key == "examples")
    ]
    assert not bad, "remove: " + ", ".join(bad)


def test_every_operation_of_the_reference_is_compared(reference: dict[str, Any]) -> None:
    # Against a document with no operations at all, each of the reference's is a difference of its own.
    empty: dict[str, Any] = {"paths": {}, "components": {"schemas": {}}}
    diffs = parity.Comparer(reference, empty, parity.Allowlist()).run()
    keys = parity.operations(reference)
    assert len(keys) > len(SDK_METHODS)
    assert diffs == {f"op -{parity.operation_name(key)}" for key in keys}
