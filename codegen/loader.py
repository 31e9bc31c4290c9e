"""Load an API revision's spec from spec/<revision>/ and check the conventions the generator relies on.

Each broken convention is one line of the SpecError, all reported at once:
- an OpenAPI 3 document naming its `x-api-revision` (a date; under spec/, its folder's name);
- only local `#/components/schemas/...` references, each resolving;
- a discriminated union lists every variant twice, as a oneOf `$ref` and in `discriminator.mapping`, and
  each variant declares the discriminator as a required `{type: string, const: <its tag>}`;
- a union of tagged objects is a named schema with a discriminator (only those become open unions);
- an array member of a union is a named schema (so the union's type can name it);
- every operation has an operationId, an x-sdk-resource and an x-sdk-method."""

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


SCHEMA_REF_PREFIX = "#/components/schemas/"


def ref_name(ref: str) -> str:
    if not ref.startswith(SCHEMA_REF_PREFIX):
        raise SpecError(f"only local schema references are supported, got {ref!r}")
    return ref[len(SCHEMA_REF_PREFIX) :]


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
    """Yield a readable line per broken convention (listed in this module's docstring)."""
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
    for name, schema in sorted(schemas.items()):
        if isinstance(schema, dict):
            yield from _check_union(name, schema, schemas)
    for path, item in sorted(document.get("paths", {}).items()):
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for key in ("operationId", "x-sdk-resource", "x-sdk-method"):
                if not operation.get(key):
                    yield f"{method.upper()} {path}: {key} missing"


def _check_union(name: str, schema: dict[str, Any], schemas: dict[str, Any]) -> Iterator[str]:
    """The discriminator conventions open unions are generated from: every member a named object schema with
    a mapping entry, each declaring the discriminator as a required string const of its tag. A oneOf of such
    tagged objects without a discriminator (or inline, where it has no name) would not become an open union."""
    for where, node in _subschemas(name, schema):
        if "oneOf" not in node:
            continue
        for index, member in enumerate(node["oneOf"]):
            if isinstance(member, dict) and member.get("type") == "array":
                yield f"{where}/oneOf/{index}: an array member of a union must be a named schema"
        if node is schema and "discriminator" in node:
            continue
        refs = [m.get("$ref") for m in node["oneOf"] if isinstance(m, dict)]
        targets = [schemas.get(ref_name(r), {}) for r in refs if isinstance(r, str) and _is_local(r)]
        if refs and len(targets) == len(node["oneOf"]) and all(_is_tagged_object(t) for t in targets):
            yield f"{where}: a union of tagged objects must be a named schema with a discriminator"
    discriminator = schema.get("discriminator")
    if discriminator is None:
        return
    prop = discriminator.get("propertyName")
    if not isinstance(prop, str) or not prop:
        yield f"{name}: discriminator.propertyName missing"
        return
    mapping = discriminator.get("mapping") or {}
    members = schema.get("oneOf", [])
    refs = [m.get("$ref") for m in members if isinstance(m, dict)]
    if len(refs) != len(members) or None in refs:
        yield f"{name}: every oneOf member of a discriminated union must be a $ref"
    if not mapping:
        yield f"{name}: discriminator.mapping missing (every tag must name its variant)"
    for ref in refs:
        if ref and ref not in mapping.values():
            yield f"{name}: variant {ref.rsplit('/', 1)[-1]} has no discriminator mapping entry"
    for tag, ref in mapping.items():
        if ref not in refs:
            yield f"{name}: mapping {tag!r} -> {ref} is not a oneOf member"
    for tag, ref in mapping.items():
        variant = schemas.get(ref_name(ref)) if isinstance(ref, str) and _is_local(ref) else None
        if not isinstance(variant, dict):
            yield f"{name}: mapping {tag!r} -> {ref} does not resolve"
            continue
        prop_schema = variant.get("properties", {}).get(prop, {})
        if prop_schema.get("const") != tag or prop_schema.get("type") != "string":
            yield f"{name}: variant {ref_name(ref)} must declare {prop} as {{type: string, const: {tag!r}}}"
        if prop not in variant.get("required", []):
            yield f"{name}: variant {ref_name(ref)} must list {prop} as required"


def _is_local(ref: str) -> bool:
    return ref.startswith(SCHEMA_REF_PREFIX)


def _is_tagged_object(schema: dict[str, Any]) -> bool:
    properties = schema.get("properties", {})
    return schema.get("type") == "object" and any(isinstance(p, dict) and "const" in p for p in properties.values())


def _subschemas(where: str, node: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """Every schema object inside a named schema, itself first, with a path naming it."""
    if isinstance(node, dict):
        yield where, node
        for key, value in node.items():
            yield from _subschemas(f"{where}/{key}", value)
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _subschemas(f"{where}/{index}", value)
