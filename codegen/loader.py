"""Load an API revision's spec from spec/<revision>/ and check the conventions the generator relies on."""

from __future__ import annotations

import re
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


def _check(document: dict[str, Any]) -> Any:
    """Yield a readable line per broken convention (see spec/README.md)."""
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
        discriminator = schema.get("discriminator")
        if discriminator is None:
            continue
        prop = discriminator.get("propertyName")
        mapping = discriminator.get("mapping") or {}
        members = [ref_name(m["$ref"]) for m in schema.get("oneOf", []) if "$ref" in m]
        mapped = {ref_name(ref) for ref in mapping.values()}
        for member in members:
            if member not in mapped:
                yield f"{name}: variant {member} has no discriminator mapping entry"
        for tag, ref in mapping.items():
            variant = schemas.get(ref_name(ref), {})
            prop_schema = variant.get("properties", {}).get(prop, {})
            if prop_schema.get("const") != tag:
                yield f"{name}: variant {ref_name(ref)} must declare {prop} as const {tag!r}"
            if prop not in variant.get("required", []):
                yield f"{name}: variant {ref_name(ref)} must list {prop} as required"
    for path, item in sorted(document.get("paths", {}).items()):
        for method in HTTP_METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            for key in ("operationId", "x-sdk-resource", "x-sdk-method"):
                if not operation.get(key):
                    yield f"{method.upper()} {path}: {key} missing"
