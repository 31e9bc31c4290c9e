# Copied from codegen/runtime/testing/pytest_plugin.py by `nox -s generate` - edit it there, not here.
"""pytest plugin, opt-in: `pytest -p <package>.testing.pytest_plugin` or, in a conftest.py,
`pytest_plugins = ["<package>.testing.pytest_plugin"]` (`<package>` is `gemini_interactions`
or `gemini_interactions_async`).

Provides one function-scoped fixture named after the package, `<package>_server` (a started
`InteractionsTestServer`), so both packages' plugins can be loaded side by side. Constructor
arguments can be given with the marker of the same name, e.g.
`@pytest.mark.gemini_interactions_server(default_scenario="thinking")`.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ._server import InteractionsTestServer

# The fixture's (and marker's) name: gemini_interactions_server or gemini_interactions_async_server.
FIXTURE_NAME = f"{__name__.split('.', 1)[0]}_server"

__all__ = ["FIXTURE_NAME", "interactions_server"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", f"{FIXTURE_NAME}(**kwargs): keyword arguments for the {FIXTURE_NAME} fixture's server"
    )


@pytest.fixture(name=FIXTURE_NAME)
def interactions_server(request: pytest.FixtureRequest) -> Iterator[InteractionsTestServer]:
    """A started fake Interactions API server, stopped after the test."""
    marker = request.node.get_closest_marker(FIXTURE_NAME)
    kwargs = dict(marker.kwargs) if marker is not None else {}
    with InteractionsTestServer(**kwargs) as server:
        yield server
