"""InteractionBuilder, the sans-IO core of final_interaction(): typed events (the stream's fast path)
build exactly what the JSON rules build, at any point; characters are copied a fixed number of
times, whatever the number of deltas; what it keeps is the assembled output, not the events."""

from __future__ import annotations

import base64
import json
import random
import subprocess
import sys
import textwrap
from typing import Any

import pytest
from gemini_interactions import _string_runs as string_runs
from gemini_interactions import types as t
from gemini_interactions._interaction_builder import InteractionBuilder
from gemini_interactions.testing import apply_delta, assemble, finish_step

IMAGE = base64.b64encode(bytes(range(200))).decode()  # ends with "="
AUDIO = base64.b64encode(b"\x00\x01" * 300).decode()  # no padding


def _deltas(rng: random.Random) -> list[dict[str, Any]]:
    """The delta shapes with a joining rule, and some without one, in pieces."""
    cut = rng.randrange(1, 100)
    return [
        {"type": "text", "text": rng.choice(["", "a", "é", "word ", "\n\n", "日本"])},
        {"type": "text", "text": "cited", "annotations": [{"type": "url_citation", "url": "https://example.com"}]},
        {"type": "image", "mime_type": "image/png", "data": IMAGE[:cut]},
        {"type": "image", "mime_type": "image/png", "data": IMAGE[cut:]},
        {"type": "image", "mime_type": "image/jpeg", "data": IMAGE},
        {"type": "audio", "mime_type": "audio/l16", "data": AUDIO[: cut * 4]},
        {"type": "audio", "mime_type": "audio/l16", "data": AUDIO[cut * 4 :]},
        {"type": "audio", "uri": "https://example.com/a.wav"},
        {"type": "thought_summary", "content": {"type": "text", "text": rng.choice(["think", " more", ""])}},
        {"type": "thought_summary", "content": {"type": "image", "mime_type": "image/png", "data": IMAGE}},
        {"type": "thought_summary"},
        {"type": "thought_signature", "signature": f"sig{cut}"},
        {"type": "arguments_delta", "arguments": rng.choice(['{"a": ', "1", ', "b": [2]', "}", ""])},
        {"type": "arguments_delta"},
        {"type": "google_search_call", "arguments": {"queries": [f"q{cut}"]}},
        {"type": f"hologram_{cut}", "frames": [cut], "meta": {"k": cut}},
    ]


def _events(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    steps = [
        {"type": "model_output"},
        {"type": "thought"},
        {"type": "function_call", "id": "fc_1", "name": "f", "arguments": {}},
        {"type": "model_output", "content": [{"type": "text", "text": "started "}]},
    ]
    events: list[dict[str, Any]] = [
        {"event_type": "interaction.created", "interaction": {"id": "v1_x", "status": "in_progress"}}
    ]
    for _ in range(count):
        roll = rng.random()
        index = rng.randrange(3)
        if roll < 0.05:
            events.append({"event_type": "step.start", "index": index, "step": rng.choice(steps)})
        elif roll < 0.08:
            events.append({"event_type": "step.stop", "index": index})
        elif roll < 0.09:
            events.append(
                {"event_type": "interaction.status_update", "interaction_id": "v1_x", "status": "in_progress"}
            )
        elif roll < 0.095:
            events.append({"event_type": "error", "error": {"code": "overloaded", "message": "busy"}})
        elif roll < 0.1:
            events.append({"event_type": f"interaction.weather_{index}", "sky": "blue"})
        else:
            # Runs of one kind, as a model sends them, and sometimes a switch of kind or of step.
            kind = rng.randrange(len(_deltas(rng))) if roll < 0.3 else events[-1].get("_kind", 0)
            events.append(
                {"event_type": "step.delta", "index": index if roll < 0.35 else 0, "delta": _deltas(rng)[kind]}
            )
            events[-1]["_kind"] = kind
    if rng.random() < 0.7:
        events.append({"event_type": "interaction.completed", "interaction": {"id": "v1_x", "status": "completed"}})
    for event in events:
        event.pop("_kind", None)
    return events


@pytest.mark.parametrize("seed", range(40))
def test_typed_events_build_what_the_json_rules_build_at_every_point(seed: int) -> None:
    events = _events(seed, 300)
    typed = [t.parse_event(json.dumps(event)) for event in events]
    fast, plain = InteractionBuilder(), InteractionBuilder()
    points = set(random.Random(seed).sample(range(len(events)), 8)) | {len(events) - 1}
    for i, (event, model) in enumerate(zip(events, typed, strict=True)):
        fast.add(model)
        plain.add_json(json.loads(json.dumps(event)))
        if i in points:
            expected = assemble(events[: i + 1])
            assert fast.snapshot() == expected == plain.snapshot(), f"after event {i}: {events[i]}"
    # A snapshot is a copy: building on does not change it, and a second one is the same.
    first = fast.snapshot()
    fast.add(
        t.parse_event(json.dumps({"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": "!"}}))
    )
    assert first == assemble(events) != fast.snapshot()


