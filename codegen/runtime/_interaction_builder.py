"""The Interaction a stream describes, built one event at a time (no I/O, no import of the package).

A string that arrives in pieces (text, a thought summary, function-call arguments, base64 media) is
kept as its pieces and joined once, when the Interaction is asked for: the cost is linear in the
stream, and memory follows the assembled output, not the number of events. A stream feeds its typed
events (`InteractionBuilder.add`): a delta that continues the piece being joined is taken from the
model as it is, anything else goes through the rules below as its JSON object. `assemble` builds
from a list of JSON objects, as the testing server does.

The rules: `interaction.created` and `interaction.completed` merge into the interaction (later fields
win, `steps` come from the step events), `interaction.status_update` sets the status, `step.start`
opens the step at its index, `step.delta` folds into it (consecutive text joins, as does the text of
a thought summary; base64 media pieces join until one ends with "="; `arguments_delta` pieces are
parsed as JSON when the step stops; other deltas merge their fields), an `error` event without a
completion makes the status "failed" and lists the error in `errors`. Unknown events are ignored.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable, Mapping
from typing import Any, TypeGuard

from ._string_runs import GROUP, ArgumentsRun, Joined, MediaRun, Run, SummaryRun, TextRun

__all__ = ["InteractionBuilder", "apply_delta", "assemble", "finish_step"]

_MEDIA = frozenset({"image", "audio", "video", "document"})
_UNSTARTED = "_never_started"  # marks a step that only deltas made (no step.start): kept as those deltas
_ARGUMENTS = "_arguments_buffer"  # the key of a step's arguments text until the step stops
_NO_OUTPUT = frozenset({"interaction.created", "interaction.status_update"})  # events that carry no output


def _kept(value: Any) -> Any:
    return value  # a value the builder already owns: kept as it is, not copied


def _merge_value(target: dict[str, Any], key: str, value: Any, clone: Callable[[Any], Any] = copy.deepcopy) -> None:
    """Merge one field of a delta without its own rule into a step: lists extend, dicts merge, else replace."""
    current = target.get(key)
    if isinstance(current, list) and isinstance(value, list):
        current.extend(clone(value))
    elif isinstance(current, dict) and isinstance(value, dict):
        current.update(clone(value))
    else:
        target[key] = clone(value)


def _is_text(part: Any) -> TypeGuard[dict[str, Any]]:
    return isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text", ""), (str, Joined))


def _run_at(item: dict[str, Any], key: str, kind: type[Run]) -> Run:
    """The run under `item[key]`, made from the string there (or "") if it is not one yet."""
    value = item.get(key, "")
    if isinstance(value, Run):
        return value
    run = kind(value.value() if isinstance(value, Joined) else value)
    item[key] = run
    return run


def _apply(step: dict[str, Any], delta: dict[str, Any], clone: Callable[[Any], Any] = copy.deepcopy) -> Run | None:
    """Fold one delta's JSON into `step` (in place); the run it appended to, if any. What is kept of
    `delta` goes through `clone` (a deep copy, unless the delta is the builder's own)."""
    dtype = delta.get("type")
    if dtype == "text":
        content = step.setdefault("content", [])
        text = delta.get("text", "")
        last = content[-1] if content else None
        if isinstance(last, dict) and last.get("type") == "text":
            run = _run_at(last, "text", TextRun)
            run.append(text)
            return run
        new = TextRun(text) if isinstance(text, str) else None
        item: dict[str, Any] = {"type": "text", "text": text if new is None else new}
        item.update(clone({k: v for k, v in delta.items() if k not in ("type", "text")}))
        content.append(item)
        return new
    if dtype in _MEDIA:
        content = step.setdefault("content", [])
        data = delta.get("data")
        last = content[-1] if content else None
        if (
            isinstance(last, dict)
            and last.get("type") == dtype
            and last.get("mime_type") == delta.get("mime_type")
            and isinstance(last.get("data"), (str, Joined))
            and isinstance(data, str)
            and not last["data"].endswith("=")
        ):
            run = _run_at(last, "data", MediaRun)
            run.append(data)
            return run
        item = clone(delta)
        content.append(item)
        return _run_at(item, "data", MediaRun) if isinstance(data, str) else None
    if dtype == "thought_summary":
        # Like text: consecutive text parts are one summary text; an image stays an item of its own.
        summary = step.setdefault("summary", [])
        part = delta.get("content")
        if not isinstance(part, dict):
            return None
        last = summary[-1] if summary else None
        if _is_text(part) and _is_text(last):
            run = _run_at(last, "text", SummaryRun)
            run.append(part.get("text", ""))
            return run
        item = clone(part)
        summary.append(item)
        return _run_at(item, "text", SummaryRun) if _is_text(item) and "text" in item else None
    if dtype == "thought_signature":
        if "signature" in delta:
            step["signature"] = delta["signature"]
        return None
    if dtype == "arguments_delta":
        run = _run_at(step, _ARGUMENTS, ArgumentsRun)
        run.append(str(delta.get("arguments", "")))
        return run
    # Tool-specific deltas (google_search_call, google_search_result, ...) and unknown delta
    # types: their fields (except "type") merge into the step.
    for key, value in delta.items():
        if key != "type":
            _merge_value(step, key, value, clone)
    return None


def _finish(step: dict[str, Any]) -> None:
    """A stopped step (in place): its buffered arguments parsed as JSON (kept as text if they are not JSON)."""
    if _ARGUMENTS in step:
        raw = step.pop(_ARGUMENTS)
        if isinstance(raw, Joined):
            raw = raw.value()
        try:
            parsed: Any = json.loads(raw) if raw.strip() else {}
        except ValueError:
            parsed = raw
        step["arguments"] = parsed


def _rendered(value: Any) -> Any:
    """A copy with every joined string read out: new dicts and lists all the way down, strings shared."""
    if isinstance(value, dict):
        return {k: _rendered(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rendered(v) for v in value]
    if isinstance(value, Joined):
        return value.value()
    return value


def _settle(value: Any) -> None:
    """Every joined string inside `value` replaced by its string, in place."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, Joined):
                value[key] = item.value()
            else:
                _settle(item)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, Joined):
                value[i] = item.value()
            else:
                _settle(item)


def _model_to_dict(event: Any) -> dict[str, Any]:
    return event.to_dict()  # type: ignore[no-any-return]


class InteractionBuilder:
    """Folds a stream's events, in order, into the Interaction they describe.

    `add` takes a typed event (a generated model), `add_json` an event's JSON object; `snapshot`
    gives the Interaction so far as a JSON object at any point, at a cost proportional to its size
    (no event is looked at again), and leaves the builder able to go on."""

    __slots__ = (
        "_completed",
        "_delta_event",
        "_errors",
        "_interaction",
        "_open",
        "_steps",
        "_to_dict",
        "checkpoint",
        "output_since_checkpoint",
    )

    def __init__(self, to_dict: Callable[[Any], dict[str, Any]] | None = None) -> None:
        # How a typed event becomes its JSON object, a fresh one the builder keeps without copying:
        # `event.to_dict()` unless the stream gives a cheaper way (see `_models_base.dict_dumper`).
        self._to_dict: Callable[[Any], dict[str, Any]] = to_dict or _model_to_dict
        self._interaction: dict[str, Any] = {}
        self._steps: dict[int, dict[str, Any]] = {}
        self._errors: list[dict[str, Any]] = []
        self._completed = False
        # The latest continuation_token of a status update (a point the interaction can be continued
        # from), and whether any output came after it (which continuing from it would generate again).
        self.checkpoint: str | None = None
        self.output_since_checkpoint: bool = False
        # Per step index, the run its last delta appended to: the next delta of that step, if it
        # continues the run, is appended without going through the rules.
        self._open: dict[int, Run] = {}
        self._delta_event: Any = None  # the model class of step.delta events, once seen

    def add(self, event: Any) -> None:
        """Fold in one typed event, a model with `to_dict()`, as a stream delivers it."""
        if not self.add_delta(event):
            self._add(self._to_dict(event), event)

    def add_delta(self, event: Any) -> bool:
        """Fold in a typed delta that continues its step's run as it is (nearly every event of a
        stream), and say so; False for any other event, which `add` then folds by the rules."""
        run = self._open.get(event.index) if type(event) is self._delta_event else None
        if run is None:
            return False
        delta = event.delta
        if type(delta) is run.text_delta:
            text = delta.text
            if type(text) is not str:
                return False
            pieces = run._pieces
            pieces.append(text)
            if len(pieces) >= GROUP:
                run._compact()
            return True
        return run.take(delta)

    def add_json(self, event: dict[str, Any]) -> None:
        """Fold in one event's JSON object (the parsed `data` of a server-sent event)."""
        self._add(event, None)

    def _add(self, event: dict[str, Any], typed: Any) -> None:
        # A typed event's JSON object is the builder's own (a fresh dump): kept, not copied; a JSON
        # object from the caller is copied wherever it is kept.
        clone: Callable[[Any], Any] = copy.deepcopy if typed is None else _kept
        etype = event.get("event_type")
        if etype not in _NO_OUTPUT:
            self.output_since_checkpoint = True
        if etype == "step.delta":
            index = int(event.get("index", 0))
            delta = event.get("delta")
            if not isinstance(delta, dict):
                return
            step = self._steps.get(index)
            if step is None:
                step = self._steps[index] = {_UNSTARTED: True}
            run = _apply(step, delta, clone)
            if run is None or typed is None:
                self._open.pop(index, None)
                return
            # Learn the model classes the fast path recognises from this event, which took the slow path.
            typed_delta = typed.delta
            self._delta_event = type(typed)
            run.delta_type = type(typed_delta)
            if isinstance(run, TextRun):
                run.text_delta = run.delta_type
            elif isinstance(run, SummaryRun):
                run.part_type = type(typed_delta.content)
            elif isinstance(run, MediaRun):
                run.mime_type = typed_delta.mime_type
            self._open[index] = run
        elif etype in ("interaction.created", "interaction.completed"):
            body = event.get("interaction")
            if isinstance(body, dict):
                for key, value in body.items():
                    if key != "steps":
                        self._interaction[key] = clone(value)
            self._completed = self._completed or etype == "interaction.completed"
        elif etype == "interaction.status_update":
            if "status" in event:
                self._interaction["status"] = event["status"]
            token = event.get("continuation_token")
            if isinstance(token, str) and token:
                self.checkpoint, self.output_since_checkpoint = token, False
                # The next delta of an open run takes the rules again, once, so that it counts as output.
                self._open.clear()
            if "interaction_id" in event and "id" not in self._interaction:
                self._interaction["id"] = event["interaction_id"]
        elif etype == "step.start":
            index = int(event.get("index", len(self._steps)))
            started = event.get("step")
            self._steps[index] = clone(started) if isinstance(started, dict) else {}
            self._open.pop(index, None)
        elif etype == "step.stop":
            index = int(event.get("index", 0))
            if index in self._steps:
                _finish(self._steps[index])
                self._open.pop(index, None)
        elif etype == "error":
            error = event.get("error")
            self._errors.append(clone(error) if isinstance(error, dict) else {})
        # Unknown event types are ignored, as clients are told to do.

    @property
    def completed(self) -> bool:
        """Whether `interaction.completed` came (its interaction is the hop's final word)."""
        return self._completed

    def fields(self) -> Mapping[str, Any]:
        """The Interaction's own fields so far (id, status, continuation_token, ...), without steps: no copy."""
        return self._interaction

    def snapshot(self) -> dict[str, Any]:
        """The Interaction so far, as the JSON object the non-streamed endpoint would return.

        Steps still open are finished in the copy only (arguments parsed as far as they are JSON)."""
        interaction: dict[str, Any] = _rendered(self._interaction)
        steps = []
        for index in sorted(self._steps):
            step = _rendered(self._steps[index])
            _finish(step)
            if step.pop(_UNSTARTED, False):
                # Not a step of any type this SDK could name (a user_input step would be invented
                # from its content): an unknown step that keeps what its deltas said.
                step = {"delta": step}
            steps.append(step)
        if self._errors and not self._completed:
            interaction["status"] = "failed"
        if self._errors:
            interaction["errors"] = _rendered(self._errors)
        interaction["steps"] = steps
        return interaction


def assemble(events: list[dict[str, Any]]) -> dict[str, Any]:
    """The non-streamed Interaction equivalent to a list of stream events' JSON objects.

    `events` are the parsed `data` payloads (without the `[DONE]` sentinel); the rules are
    InteractionBuilder's."""
    builder = InteractionBuilder()
    for event in events:
        builder.add_json(event)
    return builder.snapshot()


def apply_delta(step: dict[str, Any], delta: dict[str, Any]) -> None:
    """Fold one `step.delta` payload into a step's JSON object (in place).

    `arguments_delta` pieces are collected under the private key "_arguments_buffer" until
    `finish_step`. Each call joins the step's strings again: to fold many deltas, use
    InteractionBuilder, which joins once."""
    _apply(step, delta)
    _settle(step)


def finish_step(step: dict[str, Any]) -> None:
    """Finish a step's JSON object (in place): its buffered `arguments_delta` JSON parsed."""
    _finish(step)
