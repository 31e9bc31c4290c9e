"""The reference site: `mkdocs build --strict` succeeds without a warning, and headless Chromium renders
the landing page and the `create` reference from it, served on 127.0.0.1, with no console error, no failed
load and no request to another host. Screenshots go to build/docs/ (a build artifact, not committed).

Run by `nox -s docs` (GEMINI_DOCS_BUILD=1: a missing tool fails); elsewhere skipped, with a message, when
mkdocs or Chromium is not installed."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import functools
import http.server
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

REPO = Path(__file__).resolve().parent.parent
SITE = REPO / "site"
SCREENSHOTS = REPO / "build" / "docs"
REQUIRED = os.environ.get("GEMINI_DOCS_BUILD") == "1"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--remote-debugging-port=0",
    "--window-size=1280,900",
]
CREATE_ANCHOR = "gemini_interactions.resources.interactions.Interactions.create"


def _require(found: object, what: str) -> None:
    if not found:
        if REQUIRED:
            pytest.fail(f"{what} is not installed (nox -s docs needs it)")
        pytest.skip(f"{what} is not installed: run `nox -s docs`")


@pytest.fixture(scope="module")
def site() -> Path:
    _require(importlib.util.find_spec("mkdocs"), "mkdocs (docs/requirements.txt)")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--clean", "-f", str(REPO / "docs" / "mkdocs.yml")],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if re.match(r"\s*(WARNING|ERROR)\b", line)]
    assert not warnings, "\n".join(warnings)
    return SITE


def test_the_site_has_the_reference_pages(site: Path) -> None:
    sync = (site / "reference" / "sync" / "index.html").read_text(encoding="utf-8")
    for anchor in (CREATE_ANCHOR, "gemini_interactions.Client", "gemini_interactions.Stream"):
        assert f'id="{anchor}"' in sync, anchor
    async_page = (site / "reference" / "async" / "index.html").read_text(encoding="utf-8")
    assert 'id="gemini_interactions_async.resources.interactions.Interactions.create"' in async_page
    types = (site / "types" / "index.html").read_text(encoding="utf-8")
    assert "UnknownInteractionSSEEvent" in types
    index = (site / "index.html").read_text(encoding="utf-8")
    assert "GEMINI_API_KEY" in index and "==2026.5.20.*" in index


@contextlib.contextmanager
def _serve(root: Path) -> Iterator[str]:
    handler = functools.partial(_QuietHandler, directory=str(root))
    with http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler) as server:
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_address[1]}"
        finally:
            server.shutdown()
            thread.join(5)


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Browser:
    """Headless Chromium driven over the DevTools protocol (one page)."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.events: list[dict[str, Any]] = []
        self._next_id = 0

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self._next_id += 1
        call_id = self._next_id
        await self.ws.send_json({"id": call_id, "method": method, "params": params})
        while True:
            message = await self.ws.receive_json(timeout=60)
            if message.get("id") == call_id:
                assert "error" not in message, message
                return dict(message.get("result", {}))
            self.events.append(message)

    async def wait_for(self, method: str, name: str | None = None, timeout: float = 60) -> None:
        """Until an event `method` (with params.name == name) has arrived."""

        def seen() -> bool:
            return any(
                e.get("method") == method and (name is None or e["params"].get("name") == name) for e in self.events
            )

        async def receive() -> None:
            while not seen():
                self.events.append(await self.ws.receive_json())

        await asyncio.wait_for(receive(), timeout)


@contextlib.asynccontextmanager
async def _chromium(tmp_path: Path) -> AsyncIterator[_Browser]:
    executable = shutil.which("chromium") or shutil.which("chromium-browser")
    _require(executable, "Chromium (Debian package `chromium`)")
    assert executable is not None
    process = subprocess.Popen(
        [executable, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stderr is not None
        endpoint = None
        for line in process.stderr:  # Chromium names its DevTools port on stderr as it starts
            found = re.search(r"DevTools listening on ws://([^/]+)/", line)
            if found:
                endpoint = found.group(1)
                break
        assert endpoint, "Chromium did not start its DevTools endpoint"
        drain = threading.Thread(target=process.stderr.read, daemon=True)  # keep the pipe from filling up
        drain.start()
        async with aiohttp.ClientSession() as session:
            async with session.get(f"http://{endpoint}/json/list") as response:
                targets = await response.json()
            page = next(t for t in targets if t["type"] == "page")
            async with session.ws_connect(page["webSocketDebuggerUrl"], max_msg_size=0) as ws:
                yield _Browser(ws)
    finally:
        process.terminate()
        process.communicate(timeout=30)  # waits, and closes the pipe once the drain has read it to the end


def _problems(browser: _Browser, origin: str) -> list[str]:
    found = []
    for event in browser.events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            found.append(f"exception: {params['exceptionDetails'].get('text')} {params['exceptionDetails']}")
        elif method == "Runtime.consoleAPICalled" and params["type"] in ("error", "assert"):
            found.append(f"console.{params['type']}: {[a.get('value') for a in params['args']]}")
        elif method == "Log.entryAdded" and params["entry"]["level"] == "error":
            found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url', '')}")
        elif method == "Network.loadingFailed":
            found.append(f"failed load: {params.get('errorText')}")
        elif method == "Network.requestWillBeSent":
            url = params["request"]["url"]
            if not url.startswith((origin, "data:", "blob:")):
                found.append(f"request to another host: {url}")
    return found


@pytest.mark.parametrize(
    ("page", "anchor", "shot"),
    [("", None, "landing.png"), ("reference/sync/", CREATE_ANCHOR, "create-reference.png")],
    ids=["landing", "create-reference"],
)
async def test_chromium_renders_the_page_without_errors(
    site: Path, tmp_path: Path, page: str, anchor: str | None, shot: str
) -> None:
    with _serve(site) as origin:
        async with _chromium(tmp_path) as browser:
            for domain in ("Page", "Runtime", "Log", "Network"):
                await browser.call(f"{domain}.enable")
            await browser.call("Page.setLifecycleEventsEnabled", enabled=True)
            browser.events.clear()
            url = f"{origin}/{page}" + (f"#{anchor}" if anchor else "")
            await browser.call("Page.navigate", url=url)
            await browser.wait_for("Page.loadEventFired")
            await browser.wait_for("Page.lifecycleEvent", "networkIdle")
            probe = "document.title + '|' + (document.querySelector('h1') || {}).textContent"
            if anchor:
                probe = f"document.getElementById({json.dumps(anchor)}) ? 'found' : 'missing'"
            result = await browser.call("Runtime.evaluate", expression=probe, returnByValue=True)
            shot_data = await browser.call("Page.captureScreenshot", format="png")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    png = base64.b64decode(shot_data["data"])
    (SCREENSHOTS / shot).write_bytes(png)
    assert png.startswith(b"\x89PNG") and len(png) > 10_000  # a rendered page, not a blank one
    value = result["result"]["value"]
    assert value == "found" if anchor else value.startswith("Gemini Interactions SDK"), value
    assert _problems(browser, origin) == []