def test_the_fast_path_takes_the_runs_and_the_rules_take_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    # How the work divides: a run of text, summary, media or arguments deltas goes through the
    # rules (as JSON) once, at its start; the rest of the run is appended from the models.
    slow: list[str] = []
    original = InteractionBuilder._add

    def counting(self: InteractionBuilder, event: dict[str, Any], typed: Any) -> None:
        slow.append(event.get("event_type", ""))
        original(self, event, typed)

    monkeypatch.setattr(InteractionBuilder, "_add", counting)
    builder = InteractionBuilder()

    def add(event: dict[str, Any]) -> None:
        builder.add(t.parse_event(json.dumps(event)))

    add({"event_type": "step.start", "index": 0, "step": {"type": "model_output"}})
    for piece in ["a", "b", "c"] * 100:
        add({"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": piece}})
    for piece in [AUDIO[:400], AUDIO[400:600], AUDIO[600:]]:
        add(
            {
                "event_type": "step.delta",
                "index": 0,
                "delta": {"type": "audio", "mime_type": "audio/l16", "data": piece},
            }
        )
    add({"event_type": "step.start", "index": 1, "step": {"type": "thought"}})
    for piece in ["x"] * 50:
        summary = {"type": "thought_summary", "content": {"type": "text", "text": piece}}
        add({"event_type": "step.delta", "index": 1, "delta": summary})
    add(
        {
            "event_type": "step.start",
            "index": 2,
            "step": {"type": "function_call", "id": "f", "name": "g", "arguments": {}},
        }
    )
    for piece in ['{"n": ', "1", "2", "}"]:
        add({"event_type": "step.delta", "index": 2, "delta": {"type": "arguments_delta", "arguments": piece}})
    assert slow == ["step.start", "step.delta", "step.delta", "step.start", "step.delta", "step.start", "step.delta"]
    steps = builder.snapshot()["steps"]
    assert steps[0]["content"] == [
        {"type": "text", "text": "abc" * 100},
        {"type": "audio", "mime_type": "audio/l16", "data": AUDIO},
    ]
    assert steps[1]["summary"] == [{"type": "text", "text": "x" * 50}]
    assert steps[2]["arguments"] == {"n": 12}


def test_public_step_helpers_keep_their_plain_dict_behaviour() -> None:
    step: dict[str, Any] = {"type": "model_output"}
    for delta in (
        {"type": "text", "text": "Hel"},
        {"type": "text", "text": "lo"},
        {"type": "image", "mime_type": "image/png", "data": IMAGE[:8]},
        {"type": "image", "mime_type": "image/png", "data": IMAGE[8:]},
        {"type": "arguments_delta", "arguments": '{"a"'},
    ):
        apply_delta(step, delta)
    assert step["content"] == [
        {"type": "text", "text": "Hello"},
        {"type": "image", "mime_type": "image/png", "data": IMAGE},
    ]
    assert step["_arguments_buffer"] == '{"a"'  # plain strings between calls
    apply_delta(step, {"type": "arguments_delta", "arguments": ": 1}"})
    finish_step(step)
    assert step["arguments"] == {"a": 1} and "_arguments_buffer" not in step


class _CountingJoin:
    def __init__(self) -> None:
        self.characters = 0

    def __call__(self, parts: list[str]) -> str:
        joined = "".join(parts)
        self.characters += len(joined)
        return joined


