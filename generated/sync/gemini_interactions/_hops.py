# Copied from codegen/runtime/_hops.py by `nox -s generate` - edit it there, not here.
"""One Interaction from the hops of a continued one: pure functions on the JSON of each hop.

Each hop of an automatically continued call is its own interaction on the server and holds only
the output of that hop. The caller asked one question, so it gets one answer: the final hop
(its id and status) with every hop's steps, the usage of all hops, and `continuation_ids`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

# Usage lists summed item by item, keyed by the field naming the item: (key, value).
USAGE_LISTS: dict[str, tuple[str, str]] = {
    "cached_tokens_by_modality": ("modality", "tokens"),
    "input_tokens_by_modality": ("modality", "tokens"),
    "output_tokens_by_modality": ("modality", "tokens"),
    "tool_use_tokens_by_modality": ("modality", "tokens"),
    "grounding_tool_count": ("type", "count"),
}
# Fields that describe the caller's request rather than a hop (later hops point at the hop
# before them, not at the caller's previous turn).
FIRST_HOP_FIELDS = ("previous_interaction_id", "created", "input")


def merge_hops(hops: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The Interaction (as JSON) a single call would have returned for these hops, in order."""
    if not hops:
        raise ValueError("merge_hops needs at least one hop")
    merged = dict(hops[-1])
    merged["continuation_ids"] = continuation_ids(hops)
    if len(hops) == 1:
        return merged
    steps: list[Any] = []
    for number, hop in enumerate(hops):
        hop_steps = hop.get("steps")
        if isinstance(hop_steps, list):
            # A later hop continues the same turn: a repeated user_input would duplicate the input.
            steps.extend(hop_steps if number == 0 else _without_leading_user_input(hop_steps))
    merged["steps"] = steps
    for name in FIRST_HOP_FIELDS:
        if name in hops[0]:
            merged[name] = hops[0][name]
        else:
            merged.pop(name, None)
    usages = [hop["usage"] for hop in hops if isinstance(hop.get("usage"), Mapping)]
    if usages:
        first = hops[0].get("usage")
        merged["usage"] = merge_usage(usages, first=first if isinstance(first, Mapping) else None)
    return merged


def continuation_ids(hops: Sequence[Mapping[str, Any]]) -> list[str]:
    """Every hop's id in order, once each (a hop already merged brings its own list)."""
    ids: list[str] = []
    for hop in hops:
        earlier = hop.get("continuation_ids")
        if isinstance(earlier, list):
            ids.extend(i for i in earlier if isinstance(i, str) and i)
        if isinstance(hop.get("id"), str) and hop["id"]:
            ids.append(hop["id"])
    return list(dict.fromkeys(ids))


def merge_usage(usages: Sequence[Mapping[str, Any]], *, first: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """Usage summed field by field; `initial_input_tokens` describes the first request only."""
    merged = dict(usages[-1])
    names = list(dict.fromkeys(name for usage in usages for name in usage))
    for name in names:
        if name == "initial_input_tokens":
            continue
        present = [usage[name] for usage in usages if usage.get(name) is not None]
        if present and all(_is_int(v) for v in present):
            merged[name] = sum(present)
        elif name in USAGE_LISTS and present and all(isinstance(v, list) for v in present):
            merged[name] = _merge_list(present, *USAGE_LISTS[name])
    first = usages[0] if first is None else first
    initial = first.get("initial_input_tokens", first.get("total_input_tokens"))
    if initial is not None:
        merged["initial_input_tokens"] = initial
    return merged


def _merge_list(lists: Sequence[list[Any]], key: str, value: str) -> list[Any]:
    by_key: dict[Any, Any] = {}
    for items in lists:
        for item in items:
            if not isinstance(item, Mapping):
                continue
            name = item.get(key)
            if name not in by_key:
                by_key[name] = dict(item)
            elif _is_int(by_key[name].get(value)) and _is_int(item.get(value)):
                by_key[name][value] += item[value]
    return list(by_key.values())


def _without_leading_user_input(steps: list[Any]) -> list[Any]:
    start = 0
    while start < len(steps) and isinstance(steps[start], Mapping) and steps[start].get("type") == "user_input":
        start += 1
    return steps[start:]


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
