"""The sync and async packages offer the same public API: same names, parameters, defaults and annotations.

The walk describes every public object as text; the descriptions of the two packages must be equal once
the spelling of async is normalised (`AsyncClient` -> `Client`, `async def` -> `def`, ...). The only other
difference allowed is the HTTP library's own types (`requests.Session` / `aiohttp.ClientSession`, their
responses), which the clients take and expose by design."""

from __future__ import annotations

import functools
import importlib
import importlib.metadata
import importlib.resources
import inspect
import re
from types import ModuleType
from typing import Any

import gemini_interactions
import gemini_interactions_async
import pydantic
import pytest
import typing_extensions

from codegen.flavours import FLAVOURS
from codegen.project import MIN_PYTHON

PROTOCOL_DUNDERS = ("__init__", "__iter__", "__aiter__", "__enter__", "__exit__", "__aenter__", "__aexit__")
# The async spelling, and the HTTP library, mapped onto the sync package's words.
NORMALISE = [
    ("gemini_interactions_async", "gemini_interactions"),
    ("gemini-interactions-async", "gemini-interactions"),
    ("aiohttp.ClientSession", "requests.Session"),
    ("aiohttp.ClientResponse", "requests.Response"),
    ("AsyncIterator", "Iterator"),
    ("__aiter__", "__iter__"),
    ("__aenter__", "__enter__"),
    ("__aexit__", "__exit__"),
    ("async def ", "def "),
]
ASYNC_NAME = re.compile(r"\bAsync(?=[A-Z])")
ADDRESS = re.compile(r" at 0x[0-9a-f]+")  # in the repr of a function used as a default


def normalise(text: str) -> str:
    for async_word, sync_word in NORMALISE:
        text = text.replace(async_word, sync_word)
    return ADDRESS.sub("", ASYNC_NAME.sub("", text))


def describe_callable(obj: Any) -> str:
    kind = "async def" if inspect.iscoroutinefunction(obj) or inspect.isasyncgenfunction(obj) else "def"
    text = f"{kind} {inspect.signature(obj)}"
    overloads = typing_extensions.get_overloads(obj)  # typing's is 3.11+
    if overloads:
        text += " overloads: " + " | ".join(f"{kind} {inspect.signature(o)}" for o in overloads)
    return text


def own_classes(cls: type, package: str) -> list[type]:
    """The classes of cls's MRO that the package defines (not pydantic's, not the standard library's)."""
    return [c for c in cls.__mro__ if c.__module__.split(".")[0] == package]


def declared_annotation(cls: type, name: str) -> str:
    """A field's annotation as its class declares it. `model_fields` shows it unresolved until pydantic
    first builds the model (the models are built on first use), resolved after: the declared form is
    the same whenever the walk runs."""
    for owner in cls.__mro__:
        declared = owner.__dict__.get("__annotations__", {})
        if name in declared:
            return str(declared[name])
    return repr(cls.model_fields[name].annotation)  # type: ignore[attr-defined]


def describe_class(cls: type, package: str) -> dict[str, str]:
    members: dict[str, str] = {"bases": ", ".join(b.__name__ for b in cls.__mro__[1:])}
    if issubclass(cls, pydantic.BaseModel):
        for name, info in cls.model_fields.items():
            annotation = declared_annotation(cls, name)
            members[f"field {name}"] = f"{annotation} required={info.is_required()} default={info.default!r}"
    for owner in reversed(own_classes(cls, package)):
        for name, annotation in owner.__dict__.get("__annotations__", {}).items():
            if not name.startswith("_") and not issubclass(cls, pydantic.BaseModel):
                members[f"attribute {name}"] = str(annotation)
        for name, value in owner.__dict__.items():
            if name.startswith("_") and name not in PROTOCOL_DUNDERS:
                continue
            if isinstance(value, (staticmethod, classmethod)):
                value = value.__func__
            if isinstance(value, property):
                members[name] = f"property -> {inspect.signature(value.fget).return_annotation}"  # type: ignore[arg-type]
            elif hasattr(value, "func") and hasattr(value, "attrname"):  # functools.cached_property
                members[name] = f"cached property -> {inspect.signature(value.func).return_annotation}"
            elif inspect.isfunction(value):
                members[name] = describe_callable(value)
            else:
                members[name] = repr(value)
    return members


def describe_instance_methods(obj: Any) -> dict[str, str]:
    """Callables set per instance (none today: the with_raw_response twins are generated methods)."""
    return {
        name: describe_callable(value)
        for name, value in vars(obj).items()
        if not name.startswith("_") and callable(value)  # nested resources' twins are walked as resources
    }


def describe_module(module: ModuleType, package: str, prefix: str, found: dict[str, str]) -> None:
    for name in module.__all__:
        obj = getattr(module, name)
        key = f"{prefix}{name}"
        if isinstance(obj, ModuleType):
            describe_module(obj, package, f"{key}.", found)
        elif isinstance(obj, type):
            for member, text in describe_class(obj, package).items():
                found[f"{key} :: {member}"] = text
        elif inspect.isfunction(obj):
            found[key] = describe_callable(obj)
        else:
            found[key] = repr(obj)


