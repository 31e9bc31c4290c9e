"""Parity between our Interactions spec and Google's published OpenAPI document.

The reference document is read from ``$GEMINI_SHARED_DIR/reference/interactions.openapi.json``
(default: ``<repo>/../shared``). Every schema reachable from the four interactions operations
there must have a counterpart in ``spec/<revision>/openapi.yaml`` with the same properties, types,
required-ness, enum values and union variants. Deliberate differences are listed, with a reason,
in ``spec/<revision>/reference-parity-allowlist.txt``; an allowlist entry that matches nothing
fails the test as well.

Allowlist grammar (one entry per line, ``# reason`` mandatory):

    rename <ReferenceName> => <OurName>   # the reference schema is compared against ours
    hoist <OurName> [<OurName>...]       # our named schema replaces inline schemas of the reference
    schema +<OurName> | -<ReferenceName> ...
    <subject> <kind> <token> [<token>...]

where each ``<subject> <kind> <token>`` triple is one line of the difference report, e.g.
``Interaction.status enum +requires_continuation``.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[1]
pytestmark = pytest.mark.generator  # checks the spec (with the generator's tools), not the packages
REVISION = (REPO / "spec" / "CURRENT").read_text().strip() if (REPO / "spec" / "CURRENT").exists() else "2026-05-20"
SPEC_DIR = REPO / "spec" / REVISION
SPEC_PATH = SPEC_DIR / "openapi.yaml"
ALLOWLIST_PATH = SPEC_DIR / "reference-parity-allowlist.txt"

OPERATIONS = [
    ("post", "/{api_version}/interactions"),
    ("get", "/{api_version}/interactions/{id}"),
    ("delete", "/{api_version}/interactions/{id}"),
    ("post", "/{api_version}/interactions/{id}/cancel"),
]
SDK_METHODS = {
    ("post", "/{api_version}/interactions"): ("createInteraction", "create", True),
    ("get", "/{api_version}/interactions/{id}"): ("getInteraction", "get", True),
    ("delete", "/{api_version}/interactions/{id}"): ("deleteInteraction", "delete", False),
    ("post", "/{api_version}/interactions/{id}/cancel"): ("cancelInteraction", "cancel", False),
}
SCHEMA_PREFIX = "#/components/schemas/"
ANNOTATION_KEYS = {"description", "title"}
FLAGS = ("readOnly", "writeOnly", "deprecated")


def _shared_dir() -> Path:
    env = os.environ.get("GEMINI_SHARED_DIR")
    return Path(env) if env else REPO.parent / "shared"


def _reference_path() -> Path:
    return _shared_dir() / "reference" / "interactions.openapi.json"


# --------------------------------------------------------------------------- loading


@pytest.fixture(scope="module")
def spec() -> dict:
    with SPEC_PATH.open(encoding="utf-8") as fh:
        return yaml.safe_load(fh)


@pytest.fixture(scope="module")
def reference() -> dict:
    path = _reference_path()
    if not path.is_file():
        pytest.skip(
            f"reference OpenAPI document not found at {path}; set GEMINI_SHARED_DIR to the folder "
            "that holds reference/interactions.openapi.json (default: <repo>/../shared)"
        )
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def _resolve(doc: dict, ref: str) -> dict:
    node = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _schema_refs(node, acc: set, doc: dict, seen_other: set) -> None:
    """Collect schema names referenced below ``node``; follows parameter/response refs too."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref.startswith(SCHEMA_PREFIX):
                acc.add(ref[len(SCHEMA_PREFIX) :])
            elif ref not in seen_other:
                seen_other.add(ref)
                _schema_refs(_resolve(doc, ref), acc, doc, seen_other)
        for value in node.values():
            _schema_refs(value, acc, doc, seen_other)
    elif isinstance(node, list):
        for value in node:
            _schema_refs(value, acc, doc, seen_other)


def reachable_schemas(doc: dict) -> set[str]:
    """Names of all schemas reachable from the four interactions operations (defined or not)."""
    todo: set[str] = set()
    seen_other: set[str] = set()
    for method, path in OPERATIONS:
        item = doc["paths"].get(path, {})
        _schema_refs(item.get("parameters", []), todo, doc, seen_other)
        if method in item:
            _schema_refs(item[method], todo, doc, seen_other)
    schemas = doc.get("components", {}).get("schemas", {})
    seen: set[str] = set()
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        if name in schemas:
            _schema_refs(schemas[name], todo, doc, seen_other)
    return seen


