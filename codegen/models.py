"""The pydantic classes of the models module, written by datamodel-code-generator.

datamodel-code-generator is handed a *lowered* copy of the spec: discriminated unions and the other
named non-object types are taken out (their references point at a placeholder module; the models
template defines them), every enum becomes `Literal[...] | str` so unknown values are kept, and
string formats are dropped so values round-trip exactly as received. What it writes comes back as
`ModelClasses`: each class's definition and their imports, for `types/_models.py.j2` to place among
the unions and aliases it defines itself."""

from __future__ import annotations

import ast
import copy
import json
import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .ir import Api
from .project import MIN_PYTHON

PLACEHOLDER_UNIONS = "__open_unions__"  # the module the unions and aliases seem to come from
PLACEHOLDER_BASE = "__model_base__"  # the module the base classes seem to come from
KEPT_FORMATS = {"int32", "int64"}


@dataclass(frozen=True)
class ModelClasses:
    """What datamodel-code-generator wrote, without its header: its imports, and each class's source."""

    imports: str
    sources: dict[str, str]  # class name -> its definition, in the order written

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self.sources)

    def __getitem__(self, name: str) -> str:
        return self.sources[name]


def model_classes(api: Api) -> ModelClasses:
    return split_classes(adapt_imports(run_datamodel_codegen(api)))


def split_classes(source: str) -> ModelClasses:
    """The imports and the class definitions of a module that holds nothing else."""
    lines = source.splitlines()
    imports: list[str] = []
    sources: dict[str, str] = {}
    for node in ast.parse(source).body:
        text = "\n".join(lines[node.lineno - 1 : node.end_lineno])
        if isinstance(node, ast.ImportFrom | ast.Import):
            imports.append(text)
        elif isinstance(node, ast.ClassDef) and not node.decorator_list:
            sources[node.name] = text
        elif _is_model_rebuild(node):
            continue  # a recursive model: pydantic resolves it when first used (the models defer their build)
        else:
            raise ValueError(f"datamodel-code-generator wrote more than imports and classes: {text[:80]!r}")
    return ModelClasses(imports="\n".join(imports), sources=sources)


def _is_model_rebuild(node: ast.stmt) -> bool:
    """`SomeModel.model_rebuild()`, which datamodel-code-generator writes after a recursive model."""
    call = node.value if isinstance(node, ast.Expr) else None
    return (
        isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and call.func.attr == "model_rebuild"
        and isinstance(call.func.value, ast.Name)
        and not call.args
    )


def lower_for_datamodel_codegen(api: Api) -> dict[str, Any]:
    """Object schemas for datamodel-code-generator; every other named schema is a placeholder
    whose references `--type-overrides` redirects to the alias our template defines."""
    lowered: dict[str, Any] = {model.name: _lower(copy.deepcopy(model.schema)) for model in api.models}
    lowered.update({name: {"type": "object"} for name in _placeholders(api)})
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
    overrides = {name: f"{PLACEHOLDER_UNIONS}.{name}" for name in _placeholders(api)}
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
            "--target-python-version", MIN_PYTHON,
            "--base-class", f"{PLACEHOLDER_BASE}.BaseModel",
            "--base-class-map", json.dumps(_base_class_map(api), sort_keys=True),
            "--type-overrides", json.dumps(overrides, sort_keys=True),
            "--enum-field-as-literal", "all",
            "--use-one-literal-as-default",
            "--use-default-kwarg",
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


def _placeholders(api: Api) -> list[str]:
    """The named types the models template defines: open unions and aliases."""
    return [u.name for u in api.unions] + [a.name for a in api.aliases]


def _base_class_map(api: Api) -> dict[str, str]:
    return {model.name: f"{PLACEHOLDER_BASE}.{model.base.name}" for model in api.models if model.base}


def _env_with_ruff_on_path() -> dict[str, str]:
    """datamodel-code-generator runs its formatter as `ruff` from PATH; a venv that is not activated
    (or one that borrows its packages from another) would silently skip formatting without this."""
    from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

    env = dict(os.environ)
    env["PATH"] = os.pathsep.join([str(Path(find_ruff_bin()).parent), env.get("PATH", "")])
    return env


def adapt_imports(source: str) -> str:
    """The module without its header and the placeholder imports: the template imports the runtime
    bases and defines the unions and aliases."""
    lines: list[str] = []
    skipping = False
    for line in source.splitlines():
        if skipping:
            skipping = not line.startswith(")")
            continue
        if line.startswith((f"from {PLACEHOLDER_UNIONS} import", f"from {PLACEHOLDER_BASE} import")):
            skipping = line.rstrip().endswith("(")
            continue
        if line.startswith(("# generated by datamodel-codegen", "#   filename:", "from __future__ import")):
            continue
        # A ClassVar, as in the base class: an unannotated override is "ambiguous" to pyright's --verifytypes.
        line = line.replace("    model_config = ConfigDict(", "    model_config: ClassVar[ConfigDict] = ConfigDict(", 1)
        lines.append(line)
    return "\n".join(lines).strip("\n") + "\n"
