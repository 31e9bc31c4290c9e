"""Pydantic model bodies via datamodel-code-generator, plus the open unions it cannot express.

datamodel-code-generator writes the classes. It is handed a *lowered* copy of the spec:
discriminated unions are taken out (their references point at a placeholder module, and the
unions are rendered by our own template), every enum becomes `Literal[...] | str` so unknown
values are kept, and string formats are dropped so values round-trip exactly as received."""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

from .ir import Api

PLACEHOLDER_UNIONS = "__open_unions__"
PLACEHOLDER_BASE = "__model_base__"
RUNTIME_BASE_IMPORT = "from .._models_base import BaseModel, UnknownVariant, open_discriminator"
# Models that inherit hand-written behaviour from the runtime (which adds no fields): model -> (module, base class).
RUNTIME_BASE_CLASSES = {"Interaction": ("_interaction_accessors", "InteractionAccessors")}
KEPT_FORMATS = {"int32", "int64"}


def lower_for_datamodel_codegen(api: Api) -> dict[str, Any]:
    """Object schemas for datamodel-code-generator; every other named schema is a placeholder
    whose references `--type-overrides` redirects to the alias our template defines."""
    lowered: dict[str, Any] = {}
    for name, schema in api.schemas.items():
        lowered[name] = _lower(copy.deepcopy(schema)) if name in api.models else {"type": "object"}
    return {
        "openapi": "3.1.0",
        "info": {"title": api.title, "version": api.revision},
        "paths": {},
        "components": {"schemas": lowered},
    }


def _lower(node: Any) -> Any:
    if isinstance(node, list):
        return [_lower(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _lower(value) for key, value in node.items()}
    if result.get("format") not in KEPT_FORMATS:
        result.pop("format", None)
    if "enum" in result and result.get("type", "string") == "string":
        # An open enum: the known values for readers and type checkers, any string at runtime.
        known = {"type": "string", "enum": result.pop("enum")}
        result.pop("type", None)
        result["anyOf"] = [known, {"type": "string"}]
    return result


def run_datamodel_codegen(api: Api) -> str:
    """The model module's body as datamodel-code-generator writes it (imports not yet final)."""
    document = lower_for_datamodel_codegen(api)
    overrides = {name: f"{PLACEHOLDER_UNIONS}.{name}" for name in api.schemas if name not in api.models}
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / "openapi.json"
        target = Path(tmp) / "models.py"
        source.write_text(json.dumps(document, indent=1), encoding="utf-8")
        command = [
            sys.executable, "-m", "datamodel_code_generator",
            "--input", str(source),
            "--input-file-type", "openapi",
            "--output", str(target),
            "--output-model-type", "pydantic_v2.BaseModel",
            "--target-python-version", "3.10",
            "--base-class", f"{PLACEHOLDER_BASE}.BaseModel",
            "--base-class-map", json.dumps(_base_class_map(api), sort_keys=True),
            "--type-overrides", json.dumps(overrides, sort_keys=True),
            "--enum-field-as-literal", "all",
            "--use-one-literal-as-default",
            "--use-annotated",
            "--use-standard-collections",
            "--use-union-operator",
            "--use-type-alias",
            "--field-constraints",
            "--use-inline-field-description",
            "--use-schema-description",
            "--use-single-line-docstring",
            "--use-exact-imports",
            "--keep-model-order",
            "--disable-timestamp",
            "--formatters", "ruff-format",
        ]  # fmt: skip
        subprocess.run(command, check=True, capture_output=True, text=True, env=_env_with_ruff_on_path())
        return target.read_text(encoding="utf-8")


def _base_class_map(api: Api) -> dict[str, str]:
    bases = RUNTIME_BASE_CLASSES.items()
    return {model: f"{PLACEHOLDER_BASE}.{base}" for model, (_, base) in bases if model in api.models}


def _env_with_ruff_on_path() -> dict[str, str]:
    """datamodel-code-generator runs its formatter as `ruff` from PATH; a venv that is not activated
    (or one that borrows its packages from another) would silently skip formatting without this."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(find_ruff_bin()).parent), env.get("PATH", "")])
    return env


def _runtime_base_imports(import_line: str) -> list[str]:
    named = {name.strip() for name in import_line.split(" import ", 1)[1].split(",")}
    return [f"from ..{module} import {base}" for module, base in sorted(RUNTIME_BASE_CLASSES.values()) if base in named]


def adapt_imports(source: str) -> str:
    """Point the placeholder imports at the package runtime; the aliases and unions are defined in-module."""
    lines: list[str] = []
    skipping = False
    for line in source.splitlines():
        if skipping:
            skipping = not line.startswith(")")
            continue
        if line.startswith(f"from {PLACEHOLDER_UNIONS} import"):
            skipping = line.rstrip().endswith("(")
            continue
        if line.startswith(f"from {PLACEHOLDER_BASE} import"):
            line = "\n".join([RUNTIME_BASE_IMPORT, *_runtime_base_imports(line)])
        if line.startswith(("# generated by datamodel-codegen", "#   filename:")):
            continue
        # A ClassVar, as in the base class: an unannotated override is "ambiguous" to pyright's --verifytypes.
        line = line.replace("    model_config = ConfigDict(", "    model_config: ClassVar[ConfigDict] = ConfigDict(", 1)
        lines.append(line)
    return "\n".join(lines).lstrip("\n") + "\n"
