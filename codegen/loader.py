"""Load an API revision's spec from spec/<revision>/ and check the conventions the generator relies on."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import overlay

REPO_ROOT = Path(__file__).resolve().parent.parent
SPEC_ROOT = REPO_ROOT / "spec"
SPEC_FILE_NAME = "openapi.yaml"
HTTP_METHODS = ("get", "post", "put", "patch", "delete")
REVISION_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")  # dated, like the Api-Revision header


class SpecError(Exception):
    """The spec breaks a rule the generator depends on; the message lists every problem found."""


@dataclass(frozen=True)
class LoadedSpec:
    revision: str
    path: Path
    document: dict[str, Any]

    @property
    def schemas(self) -> dict[str, Any]:
        schemas: dict[str, Any] = self.document["components"]["schemas"]
        return schemas


def current_revision(spec_root: Path = SPEC_ROOT) -> str:
    """The revision named in spec/CURRENT: the one a release pins."""
    return (spec_root / "CURRENT").read_text(encoding="utf-8").strip()


def spec_path(revision: str, spec_root: Path = SPEC_ROOT) -> Path:
    path = spec_root / revision / SPEC_FILE_NAME
    if not path.is_file():
        known = sorted(p.parent.name for p in spec_root.glob(f"*/{SPEC_FILE_NAME}"))
        raise SpecError(f"no revision {revision!r} under {spec_root} (known: {', '.join(known) or 'none'})")
    return path


def find_spec(name: str, spec_root: Path = SPEC_ROOT) -> Path:
    """A revision name under spec/ (`2026-05-20`) or the path of a spec or overlay file."""
    candidate = Path(name)
    if candidate.is_file():
        return candidate
    if REVISION_PATTERN.match(name):
        return spec_path(name, spec_root)
    raise SpecError(f"{name}: no such spec file, and not a revision name like 2026-05-20")


def load_spec(path: Path) -> LoadedSpec:
    """Read one OpenAPI document (or an overlay of one) and validate it; raises SpecError naming every problem."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
        if overlay.is_overlay(document):
            document = overlay.resolve(path, document)
    except (OSError, yaml.YAMLError, overlay.OverlayError) as exc:
        raise SpecError(str(exc)) from exc
    if not isinstance(document, dict):
        raise SpecError(f"{path}: not a YAML mapping")
    problems = list(_check(document))
    revision = str(document.get("x-api-revision") or "")
    folder = path.resolve().parent.name
    if REVISION_PATTERN.match(folder) and folder != revision:
        problems.append(f"x-api-revision: {revision!r}, but the spec's folder is named {folder}/")
    if problems:
        raise SpecError(f"{path}:\n  " + "\n  ".join(problems))
    return LoadedSpec(revision=revision, path=path, document=document)


def ref_name(ref: str) -> str:
    prefix = "#/components/schemas/"
    if not ref.startswith(prefix):
        raise SpecError(f"only local schema references are supported, got {ref!r}")
    return ref[len(prefix) :]


def _iter_refs(node: Any) -> Any:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _iter_refs(item)


def _check(document: dict[str, Any]) -> Iterator[str]:
    """Yield a readable line per broken convention."""
    if not str(document.get("openapi", "")).startswith("3."):
        yield "openapi: must be an OpenAPI 3 document"
    if not REVISION_PATTERN.match(str(document.get("x-api-revision", ""))):
        yield "x-api-revision: missing or not a date like 2026-05-20 (the API revision this spec describes)"
    schemas = document.get("components", {}).get("schemas")
    if not isinstance(schemas, dict) or not schemas:
        yield "components.schemas: missing"
        return
    for ref in sorted(set(_iter_refs(document))):
        try:
            name = ref_name(ref)
        except SpecError as exc:
            yield str(exc)
            continue
        if name not in schemas:
            yield f"$ref {ref}: no such schema"
    yield from _union_problems(schemas)
    for path, item in sorted(document.get("paths", {}).items()):
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for key in ("operationId", "x-sdk-resource", "x-sdk-method"):
                if not operation.get(key):
                    yield f"{method.upper()} {path}: {key} missing"


def _union_problems(schemas: dict[str, Any]) -> Iterator[str]:
    """Unions of objects are named schemas with a discriminator whose mapping names each variant once, every variant
    declaring its tag as a required string constant; an array member of a union is a named schema too."""
    for name, schema in sorted(schemas.items()):
        for where, node in _walk(schema, name):
            if "oneOf" not in node:
                continue
            for i, member in enumerate(node["oneOf"]):
                if isinstance(member, dict) and member.get("type") == "array":
                    yield f"{where}/oneOf/{i}: an array member of a union must be a named schema"
            if "discriminator" in node:
                yield from _discriminator_problems(where, node, schemas)
            elif _is_tagged_object_union(node, schemas):
                yield f"{where}: a union of object variants must be a named schema with a discriminator"


def _discriminator_problems(name: str, schema: dict[str, Any], schemas: dict[str, Any]) -> Iterator[str]:
    prop = schema["discriminator"].get("propertyName")
    mapping: dict[str, str] = schema["discriminator"].get("mapping") or {}
    members = [m.get("$ref") if isinstance(m, dict) else None for m in schema.get("oneOf", [])]
    if "/" in name:
        yield f"{name}: a discriminated union must be a named schema"
    if None in members:
        yield f"{name}: every oneOf member of a discriminated union must be a $ref"
    mapped = list(mapping.values())
    for member in members:
        if member is not None and member not in mapped:
            yield f"{name}: variant {_short(member)} has no discriminator mapping entry"
    for ref in sorted(set(mapped) - set(members)):
        yield f"{name}: mapping names {_short(ref)}, which is not a oneOf member"
    for ref in sorted({ref for ref in mapped if mapped.count(ref) > 1}):
        yield f"{name}: mapping names {_short(ref)} more than once"
    for tag, ref in mapping.items():
        variant = schemas.get(_short(ref))
        if variant is None:
            yield f"{name}: mapping {tag} -> {ref} does not resolve"
            continue
        prop_schema = variant.get("properties", {}).get(prop, {})
        if prop_schema.get("const") != tag or prop_schema.get("type") != "string":
            yield f"{name}: variant {_short(ref)} must declare {prop} as {{type: string, const: {tag!r}}}"
        if prop not in variant.get("required", []):
            yield f"{name}: variant {_short(ref)} must list {prop} as required"


def _is_tagged_object_union(node: dict[str, Any], schemas: dict[str, Any]) -> bool:
    """Every member a $ref to an object schema with a constant property: a union that needs a discriminator."""
    refs = [m["$ref"] for m in node["oneOf"] if isinstance(m, dict) and "$ref" in m]
    if not refs or len(refs) != len(node["oneOf"]):
        return False
    for ref in refs:
        target = schemas.get(_short(ref)) or {}
        if not (target.get("type") == "object" or "properties" in target):
            return False
        if not any(isinstance(p, dict) and "const" in p for p in target.get("properties", {}).values()):
            return False
    return True


def _short(ref: str) -> str:
    return ref.rsplit("/", 1)[-1]


def _walk(node: Any, path: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")