def surface(package: ModuleType) -> dict[str, str]:
    """Every public name of the package, described; normalised to the sync package's spelling."""
    name = package.__name__
    found: dict[str, str] = {}
    describe_module(package, name, "", found)
    describe_module(importlib.import_module(f"{name}.testing"), name, "testing.", found)
    client_class = package.AsyncClient if name.endswith("_async") else package.Client
    client = client_class(api_key="surface-key", base_url="http://127.0.0.1:9")
    try:
        # Resources are cached properties of the client (imported on first use); nested ones are attributes.
        pending = [
            (f"{client_class.__name__}.{attribute}", getattr(client, attribute))
            for attribute, value in vars(client_class).items()
            if isinstance(value, functools.cached_property) and not attribute.startswith("_")
        ]
        while pending:
            key, resource = pending.pop(0)
            found[key] = type(resource).__name__
            for member, text in describe_class(type(resource), name).items():
                found[f"{key} :: {member}"] = text
            raw = resource.with_raw_response
            for member, text in describe_class(type(raw), name).items():
                found[f"{key}.with_raw_response :: {member}"] = text
            for member, text in describe_instance_methods(raw).items():
                found[f"{key}.with_raw_response.{member}"] = text
            pending += [
                (f"{key}.{attribute}", value)
                for attribute, value in vars(resource).items()
                if not attribute.startswith("_") and hasattr(type(value), "with_raw_response")
            ]
    finally:
        if not name.endswith("_async"):  # the async client makes its session on first use: none to close
            client.close()
    return {normalise(key): normalise(text) for key, text in found.items()}


def test_sync_and_async_packages_have_the_same_public_api() -> None:
    sync, async_ = surface(gemini_interactions), surface(gemini_interactions_async)
    assert len(sync) > 500, "the walk found too little to compare"
    assert "Client.interactions.with_raw_response :: create" in sync
    only_sync = sorted(set(sync) - set(async_))
    only_async = sorted(set(async_) - set(sync))
    differ = [
        f"{key}\n    sync:  {sync[key]}\n    async: {async_[key]}"
        for key in sorted(set(sync) & set(async_))
        if sync[key] != async_[key]
    ]
    assert not (only_sync or only_async or differ), (
        f"only in sync: {only_sync}\nonly in async: {only_async}\ndifferent:\n" + "\n".join(differ)
    )


def test_the_async_package_is_async_where_it_does_io() -> None:
    client = gemini_interactions_async.AsyncClient(api_key="surface-key", base_url="http://127.0.0.1:9")
    for method in ("create", "get", "cancel", "delete"):
        assert inspect.iscoroutinefunction(getattr(client.interactions, method))
        assert inspect.iscoroutinefunction(getattr(client.interactions.with_raw_response, method))
    assert inspect.iscoroutinefunction(client.close)
    stream_class = gemini_interactions_async.AsyncStream
    for method in ("close", "final_interaction", "__aenter__", "__aexit__"):
        assert inspect.iscoroutinefunction(getattr(stream_class, method)), method
    assert inspect.isasyncgenfunction(stream_class._events)


def test_the_walk_notices_a_difference(monkeypatch: pytest.MonkeyPatch) -> None:
    # A parameter's default changed in one package only must show up in the comparison.
    original = gemini_interactions_async.Timeout.of
    before = surface(gemini_interactions_async)

    def of(cls: Any, value: float | None = 1.0) -> Any:
        return original(value)

    monkeypatch.setattr(gemini_interactions_async.Timeout, "of", classmethod(of))
    after = surface(gemini_interactions_async)
    assert {k for k in before if before[k] != after.get(k)} == {"Timeout :: of"}


@pytest.mark.parametrize("distribution", [f.distribution for f in FLAVOURS])
def test_packages_declare_the_python_versions_they_support(distribution: str) -> None:
    # The installed metadata (tomllib is not in 3.10's standard library, and this is what users get).
    metadata = importlib.metadata.metadata(distribution)
    classifiers = metadata.get_all("Classifier") or []
    assert metadata["Requires-Python"] == f">={MIN_PYTHON}"
    lowest = re.fullmatch(r">=3\.(\d+)", metadata["Requires-Python"])
    assert lowest, metadata["Requires-Python"]
    minors = sorted(
        int(c.rsplit(".", 1)[1]) for c in classifiers if re.fullmatch(r"Programming Language :: Python :: 3\.\d+", c)
    )
    assert minors and minors[0] == int(lowest.group(1)), "classifiers start at requires-python"
    assert minors == list(range(minors[0], minors[-1] + 1)), "every version in between is listed"
    assert "Typing :: Typed" in classifiers
    assert metadata["License-Expression"] == "Apache-2.0"
    package = importlib.import_module(distribution.replace("-", "_"))
    assert (importlib.resources.files(package) / "py.typed").is_file()
