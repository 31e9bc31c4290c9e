"""The test server's extension points: routes, resource state, scenario selectors and faults on any answer.

Later resources (agents, webhooks, environment files, ...) and scenario kinds plug in this way; these tests pin
the shape they rely on, over real sockets.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests
from gemini_interactions.testing import InteractionsTestServer, Scenario, parse_sse
from gemini_interactions.testing._exchange import Exchange
from gemini_interactions.testing._routing import ApiError, Router
from gemini_interactions.testing._selection import Selection
from gemini_interactions.testing._state import ResourceState

HEADERS = {"x-goog-api-key": "test-key"}


class Widgets(ResourceState):
    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, dict[str, Any]] = {}

    def reset(self) -> None:
        with self.lock:
            self.items.clear()


widgets = Router()  # the shape of a resource module: its router, its state class, its handlers


@widgets.route("PUT", "/{api_version}/widgets/{id}")
def put_widget(exchange: Exchange) -> None:
    store = exchange.server.state(Widgets)
    with store.lock:
        store.items[exchange.params["id"]] = exchange.json_object()
    exchange.send_json(store.items[exchange.params["id"]])


@widgets.route("PATCH", "/{api_version}/widgets/{id}")
def patch_widget(exchange: Exchange) -> None:
    store = exchange.server.state(Widgets)
    mask = exchange.query.get("update_mask", "").split(",")
    with store.lock:
        widget = store.items.get(exchange.params["id"])
        if widget is None:
            raise ApiError(404, "not_found", "no such widget")
        widget.update({k: v for k, v in exchange.json_object().items() if k in mask})
        exchange.send_json(widget)


@widgets.route("POST", "/{api_version}/widgets/{id}:ping")
def ping_widget(exchange: Exchange) -> None:
    exchange.send_json({"pinged": exchange.params["id"]}, status=202, headers=[("x-pinged", "1")])


def upload(exchange: Exchange) -> None:
    exchange.send_json({"path": exchange.params["path"], "size": len(exchange.raw_body)})


def download(exchange: Exchange) -> None:
    faults = exchange.faults("files", "get")
    if not exchange.answered_by_fault(faults):
        exchange.send_bytes(b"0123456789", "application/octet-stream", faults)


def ticks(exchange: Exchange) -> None:
    faults = exchange.faults("ticks", "get")
    if not exchange.answered_by_fault(faults):
        exchange.send_stream([{"event_type": "tick", "n": n, "event_id": f"evt_{n}"} for n in range(3)], faults)


@pytest.fixture
def server() -> Iterator[InteractionsTestServer]:
    with InteractionsTestServer() as srv:
        router = srv.router
        router.include(widgets)
        router.add("POST", "/upload/{api_version}/files/{path=**}", upload)
        router.add("GET", "/{api_version}/files/{path=**}", download)
        router.add("GET", "/{api_version}/ticks", ticks)
        yield srv


def test_put_patch_with_query_and_state(server: InteractionsTestServer) -> None:
    url = f"{server.base_url}/v1beta/widgets/w1"
    assert requests.put(url, json={"a": 1, "b": 2}, headers=HEADERS, timeout=10).json() == {"a": 1, "b": 2}
    patched = requests.patch(url, params={"update_mask": "b"}, json={"a": 9, "b": 3}, headers=HEADERS, timeout=10)
    assert patched.json() == {"a": 1, "b": 3}
    assert server.state(Widgets).items == {"w1": {"a": 1, "b": 3}}
    server.reset()
    assert server.state(Widgets).items == {}
    missing = requests.patch(url, json={}, headers=HEADERS, timeout=10)
    assert missing.status_code == 404
    assert missing.json() == {"error": {"message": "no such widget", "code": "not_found"}}


def test_colon_method_status_and_headers(server: InteractionsTestServer) -> None:
    response = requests.post(f"{server.base_url}/v1beta/widgets/w1:ping", headers=HEADERS, timeout=10)
    assert (response.status_code, response.headers["x-pinged"]) == (202, "1")
    assert response.json() == {"pinged": "w1"}


def test_routing_errors_and_auth(server: InteractionsTestServer) -> None:
    url = f"{server.base_url}/v1beta/widgets/w1"
    assert requests.delete(url, headers=HEADERS, timeout=10).status_code == 405
    assert requests.put(url, json={}, timeout=10).status_code == 401  # the key is checked before the handler runs
    assert requests.get(f"{server.base_url}/v1beta/gadgets", headers=HEADERS, timeout=10).status_code == 404


def test_upload_prefix_and_raw_body(server: InteractionsTestServer) -> None:
    body = b"\x00\xffraw bytes"
    response = requests.post(f"{server.base_url}/upload/v1beta/files/dir/a.bin", data=body, headers=HEADERS, timeout=10)
    assert response.json() == {"path": "dir/a.bin", "size": len(body)}
    assert server.last_request.raw_body == body


def test_raw_download_with_faults(server: InteractionsTestServer) -> None:
    url = f"{server.base_url}/v1beta/files/dir/a.bin"
    response = requests.get(url, params={"alt": "media"}, headers=HEADERS, timeout=10)
    assert (response.content, response.headers["content-type"]) == (b"0123456789", "application/octet-stream")
    failed = requests.get(url, headers={**HEADERS, "x-test-fault": "status=503;retry_after=2"}, timeout=10)
    assert (failed.status_code, failed.headers["retry-after"]) == (503, "2")
    assert server.attempts["files"] == 2


def test_faults_on_a_custom_stream(server: InteractionsTestServer) -> None:
    url = f"{server.base_url}/v1beta/ticks"
    whole = parse_sse(requests.get(url, headers=HEADERS, timeout=10).text)
    assert [e["n"] for e in whole] == [0, 1, 2]
    cut = requests.get(url, headers={**HEADERS, "x-test-fault": "error_after=1;no_event_ids=1"}, timeout=10)
    events = parse_sse(cut.text)
    assert [e["event_type"] for e in events] == ["tick", "error"]
    assert "event_id" not in events[0]
    assert server.last_request.faults == "error_after=1;no_event_ids=True"


def test_selector_by_body(server: InteractionsTestServer) -> None:
    server.add_scenario(Scenario(name="json_answer", events=[]))

    def by_response_format(selection: Selection) -> Scenario | None:
        if "response_format" not in selection.body:
            return None
        if selection.body["response_format"] != "json":
            raise ApiError(400, "invalid_argument", "only json")
        return selection.catalog.get("json_answer")

    server.selectors.insert(1, by_response_format)  # after the x-test-scenario header, before everything else
    body = {"model": "gemini-3-flash-preview", "input": "count to 3"}
    url = server.url()
    requests.post(url, json=body, headers=HEADERS, timeout=10).raise_for_status()
    assert server.last_request.scenario == "text"
    for value, status, scenario in (("json", 200, "json_answer"), ("xml", 400, None)):
        server.validate_request = None  # response_format is not in this spec revision's request model
        response = requests.post(url, json={**body, "response_format": value}, headers=HEADERS, timeout=10)
        assert (response.status_code, server.last_request.scenario) == (status, scenario)
