"""The retry policy both transports drive (`_retry.Attempts`), on its own: no I/O, so no server is needed."""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import Any

import pytest


@pytest.fixture(params=["gemini_interactions", "gemini_interactions_async"])
def package(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def module(package: str, name: str) -> ModuleType:
    return importlib.import_module(f"{package}.{name}")


def attempts_at(package: str, max_retries: int) -> Any:
    request = module(package, "_request").PreparedRequest(
        method="POST",
        url="http://127.0.0.1:1/v1beta/interactions",
        headers={"x-goog-api-key": "secret"},
        params={},
        content=b"{}",
        timeout=module(package, "_config").Timeout(),
        max_retries=max_retries,
    )
    assert request.idempotent  # the default: nothing marks a request otherwise yet
    return module(package, "_retry").Attempts(request)


def test_connection_errors_are_retried_until_the_budget_is_spent(package: str) -> None:
    errors = module(package, "_exceptions")
    attempts = attempts_at(package, max_retries=2)
    error = errors.APIConnectionError("refused")
    delays = [attempts.retry_delay(error) for _ in range(3)]
    assert [d is not None and 0 < d <= 1.0 for d in delays[:2]] == [True, True]
    assert delays[2] is None
    assert attempts.retries == 2


@pytest.mark.parametrize(("status", "retried"), [(400, False), (404, False), (408, True), (429, True), (503, True)])
def test_status_errors_are_retried_by_status(package: str, status: int, retried: bool) -> None:
    errors = module(package, "_exceptions")
    error = errors.status_error_class(status)("x", status_code=status, body=None, headers={"Retry-After": "3"})
    delay = attempts_at(package, max_retries=1).retry_delay(error)
    assert delay == (3.0 if retried else None)  # a retried answer waits what Retry-After asks


def test_no_retries_means_one_attempt(package: str) -> None:
    errors = module(package, "_exceptions")
    assert attempts_at(package, max_retries=0).retry_delay(errors.APITimeoutError("slow")) is None
