"""`python -m codegen import-reference DOCUMENT --revision R`: merge a published OpenAPI document into spec/R/.

The document is normalised into this project's conventions first (`normalise`): the prose is dropped (our
descriptions are written by us, in the spec, and survive every import), vendor extensions go, a `const`
without a type gets one, a one-member `oneOf` becomes its member, an object union of tagged variants gets its
discriminator, an inline union the spec already names becomes a `$ref` to that name, an array member of a union
becomes a named `…List` schema, path-level parameters move into the operations, Google's `default` success
responses become `200` and every error response the shared `ErrorResponse`. Each new operation is annotated by
rule (`x-sdk-resource` from its path, `x-sdk-method` from its operationId, `x-sdk-idempotent: false` for a
POST), with `METHOD_OVERRIDES` for the odd names.

Then `merge` adds what the document has and the spec lacks: operations, the schemas they reach, properties and
enum values of schemas both have. What the spec has beyond the document stays; a difference the allowlist of
`tests/test_spec_parity.py` explains is deliberate and stays too; any other difference is a conflict, reported
and never resolved by guessing. The spec file is edited block by block (one path or one schema at a time), so
its hand-written layout and comments survive and a second import of the same document changes nothing."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .loader import HTTP_METHODS, SPEC_FILE_NAME

SCHEMA_PREFIX = "#/components/schemas/"
API_VERSION = "api_version"
ALLOWLIST_FILE = "reference-parity-allowlist.txt"
# Keys that carry the document's prose or a vendor's generator settings: never copied.
PROSE_KEYS = frozenset({"description", "summary", "title", "examples", "example", "x-codeSamples"})
VENDOR_PREFIXES = ("x-speakeasy-", "x-stainless-", "x-google-")
# operationIds whose rule-made method name is not the one google-genai 3.3.0 uses.
METHOD_OVERRIDES = {"GetEnvironmentFiles": "list"}

Document = dict[str, Any]


class ImportReferenceError(Exception):
    """The document cannot be merged (a rule does not apply); the message says where."""


# --------------------------------------------------------------------------- normalising


def _strip(node: Any, names: bool = False) -> Any:
    """The node without prose and vendor extensions; a path parameter's reserved-character encoding as
    `x-sdk-allow-reserved` (OpenAPI's `allowReserved` is for query parameters only). `names`: the keys are
    property names (a property may be called `description`), not keywords."""
    if isinstance(node, list):
        return [_strip(item) for item in node]
    if not isinstance(node, dict):
        return node
    if names:
        return {key: _strip(value) for key, value in node.items()}
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == "x-speakeasy-param-encoding-override" and value == "allowReserved":
            result["x-sdk-allow-reserved"] = True
        elif key in ("properties", "mapping", "headers", "content", "responses"):
            result[key] = _strip(value, names=True)
        elif key in PROSE_KEYS or key.startswith(VENDOR_PREFIXES):
            continue
        else:
            result[key] = _strip(value)
    return result


def _typed_consts(node: Any) -> Any:
    """`{const: x}` without a type gets the type of x (Google's document leaves it out)."""
    if isinstance(node, list):
        return [_typed_consts(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _typed_consts(value) for key, value in node.items()}
    if "const" in result and "type" not in result:
        kind = {bool: "boolean", int: "integer", float: "number", str: "string"}.get(type(result["const"]))
        if kind:
            result = {"type": kind, **result}
    return result


def _single_members(node: Any, top: bool = False) -> Any:
    """An inline `oneOf` of one member is that member (a named one stays a union: it may grow variants)."""
    if isinstance(node, list):
        return [_single_members(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _single_members(value) for key, value in node.items()}
    members = result.get("oneOf")
    if not top and isinstance(members, list) and len(members) == 1 and "discriminator" not in result:
        rest = {k: v for k, v in result.items() if k != "oneOf"}
        if not rest or set(rest) <= {"type"}:
            return members[0]
    return result


def _tag_of(schema: dict[str, Any], prop: str) -> str | None:
    value = schema.get("properties", {}).get(prop, {}).get("const")
    return value if isinstance(value, str) and prop in schema.get("required", []) else None


def _discriminated(schemas: dict[str, Any]) -> dict[str, Any]:
    """A named object union whose variants all carry a required string const gets that discriminator."""
    result = dict(schemas)
    for name, schema in schemas.items():
        members = schema.get("oneOf")
        if "discriminator" in schema or not isinstance(members, list) or not members:
            continue
        if not all("$ref" in m and m["$ref"].startswith(SCHEMA_PREFIX) for m in members):
            continue
        targets = [schemas.get(m["$ref"][len(SCHEMA_PREFIX) :], {}) for m in members]
        common = set.intersection(*(set(t.get("properties", {})) for t in targets))
        tag_props = sorted(p for p in common if all(_tag_of(t, p) for t in targets))
        if not tag_props:
            continue
        prop = "type" if "type" in tag_props else tag_props[0]
        mapping = {_tag_of(t, prop): m["$ref"] for t, m in zip(targets, members, strict=True)}
        result[name] = {"oneOf": members, "discriminator": {"propertyName": prop, "mapping": mapping}}
    return result


def _member_key(members: list[Any]) -> str:
    return json.dumps(sorted(json.dumps(m, sort_keys=True) for m in members))


def _named_unions(spec_schemas: dict[str, Any], new_schemas: dict[str, Any]) -> dict[str, str]:
    """Inline `oneOf` member sets that a schema names already, to the name (the spec's names first)."""
    names: dict[str, str] = {}
    for schemas in (new_schemas, spec_schemas):
        for name, schema in schemas.items():
            if isinstance(schema.get("oneOf"), list):
                names[_member_key(schema["oneOf"])] = name
    return names


def _hoisted(node: Any, names: dict[str, str], top: bool = True) -> Any:
    """Inline unions that match a named one become `$ref`s to it (a named schema itself stays)."""
    if isinstance(node, list):
        return [_hoisted(item, names, False) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _hoisted(value, names, False) for key, value in node.items()}
    members = result.get("oneOf")
    if not top and isinstance(members, list):
        name = names.get(_member_key(members))
        if name:
            return {"$ref": SCHEMA_PREFIX + name}
    return result


def _named_arrays(schemas: dict[str, Any], spec_schemas: dict[str, Any]) -> dict[str, Any]:
    """An array member of a union is a named `<Item>List` schema (a union's members are names or scalars)."""
    result = dict(schemas)

    def visit(node: Any) -> Any:
        if isinstance(node, list):
            return [visit(item) for item in node]
        if not isinstance(node, dict):
            return node
        node = {key: visit(value) for key, value in node.items()}
        for key in ("oneOf", "anyOf"):
            if isinstance(node.get(key), list):
                node[key] = [_named_array(m, result, spec_schemas) for m in node[key]]
        return node

    for name in schemas:
        result[name] = visit(result[name])
    return result


def _named_array(member: Any, schemas: dict[str, Any], spec_schemas: dict[str, Any]) -> Any:
    """`{type: array, items: {$ref: X}}` as `{$ref: XList}`; other arrays (and a name taken otherwise) stay."""
    if not isinstance(member, dict) or member.get("type") != "array":
        return member
    item_ref = member.get("items", {}).get("$ref", "")
    if not item_ref.startswith(SCHEMA_PREFIX):
        return member
    name = item_ref[len(SCHEMA_PREFIX) :] + "List"
    for known in (schemas.get(name), spec_schemas.get(name)):
        if known is not None and _strip(known) != member:
            return member
    schemas[name] = member
    return {"$ref": SCHEMA_PREFIX + name}


def _resolve(doc: Document, ref: str) -> Any:
    node: Any = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _parameters(doc: Document, path_item: dict[str, Any], operation: dict[str, Any]) -> list[dict[str, Any]]:
    """Path-level and operation-level parameters of one operation, resolved; the operation's win."""
    merged: dict[tuple[str, str], dict[str, Any]] = {}
    for raw in [*path_item.get("parameters", []), *operation.get("parameters", [])]:
        param = _resolve(doc, raw["$ref"]) if "$ref" in raw else raw
        merged[(param["name"], param["in"])] = param
    params = []
    for param in merged.values():
        param = _typed_consts(_strip(param))
        if param["name"] == API_VERSION:
            param = {
                "name": API_VERSION,
                "in": "path",
                "required": True,
                "schema": {"type": "string", "default": "v1beta"},
            }
        params.append(param)
    return params


def _responses(operation: dict[str, Any]) -> dict[str, Any]:
    """`200` with the success content (Google's document often calls it `default`), `default` the error body."""
    responses = operation.get("responses", {})
    success = responses.get("200") or responses.get("default") or {}
    result: dict[str, Any] = {"200": {}}
    for key in ("headers", "content"):
        value = _typed_consts(_strip(success.get(key, {})))
        if value:
            result["200"][key] = value
    result["default"] = {"content": {"application/json": {"schema": {"$ref": SCHEMA_PREFIX + "ErrorResponse"}}}}
    return result


def words(identifier: str) -> list[str]:
    """`ListTriggerExecutions` -> [List, Trigger, Executions]; `getInteractionById` -> [get, Interaction, By, Id]."""
    return re.findall(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])", identifier)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") else word


def resource_of(path: str) -> str:
    """The resource an operation belongs to, from its path: the first collection, and a nested collection whose
    items are addressed as its own sub-resource (`environments.files`); an unaddressed one (`executions`) stays
    with its parent."""
    segments = [s for s in path.split("/") if s and s not in ("upload", "{api_version}")]
    names = [segments[0].split(":")[0]]
    for i, segment in enumerate(segments[1:], 1):
        addressed = i + 1 < len(segments) and segments[i + 1].startswith("{")
        if not segment.startswith("{") and segments[i - 1].startswith("{") and addressed:
            names.append(segment.split(":")[0])
    return ".".join(names)


def method_of(operation_id: str, resource: str) -> str:
    """The client method name from the operationId: its verb, then what is left once the resource's nouns (and
    a trailing `ById`) are gone, in snake case (`ListTriggerExecutions` on triggers -> `list_executions`)."""
    if operation_id in METHOD_OVERRIDES:
        return METHOD_OVERRIDES[operation_id]
    parts = words(operation_id)
    if parts[-2:] == ["By", "Id"]:
        parts = parts[:-2]
    verb, rest = parts[0].lower(), parts[1:]
    nouns = {n.lower() for segment in resource.split(".") for n in (segment, _singular(segment))}
    rest = [w for w in rest if w.lower() not in nouns]
    return "_".join([verb, *(w.lower() for w in rest)])


def _inlined(doc: Document, node: Any) -> Any:
    """Every `$ref` that is not a schema's (a header, a parameter) replaced by what it points at."""
    if isinstance(node, list):
        return [_inlined(doc, item) for item in node]
    if not isinstance(node, dict):
        return node
    ref = node.get("$ref")
    if isinstance(ref, str) and not ref.startswith(SCHEMA_PREFIX):
        return _inlined(doc, _resolve(doc, ref))
    return {key: _inlined(doc, value) for key, value in node.items()}


def _operation(doc: Document, path: str, method: str, path_item: dict[str, Any]) -> dict[str, Any]:
    raw = _inlined(doc, path_item[method])
    resource = resource_of(path)
    result: dict[str, Any] = {
        "operationId": raw["operationId"],
        "x-sdk-resource": resource,
        "x-sdk-method": method_of(raw["operationId"], resource),
    }
    if method == "post":
        result["x-sdk-idempotent"] = False  # a POST creates or acts: never replayed once it may have arrived
    result["parameters"] = _parameters(doc, path_item, raw)
    if "requestBody" in raw:
        body = _typed_consts(_strip(raw["requestBody"]))
        result["requestBody"] = body
    result["responses"] = _responses(raw)
    return result


def normalise(doc: Document, spec: Document) -> Document:
    """The document in this project's conventions (see the module docstring); `spec` supplies names for hoisting."""
    schemas = {
        name: _single_members(_typed_consts(_strip(s)), top=True) for name, s in doc["components"]["schemas"].items()
    }
    schemas = _discriminated(schemas)
    spec_schemas = spec.get("components", {}).get("schemas", {})
    schemas = _named_arrays(schemas, spec_schemas)
    names = _named_unions(spec_schemas, schemas)
    schemas = {name: _hoisted(s, names) for name, s in schemas.items()}
    paths: dict[str, Any] = {}
    for path, item in doc["paths"].items():
        for method in HTTP_METHODS:
            if method in item:
                operation = _hoisted(_single_members(_operation(doc, path, method, item)), names, top=False)
                paths.setdefault(path, {})[method] = operation
    return {"paths": paths, "components": {"schemas": schemas}}


# --------------------------------------------------------------------------- merging


@dataclass
class Allowed:
    """The parity allowlist read as the importer needs it: renames, dropped schemas, deliberate differences."""

    renames: dict[str, str] = field(default_factory=dict)
    dropped: set[str] = field(default_factory=set)
    entries: set[str] = field(default_factory=set)

    @classmethod
    def read(cls, path: Path) -> Allowed:
        allowed = cls()
        if not path.is_file():
            return allowed
        for raw in path.read_text(encoding="utf-8").splitlines():
            body = raw.split(" #", 1)[0].strip()
            if not body or body.startswith("#"):
                continue
            tokens = body.split()
            if tokens[0] == "rename" and len(tokens) == 4:
                allowed.renames[tokens[1]] = tokens[3]
            elif tokens[0] == "schema":
                allowed.dropped |= {t[1:] for t in tokens[1:] if t.startswith("-")}
            elif len(tokens) >= 3:
                allowed.entries |= {f"{tokens[0]} {tokens[1]} {t}" for t in tokens[2:]}
        return allowed


@dataclass
class Result:
    document: Document  # the merged spec
    added: list[str] = field(default_factory=list)  # "operation GET /…", "schema X", "X.prop", "X.prop enum +v"
    conflicts: list[str] = field(default_factory=list)
    changed_paths: dict[str, None] = field(default_factory=dict)  # in the order they changed
    changed_schemas: dict[str, None] = field(default_factory=dict)


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX):
            yield ref[len(SCHEMA_PREFIX) :]
        for value in node.values():
            yield from _refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from _refs(value)


def _renamed(node: Any, renames: dict[str, str]) -> Any:
    if isinstance(node, list):
        return [_renamed(item, renames) for item in node]
    if not isinstance(node, dict):
        return node
    result = {key: _renamed(value, renames) for key, value in node.items()}
    ref = result.get("$ref")
    if isinstance(ref, str) and ref.startswith(SCHEMA_PREFIX) and ref[len(SCHEMA_PREFIX) :] in renames:
        result["$ref"] = SCHEMA_PREFIX + renames[ref[len(SCHEMA_PREFIX) :]]
    return result


def merge(spec: Document, doc: Document, allowed: Allowed) -> Result:
    """The spec with what the normalised document adds; conflicts listed, never resolved."""
    merged = copy.deepcopy(spec)
    result = Result(document=merged)
    ours = merged["components"]["schemas"]
    theirs = {allowed.renames.get(n, n): _renamed(s, allowed.renames) for n, s in doc["components"]["schemas"].items()}
    wanted: list[str] = []
    for path, item in doc["paths"].items():
        for method, operation in item.items():
            if method in merged["paths"].get(path, {}):
                continue  # the spec's own operation stays as it is written
            operation = _renamed(operation, allowed.renames)
            merged["paths"].setdefault(path, {})[method] = operation
            result.changed_paths[path] = None
            result.added.append(
                f"operation {method.upper()} {path} ({operation['x-sdk-resource']}.{operation['x-sdk-method']})"
            )
            wanted += list(_refs(operation))
    seen: set[str] = set()
    while wanted:
        name = wanted.pop(0)  # breadth first: schemas land in the order the operations reach them
        if name in seen or name in allowed.dropped:
            continue
        seen.add(name)
        if name in ours:
            continue
        if name not in theirs:
            result.conflicts.append(f"schema {name}: referenced by the document, defined neither there nor in the spec")
            continue
        ours[name] = copy.deepcopy(theirs[name])
        result.changed_schemas[name] = None
        result.added.append(f"schema {name}")
        wanted += list(_refs(theirs[name]))
    for name in sorted(set(ours) & set(theirs) - set(result.changed_schemas)):
        _merge_schema(name, ours[name], theirs[name], allowed, result)
    return result


def _merge_schema(name: str, mine: dict[str, Any], theirs: dict[str, Any], allowed: Allowed, result: Result) -> None:
    """Properties and enum values the document has and the schema lacks are added; other differences reported."""
    if "properties" in theirs and "properties" in mine:
        for prop, prop_schema in theirs["properties"].items():
            if prop not in mine["properties"]:
                if f"{name} property -{prop}" in allowed.entries:
                    continue
                mine["properties"][prop] = copy.deepcopy(prop_schema)
                result.changed_schemas[name] = None
                result.added.append(f"{name}.{prop}")
                continue
            _merge_enum(f"{name}.{prop}", mine["properties"][prop], prop_schema, allowed, result, name)
    _merge_enum(name, mine, theirs, allowed, result, name)
    mine_kind, their_kind = _kind(mine), _kind(theirs)
    if mine_kind != their_kind and not any(e.startswith(f"{name} kind ") for e in allowed.entries):
        result.conflicts.append(f"{name}: the document makes it {their_kind}, the spec {mine_kind} (kept)")


def _kind(schema: dict[str, Any]) -> str:
    if "oneOf" in schema or "anyOf" in schema:
        return "union"
    return str(schema.get("type") or ("object" if "properties" in schema else "any"))


def _merge_enum(
    subject: str, mine: dict[str, Any], theirs: dict[str, Any], allowed: Allowed, result: Result, schema: str
) -> None:
    for holder_mine, holder_theirs, where in (
        (mine, theirs, subject),
        (mine.get("items"), theirs.get("items"), subject + "[]"),
    ):
        if not isinstance(holder_mine, dict) or not isinstance(holder_theirs, dict):
            continue
        if "enum" not in holder_mine or "enum" not in holder_theirs:
            continue
        for value in holder_theirs["enum"]:
            if value not in holder_mine["enum"] and f"{where} enum -{value}" not in allowed.entries:
                holder_mine["enum"].append(value)
                result.changed_schemas[schema] = None
                result.added.append(f"{where} enum +{value}")


# --------------------------------------------------------------------------- writing


def _scalar(value: Any) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10_000).strip()
    return text.removesuffix("\n...").strip()