# --------------------------------------------------------------------------- allowlist


class Allowlist:
    def __init__(self, path: Path):
        self.renames: dict[str, str] = {}
        self.hoists: set[str] = set()
        self.entries: set[str] = set()
        self.problems: list[str] = []
        for lineno, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            body, sep, reason = line.partition(" #")
            if not sep or not reason.strip():
                self.problems.append(f"line {lineno}: missing '# reason': {raw}")
            tokens = body.split()
            if tokens[0] == "rename":
                if len(tokens) != 4 or tokens[2] != "=>":
                    self.problems.append(f"line {lineno}: expected 'rename Old => New': {raw}")
                    continue
                self.renames[tokens[1]] = tokens[3]
            elif tokens[0] == "hoist":
                self.hoists.update(tokens[1:])
            elif tokens[0] == "schema":
                self.entries.update(f"schema {t}" for t in tokens[1:])
            else:
                if len(tokens) < 3:
                    self.problems.append(f"line {lineno}: expected '<subject> <kind> <token>...': {raw}")
                    continue
                self.entries.update(f"{tokens[0]} {tokens[1]} {t}" for t in tokens[2:])


# --------------------------------------------------------------------------- comparison


class Side:
    """One document: schema lookup, renaming of reference names, transparent array aliases."""

    def __init__(self, doc: dict, rename: dict[str, str] | None = None):
        self.doc = doc
        self.schemas = doc.get("components", {}).get("schemas", {})
        self.rename = rename or {}

    def name(self, ref: str) -> str:
        raw = ref[len(SCHEMA_PREFIX) :]
        return self.rename.get(raw, raw)

    def raw_schema(self, ref: str):
        return self.schemas.get(ref[len(SCHEMA_PREFIX) :])

    def is_array_alias(self, ref: str) -> bool:
        target = self.raw_schema(ref)
        return (
            isinstance(target, dict)
            and target.get("type") == "array"
            and set(target) <= {"type", "items", "description"}
        )


def kind(schema) -> str:
    if not isinstance(schema, dict) or not set(schema) - ANNOTATION_KEYS:
        return "any"
    if "oneOf" in schema:
        return "union"
    if "enum" in schema:
        return "enum"
    if schema.get("type") == "array":
        return "array"
    if schema.get("type") == "object" or "properties" in schema:
        return "object"
    return schema.get("type", "any")


