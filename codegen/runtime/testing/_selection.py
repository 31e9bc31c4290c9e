"""Which scenario answers a create request: the registered scenarios and the selectors, in one place.

A selector looks at what the request carries and returns the scenario to
answer with, or `None` to let the next selector decide; it may raise
`ApiError` to reject the request. `DEFAULT_SELECTORS` is the
built-in order; each server has its own copy in `server.selectors`.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._continuation import by_continuation_token
from ._model_scenario import by_model_player
from ._routing import ApiError
from ._scenarios import Scenario

if TYPE_CHECKING:
    from ._server import InteractionsTestServer

__all__ = ["DEFAULT_SELECTORS", "ScenarioCatalog", "Selection", "Selector"]


class ScenarioCatalog:
    """The server's scenarios by name, in registration order (later registration wins ties)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._scenarios: dict[str, Scenario] = {}
        self._order: dict[str, int] = {}

    def add(self, scenarios: list[Scenario]) -> None:
        with self._lock:
            for scenario in scenarios:
                self._scenarios[scenario.name] = scenario
                self._order[scenario.name] = len(self._order)

    def all(self) -> dict[str, Scenario]:
        with self._lock:
            return dict(self._scenarios)

    def find(self, name: str | None) -> Scenario | None:
        with self._lock:
            return self._scenarios.get(name) if name is not None else None

    def get(self, name: str) -> Scenario:
        scenario = self.find(name)
        if scenario is None:
            raise KeyError(f"unknown scenario {name!r}; known: {sorted(self.all())}")
        return scenario

    def order(self, name: str) -> int:
        with self._lock:
            return self._order.get(name, -1)


@dataclass(frozen=True)
class Selection:
    """What a selector sees: the create request and the server's scenario settings.

    `server` reaches the resources' state (`selection.server.state(InteractionStore)`)
    for selectors that continue an earlier interaction.
    """

    server: InteractionsTestServer
    body: Mapping[str, Any]
    headers: Mapping[str, str]
    catalog: ScenarioCatalog
    # The scenario of the interaction named by `previous_interaction_id` (None when unknown or absent).
    previous_scenario: str | None
    default_scenario: str | None
    fallback_scenario: str


Selector = Callable[[Selection], "Scenario | None"]


def by_header(selection: Selection) -> Scenario | None:
    """`x-test-scenario: NAME` picks NAME (400 when unknown)."""
    name = selection.headers.get("x-test-scenario")
    if not name:
        return None
    scenario = selection.catalog.find(name)
    if scenario is None:
        raise ApiError(400, "invalid_argument", f"Unknown test scenario {name!r}.")
    return scenario


def by_previous_next(selection: Selection) -> Scenario | None:
    """A follow-up of an interaction whose scenario names a `next` gets that scenario."""
    previous = selection.catalog.find(selection.previous_scenario)
    return selection.catalog.find(previous.next) if previous is not None and previous.next else None


def by_default(selection: Selection) -> Scenario | None:
    """The server's `default_scenario` (500 when it names no scenario)."""
    name = selection.default_scenario
    if not name:
        return None
    scenario = selection.catalog.find(name)
    if scenario is None:
        raise ApiError(500, "internal", f"Unknown default scenario {name!r}.")
    return scenario


def by_match_rules(selection: Selection) -> Scenario | None:
    """The scenarios' `match` rules: highest priority, then most specific, then last registered."""
    catalog = selection.catalog
    candidates = [s for s in catalog.all().values() if s.matches(selection.body, selection.previous_scenario)]
    if not candidates:
        return None
    return max(candidates, key=lambda s: (s.priority, s.specificity(), catalog.order(s.name)))


def by_fallback(selection: Selection) -> Scenario | None:
    """The `fallback_scenario` when nothing else chose one."""
    return selection.catalog.find(selection.fallback_scenario)


# A continuation hop first: its token decides, whatever else the request (headers included) says.
DEFAULT_SELECTORS: tuple[Selector, ...] = (
    by_continuation_token,
    by_model_player,  # before the rest: it answers `x-test-scenario: model` and JSON formats no canned scenario has
    by_header,
    by_previous_next,
    by_default,
    by_match_rules,
    by_fallback,
)


def select(selectors: list[Selector], selection: Selection) -> Scenario:
    """The first scenario a selector returns (500 when none does)."""
    for selector in selectors:
        scenario = selector(selection)
        if scenario is not None:
            return scenario
    raise ApiError(500, "internal", "No scenario matches the request and no fallback scenario exists.")
