# Copied from codegen/runtime/testing/_scenarios.py by `nox -s generate` - edit it there, not here.
"""Scenario data: declarative JSON scenarios and raw `.sse` transcripts."""

from __future__ import annotations

import copy
import fnmatch
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

from .._stream_state import DONE_DATA
from ._faults import Faults

__all__ = [
    "Scenario",
    "builtin_scenarios",
    "load_scenarios",
    "parse_sse",
    "render_events",
]

_MATCH_KEYS = frozenset(
    {
        "model",
        "agent",
        "input_contains",
        "input_types",
        "tool_types",
        "previous_scenario",
        "background",
    }
)


_SUFFIXES = (".json", ".sse")


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, (list, tuple)) else [value]


@dataclass
class Scenario:
    """One canned interaction.

    `events` is the template event list (`data` payloads without the final
    `[DONE]`); ids, model/agent, timestamps and `event_id` are filled in per
    interaction by `render_events`.
    """

    name: str
    events: list[dict[str, Any]]
    description: str = ""
    match: dict[str, Any] = field(default_factory=dict)
    priority: int = 0
    faults: Faults | None = None
    next: str | None = None
    polls_until_done: int = 0
    model: str | None = None
    agent: str | None = None
    # Continuation (see _continuation.py): the scenario of the next hop, and a hop stuck on its token.
    continues_with: str | None = None
    hands_back_token: bool = False
    # A background run answers polls with "queued" this many times before its polls_until_done.
    queued_polls: int = 0

    def __post_init__(self) -> None:
        unknown = set(self.match) - _MATCH_KEYS
        if unknown:
            raise ValueError(f"scenario {self.name!r}: unknown match keys {sorted(unknown)}")

    # ------------------------------------------------------------------ build
    @classmethod
    def from_dict(cls, data: Mapping[str, Any], name: str | None = None) -> Scenario:
        """Build from the declarative JSON format (see the package docs)."""
        scenario_name = str(data.get("name") or name or "")
        if not scenario_name:
            raise ValueError("scenario needs a name")
        if "events" in data:
            events = [dict(e) for e in data["events"]]
        else:
            events = _events_from_steps(data)
        faults = data.get("faults")
        return cls(
            name=scenario_name,
            events=events,
            description=str(data.get("description", "")),
            match=dict(data.get("match", {})),
            priority=int(data.get("priority", 0)),
            faults=Faults.from_dict(faults) if faults else None,
            next=data.get("next"),
            polls_until_done=int(data.get("polls_until_done", 0)),
            model=data.get("model"),
            agent=data.get("agent"),
            continues_with=data.get("continues_with"),
            hands_back_token=bool(data.get("hands_back_token", False)),
            queued_polls=int(data.get("queued_polls", 0)),
        )

    @classmethod
    def from_sse(cls, name: str, text: str, **options: Any) -> Scenario:
        """Build from a raw SSE transcript (`event:`/`data:` blocks).

        Comment lines starting with `:` are ignored, except `: scenario {json}`
        which supplies the non-event fields of the JSON format (match, next, ...).
        """
        meta: dict[str, Any] = {}
        for line in text.splitlines():
            if line.startswith(": scenario "):
                meta.update(json.loads(line[len(": scenario ") :]))
        meta.update(options)
        meta["events"] = parse_sse(text)
        meta.setdefault("name", name)
        return cls.from_dict(meta)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> Scenario:
        """Load a `.json` or `.sse` scenario file (name defaults to the file stem)."""
        path_str = os.fspath(path)
        with open(path_str, encoding="utf-8") as handle:
            return _from_text(os.path.basename(path_str), handle.read())

    # ---------------------------------------------------------------- matching
    def specificity(self) -> int:
        """How many individual conditions `match` holds (more = more specific)."""
        total = 0
        for key, value in self.match.items():
            total += len(_as_list(value)) if key in ("input_types", "tool_types") else 1
        return total

    def matches(self, body: Mapping[str, Any], previous_scenario: str | None) -> bool:
        """Whether every `match` condition holds for a create request body."""
        if not self.match:
            return False
        for key, expected in self.match.items():
            if key in ("model", "agent"):
                actual = body.get(key)
                if not isinstance(actual, str):
                    return False
                if not any(fnmatch.fnmatchcase(actual, str(p)) for p in _as_list(expected)):
                    return False
            elif key == "input_contains":
                text = _input_text(body.get("input")).lower()
                if not any(str(s).lower() in text for s in _as_list(expected)):
                    return False
            elif key == "input_types":
                types = _input_types(body.get("input"))
                if not all(t in types for t in _as_list(expected)):
                    return False
            elif key == "tool_types":
                tools = body.get("tools")
                present = {t.get("type") for t in tools if isinstance(t, dict)} if isinstance(tools, list) else set()
                if not all(t in present for t in _as_list(expected)):
                    return False
            elif key == "previous_scenario":
                if previous_scenario not in _as_list(expected):
                    return False
            elif key == "background" and bool(body.get("background", False)) != bool(expected):
                return False
        return True


