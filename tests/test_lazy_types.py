"""The models are built on first use: importing a package builds none, and every name still resolves.

Each check runs in a fresh interpreter, the only place where "not imported yet" can be observed."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from typing import Any

import pytest

from codegen.flavours import FLAVOURS

PACKAGES = [f.package for f in FLAVOURS]


def run(code: str) -> Any:
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120, check=False
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("package", PACKAGES)
def test_import_builds_no_model(package: str) -> None:
    seen = run(
        f"""
        import json, sys
        import {package} as pkg
        before = sorted(m for m in sys.modules if m.startswith("{package}.types.") or m.endswith("._parsed"))
        client_class = pkg.{FLAVOURS[PACKAGES.index(package)].client_class}
        still = sorted(m for m in sys.modules if m.startswith("{package}.types."))
        interaction = pkg.types.Interaction
        after = sorted(m for m in sys.modules if m.startswith("{package}.types."))
        print(json.dumps({{"before": before, "still": still, "after": after, "module": interaction.__module__}}))
        """
    )
    assert seen["before"] == [] and seen["still"] == []
    assert seen["after"] == [f"{package}.types._models"]  # the TypedDicts are separate, built when asked for
    assert seen["module"] == f"{package}.types._models"


HELPER_MODULES = ["_chat", "_conversation", "_parse", "_tool_runner", "_tools", "_upload", "_webhooks"]


@pytest.mark.parametrize("package", PACKAGES)
def test_import_leaves_the_helpers_a_program_may_not_use(package: str) -> None:
    seen = run(
        f"""
        import json, sys
        import {package} as pkg
        helpers = {HELPER_MODULES!r}
        before = [h for h in helpers if "{package}." + h in sys.modules]
        found = {{name: getattr(pkg, name).__module__ for name in ("UploadError", "function_tool", "ToolRun")}}
        star = {{}}
        exec("from {package} import *", star)
        print(json.dumps({{"before": before, "found": found, "missing": sorted(set(pkg.__all__) - set(star))}}))
        """
    )
    assert seen["before"] == []
    assert seen["found"] == {
        "UploadError": f"{package}._upload",
        "function_tool": f"{package}._tools",
        "ToolRun": f"{package}._tool_runner",
    }
    assert seen["missing"] == []


@pytest.mark.parametrize("package", PACKAGES)
def test_every_name_resolves_to_its_module_object(package: str) -> None:
    seen = run(
        f"""
        import json, importlib
        from {package} import types
        from {package}.types import _models, _params
        from {package} import _interaction_accessors, _models_base
        homes = [_models, _params, _interaction_accessors, _models_base]
        wrong = [n for n in types.__all__ if n not in ("adapter_for", "parse_event")
                 and not any(getattr(types, n) is getattr(m, n, None) for m in homes)]
        star = {{}}
        exec("from {package}.types import *", star)
        print(json.dumps({{"wrong": wrong, "missing_from_star": sorted(set(types.__all__) - set(star)),
                           "missing_from_dir": sorted(set(types.__all__) - set(dir(types)))}}))
        """
    )
    assert seen == {"wrong": [], "missing_from_star": [], "missing_from_dir": []}


@pytest.mark.parametrize("package", PACKAGES)
def test_unknown_names_raise_attribute_error(package: str) -> None:
    seen = run(
        f"""
        import json
        import {package} as pkg
        errors = []
        for where, name in ((pkg.types, "Interactoin"), (pkg, "ParsedInteractoin")):
            try:
                getattr(where, name)
            except AttributeError as exc:
                errors.append(str(exc))
        try:
            exec("from {package}.types import Interactoin", {{}})
        except ImportError as exc:
            errors.append(type(exc).__name__)
        print(json.dumps(errors))
        """
    )
    assert seen == [
        f"module '{package}.types' has no attribute 'Interactoin'",
        f"module '{package}' has no attribute 'ParsedInteractoin'",
        "ImportError",
    ]


@pytest.mark.parametrize("package", PACKAGES)
def test_lazy_models_pickle_copy_and_stay_open(package: str) -> None:
    """A fresh process that never named a model unpickles one (pickle imports the models' module),
    and the first event parsed through `parse_event` keeps an unknown type as its Unknown variant."""
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                f"""
                import copy, pickle, sys
                from {package}.types import parse_event, Interaction, UnknownVariant
                delta = '{{"type": "hologram", "x": 1}}'
                event = parse_event('{{"event_type": "step.delta", "index": 0, "delta": ' + delta + '}}')
                assert isinstance(event.delta, UnknownVariant) and event.delta.type == "hologram", event
                assert copy.deepcopy(event) == event
                sys.stdout.buffer.write(pickle.dumps(Interaction(id="v1_a", status="completed", future_field=1)))
                """
            ),
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    seen = run(
        f"""
        import json, pickle, sys
        import {package}
        interaction = pickle.loads({child.stdout!r})
        print(json.dumps({{"type": type(interaction).__qualname__, "dict": interaction.to_dict(),
                           "is_model": isinstance(interaction, {package}.types.Interaction)}}))
        """
    )
    assert seen == {
        "type": "Interaction",
        "dict": {"id": "v1_a", "status": "completed", "future_field": 1},
        "is_model": True,
    }


@pytest.mark.parametrize("package", PACKAGES)
def test_parsed_interaction_and_stream_helpers_resolve_lazily(package: str) -> None:
    flavour = FLAVOURS[PACKAGES.index(package)]
    seen = run(
        f"""
        import json
        import {package} as pkg
        from {package} import ParsedInteraction
        names = ["{flavour.named("ParsedStream")}", "{flavour.named("ToolRunStream")}"]
        print(json.dumps({{"parsed": [c.__name__ for c in ParsedInteraction.__mro__[:2]],
                           "helpers": [getattr(pkg, n).__module__ for n in names],
                           "in_dir": all(n in dir(pkg) for n in ["ParsedInteraction", *names])}}))
        """
    )
    assert seen == {
        "parsed": ["ParsedInteraction", "Interaction"],
        "helpers": [f"{package}._helpers.interactions"] * 2,
        "in_dir": True,
    }
