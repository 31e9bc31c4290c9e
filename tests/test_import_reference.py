"""`python -m codegen import-reference`: the published document re-imported changes nothing; the rules that
derive the annotations; what a merge adds, keeps and reports; and the block writer that keeps the file's layout."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from codegen import importer, parity
from codegen.__main__ import main
from codegen.loader import current_revision, spec_path

REPO = Path(__file__).resolve().parents[1]
REVISION = current_revision()


@pytest.fixture
def reference() -> Path:
    path = parity.reference_path(REPO)
    if not path.is_file():
        pytest.skip(f"reference OpenAPI document not found at {path}; set GEMINI_SHARED_DIR")
    return path


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A copy of the current spec folder, to import into."""
    folder = tmp_path / REVISION
    shutil.copytree(spec_path(REVISION).parent, folder)
    return folder


def test_re_importing_the_published_document_changes_nothing(reference: Path, scratch: Path) -> None:
    before = (scratch / "openapi.yaml").read_bytes()
    result = importer.import_reference(reference, scratch)
    assert result.added == [] and result.conflicts == []
    assert (scratch / "openapi.yaml").read_bytes() == before


def test_the_check_command_says_so(reference: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["import-reference", str(reference), "--revision", REVISION, "--check"]) == 0
    assert "already has everything" in capsys.readouterr().out


def test_importing_into_a_spec_without_the_platform_adds_it_back_the_same(reference: Path, scratch: Path) -> None:
    spec_file = scratch / "openapi.yaml"
    current = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    reduced = copy.deepcopy(current)
    reduced["paths"] = {p: item for p, item in current["paths"].items() if "/interactions" in p}
    # Drop every schema only the platform reaches, then import: the operations and schemas come back.
    kept = parity.reachable_schemas(reduced)
    reduced["components"]["schemas"] = {n: s for n, s in current["components"]["schemas"].items() if n in kept}
    result = importer.merge(reduced, importer.normalise(json.loads(reference.read_text()), reduced), _allowed())
    assert len([a for a in result.added if a.startswith("operation ")]) == 29
    merged = result.document
    for path, item in current["paths"].items():
        for method, operation in item.items():
            ours = merged["paths"][path][method]
            assert _without_prose(ours) == _without_prose(operation), f"{method} {path}"
    for name in set(current["components"]["schemas"]) - kept:
        assert _without_prose(merged["components"]["schemas"][name]) == _without_prose(
            current["components"]["schemas"][name]
        ), name


def _allowed() -> importer.Allowed:
    return importer.Allowed.read(spec_path(REVISION).parent / importer.ALLOWLIST_FILE)


def _without_prose(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_prose(v) for k, v in node.items() if k not in ("description", "summary")}
    if isinstance(node, list):
        return [_without_prose(v) for v in node]
    return node


@pytest.mark.parametrize(
    ("operation_id", "path", "resource", "method"),
    [
        ("ListAgents", "/{api_version}/agents", "agents", "list"),
        ("getInteractionById", "/{api_version}/interactions/{id}", "interactions", "get"),
        ("ListTriggerExecutions", "/{api_version}/triggers/{trigger_id}/executions", "triggers", "list_executions"),
        (
            "RotateSigningSecret",
            "/{api_version}/webhooks/{id}:rotateSigningSecret",
            "webhooks",
            "rotate_signing_secret",
        ),
        ("PingWebhook", "/{api_version}/webhooks/{id}:ping", "webhooks", "ping"),
        (
            "StartEnvironmentFileUpload",
            "/upload/{api_version}/environments/{environment}/files/{path}",
            "environments.files",
            "start_upload",
        ),
        ("GetEnvironmentFiles", "/{api_version}/environments/{environment}/files/{path}", "environments.files", "list"),
    ],
)
def test_resource_and_method_names_by_rule(operation_id: str, path: str, resource: str, method: str) -> None:
    assert importer.resource_of(path) == resource
    assert importer.method_of(operation_id, resource) == method


def _document(schemas: dict[str, Any], paths: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"paths": paths or {}, "components": {"schemas": schemas}}