class Comparer:
    def __init__(self, ref_doc: dict, our_doc: dict, allow: Allowlist):
        self.ref = Side(ref_doc, allow.renames)
        self.our = Side(our_doc)
        self.hoists = allow.hoists
        self.diffs: set[str] = set()
        self.contributions: list[tuple[str, dict, str]] = []
        self.hoists_used: set[str] = set()

    def add(self, subject: str, what: str, token: str) -> None:
        self.diffs.add(f"{subject} {what} {token}".strip())

    # -- type descriptors ------------------------------------------------------------------

    def shape(self, side: Side, node) -> str:
        if not isinstance(node, dict) or not node:
            return "any"
        if "$ref" in node:
            if side is self.our and node["$ref"].startswith(SCHEMA_PREFIX):
                target = side.raw_schema(node["$ref"])
                if side.is_array_alias(node["$ref"]):
                    return "array"
                if side.name(node["$ref"]) in self.hoists and isinstance(target, dict):
                    return {"union": "union", "enum": "enum"}.get(kind(target), "ref:" + side.name(node["$ref"]))
            return "ref:" + side.name(node["$ref"])
        if "const" in node or "enum" in node:
            return "enum"
        k = kind(node)
        return k

    def align(self, ref_members: list, our_members: list) -> list[tuple[dict, dict | None]]:
        remaining = list(our_members)
        pairs = []
        for member in ref_members:
            wanted = self.shape(self.ref, member)
            match = next((m for m in remaining if self.shape(self.our, m) == wanted), None)
            if match is not None:
                remaining.remove(match)
            pairs.append((member, match))
        return pairs

    def desc(self, side: Side, node, other, loc: str, enums: dict) -> str:
        """Type descriptor of ``node``; for the reference side ``other`` is our parallel node."""
        if not isinstance(node, dict) or not set(node) - ANNOTATION_KEYS:
            return "any"
        if side is self.ref and isinstance(other, dict) and "$ref" in other and "$ref" not in node:
            name = self.our.name(other["$ref"])
            if name in self.hoists:
                self.hoists_used.add(name)
                self.contributions.append((name, node, loc))
                return "ref:" + name
        if side is self.ref and isinstance(other, dict) and "$ref" in other and self.our.is_array_alias(other["$ref"]):
            other = self.our.raw_schema(other["$ref"])
        if "$ref" in node:
            if side.is_array_alias(node["$ref"]):
                alias = side.raw_schema(node["$ref"])
                return "array<" + self.desc(side, alias.get("items"), None, loc + "[]", {}) + ">"
            return "ref:" + side.name(node["$ref"])
        if "const" in node:
            return "const:" + str(node["const"])
        if "enum" in node:
            enums.setdefault(loc, set()).update(str(v) for v in node["enum"])
            return "enum"
        if "oneOf" in node:
            mine = node["oneOf"]
            if side is self.ref:
                theirs = other.get("oneOf", []) if isinstance(other, dict) else []
                pairs = self.align(mine, theirs)
            else:
                pairs = [(m, None) for m in mine]
            parts = sorted(self.desc(side, m, o, loc, enums) for m, o in pairs)
            return "oneOf(" + ",".join(parts) + ")"
        typ = node.get("type")
        if typ == "array":
            other_items = other.get("items") if isinstance(other, dict) and other.get("type") == "array" else None
            return "array<" + self.desc(side, node.get("items"), other_items, loc + "[]", enums) + ">"
        if typ == "object" or "properties" in node:
            if node.get("properties"):
                return "object{" + ",".join(sorted(node["properties"])) + "}"
            extra = node.get("additionalProperties")
            if isinstance(extra, dict) and set(extra) - ANNOTATION_KEYS:
                other_extra = other.get("additionalProperties") if isinstance(other, dict) else None
                other_extra = other_extra if isinstance(other_extra, dict) else None
                return "map<" + self.desc(side, extra, other_extra, loc + "{}", enums) + ">"
            return "object"
        if typ:
            return typ + ("/" + node["format"] if "format" in node else "")
        return "any"

    # -- unions ----------------------------------------------------------------------------

    def union_facts(self, side: Side, schema: dict, other: dict | None, subject: str):
        """(discriminator, {variant name: value}, {non-variant member descriptors})."""
        members = schema.get("oneOf", [])
        disc = (schema.get("discriminator") or {}).get("propertyName")
        mapping = {v: k for k, v in ((schema.get("discriminator") or {}).get("mapping") or {}).items()}
        if disc is None and side is self.ref:
            disc = self.infer_discriminator(members)
        pairs = (
            self.align(members, other.get("oneOf", [])) if side is self.ref and other else [(m, None) for m in members]
        )
        variants: dict[str, str] = {}
        others: set[str] = set()
        for member, paired in pairs:
            ref = member.get("$ref") if isinstance(member, dict) else None
            target = side.raw_schema(ref) if ref else None
            if disc and ref and (target is None or kind(target) == "object"):
                value = mapping.get(ref)
                if value is None and target is not None:
                    value = (target.get("properties", {}).get(disc) or {}).get("const")
                variants[side.name(ref)] = "?" if value is None else str(value)
            else:
                others.add(self.desc(side, member, paired, subject, {}))
        return disc, variants, others

    def infer_discriminator(self, members: list) -> str | None:
        common = None
        for member in members:
            if isinstance(member, dict) and "$ref" not in member and kind(member) != "object":
                return None  # a scalar or array member: a mixed union, not a tagged one
            target = self.ref.raw_schema(member["$ref"]) if isinstance(member, dict) and "$ref" in member else None
            if target is None:
                continue
            if kind(target) != "object":
                return None
            consts = {p for p, s in target.get("properties", {}).items() if isinstance(s, dict) and "const" in s}
            common = consts if common is None else common & consts
        if not common:
            return None
        return "type" if "type" in common else ("event_type" if "event_type" in common else sorted(common)[0])

    # -- schemas ---------------------------------------------------------------------------

    def compare_schema(self, subject: str, ref_s: dict, our_s: dict) -> None:
        kr, ko = kind(ref_s), kind(our_s)
        if kr != ko:
            self.add(subject, "kind", f"{kr}->{ko}")
            return
        if kr == "object":
            self.compare_object(subject, ref_s, our_s)
        elif kr == "enum":
            self.compare_values(subject, {str(v) for v in ref_s["enum"]}, {str(v) for v in our_s["enum"]})
        elif kr == "union":
            self.compare_union(subject, ref_s, our_s)
        else:
            enums_r: dict = {}
            enums_o: dict = {}
            dr = self.desc(self.ref, ref_s, our_s, subject, enums_r)
            do = self.desc(self.our, our_s, None, subject, enums_o)
            if dr != do:
                self.add(subject, "type", f"{dr}->{do}")
            self.compare_enum_maps(enums_r, enums_o)

    def compare_values(self, subject: str, ref_values: set, our_values: set) -> None:
        for v in sorted(ref_values - our_values):
            self.add(subject, "enum", "-" + v)
        for v in sorted(our_values - ref_values):
            self.add(subject, "enum", "+" + v)

    def compare_enum_maps(self, enums_r: dict, enums_o: dict) -> None:
        for loc in sorted(set(enums_r) | set(enums_o)):
            self.compare_values(loc, enums_r.get(loc, set()), enums_o.get(loc, set()))

    def compare_object(self, subject: str, ref_s: dict, our_s: dict) -> None:
        rp, op = ref_s.get("properties", {}), our_s.get("properties", {})
        for p in sorted(set(rp) - set(op)):
            self.add(subject, "property", "-" + p)
        for p in sorted(set(op) - set(rp)):
            self.add(subject, "property", "+" + p)
        for p in sorted(set(rp) & set(op)):
            loc = f"{subject}.{p}"
            enums_r: dict = {}
            enums_o: dict = {}
            dr = self.desc(self.ref, rp[p], op[p], loc, enums_r)
            do = self.desc(self.our, op[p], None, loc, enums_o)
            if dr != do:
                self.add(loc, "type", f"{dr}->{do}")
            self.compare_enum_maps(enums_r, enums_o)
            for flag in FLAGS:
                fr, fo = bool(rp[p].get(flag)), bool(op[p].get(flag))
                if fr != fo:
                    self.add(loc, "flag", ("+" if fo else "-") + flag)
        rr, ro = set(ref_s.get("required", [])), set(our_s.get("required", []))
        for p in sorted(rr - ro):
            self.add(subject, "required", "-" + p)
        for p in sorted(ro - rr):
            self.add(subject, "required", "+" + p)

    def compare_union(self, subject: str, ref_s: dict, our_s: dict) -> None:
        dr, vr, mr = self.union_facts(self.ref, ref_s, our_s, subject)
        do, vo, mo = self.union_facts(self.our, our_s, None, subject)
        if dr != do:
            self.add(subject, "discriminator", f"{dr}->{do}")
        for name in sorted(set(vr) | set(vo)):
            a, b = vr.get(name), vo.get(name)
            if a == b or (a == "?" and b is not None):
                continue
            if a is not None:
                self.add(subject, "variant", f"-{a}={name}")
            if b is not None:
                self.add(subject, "variant", f"+{b}={name}")
        for m in sorted(mr - mo):
            self.add(subject, "member", "-" + m)
        for m in sorted(mo - mr):
            self.add(subject, "member", "+" + m)

    # -- operations ------------------------------------------------------------------------

    @staticmethod
    def params(doc: dict, method: str, path: str) -> dict[str, dict]:
        item = doc["paths"].get(path, {})
        out = {}
        for p in list(item.get("parameters", [])) + list(item.get(method, {}).get("parameters", [])):
            if "$ref" in p:
                p = _resolve(doc, p["$ref"])
            out[f"{p['in']}:{p['name']}"] = p
        return out

    def compare_operation(self, method: str, path: str) -> None:
        subject = f"{method.upper()}:{path}"
        ref_op = self.ref.doc["paths"].get(path, {}).get(method)
        our_op = self.our.doc["paths"].get(path, {}).get(method)
        if ref_op is None or our_op is None:
            if ref_op is not None:
                self.add("", "op", "-" + subject)
            if our_op is not None:
                self.add("", "op", "+" + subject)
            return
        rp = self.params(self.ref.doc, method, path)
        op = self.params(self.our.doc, method, path)
        for key in sorted(set(rp) | set(op)):
            if key not in op:
                self.add(subject, "param", "-" + key)
                continue
            if key not in rp:
                self.add(subject, "param", "+" + key)
                continue
            dr = self.desc(self.ref, rp[key].get("schema"), op[key].get("schema"), subject, {})
            do = self.desc(self.our, op[key].get("schema"), None, subject, {})
            if dr != do:
                self.add(f"{subject}:{key}", "type", f"{dr}->{do}")
            if bool(rp[key].get("required")) != bool(op[key].get("required")):
                self.add(f"{subject}:{key}", "required", "+" if op[key].get("required") else "-")
        rb = (ref_op.get("requestBody") or {}).get("content", {})
        ob = (our_op.get("requestBody") or {}).get("content", {})
        self.compare_media(subject + ":body", "body", rb, ob)
        rr = ((ref_op.get("responses") or {}).get("200") or {}).get("content", {})
        orr = ((our_op.get("responses") or {}).get("200") or {}).get("content", {})
        self.compare_media(subject + ":200", "response", rr, orr, unwrap_sse=True)

    def compare_media(self, subject: str, what: str, ref_c: dict, our_c: dict, unwrap_sse: bool = False) -> None:
        for mt in sorted(set(ref_c) | set(our_c)):
            if mt not in our_c:
                self.add(subject, what, "-" + mt)
                continue
            if mt not in ref_c:
                self.add(subject, what, f"+{mt}")
                continue
            rs, os_ = ref_c[mt].get("schema"), our_c[mt].get("schema")
            if unwrap_sse and mt == "text/event-stream" and isinstance(rs, dict) and "$ref" in rs:
                # The reference models the SSE frame ({data: <event>}); ours names the event itself.
                frame = self.ref.raw_schema(rs["$ref"]) or {}
                if set(frame.get("properties", {})) == {"data"}:
                    rs = frame["properties"]["data"]
            dr = self.desc(self.ref, rs, os_, subject, {})
            do = self.desc(self.our, os_, None, subject, {})
            if dr != do:
                self.add(f"{subject}:{mt}", "type", f"{dr}->{do}")

    # -- driver ----------------------------------------------------------------------------

    def run(self) -> set[str]:
        ref_names = reachable_schemas(self.ref.doc)
        our_names = reachable_schemas(self.our.doc)
        for method, path in OPERATIONS:
            self.compare_operation(method, path)
        covered = set()
        for raw in sorted(ref_names):
            name = self.ref.rename.get(raw, raw)
            covered.add(name)
            ref_s = self.ref.schemas.get(raw)
            our_s = self.our.schemas.get(name)
            if our_s is None:
                self.add("", "schema", "-" + name)
            elif ref_s is None:  # referenced by the document but never defined there
                self.add("", "schema", "+" + name)
            else:
                self.compare_schema(name, ref_s, our_s)
        done = 0
        while done < len(self.contributions):  # nested hoists add more while we go
            name, fragment, loc = self.contributions[done]
            done += 1
            self.compare_schema(loc, fragment, self.our.schemas[name])
        for name in sorted(our_names - covered - self.hoists_used):
            if not self.our.is_array_alias(SCHEMA_PREFIX + name):
                self.add("", "schema", "+" + name)
        return self.diffs


