"""Parity between our spec and Google's published OpenAPI document, operation by operation and schema by schema.

Every operation of either document is compared: present on both sides, its path and query parameters, request
body and success response must agree; present on one side only, it is a difference of its own. Every schema
reachable from an operation both documents have must then have a counterpart with the same properties, types,
required-ness, enum values and union variants. Deliberate differences are listed, each with a reason, in
`spec/<revision>/reference-parity-allowlist.txt`; an allowlist entry that matches nothing is a problem too.

Allowlist grammar (one entry per line, `# reason` mandatory):

    rename <ReferenceName> => <OurName>   # the reference schema is compared against ours
    hoist <OurName> [<OurName>...]       # our named schema replaces inline schemas of the reference
    schema +<OurName> | -<ReferenceName> ...
    op +<METHOD>:<path> | -<METHOD>:<path> ...
    <subject> <kind> <token> [<token>...]

where each `<subject> <kind> <token>` triple is one line of the difference report, e.g.
`Interaction.status enum +requires_continuation`."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SCHEMA_PREFIX = "#/components/schemas/"
HTTP_METHODS = ("get", "put", "post", "delete", "patch")
ANNOTATION_KEYS = frozenset({"description", "title"})
FLAGS = ("readOnly", "writeOnly", "deprecated")
REFERENCE_FILE = Path("reference") / "interactions.openapi.json"
# Directives whose tokens are whole differences of an empty subject: `schema +X`, `op -GET:/path`.
WHOLE_ITEM_KINDS = ("schema", "op")

Document = dict[str, Any]
OperationKey = tuple[str, str]  # (method, path), method in lower case


def reference_path(repo_root: Path) -> Path:
    """Where the published document is: $GEMINI_SHARED_DIR/reference/..., by default <repo>/../shared/reference/..."""
    env = os.environ.get("GEMINI_SHARED_DIR")
    shared = Path(env) if env else repo_root.parent / "shared"
    return shared / REFERENCE_FILE


def operation_name(key: OperationKey) -> str:
    method, path = key
    return f"{method.upper()}:{path}"


def operations(doc: Document) -> list[OperationKey]:
    """Every (method, path) the document defines, in document order."""
    return [
        (method, path)
        for path, item in doc.get("paths", {}).items()
        for method in HTTP_METHODS
        if isinstance(item, dict) and method in item
    ]


def resolve(doc: Document, ref: str) -> Any:
    node: Any = doc
    for part in ref.lstrip("#/").split("/"):
        node = node[part]
    return node


def _schema_refs(node: Any, acc: set[str], doc: Document, seen_other: set[str]) -> None:
    """Collect schema names referenced below `node`; follows parameter/response refs too."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            if ref.startswith(SCHEMA_PREFIX):
                acc.add(ref[len(SCHEMA_PREFIX) :])
            elif ref not in seen_other:
                seen_other.add(ref)
                _schema_refs(resolve(doc, ref), acc, doc, seen_other)
        for value in node.values():
            _schema_refs(value, acc, doc, seen_other)
    elif isinstance(node, list):
        for value in node:
            _schema_refs(value, acc, doc, seen_other)


def reachable_schemas(doc: Document, keys: list[OperationKey] | None = None) -> set[str]:
    """Names of all schemas reachable from the given operations (default: all of them), defined or not."""
    todo: set[str] = set()
    seen_other: set[str] = set()
    for method, path in operations(doc) if keys is None else keys:
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


