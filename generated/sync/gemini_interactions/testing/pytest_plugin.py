# Copied from codegen/runtime/testing/pytest_plugin.py by `nox -s generate` - edit it there, not here.
"""pytest plugin: ``pytest_plugins = ["gemini_interactions.testing.pytest_plugin"]``.

Provides the function-scoped fixture ``interactions_server`` (a started
:class:`InteractionsTestServer`). Constructor arguments can be given with the
marker ``@pytest.mark.interactions_server(default_scenario="thinking", ...)``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import InteractionsTestServer

__all__ = ["interactions_server"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "interactions_server(**kwargs): keyword arguments for the interactions_server fixture's server",
    )


@pytest.fixture
def interactions_server(
    request: pytest.FixtureRequest,
) -> Iterator[InteractionsTestServer]:
    """A started fake Interactions API server, stopped after the test."""
    marker = request.node.get_closest_marker("interactions_server")
    kwargs = dict(marker.kwargs) if marker is not None else {}
    with InteractionsTestServer(**kwargs) as server:
        yield server