# --------------------------------------------------------------------------- tests


def test_spec_matches_reference(reference: dict, spec: dict) -> None:
    allow = Allowlist(ALLOWLIST_PATH)
    assert not allow.problems, "malformed allowlist:\n  " + "\n  ".join(allow.problems)
    comparer = Comparer(reference, spec, allow)
    diffs = comparer.run()

    problems = []
    ref_schemas = reference.get("components", {}).get("schemas", {})
    for old, new in sorted(allow.renames.items()):
        if old not in ref_schemas or new not in spec["components"]["schemas"]:
            problems.append(f"stale rename: {old} => {new}")
    for name in sorted(allow.hoists - comparer.hoists_used):
        problems.append(f"stale hoist: {name} (no inline reference schema maps to it)")
    unexpected = sorted(diffs - allow.entries)
    stale = sorted(allow.entries - diffs)
    if unexpected:
        problems.append(
            f"{len(unexpected)} difference(s) from the reference document that the allowlist does not explain:\n    "
            + "\n    ".join(unexpected)
        )
    if stale:
        problems.append(
            f"{len(stale)} allowlist entr(y/ies) that match no difference (remove them):\n    " + "\n    ".join(stale)
        )
    assert not problems, f"spec {SPEC_PATH.relative_to(REPO)} vs {_reference_path()}:\n  " + "\n  ".join(problems)