def _flow(value: Any) -> str:
    if isinstance(value, str) and re.search(r"[,\[\]{}#]", value):
        return "'" + value.replace("'", "''") + "'"  # quoted: safe inside flow collections
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_scalar(k)}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return _scalar(value)


def _is_leaf(value: Any) -> bool:
    if isinstance(value, dict):
        return all(
            not isinstance(v, (dict, list))
            or (isinstance(v, list) and all(not isinstance(i, (dict, list)) for i in v))
            or _is_ref(v)
            for v in value.values()
        )
    return True


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and set(value) == {"$ref"}


def _emit(key: str, value: Any, indent: int) -> str:
    """One `key: value` block at `indent`, in the spec's layout: block mappings, short leaves on one line."""
    pad = " " * indent
    head = f"{pad}{_scalar(key)}:"
    if isinstance(value, dict) and value and not (_is_leaf(value) and len(_flow(value)) + len(head) < 110):
        return head + "\n" + "".join(_emit(k, v, indent + 2) for k, v in value.items())
    if isinstance(value, list) and value and any(isinstance(v, dict) and not _is_ref(v) for v in value):
        lines = [head + "\n"]
        for item in value:
            if isinstance(item, dict) and item and not _is_ref(item):
                body = "".join(_emit(k, v, indent + 4) for k, v in item.items())
                lines.append(f"{pad}  - " + body[indent + 4 :])
            else:
                lines.append(f"{pad}  - {_flow(item)}\n")
        return "".join(lines)
    return f"{head} {_flow(value)}\n"


