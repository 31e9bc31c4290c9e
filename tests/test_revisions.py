"""Living with API revisions: the pinned revision end to end, sending another one, a deployed client
facing a newer server, a client generated from a newer revision, and spec-diff's changelog.

The newer revisions are fixtures (tests/fixtures/revisions/): overlays of the current spec."""

from __future__ import annotations

import json
import logging
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest
import yaml
from gemini_interactions.testing import InteractionsTestServer

from codegen import release, spec_diff
from codegen.__main__ import main as codegen_main
from codegen.ir import build_api
from codegen.loader import SpecError, current_revision, load_spec, spec_path

from .conftest import API_KEY, REPO, Flavour

FIXTURES = REPO / "tests" / "fixtures" / "revisions"
ADDITIVE = FIXTURES / "2099-01-01"  # adds an event, a step, a delta, a delta field, an enum value
REMOVES_FIELD = FIXTURES / "2099-02-01"  # removes StepStop.usage
OVERLAY = "openapi.overlay.yaml"
SCENARIO = "revision-2099-01-01"
TEXT = {"model": "gemini-3-flash-preview", "input": "Greet me in French."}

pytestmark = pytest.mark.generator  # generates clients from the fixtures' revisions


# --------------------------------------------------------------------------- the pinned revision


def _project_version(package_folder: Path) -> str | None:
    found = re.search(r'^version = "(.*)"$', (package_folder / "pyproject.toml").read_text(), re.MULTILINE)
    return found and found.group(1)


def test_packages_pin_the_current_revision_everywhere(flavour: Flavour) -> None:
    revision = current_revision()
    year, month, day = revision.split("-")
    version = f"{int(year)}.{int(month)}.{int(day)}.{release.SDK_RELEASES.get(revision, 0)}"
    pkg = flavour.pkg
    assert pkg.API_REVISION == revision
    assert pkg.__version__ == version
    assert metadata.version(pkg.__name__.replace("_", "-")) == version
    assert _project_version(REPO / "generated" / flavour.name) == version
    assert flavour.client(api_key=API_KEY).api_revision == revision
    assert InteractionsTestServer().revision == revision


