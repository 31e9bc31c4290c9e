"""The packages' pytest plugins are opt-in, and both can be loaded together, each with its own fixture."""

from __future__ import annotations

import pytest

USES_BOTH = """
import gemini_interactions, gemini_interactions_async
import pytest
import requests

def answer(server):
    response = requests.post(
        f"{server.base_url}/v1beta/interactions",
        json={"model": "gemini-3-flash-preview", "input": "hi"},
        headers={"x-goog-api-key": "test-key", "Api-Revision": gemini_interactions.API_REVISION},
        timeout=10,
    )
    return response.json()

def test_sync_fixture(gemini_interactions_server):
    assert type(gemini_interactions_server).__module__.startswith("gemini_interactions.testing")
    assert answer(gemini_interactions_server)["status"] == "completed"

@pytest.mark.gemini_interactions_async_server(api_key="other")
def test_async_fixture(gemini_interactions_async_server, gemini_interactions_server):
    assert type(gemini_interactions_async_server).__module__.startswith("gemini_interactions_async.testing")
    assert gemini_interactions_async_server.base_url != gemini_interactions_server.base_url
    assert "error" in answer(gemini_interactions_async_server)  # the marker's api_key: "test-key" is refused
"""


def test_the_plugins_load_only_when_asked_for(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_BOTH)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*fixture 'gemini_interactions_server' not found*"])


def test_both_plugins_side_by_side_with_p(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(USES_BOTH)
    result = pytester.runpytest_subprocess(
        "-p",
        "no:cacheprovider",
        "-p",
        "gemini_interactions.testing.pytest_plugin",
        "-p",
        "gemini_interactions_async.testing.pytest_plugin",
        "--strict-markers",
    )
    result.assert_outcomes(passed=2)


def test_pytest_plugins_line_in_a_conftest(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ["gemini_interactions.testing.pytest_plugin"]')
    pytester.makepyfile(USES_BOTH)
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*fixture 'gemini_interactions_async_server' not found*"])
