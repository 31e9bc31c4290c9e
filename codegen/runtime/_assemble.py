"""Assemble a list of Interactions API stream events into a non-streamed Interaction.

Pure functions only: no I/O, no dependency on the rest of the package, so the
logic can be reused by SDK code that needs to turn a stream into the object the
non-streamed endpoint would have returned.
"""

from __future__ import annotations

import copy
import json
from typing import Any

__all__ = ["apply_delta", "assemble", "finish_step"]

# Keys of an event that describe the event itself rather than the interaction.
_EVENT_KEYS = frozenset({"event_type", "event_id"})


def _merge_value(target: dict[str, Any], key: str, value: Any) -> None:
    """Merge one unknown delta field into a step: lists extend, dicts merge, else replace."""
    current = target.get(key)
    if isinstance(current, list) and isinstance(value, list):
        current.extend(copy.deepcopy(value))
    elif isinstance(current, dict) and isinstance(value, dict):
        current.update(copy.deepcopy(value))
    else:
        target[key] = copy.deepcopy(value)


def apply_delta(step: dict[str, Any], delta: dict[str, Any]) -> None:
    """Fold one ``step.delta`` payload into ``step`` (in place).

    ``arguments_delta`` fragments are collected in the private key
    ``"_arguments_buffer"``; call :func:`finish_step` once the step stops.
    """
    dtype = delta.get("type")
    if dtype == "text":
        content = step.setdefault("content", [])
        text = delta.get("text", "")
        if content and isinstance(content[-1], dict) and content[-1].get("type") == "text":
            content[-1]["text"] = content[-1].get("text", "") + text
        else:
            item: dict[str, Any] = {"type": "text", "text": text}
            extra = {k: v for k, v in delta.items() if k not in ("type", "text")}
            item.update(copy.deepcopy(extra))
            content.append(item)
    elif dtype in ("image", "audio", "video", "document"):
        content = step.setdefault("content", [])
        if content and _continues(content[-1], delta):
            content[-1]["data"] += delta["data"]
        else:
            content.append(copy.deepcopy(delta))
    elif dtype == "thought_summary":
        # Like text: consecutive text parts are one summary text; an image stays an item of its own.
        summary = step.setdefault("summary", [])
        part = delta.get("content")
        if isinstance(part, dict):
            last = summary[-1] if summary else None
            if _is_text(part) and isinstance(last, dict) and _is_text(last):
                last["text"] = last.get("text", "") + part.get("text", "")
            else:
                summary.append(copy.deepcopy(part))
    elif dtype == "thought_signature":
        if "signature" in delta:
            step["signature"] = delta["signature"]
    elif dtype == "arguments_delta":
        buf = step.get("_arguments_buffer", "")
        step["_arguments_buffer"] = buf + str(delta.get("arguments", ""))
    else:
        # Tool-specific deltas (google_search_call, google_search_result, ...) and
        # unknown delta types: merge their fields (except "type") into the step.
        for key, value in delta.items():
            if key == "type":
                continue
            _merge_value(step, key, value)


def _continues(last: Any, delta: dict[str, Any]) -> bool:
    """Whether a media delta is the next chunk of the item before it: same type and MIME type, inline
    base64 data, and the item so far unpadded (a "=" ends a base64 encoding, so a new item starts)."""
    return (
        isinstance(last, dict)
        and last.get("type") == delta.get("type")
        and last.get("mime_type") == delta.get("mime_type")
        and isinstance(last.get("data"), str)
        and isinstance(delta.get("data"), str)
        and not last["data"].endswith("=")
    )


def _is_text(part: dict[str, Any]) -> bool:
    return part.get("type") == "text" and isinstance(part.get("text", ""), str)


def finish_step(step: dict[str, Any]) -> None:
    """Finalize a step (in place): parse buffered ``arguments_delta`` JSON."""
    if "_arguments_buffer" in step:
        raw = step.pop("_arguments_buffer")
        try:
            parsed: Any = json.loads(raw) if raw.strip() else {}
        except ValueError:
            parsed = raw
        step["arguments"] = parsed


def assemble(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Build the non-streamed Interaction equivalent to a list of stream events.

    ``events`` are the parsed JSON ``data`` payloads (the ``[DONE]`` sentinel is
    not included). The result merges ``interaction.created`` with
    ``interaction.completed`` (later fields win), tracks
    ``interaction.status_update`` and lists the assembled ``steps`` in index
    order. An ``error`` event without a completion yields ``status: "failed"``
    and the error in ``errors``.
    """
    interaction: dict[str, Any] = {}
    steps: dict[int, dict[str, Any]] = {}
    completed = False
    errors: list[dict[str, Any]] = []
    for event in events:
        etype = event.get("event_type")
        if etype in ("interaction.created", "interaction.completed"):
            body = event.get("interaction")
            if isinstance(body, dict):
                for key, value in body.items():
                    if key != "steps":
                        interaction[key] = copy.deepcopy(value)
            completed = completed or etype == "interaction.completed"
        elif etype == "interaction.status_update":
            if "status" in event:
                interaction["status"] = event["status"]
            if "interaction_id" in event and "id" not in interaction:
                interaction["id"] = event["interaction_id"]
        elif etype == "step.start":
            index = int(event.get("index", len(steps)))
            started = event.get("step")
            steps[index] = copy.deepcopy(started) if isinstance(started, dict) else {}
        elif etype == "step.delta":
            index = int(event.get("index", 0))
            delta = event.get("delta")
            if isinstance(delta, dict):
                apply_delta(steps.setdefault(index, {}), delta)
        elif etype == "step.stop":
            index = int(event.get("index", 0))
            if index in steps:
                finish_step(steps[index])
        elif etype == "error":
            error = event.get("error")
            errors.append(copy.deepcopy(error) if isinstance(error, dict) else {})
        # Unknown event types are ignored, as clients are told to do.
    for step in steps.values():
        finish_step(step)
    if errors and not completed:
        interaction["status"] = "failed"
    if errors:
        interaction["errors"] = errors
    interaction["steps"] = [steps[i] for i in sorted(steps)]
    return interaction