def test_generate_names_the_known_revisions_when_asked_for_a_missing_one(capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen_main(["generate", "--revision", "1999-01-01", "--check"]) == 2
    known = ", ".join(sorted(p.parent.name for p in (REPO / "spec").glob("*/openapi.yaml")))
    assert current_revision() in known
    assert f"no revision '1999-01-01' under {REPO / 'spec'} (known: {known})" in capsys.readouterr().err


def test_a_spec_whose_folder_names_another_revision_is_rejected(tmp_path: Path) -> None:
    folder = tmp_path / "2030-01-01"
    folder.mkdir()
    (folder / "openapi.yaml").write_text(spec_path(current_revision()).read_text())
    with pytest.raises(SpecError, match=rf"x-api-revision: '{current_revision()}', but the spec's folder is named"):
        load_spec(folder / "openapi.yaml")


# --------------------------------------------------------------------------- Client(api_revision=...)


@pytest.fixture
def revision_warnings(flavour: Flavour, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> Any:
    """The warnings about another revision, counted from a clean slate (the SDK warns once per process)."""
    monkeypatch.setattr(flavour.pkg._config, "_warned_revisions", set())
    caplog.set_level(logging.WARNING, logger=flavour.logger_name)

    def records() -> list[str]:
        return [r.getMessage() for r in caplog.records if r.name.startswith(flavour.logger_name)]

    return records


async def test_another_revision_is_sent_and_warned_about_once(
    flavour: Flavour, server: InteractionsTestServer, revision_warnings: Any
) -> None:
    clients = [flavour.client(server, api_revision="2099-01-01") for _ in range(2)]
    try:
        for client in clients:
            assert client.api_revision == "2099-01-01"
            await flavour.create(client, **TEXT)
            stream = await flavour.create(client, **TEXT, stream=True)
            await flavour.final(stream)
    finally:
        for client in clients:
            await flavour.close(client)
    assert [r.api_revision for r in server.requests] == ["2099-01-01"] * 4
    assert all(r.revision_mismatch for r in server.requests)  # the server speaks the pinned revision
    [warning] = revision_warnings()
    assert "2099-01-01" in warning and flavour.pkg.API_REVISION in warning
    assert API_KEY not in warning


async def test_the_pinned_revision_is_sent_without_a_warning(
    flavour: Flavour, server: InteractionsTestServer, revision_warnings: Any
) -> None:
    client = flavour.client(server, api_revision=flavour.pkg.API_REVISION)
    try:
        await flavour.create(client, **TEXT)
    finally:
        await flavour.close(client)
    assert server.last_request.api_revision == flavour.pkg.API_REVISION
    assert not server.last_request.revision_mismatch
    assert revision_warnings() == []


# --------------------------------------------------------------------------- (a) the committed client, newer server


@pytest.fixture
def newer_server() -> Iterator[InteractionsTestServer]:
    """A server on revision 2099-01-01 streaming events the committed client has never seen."""
    with InteractionsTestServer(ADDITIVE / "stream.sse", default_scenario=SCENARIO, revision="2099-01-01") as srv:
        yield srv


async def test_committed_client_keeps_what_a_newer_revision_streams(
    flavour: Flavour,
    newer_server: InteractionsTestServer,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(flavour.pkg._models_base, "_reported", set())  # unknown types are logged once per process
    caplog.set_level(logging.DEBUG, logger=flavour.logger_name)
    client = flavour.client(newer_server)
    try:
        _, events = await flavour.stream_events(client, **TEXT)
    finally:
        await flavour.close(client)
    types = flavour.types
    wire = [e.to_dict() for e in events]
    progress = [e for e in events if e.event_type == "interaction.progress"]
    assert [type(e) for e in progress] == [types.UnknownInteractionSSEEvent] * 2
    assert progress[0].progress == 0.25 and progress[0].raw["message"] == "Planning"
    [plan_start] = [e for e in events if e.event_type == "step.start" and e.index == 0]
    assert isinstance(plan_start.step, types.UnknownStep) and plan_start.step.type == "plan"
    plan_deltas = [e.delta for e in events if e.event_type == "step.delta" and e.index == 0]
    assert [(type(d), d.type) for d in plan_deltas] == [(types.UnknownStepDeltaData, "plan")] * 2
    assert [d.raw["outline"] for d in plan_deltas] == [["Greet in French"], ["Stop"]]
    text_deltas = [e.delta for e in events if e.event_type == "step.delta" and e.index == 1]
    assert [(type(d), d.model_extra) for d in text_deltas] == [(types.TextDelta, {"language": "fr"})] * 2
    statuses = [e.status for e in events if e.event_type == "interaction.status_update"]
    assert statuses == ["in_progress", "paused", "in_progress"]
    # Nothing was lost on the way: every event dumps back to what the server sent.
    sent = newer_server.interactions[events[0].interaction.id].events
    assert wire == sent
    unknown = [r.getMessage() for r in caplog.records if r.levelno == logging.DEBUG and "unknown" in r.getMessage()]
    assert sorted(unknown) == [
        "InteractionSSEEvent: unknown type 'interaction.progress' kept as UnknownInteractionSSEEvent",
        "Step: unknown type 'plan' kept as UnknownStep",
        "StepDeltaData: unknown type 'plan' kept as UnknownStepDeltaData",
    ]


async def test_committed_client_assembles_a_newer_revisions_stream(
    flavour: Flavour, newer_server: InteractionsTestServer
) -> None:
    client = flavour.client(newer_server)
    try:
        stream = await flavour.create(client, **TEXT, stream=True)
        interaction = await flavour.final(stream)
    finally:
        await flavour.close(client)
    assert interaction.status == "completed"
    plan, output = interaction.steps
    assert isinstance(plan, flavour.types.UnknownStep)
    assert plan.raw == {"type": "plan", "outline": ["Greet in French", "Stop"]}
    [text] = output.content
    assert text.text == "Bonjour le monde." and text.model_extra == {"language": "fr"}
    assert newer_server.last_request.api_revision == flavour.pkg.API_REVISION


# --------------------------------------------------------------------------- (b) a client generated from it


@pytest.fixture(scope="module")
def newer_packages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("revision-2099-01-01")
    assert codegen_main(["generate", "--spec", str(ADDITIVE / OVERLAY), "--out", str(out)]) == 0
    return out


def _run(command: list[str], packages: Path, search_path: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, search_path: os.pathsep.join(str(packages / f) for f in ("sync", "async"))}
    return subprocess.run(command, cwd=packages, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def newer_run(newer_packages: Path) -> dict[str, Any]:
    """What use_new_types.py saw, run with the newer packages ahead of the installed ones."""
    result = _run([sys.executable, str(ADDITIVE / "use_new_types.py")], newer_packages, "PYTHONPATH")
    assert result.returncode == 0, result.stderr
    summary: dict[str, Any] = json.loads(result.stdout)
    return summary


def test_newer_client_records_its_revision(newer_packages: Path, newer_run: dict[str, Any]) -> None:
    assert all(m.startswith(str(newer_packages)) for m in newer_run["modules"])
    assert newer_run["revisions"] == ["2099-01-01"] * 2
    assert newer_run["versions"] == ["2099.1.1.0"] * 2
    assert newer_run["received_revisions"] == ["2099-01-01"]  # the Api-Revision header the server saw
    assert [_project_version(newer_packages / flavour) for flavour in ("sync", "async")] == ["2099.1.1.0"] * 2


def test_newer_client_yields_the_new_types_as_typed_models(flavour: Flavour, newer_run: dict[str, Any]) -> None:
    seen = newer_run[flavour.name]
    assert [event for event, _ in seen["events"]].count("InteractionProgressEvent") == 2
    assert ["StepStart", "PlanStep"] in seen["events"]
    assert [e for e in seen["events"] if e[1] == "PlanDelta"] == [["StepDelta", "PlanDelta"]] * 2
    assert not any("Unknown" in name for event in seen["events"] for name in event)
    assert seen["text_delta_declares_language"] == [True, True]
    assert seen["final_steps"] == ["PlanStep", "ModelOutputStep"]
    assert seen["final_outline"] == ["Greet in French", "Stop"]
    assert seen["final_status"] == "completed"
    if flavour.name == "sync":  # read through typed attributes
        assert seen["progress"] == [0.25, 1.0]
        assert seen["outline"] == ["Greet in French", "Stop"]
        assert seen["language"] == ["fr", "fr"]


def test_newer_client_and_code_using_its_new_types_pass_mypy_strict(newer_packages: Path) -> None:
    command = [sys.executable, "-m", "mypy", "--strict", "--python-version", "3.10", "--no-incremental"]
    command += [str(newer_packages / "sync" / "gemini_interactions"), str(ADDITIVE / "use_new_types.py")]
    result = _run(command, newer_packages, "MYPYPATH")
    assert result.returncode == 0, result.stdout + result.stderr


# --------------------------------------------------------------------------- (c) spec-diff


def _changes(old: Path, new: Path) -> set[tuple[str, str, bool]]:
    changes = spec_diff.diff(spec_diff.surface(build_api(load_spec(old))), spec_diff.surface(build_api(load_spec(new))))
    return {(c.kind, c.subject, c.breaking) for c in changes}


def _base_of(overlay: Path) -> Path:
    """The spec an overlay extends: the fixtures' changes are counted from it, whatever spec/CURRENT says."""
    extends: str = yaml.safe_load(overlay.read_text())["extends"]
    return (overlay.parent / extends).resolve()


BASE = _base_of(ADDITIVE / OVERLAY)  # what the edits below are written against


def test_spec_diff_lists_exactly_the_additive_revisions_changes() -> None:
    assert _changes(_base_of(ADDITIVE / OVERLAY), ADDITIVE / OVERLAY) == {
        ("variant added", "InteractionSSEEvent[interaction.progress]", False),
        ("variant added", "Step[plan]", False),
        ("variant added", "StepDeltaData[plan]", False),
        ("field added", "TextDelta.language", False),
        ("enum value added", "InteractionStatus='paused'", False),
    }


def test_spec_diff_reports_a_removed_field_as_breaking() -> None:
    overlay = REMOVES_FIELD / OVERLAY
    assert _changes(_base_of(overlay), overlay) == {("field removed", "StepStop.usage", True)}


def test_spec_diff_of_a_revision_with_itself_is_empty() -> None:
    assert _changes(BASE, BASE) == set()


def test_spec_diff_command_prints_a_changelog(capsys: pytest.CaptureFixture[str]) -> None:
    base = _base_of(REMOVES_FIELD / OVERLAY)
    assert base.parent.parent == REPO / "spec"  # so it can be named by its revision
    assert codegen_main(["spec-diff", base.parent.name, str(REMOVES_FIELD / OVERLAY)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"# Interactions API changes: {base.parent.name} -> 2099-02-01\n")
    assert "1 breaking, 0 non-breaking" in out
    assert "- [breaking] field removed: `StepStop.usage` - Usage, response\n" in out
    assert codegen_main(["spec-diff", base.parent.name, str(REMOVES_FIELD / OVERLAY), "--fail-on-breaking"]) == 1
    assert codegen_main(["spec-diff", base.parent.name, str(ADDITIVE / OVERLAY), "--fail-on-breaking"]) == 0


ITEM = "$.paths['/{api_version}/interactions/{id}']"
SCHEMAS = "$.components.schemas"

# One edit of the base spec each, and the single change spec-diff must report for it.
RULES: dict[str, tuple[list[dict[str, Any]], tuple[str, str, bool]]] = {
    "removed operation": (
        [{"target": f"{ITEM}.delete", "remove": True}],
        ("operation removed", "interactions.delete", True),
    ),
    "new optional query parameter": (
        [
            {
                "target": f"{ITEM}.get.parameters",
                "update": [{"name": "view", "in": "query", "schema": {"type": "string"}}],
            }
        ],
        ("parameter added", "interactions.get(view)", False),
    ),
    "new required request field": (
        [
            {"target": f"{SCHEMAS}.CreateAgentInteractionParams.properties", "update": {"budget": {"type": "integer"}}},
            {"target": f"{SCHEMAS}.CreateAgentInteractionParams.required", "update": ["budget"]},
        ],
        ("field added", "CreateAgentInteractionParams.budget", True),
    ),
    "new optional request field": (
        [{"target": f"{SCHEMAS}.CreateAgentInteractionParams.properties", "update": {"budget": {"type": "integer"}}}],
        ("field added", "CreateAgentInteractionParams.budget", False),
    ),
    "request field becomes required": (
        [{"target": f"{SCHEMAS}.CreateModelInteractionParams.required", "update": ["system_instruction"]}],
        ("field now required", "CreateModelInteractionParams.system_instruction", True),
    ),
    "response field becomes optional": (
        [{"target": f"{SCHEMAS}.StepDelta.required[2]", "remove": True}],  # [delta, event_type, index]
        ("field now optional", "StepDelta.index", True),
    ),
    "response field becomes required": (
        [{"target": f"{SCHEMAS}.StepStop.required", "update": ["step_usage"]}],
        ("field now required", "StepStop.step_usage", False),
    ),
    "field type changed": (
        [{"target": f"{SCHEMAS}.TextDelta.properties.text", "update": {"type": "integer"}}],
        ("field type changed", "TextDelta.text", True),
    ),
    "field deprecated": (
        [{"target": f"{SCHEMAS}.TextDelta.properties.text", "update": {"deprecated": True}}],
        ("field deprecated", "TextDelta.text", False),
    ),
    "enum value removed from a request enum": (
        [{"target": f"{SCHEMAS}.ThinkingLevel.enum[0]", "remove": True}],
        ("enum value removed", "ThinkingLevel='minimal'", True),
    ),
    "enum value removed from a response-only enum": (
        [{"target": f"{SCHEMAS}.InteractionStatus.enum[1]", "remove": True}],
        ("enum value removed", "InteractionStatus='requires_action'", False),
    ),
    "variant removed": (
        [
            {"target": f"{SCHEMAS}.Step.oneOf[20]", "remove": True},  # the last one, UserInputStep
            {"target": f"{SCHEMAS}.Step.discriminator.mapping.user_input", "remove": True},
        ],
        ("variant removed", "Step[user_input]", True),
    ),
    "enum value added inside a field": (
        [{"target": f"{SCHEMAS}.GroundingToolCount.properties.type.enum", "update": ["url_context"]}],
        ("enum value added", "GroundingToolCount.type='url_context'", False),
    ),
    "new type": (
        [{"target": SCHEMAS, "update": {"Budget": {"type": "object", "properties": {"tokens": {"type": "integer"}}}}}],
        ("type added", "Budget", False),
    ),
}


def _edited(folder: Path, actions: list[dict[str, Any]]) -> Path:
    """The base spec with `actions` applied, as an overlay file."""
    folder.mkdir(exist_ok=True)
    overlay = {"overlay": "1.0.0", "info": {"title": "test", "version": "1"}, "extends": str(BASE), "actions": actions}
    (folder / OVERLAY).write_text(yaml.safe_dump(overlay))
    return folder / OVERLAY


@pytest.mark.parametrize("case", list(RULES))
def test_spec_diff_rules(case: str, tmp_path: Path) -> None:
    actions, expected = RULES[case]
    assert _changes(BASE, _edited(tmp_path, actions)) == {expected}


def test_spec_diff_compares_a_query_parameters_enum_by_value(tmp_path: Path) -> None:
    def with_view(values: list[str]) -> dict[str, Any]:
        view = {"name": "view", "in": "query", "schema": {"type": "string", "enum": values}}
        return {"target": f"{ITEM}.get.parameters", "update": [view]}

    old = _edited(tmp_path / "old", [with_view(["basic", "full"])])
    new = _edited(tmp_path / "new", [with_view(["full", "raw"])])
    assert _changes(old, new) == {
        ("enum value removed", "interactions.get(view)='basic'", True),
        ("enum value added", "interactions.get(view)='raw'", False),
    }


def test_an_overlay_target_that_does_not_exist_is_a_spec_error(tmp_path: Path) -> None:
    typo = _edited(tmp_path, [{"target": f"{SCHEMAS}.TextDeltaa.properties", "update": {"x": {"type": "string"}}}])
    with pytest.raises(SpecError, match=r"action 1 \(\$\.components\.schemas\.TextDeltaa\.properties\): nothing at"):
        load_spec(typo)


def test_spec_diff_names_what_it_cannot_find(capsys: pytest.CaptureFixture[str]) -> None:
    assert codegen_main(["spec-diff", "1999-01-01", "tests/no-such-spec.yaml"]) == 2
    assert "spec error: no revision '1999-01-01' under" in capsys.readouterr().err
    assert codegen_main(["spec-diff", current_revision(), "tests/no-such-spec.yaml"]) == 2
    assert "tests/no-such-spec.yaml: no such spec file" in capsys.readouterr().err
