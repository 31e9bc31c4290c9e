"""Every public method of the clients, their resources and streams documents its parameters, what it returns and
what it raises (Google style, as editors and the reference site show them); the resource methods' texts come from
the spec, the rest from the runtime."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from .conftest import Flavour


def sections(doc: str) -> dict[str, list[str]]:
    """`Args:` / `Returns:` / `Raises:` -> the names (Args, Raises) or lines (Returns) under each."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in inspect.cleandoc(doc).splitlines():
        header = re.fullmatch(r"(Args|Returns|Raises):", line)
        if header:
            current = header.group(1)
            found[current] = []
        elif current and line.startswith("    ") and line.strip():
            entry = re.match(r"\s{4}(\w+):", line)
            if current == "Returns":
                found[current].append(line.strip())
            elif entry:
                found[current].append(entry.group(1))
        elif line.strip():
            current = None
    return found


def public_methods(cls: type) -> dict[str, Any]:
    return {
        name: member for name, member in vars(cls).items() if not name.startswith("_") and inspect.isfunction(member)
    }


def test_resource_methods_document_every_parameter_the_return_and_the_errors(flavour: Flavour) -> None:
    import importlib

    resources = importlib.import_module(f"{flavour.pkg.__name__}.resources.interactions")
    methods = public_methods(resources.Interactions)
    assert {"create", "get", "cancel", "delete"} <= set(methods)
    for name, method in methods.items():
        if isinstance(inspect.getattr_static(resources.Interactions, name), property):
            continue
        found = sections(method.__doc__ or "")
        params = [p for p in inspect.signature(method).parameters if p != "self"]
        assert found.get("Args") == params, name  # every parameter, in signature order
        assert found.get("Returns"), name
        assert {"APIStatusError", "APIConnectionError", "APITimeoutError"} <= set(found.get("Raises", [])), name
        if name == "create":
            assert "InvalidArgumentError" in found["Raises"]
        for raised in found["Raises"]:
            assert isinstance(getattr(flavour.pkg, raised), type), raised  # names the package's own exceptions


def test_the_client_documents_its_arguments_and_errors(flavour: Flavour) -> None:
    found = sections(flavour.client_class.__doc__ or "")
    params = [p for p in inspect.signature(flavour.client_class.__init__).parameters if p != "self"]
    assert found.get("Args") == params
    assert "MissingAPIKeyError" in found.get("Raises", [])


def test_every_public_method_and_property_has_a_docstring(flavour: Flavour) -> None:
    import importlib

    resources = importlib.import_module(f"{flavour.pkg.__name__}.resources.interactions")
    for cls in (flavour.client_class, flavour.stream_class, resources.Interactions):
        for name, member in vars(cls).items():
            if name.startswith("_"):
                continue
            target = member.fget if isinstance(member, property) else member
            if inspect.isfunction(target) or isinstance(member, property):
                assert (getattr(target, "__doc__", None) or "").strip(), f"{cls.__name__}.{name}"


def test_final_interaction_documents_its_return_and_errors(flavour: Flavour) -> None:
    found = sections(flavour.stream_class.final_interaction.__doc__ or "")
    assert found.get("Returns") and "StreamError" in found.get("Raises", [])


@pytest.mark.parametrize("doc", ["Summary.\n\n    Args:\n        a: one.\n        b: two.\n\n    Returns:\n        x"])
def test_the_section_reader(doc: str) -> None:
    assert sections(doc) == {"Args": ["a", "b"], "Returns": ["x"]}