def test_the_document_quirks_are_normalised() -> None:
    doc = _document(
        {
            "A": {"type": "object", "properties": {"type": {"const": "a"}}, "required": ["type"]},
            "B": {"type": "object", "properties": {"type": {"const": "b"}}, "required": ["type"]},
            "AorB": {
                "type": "object",
                "oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
            },
            "Holder": {
                "type": "object",
                "x-speakeasy-model-namespace": "x",
                "description": "Their prose.",
                "properties": {
                    "one": {"oneOf": [{"$ref": "#/components/schemas/A"}], "description": "Prose."},
                    "either": {"oneOf": [{"$ref": "#/components/schemas/B"}, {"$ref": "#/components/schemas/A"}]},
                    "many": {
                        "oneOf": [
                            {"$ref": "#/components/schemas/A"},
                            {"type": "array", "items": {"$ref": "#/components/schemas/A"}},
                        ]
                    },
                    "description": {"type": "string"},
                },
            },
        }
    )
    schemas = importer.normalise(doc, _document({}))["components"]["schemas"]
    assert schemas["A"]["properties"]["type"] == {"type": "string", "const": "a"}
    assert schemas["AorB"] == {
        "oneOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/B"}],
        "discriminator": {
            "propertyName": "type",
            "mapping": {"a": "#/components/schemas/A", "b": "#/components/schemas/B"},
        },
    }
    holder = schemas["Holder"]
    assert "description" not in holder and "x-speakeasy-model-namespace" not in holder
    assert holder["properties"]["one"] == {"$ref": "#/components/schemas/A"}
    assert holder["properties"]["either"] == {"$ref": "#/components/schemas/AorB"}, "an inline union the spec names"
    assert holder["properties"]["many"]["oneOf"][1] == {"$ref": "#/components/schemas/AList"}
    assert schemas["AList"] == {"type": "array", "items": {"$ref": "#/components/schemas/A"}}
    assert holder["properties"]["description"] == {"type": "string"}, "a property may be called description"


def test_a_merge_adds_keeps_and_reports() -> None:
    spec = _document(
        {
            "Thing": {
                "description": "Our words.",
                "type": "object",
                "properties": {"kind": {"type": "string", "enum": ["x"], "description": "Ours."}},
            },
            "Other": {"type": "string"},
        }
    )
    doc = _document(
        {
            "Thing": {
                "type": "object",
                "properties": {"kind": {"type": "string", "enum": ["x", "y"]}, "size": {"type": "integer"}},
            },
            "Other": {"type": "object", "properties": {"a": {"type": "string"}}},
            "Missing": {"type": "object", "properties": {"ref": {"$ref": "#/components/schemas/Nowhere"}}},
        },
        {
            "/{api_version}/things": {
                "post": {
                    "operationId": "CreateThing",
                    "x-sdk-resource": "things",
                    "x-sdk-method": "create",
                    "responses": {
                        "200": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Missing"}}}}
                    },
                }
            }
        },
    )
    result = importer.merge(spec, doc, importer.Allowed())
    thing = result.document["components"]["schemas"]["Thing"]
    assert thing["description"] == "Our words." and thing["properties"]["kind"]["description"] == "Ours."
    assert thing["properties"]["kind"]["enum"] == ["x", "y"] and thing["properties"]["size"] == {"type": "integer"}
    assert "Missing" in result.document["components"]["schemas"]
    assert any("Nowhere" in c for c in result.conflicts), "a $ref the document never defines is reported"
    assert any(c.startswith("Other:") for c in result.conflicts), "a changed kind is reported, the spec's kept"
    assert result.document["components"]["schemas"]["Other"] == {"type": "string"}
    again = importer.merge(result.document, doc, importer.Allowed())
    assert again.added == [], "a second merge of the same document adds nothing"


def test_the_writer_edits_blocks_and_keeps_the_rest(tmp_path: Path) -> None:
    text = (
        "# a comment that stays\n"
        "openapi: 3.1.0\n"
        "paths:\n"
        "  /{api_version}/a:\n"
        "    get: {operationId: a, x-sdk-resource: a, x-sdk-method: get}\n"
        "components:\n"
        "  schemas:\n"
        "    # -------- a section comment\n"
        "    Kept: {type: string, description: 'Hand, formatted.'}\n"
    )
    path = tmp_path / "openapi.yaml"
    path.write_text(text, encoding="utf-8")
    document = yaml.safe_load(text)
    document["components"]["schemas"]["New"] = {
        "type": "object",
        "properties": {"p": {"type": "string", "pattern": "^[a,b]$"}},
    }
    result = importer.Result(document=document, changed_schemas={"New": None})
    assert importer.write(path, result)
    written = path.read_text(encoding="utf-8")
    assert written.startswith(text), "everything before stays byte for byte"
    assert yaml.safe_load(written) == document