def _blocks(lines: list[str], start: int, indent: int) -> tuple[dict[str, tuple[int, int]], int]:
    """The `key:` blocks at `indent` from line `start` until the section ends: key -> (first, end) line indexes."""
    blocks: dict[str, tuple[int, int]] = {}
    current: str | None = None
    first = start
    i = start
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        depth = len(line) - len(line.lstrip(" "))
        if stripped and not stripped.startswith("#") and depth < indent:
            break
        if stripped and not stripped.startswith("#") and depth == indent:
            if current is not None:
                blocks[current] = (first, i)
            current = str(
                yaml.safe_load(
                    stripped.split(":", 1)[0] if not stripped.startswith("'") else stripped.rsplit(":", 1)[0]
                )
            )
            first = i
        i += 1
    if current is not None:
        end = i
        while end > first + 1 and not lines[end - 1].strip():
            end -= 1
        blocks[current] = (first, end)
    return blocks, i


def _section(lines: list[str], key: str, indent: int, start: int = 0) -> int:
    for i in range(start, len(lines)):
        if lines[i].rstrip() == " " * indent + key + ":":
            return i
    raise ImportReferenceError(f"the spec has no `{key}:` section at indent {indent}")


def write(path: Path, result: Result) -> bool:
    """Write the changed path and schema blocks into the spec file; False when nothing changed."""
    if not result.changed_paths and not result.changed_schemas:
        return False
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    document = result.document
    edits: list[tuple[int, int, str]] = []  # (first, end, text): replace lines[first:end]
    for section, indent, names, source, parent in (
        ("paths", 2, result.changed_paths, document["paths"], None),
        ("schemas", 4, result.changed_schemas, document["components"]["schemas"], "components"),
    ):
        at = _section(lines, section, indent - 2, _section(lines, parent, 0) if parent else 0)
        blocks, end = _blocks(lines, at + 1, indent)
        while end > at + 1 and not lines[end - 1].strip():
            end -= 1
        appended = ""
        for name in names:
            text = _emit(name, source[name], indent)
            if name in blocks:
                edits.append((*blocks[name], text))
            else:
                appended += text
        if appended:
            edits.append((end, end, appended))
    for first, end, text in sorted(edits, key=lambda e: (e[0], e[1]), reverse=True):
        lines[first:end] = [text]
    new_text = "".join(lines)
    if yaml.safe_load(new_text) != json.loads(json.dumps(document)):
        raise ImportReferenceError(
            f"{path}: the edited file does not read back as the merged spec (a layout the writer cannot edit)"
        )
    path.write_text(new_text, encoding="utf-8")
    return True


def import_reference(reference: Path, spec_dir: Path, *, write_file: bool = True) -> Result:
    """Merge the document at `reference` into `spec_dir`/openapi.yaml; returns what was added and the conflicts."""
    spec_path = spec_dir / SPEC_FILE_NAME
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    doc = json.loads(reference.read_text(encoding="utf-8"))
    result = merge(spec, normalise(doc, spec), Allowed.read(spec_dir / ALLOWLIST_FILE))
    if write_file:
        write(spec_path, result)
    return result