def test_reference_coverage_is_complete(reference: dict, spec: dict) -> None:
    """Every reachable reference schema is in our spec, under its name or an allowlisted rename."""
    allow = Allowlist(ALLOWLIST_PATH)
    ours = spec["components"]["schemas"]
    dropped = {e.split(" -", 1)[1] for e in allow.entries if e.startswith("schema -")}
    missing = sorted(
        n
        for n in reachable_schemas(reference)
        if allow.renames.get(n, n) not in ours and allow.renames.get(n, n) not in dropped
    )
    assert not missing, "reference schemas without a counterpart: " + ", ".join(missing)


def test_spec_is_valid_openapi(spec: dict) -> None:
    try:
        from openapi_spec_validator import validate
    except ImportError:  # pragma: no cover - optional dependency
        pytest.skip("openapi-spec-validator is not installed")
    validate(spec)


def _walk(node, path=""):
    if isinstance(node, dict):
        yield path, node
        for key, value in node.items():
            yield from _walk(value, f"{path}/{key}")
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk(value, f"{path}/{i}")


def test_discriminated_unions_are_consistent(spec: dict) -> None:
    schemas = spec["components"]["schemas"]
    problems = []
    for name, schema in schemas.items():
        if "discriminator" not in schema:
            continue
        disc = schema["discriminator"]
        prop = disc.get("propertyName")
        mapping = disc.get("mapping") or {}
        members = [m.get("$ref") for m in schema.get("oneOf", [])]
        if None in members:
            problems.append(f"{name}: every oneOf member of a discriminated union must be a $ref")
        if set(mapping.values()) != set(members) or len(mapping) != len(members):
            problems.append(
                f"{name}: mapping {sorted(mapping.values())} does not cover oneOf {sorted(filter(None, members))}"
            )
        for value, ref in mapping.items():
            variant = schemas.get(ref[len(SCHEMA_PREFIX) :]) if ref.startswith(SCHEMA_PREFIX) else None
            if variant is None:
                problems.append(f"{name}: mapping {value} -> {ref} does not resolve")
                continue
            spec_prop = variant.get("properties", {}).get(prop)
            if not spec_prop or spec_prop.get("const") != value or spec_prop.get("type") != "string":
                problems.append(f"{name}: {ref} must declare {prop} as {{type: string, const: {value!r}}}")
            if prop not in variant.get("required", []):
                problems.append(f"{name}: {ref} must list {prop} in required")
    assert not problems, "\n".join(problems)