@pytest.mark.parametrize("piece", ["a", "word 0001 "])
def test_each_character_is_copied_a_fixed_number_of_times(monkeypatch: pytest.MonkeyPatch, piece: str) -> None:
    # Linear, counted rather than timed: however many deltas, the joins copy each character of the
    # output at most three times (pieces -> chunk -> block -> the whole), and a snapshot taken
    # again without new deltas copies nothing.
    join = _CountingJoin()
    monkeypatch.setattr(string_runs, "_join", join)
    delta = t.parse_event(
        json.dumps({"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": piece}})
    )
    for count in (50_000, 200_000):
        join.characters = 0
        builder = InteractionBuilder()
        builder.add(
            t.parse_event(json.dumps({"event_type": "step.start", "index": 0, "step": {"type": "model_output"}}))
        )
        for _ in range(count):
            builder.add(delta)
        text = builder.snapshot()["steps"][0]["content"][0]["text"]
        assert len(text) == count * len(piece)
        assert join.characters <= 3 * len(text), (count, join.characters / len(text))
        copied = join.characters
        assert builder.snapshot()["steps"][0]["content"][0]["text"] == text
        assert join.characters == copied


# Run in a child process, so that nothing else in the process is traced.
MEASURE = textwrap.dedent(
    """
    import json, sys, tracemalloc
    from gemini_interactions import types as t
    from gemini_interactions._interaction_builder import InteractionBuilder

    count, piece = int(sys.argv[1]), sys.argv[2]
    start = t.parse_event(json.dumps({"event_type": "step.start", "index": 0, "step": {"type": "model_output"}}))
    delta = json.dumps({"event_type": "step.delta", "index": 0, "delta": {"type": "text", "text": piece}})
    warm = InteractionBuilder()  # the validators and serializers are built before tracing starts
    created = {"event_type": "interaction.created", "interaction": {"id": "v1_x", "status": "in_progress"}}
    for event in (t.parse_event(json.dumps(created)), start, t.parse_event(delta), t.parse_event(delta)):
        warm.add(event)
    t.Interaction.model_validate(warm.snapshot())
    tracemalloc.start()
    builder = InteractionBuilder()
    builder.add(start)
    for _ in range(count):
        builder.add(t.parse_event(delta))  # a new model per event, as a stream delivers them
    held = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    interaction = builder.snapshot()
    del builder
    print(json.dumps({"held": held, "peak": tracemalloc.get_traced_memory()[1],
                      "output": len(interaction["steps"][0]["content"][0]["text"])}))
    """
)


def _measure(count: int, piece: str) -> dict[str, int]:
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, str(count), piece], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    result: dict[str, int] = json.loads(done.stdout)
    return result


@pytest.mark.parametrize("piece", ["a", "word 0001 "])
def test_memory_follows_the_output_not_the_events(piece: str) -> None:
    small, large = _measure(100_000, piece), _measure(200_000, piece)
    for result in (small, large):
        # Kept while the deltas arrive: the output and a small constant (no event, no per-piece object).
        assert result["held"] <= 1.1 * result["output"] + 64 * 1024, result
        # Joining the Interaction: each part is let go of as the whole grows, so the two are never held at once.
        assert result["peak"] <= 1.5 * result["output"] + 64 * 1024, result
    # Twice the deltas, twice the memory (the old assembly kept about 1 KiB per delta).
    assert large["held"] - small["held"] <= 1.1 * (large["output"] - small["output"]) + 16 * 1024


# A process that has already built long outputs: a freed 2 MiB allocation raises glibc's mmap
# threshold past the next output's 1 MiB parts, so they come from the heap, where a freed part
# stays resident unless the allocator is told to give it back (the whole grows in a mapping of its own).
RESIDENT = textwrap.dedent(
    """
    import json
    from gemini_interactions._string_runs import Joined

    def rss(field):
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) * 1024 for line in f if line.startswith(field))

    earlier = bytes(2 << 20)
    del earlier  # allocated and freed: the threshold rises to its size
    part = "QUJD" * (1 << 18)  # 1 MiB of base64
    joined = Joined()
    for _ in range(32):
        joined.append(part[:-1] + "x")  # a new 1 MiB str each time
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")  # the peak (VmHWM) starts again from here
    before = rss("VmRSS:")
    whole = joined.value()
    print(json.dumps({"growth": rss("VmHWM:") - before, "output": len(whole)}))
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads the peak RSS from /proc (Linux)")
def test_a_long_output_ends_near_its_size_after_earlier_ones() -> None:
    done = subprocess.run([sys.executable, "-c", RESIDENT], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    if string_runs._heap_release() is None:
        pytest.skip("no malloc_trim here (not glibc)")
    # The parts (already resident) are given back as the whole grows, an eighth at a time (measured
    # 0.19x); without it the growth is the whole output again (1.06x: twice the output held).
    assert result["growth"] <= 0.3 * result["output"], result