@dataclass
class Allowlist:
    renames: dict[str, str] = field(default_factory=dict)
    hoists: set[str] = field(default_factory=set)
    entries: set[str] = field(default_factory=set)  # difference lines, as Comparer.run reports them
    problems: list[str] = field(default_factory=list)  # malformed lines

    @classmethod
    def read(cls, path: Path) -> Allowlist:
        return cls.parse(path.read_text(encoding="utf-8"))

    @classmethod
    def parse(cls, text: str) -> Allowlist:
        allow = cls()
        for lineno, raw in enumerate(text.splitlines(), 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            body, sep, reason = line.partition(" #")
            if not sep or not reason.strip():
                allow.problems.append(f"line {lineno}: missing '# reason': {raw}")
            tokens = body.split()
            if tokens[0] == "rename":
                if len(tokens) != 4 or tokens[2] != "=>":
                    allow.problems.append(f"line {lineno}: expected 'rename Old => New': {raw}")
                    continue
                allow.renames[tokens[1]] = tokens[3]
            elif tokens[0] == "hoist":
                allow.hoists.update(tokens[1:])
            elif tokens[0] in WHOLE_ITEM_KINDS:
                allow.entries.update(f"{tokens[0]} {t}" for t in tokens[1:])
            else:
                if len(tokens) < 3:
                    allow.problems.append(f"line {lineno}: expected '<subject> <kind> <token>...': {raw}")
                    continue
                allow.entries.update(f"{tokens[0]} {tokens[1]} {t}" for t in tokens[2:])
        return allow

    @property
    def dropped_schemas(self) -> set[str]:
        """Reference schemas we deliberately do without (`schema -Name`)."""
        return {e.split(" -", 1)[1] for e in self.entries if e.startswith("schema -")}


# --------------------------------------------------------------------------- comparison


class Side:
    """One document: schema lookup, renaming of reference names, transparent array aliases."""

    def __init__(self, doc: Document, rename: dict[str, str] | None = None) -> None:
        self.doc = doc
        self.schemas: dict[str, Any] = doc.get("components", {}).get("schemas", {})
        self.rename = rename or {}

    def name(self, ref: str) -> str:
        raw = ref[len(SCHEMA_PREFIX) :]
        return self.rename.get(raw, raw)

    def raw_schema(self, ref: str) -> Any:
        return self.schemas.get(ref[len(SCHEMA_PREFIX) :])

    def is_array_alias(self, ref: str) -> bool:
        target = self.raw_schema(ref)
        return (
            isinstance(target, dict)
            and target.get("type") == "array"
            and set(target) <= {"type", "items", "description"}
        )

    def parameters(self, key: OperationKey) -> dict[str, Any]:
        """`in:name` -> parameter, path-level ones first, operation-level ones overriding them."""
        method, path = key
        item = self.doc["paths"].get(path, {})
        out: dict[str, Any] = {}
        for param in list(item.get("parameters", [])) + list(item.get(method, {}).get("parameters", [])):
            if "$ref" in param:
                param = resolve(self.doc, param["$ref"])
            out[f"{param['in']}:{param['name']}"] = param
        return out

    def operation(self, key: OperationKey) -> Any:
        method, path = key
        return self.doc.get("paths", {}).get(path, {}).get(method)

    def success_response(self, operation: Any) -> tuple[str, dict[str, Any]]:
        """(status code, content by media type) of the answer that is not an error.

        The lowest 2XX response; failing that `default`, which some of the reference's operations use for success."""
        responses: dict[str, Any] = operation.get("responses") or {}
        codes = sorted(code for code in responses if code.startswith("2"))
        code = codes[0] if codes else "default" if "default" in responses else ""
        response = responses.get(code) or {}
        if "$ref" in response:
            response = resolve(self.doc, response["$ref"])
        return code, response.get("content") or {}


def kind(schema: Any) -> str:
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
    return str(schema.get("type", "any"))


Enums = dict[str, set[str]]  # location -> enum values met there


class Comparer:
    def __init__(self, ref_doc: Document, our_doc: Document, allow: Allowlist) -> None:
        self.ref = Side(ref_doc, allow.renames)
        self.our = Side(our_doc)
        self.hoists = allow.hoists
        self.diffs: set[str] = set()
        self.contributions: list[tuple[str, Any, str]] = []
        self.hoists_used: set[str] = set()

    def add(self, subject: str, what: str, token: str) -> None:
        self.diffs.add(f"{subject} {what} {token}".strip())

    # -- type descriptors ------------------------------------------------------------------

    def shape(self, side: Side, node: Any) -> str:
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
        return kind(node)

    def align(self, ref_members: list[Any], our_members: list[Any]) -> list[tuple[Any, Any]]:
        remaining = list(our_members)
        pairs: list[tuple[Any, Any]] = []
        for member in ref_members:
            wanted = self.shape(self.ref, member)
            match = next((m for m in remaining if self.shape(self.our, m) == wanted), None)
            if match is not None:
                remaining.remove(match)
            pairs.append((member, match))
        return pairs

    def desc(self, side: Side, node: Any, other: Any, loc: str, enums: Enums) -> str:
        """Type descriptor of `node`; for the reference side `other` is our parallel node."""
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
            return str(typ) + ("/" + str(node["format"]) if "format" in node else "")
        return "any"

    def compare_types(self, subject: str, ref_node: Any, our_node: Any, loc: str) -> None:
        """A `<subject> type <ref>-><ours>` difference, plus the enum values that differ below the two nodes."""
        enums_r: Enums = {}
        enums_o: Enums = {}
        dr = self.desc(self.ref, ref_node, our_node, loc, enums_r)
        do = self.desc(self.our, our_node, None, loc, enums_o)
        if dr != do:
            self.add(subject, "type", f"{dr}->{do}")
        for where in sorted(set(enums_r) | set(enums_o)):
            self.compare_values(where, enums_r.get(where, set()), enums_o.get(where, set()))

    # -- unions ----------------------------------------------------------------------------

    def union_facts(
        self, side: Side, schema: dict[str, Any], other: dict[str, Any] | None, subject: str
    ) -> tuple[str | None, dict[str, str], set[str]]:
        """(discriminator, {variant name: value}, {non-variant member descriptors})."""
        members: list[Any] = schema.get("oneOf", [])
        disc: str | None = (schema.get("discriminator") or {}).get("propertyName")
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

    def infer_discriminator(self, members: list[Any]) -> str | None:
        common: set[str] | None = None
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

    def compare_schema(self, subject: str, ref_s: dict[str, Any], our_s: dict[str, Any]) -> None:
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
            self.compare_types(subject, ref_s, our_s, subject)

    def compare_values(self, subject: str, ref_values: set[str], our_values: set[str]) -> None:
        for v in sorted(ref_values - our_values):
            self.add(subject, "enum", "-" + v)
        for v in sorted(our_values - ref_values):
            self.add(subject, "enum", "+" + v)

    def compare_object(self, subject: str, ref_s: dict[str, Any], our_s: dict[str, Any]) -> None:
        rp, op = ref_s.get("properties", {}), our_s.get("properties", {})
        for p in sorted(set(rp) - set(op)):
            self.add(subject, "property", "-" + p)
        for p in sorted(set(op) - set(rp)):
            self.add(subject, "property", "+" + p)
        for p in sorted(set(rp) & set(op)):
            loc = f"{subject}.{p}"
            self.compare_types(loc, rp[p], op[p], loc)
            for flag in FLAGS:
                fr, fo = bool(rp[p].get(flag)), bool(op[p].get(flag))
                if fr != fo:
                    self.add(loc, "flag", ("+" if fo else "-") + flag)
        rr, ro = set(ref_s.get("required", [])), set(our_s.get("required", []))
        for p in sorted(rr - ro):
            self.add(subject, "required", "-" + p)
        for p in sorted(ro - rr):
            self.add(subject, "required", "+" + p)

    def compare_union(self, subject: str, ref_s: dict[str, Any], our_s: dict[str, Any]) -> None:
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

    def compare_operation(self, key: OperationKey) -> None:
        """Method and path (present on both sides or not), parameters, request body, success response."""
        subject = operation_name(key)
        ref_op, our_op = self.ref.operation(key), self.our.operation(key)
        if ref_op is None or our_op is None:
            self.add("", "op", ("-" if ref_op is not None else "+") + subject)
            return
        rp, op = self.ref.parameters(key), self.our.parameters(key)
        for name in sorted(set(rp) | set(op)):
            if name not in op:
                self.add(subject, "param", "-" + name)
                continue
            if name not in rp:
                self.add(subject, "param", "+" + name)
                continue
            dr = self.desc(self.ref, rp[name].get("schema"), op[name].get("schema"), subject, {})
            do = self.desc(self.our, op[name].get("schema"), None, subject, {})
            if dr != do:
                self.add(f"{subject}:{name}", "type", f"{dr}->{do}")
            if bool(rp[name].get("required")) != bool(op[name].get("required")):
                self.add(f"{subject}:{name}", "required", "+" if op[name].get("required") else "-")
        rb = (ref_op.get("requestBody") or {}).get("content", {})
        ob = (our_op.get("requestBody") or {}).get("content", {})
        self.compare_media(subject + ":body", "body", rb, ob)
        ref_code, rr = self.ref.success_response(ref_op)
        our_code, orr = self.our.success_response(our_op)
        if ref_code != our_code and ref_code != "default":  # `default` as success: the reference's habit, not ours
            self.add(subject, "status", f"{ref_code}->{our_code}")
        self.compare_media(f"{subject}:{our_code or ref_code}", "response", rr, orr, unwrap_sse=True)

    def compare_media(
        self, subject: str, what: str, ref_c: dict[str, Any], our_c: dict[str, Any], unwrap_sse: bool = False
    ) -> None:
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

    def shared_operations(self) -> list[OperationKey]:
        ours = set(operations(self.our.doc))
        return [key for key in operations(self.ref.doc) if key in ours]

    def run(self) -> set[str]:
        """Every difference, one line each (the allowlist's vocabulary)."""
        ref_keys, our_keys = operations(self.ref.doc), operations(self.our.doc)
        for key in ref_keys + [k for k in our_keys if k not in ref_keys]:
            self.compare_operation(key)
        # Schemas of an operation only one side has stay out of it: the `op` difference stands for all of them.
        ref_names = reachable_schemas(self.ref.doc, self.shared_operations())
        our_names = reachable_schemas(self.our.doc)
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


# --------------------------------------------------------------------------- report


def problems(reference: Document, ours: Document, allow: Allowlist) -> list[str]:
    """Everything the allowlist does not account for: malformed lines, unexplained differences, stale entries."""
    found = [f"malformed allowlist {problem}" for problem in allow.problems]
    comparer = Comparer(reference, ours, allow)
    diffs = comparer.run()
    ref_schemas = reference.get("components", {}).get("schemas", {})
    our_schemas = ours.get("components", {}).get("schemas", {})
    for old, new in sorted(allow.renames.items()):
        if old not in ref_schemas or new not in our_schemas:
            found.append(f"stale rename: {old} => {new}")
    for name in sorted(allow.hoists - comparer.hoists_used):
        found.append(f"stale hoist: {name} (no inline reference schema maps to it)")
    unexpected = sorted(diffs - allow.entries)
    stale = sorted(allow.entries - diffs)
    if unexpected:
        found.append(
            f"{len(unexpected)} difference(s) from the reference document that the allowlist does not explain:\n    "
            + "\n    ".join(unexpected)
        )
    if stale:
        found.append(
            f"{len(stale)} allowlist entr(y/ies) that match no difference (remove them):\n    " + "\n    ".join(stale)
        )
    return found


def missing_counterparts(reference: Document, ours: Document, allow: Allowlist) -> list[str]:
    """Reference schemas of the operations we have with no schema of ours, under their name or a rename,
    and not deliberately dropped."""
    our_schemas = ours.get("components", {}).get("schemas", {})
    shared = Comparer(reference, ours, allow).shared_operations()
    return sorted(
        name
        for name in reachable_schemas(reference, shared)
        if allow.renames.get(name, name) not in our_schemas
        and allow.renames.get(name, name) not in allow.dropped_schemas
    )