def _events_from_steps(data: Mapping[str, Any]) -> list[dict[str, Any]]:
    events: list[dict[str, Any]] = [
        {
            "event_type": "interaction.created",
            "interaction": {"status": "in_progress", "object": "interaction"},
        }
    ]
    if data.get("initial_status_update", True):
        events.append({"event_type": "interaction.status_update", "status": "in_progress"})
    index = 0
    for item in data.get("steps", []):
        if "status_update" in item:
            update = {"event_type": "interaction.status_update", "status": item["status_update"]}
            if item.get("checkpoint"):
                update["checkpoint"] = True  # the server puts a fresh continuation_token here
            events.append(update)
            continue
        step = dict(item.get("step", {}))
        if "type" not in step:
            raise ValueError(f"step without type in scenario {data.get('name')!r}")
        events.append({"event_type": "step.start", "index": index, "step": step})
        for delta in item.get("deltas", []):
            events.append({"event_type": "step.delta", "index": index, "delta": dict(delta)})
        stop: dict[str, Any] = {"event_type": "step.stop", "index": index}
        if "step_usage" in item:
            stop["step_usage"] = item["step_usage"]
        events.append(stop)
        index += 1
    if "error" in data:
        events.append({"event_type": "error", "error": dict(data["error"])})
        return events
    final: dict[str, Any] = {"status": data.get("status", "completed")}
    if "usage" in data:
        final["usage"] = data["usage"]
    final["service_tier"] = data.get("service_tier", "standard")
    final["object"] = "interaction"
    events.append({"event_type": "interaction.completed", "interaction": final})
    return events


def _input_text(value: Any) -> str:
    """All strings found in an `input` value, joined (for substring matching)."""
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        return " ".join(_input_text(v) for v in value)
    if isinstance(value, dict):
        return " ".join(_input_text(v) for k, v in value.items() if k != "type")
    return ""


def _input_types(value: Any) -> set[str]:
    types: set[str] = set()
    if isinstance(value, list):
        for item in value:
            types |= _input_types(item)
    elif isinstance(value, dict):
        if isinstance(value.get("type"), str):
            types.add(value["type"])
        for key in ("content", "steps"):
            if key in value:
                types |= _input_types(value[key])
    return types


def parse_sse(text: str) -> list[dict[str, Any]]:
    """Parse SSE text into the list of JSON `data` payloads.

    `[DONE]` and unparsable/empty data blocks are skipped. An `event:` name
    without `event_type` in the JSON is copied into it.
    """
    events: list[dict[str, Any]] = []
    event_name: str | None = None
    data_lines: list[str] = []

    def flush() -> None:
        nonlocal event_name, data_lines
        if data_lines:
            raw = "\n".join(data_lines)
            if raw.strip() != DONE_DATA:
                try:
                    payload = json.loads(raw)
                except ValueError:
                    payload = None
                if isinstance(payload, dict):
                    if event_name and "event_type" not in payload:
                        payload["event_type"] = event_name
                    events.append(payload)
        event_name = None
        data_lines = []

    for line in text.replace("\r\n", "\n").split("\n"):
        if line == "":
            flush()
        elif line.startswith(":"):
            continue
        elif line.startswith("event:"):
            event_name = line[6:].strip()
        elif line.startswith("data:"):
            value = line[5:]
            data_lines.append(value.removeprefix(" "))
    flush()
    return events


def render_events(
    scenario: Scenario,
    interaction_id: str,
    owner: Mapping[str, str],
    timestamp: str,
) -> list[dict[str, Any]]:
    """Instantiate a scenario's template events for one interaction.

    `owner` is `{"model": ...}` or `{"agent": ...}`. Every event gets a
    monotonic `event_id` (`evt_000001`...).
    """
    out: list[dict[str, Any]] = []
    for number, template in enumerate(scenario.events, start=1):
        event = copy.deepcopy(template)
        event.pop("event_id", None)
        etype = event.get("event_type")
        if etype in ("interaction.created", "interaction.completed"):
            body = event.get("interaction")
            body = dict(body) if isinstance(body, dict) else {}
            body.pop("model", None)
            body.pop("agent", None)
            rendered: dict[str, Any] = {"id": interaction_id}
            rendered.update({k: v for k, v in body.items() if k != "id"})
            rendered.setdefault("status", "in_progress")
            rendered.setdefault("object", "interaction")
            if etype == "interaction.completed":
                rendered["created"] = timestamp
                rendered["updated"] = timestamp
                rendered.setdefault("service_tier", "standard")
            rendered.update(owner)
            event = {
                "interaction": rendered,
                **{k: v for k, v in event.items() if k != "interaction"},
            }
        elif etype == "interaction.status_update":
            event["interaction_id"] = interaction_id
            event = {
                "interaction_id": interaction_id,
                "status": event.get("status", "in_progress"),
                **{k: v for k, v in event.items() if k not in ("interaction_id", "status")},
            }
        event["event_type"] = etype
        event["event_id"] = f"evt_{number:06d}"
        out.append(event)
    return out


def _from_text(filename: str, text: str) -> Scenario:
    """A scenario from a `.json` or `.sse` file's name and text (the stem is the default name)."""
    stem, suffix = os.path.splitext(filename)
    if suffix == ".sse":
        return Scenario.from_sse(stem, text)
    return Scenario.from_dict(json.loads(text), name=stem)


def load_scenarios(directory: str | os.PathLike[str]) -> list[Scenario]:
    """Load every `*.json` and `*.sse` file of `directory` (sorted by name)."""
    base = os.fspath(directory)
    return [Scenario.from_file(os.path.join(base, e)) for e in sorted(os.listdir(base)) if e.endswith(_SUFFIXES)]


def builtin_scenarios() -> list[Scenario]:
    """The scenarios shipped in the package's `scenarios/` directory."""
    package = __package__ or __name__.rpartition(".")[0]
    root = resources.files(package).joinpath("scenarios")
    entries = sorted((e for e in root.iterdir() if e.name.endswith(_SUFFIXES)), key=lambda e: e.name)
    return [_from_text(entry.name, entry.read_text(encoding="utf-8")) for entry in entries]
