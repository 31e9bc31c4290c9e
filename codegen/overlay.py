"""OpenAPI Overlay documents: a spec written as a few changes to another spec.

An overlay (https://spec.openapis.org/overlay/v1.0.0) names the document it `extends` (a path
relative to the overlay file) and lists `actions`, applied in order:

    overlay: 1.0.0
    info: {title: "Revision 2099-01-01", version: "1"}
    extends: ../../../../spec/2026-05-20/openapi.yaml
    actions:
      - target: $.components.schemas.InteractionStatus.enum
        update: [paused]                # an array target: the items are appended
      - target: $.components.schemas
        update: {PausedEvent: {...}}    # an object target: merged, nested objects recursively
      - target: $.components.schemas.StepStop.properties.usage
        remove: true

The subset supported is what spec fixtures need: targets are member paths (`$.a.b`,
`$['/{api_version}/interactions']`, `$.a.required[0]`), without wildcards or filters, and each
must exist. Keeps
test revisions small, so they do not rot as copies of a 2,000-line spec would."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any

import yaml

_SEGMENT = re.compile(r"\.([A-Za-z0-9_\-]+)|\[\s*'([^']*)'\s*\]|\[\s*\"([^\"]*)\"\s*\]|\[(\d+)\]")


class OverlayError(Exception):
    """The overlay cannot be applied; the message names the action."""


def is_overlay(document: Any) -> bool:
    return isinstance(document, dict) and "overlay" in document and "actions" in document


def resolve(overlay_path: Path, document: dict[str, Any]) -> dict[str, Any]:
    """The document `document` (read from overlay_path) describes: its base with every action applied."""
    extends = document.get("extends")
    if not isinstance(extends, str):
        raise OverlayError(f"{overlay_path}: `extends` must name the spec file this overlay changes")
    base_path = (overlay_path.parent / extends).resolve()
    base = yaml.safe_load(base_path.read_text(encoding="utf-8"))
    if is_overlay(base):
        base = resolve(base_path, base)
    return apply(base, document["actions"], source=str(overlay_path))


def apply(document: dict[str, Any], actions: list[dict[str, Any]], source: str = "overlay") -> dict[str, Any]:
    """A copy of `document` with the actions applied in order."""
    result = copy.deepcopy(document)
    for number, action in enumerate(actions, start=1):
        where = f"{source}: action {number} ({action.get('target')})"
        parent, key = _locate(result, str(action.get("target", "")), where)
        if action.get("remove"):
            del parent[key]
        elif "update" in action:
            if key is None:
                result = _merged(result, action["update"], where)
            else:
                parent[key] = _merged(parent[key], action["update"], where)
        else:
            raise OverlayError(f"{where}: needs `update` or `remove: true`")
    return result


def _locate(document: dict[str, Any], target: str, where: str) -> tuple[Any, Any]:
    """(container, key) of the target; key None for the root `$`."""
    if not target.startswith("$"):
        raise OverlayError(f"{where}: a target starts with `$`")
    rest = target[1:]
    keys: list[str] = []
    while rest:
        match = _SEGMENT.match(rest)
        if match is None:
            raise OverlayError(f"{where}: only member paths like $.a.b or $['a/b'] are supported")
        keys.append(next(group for group in match.groups() if group is not None))
        rest = rest[match.end() :]
    if not keys:
        return document, None
    node: Any = document
    for key in keys[:-1]:
        node = _child(node, key, where)
    _child(node, keys[-1], where)  # must exist
    return node, keys[-1] if isinstance(node, dict) else int(keys[-1])


def _child(node: Any, key: str, where: str) -> Any:
    if isinstance(node, dict) and key in node:
        return node[key]
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    raise OverlayError(f"{where}: nothing at {key!r}")


def _merged(target: Any, update: Any, where: str) -> Any:
    if isinstance(target, list):
        return target + copy.deepcopy(update if isinstance(update, list) else [update])
    if isinstance(target, dict) and isinstance(update, dict):
        merged = dict(target)
        for key, value in update.items():
            both_objects = isinstance(merged.get(key), dict) and isinstance(value, dict)
            merged[key] = _merged(merged[key], value, where) if both_objects else copy.deepcopy(value)
        return merged
    raise OverlayError(f"{where}: cannot merge {type(update).__name__} into {type(target).__name__}")