def test_unions_follow_conventions(spec: dict) -> None:
    """Object unions are named and discriminated; array members of mixed unions are named."""
    schemas = spec["components"]["schemas"]

    def is_tagged_object(ref):
        target = schemas.get(ref[len(SCHEMA_PREFIX) :], {}) if ref.startswith(SCHEMA_PREFIX) else {}
        return kind(target) == "object" and any("const" in p for p in target.get("properties", {}).values())

    problems = []
    for name, schema in schemas.items():
        for path, node in _walk(schema):
            if "oneOf" not in node:
                continue
            where = f"{name}{path}"
            refs = [m.get("$ref") for m in node["oneOf"]]
            object_union = all(refs) and all(is_tagged_object(r) for r in refs)
            if object_union and (path or "discriminator" not in node):
                problems.append(f"{where}: union of object variants must be a named schema with a discriminator")
            for i, member in enumerate(node["oneOf"]):
                if member.get("type") == "array":
                    problems.append(f"{where}/oneOf/{i}: array member of a union must be a named schema")
    assert not problems, "\n".join(problems)


def test_operation_conventions(spec: dict) -> None:
    assert spec["openapi"] == "3.1.0"
    assert spec["info"] == {"title": "Gemini Interactions API", "version": REVISION}
    assert spec["x-api-revision"] == REVISION
    assert spec["servers"] == [{"url": "https://generativelanguage.googleapis.com"}]
    assert (REPO / "spec" / "CURRENT").read_text() == REVISION + "\n"
    assert set(spec["paths"]) == {p for _, p in OPERATIONS}
    problems = []
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
            default = _resolve(spec, default["$ref"])
        if default.get("content", {}).get("application/json", {}).get("schema") != {
            "$ref": SCHEMA_PREFIX + "ErrorResponse"
        }:
            problems.append(f"{op_id}: default response must be ErrorResponse")
    params = [p for item in spec["paths"].values() for p in item.get("parameters", [])]
    for p in params:
        p = _resolve(spec, p["$ref"]) if "$ref" in p else p
        if p["name"] == "api_version":
            assert p["in"] == "path" and p["schema"] == {"type": "string", "default": "v1beta"}
    assert not problems, "\n".join(problems)


def test_spec_has_no_foreign_extensions(spec: dict) -> None:
    bad = [
        f"{path}/{key}"
        for path, node in _walk(spec)
        for key in node
        if isinstance(key, str) and (key.startswith("x-speakeasy") or key.startswith("x-google") or key == "examples")
    ]
    assert not bad, "remove: " + ", ".join(bad)
