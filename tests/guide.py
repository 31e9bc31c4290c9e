"""Reading the API's streaming guide (../shared/seeds/): its Python snippets and its wire transcripts.

The guide is not copied into the repository; tests read it where CI and developers have it and
skip, saying where they looked, where it is absent."""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gemini_interactions._stream_state import DONE_DATA

REPO_ROOT = Path(__file__).resolve().parent.parent


def shared_dir() -> Path:
    return Path(os.environ.get("GEMINI_SHARED_DIR") or REPO_ROOT.parent / "shared")


def guide_path() -> Path:
    return shared_dir() / "seeds" / "interactions-streaming-guide.txt"


@dataclass(frozen=True)
class Transcript:
    """One recorded stream: each event's `event:` name and `data:` payload, in order."""

    events: tuple[tuple[str, str], ...]

    def sse_bytes(self) -> bytes:
        """The stream as the server sends it; where the guide elides the end, it ends with [DONE]."""
        events = list(self.events)
        if events[-1][1] != DONE_DATA:
            events.append(("done", DONE_DATA))
        return "".join(f"event: {name}\ndata: {data}\n\n" for name, data in events).encode()

    def payloads(self) -> list[dict[str, Any]]:
        """The JSON objects of the events the clients yield ([DONE] ends the stream, it is no event)."""
        return [json.loads(data) for _, data in self.events if data != DONE_DATA]


@dataclass(frozen=True)
class Section:
    snippet: str  # the Python example
    transcript: Transcript | None  # the wire transcript the REST example shows, if any


def _python_snippets(lines: list[str]) -> list[tuple[int, str]]:
    """(line number, code) of every block between a `Python` line and the next `JavaScript` line."""
    found: list[tuple[int, str]] = []
    for start, line in enumerate(lines):
        if line.strip() != "Python":
            continue
        end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() == "JavaScript")
        found.append((start, _reindent(lines[start + 1 : end])))
    return found


def _reindent(lines: list[str]) -> str:
    """The guide's page lost the snippets' indentation; rebuild it from their block structure.

    After a line ending in ":" the next statement goes one level deeper; `elif`/`else` return to
    the `if` that tests the same thing; a statement that names nothing bound by the innermost
    enclosing `for` (its loop variable or what its body assigned) closes that loop."""
    out: list[str] = []
    blocks: list[tuple[int, str, set[str]]] = []  # (depth of the header, header, names bound inside)
    seen: set[str] = set()  # names assigned so far: a later assignment does not bind them to a block
    depth = 0
    brackets = 0
    opened = False  # the last statement opened a block: the next one is inside it
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if brackets:
            out.append("    " * (depth + 1) + line)
        elif line.startswith("#"):
            out.append("    " * depth + line)
        else:
            if re.match(r"^(elif|else)\b", line):
                subject = _subject(line)
                ifs = [b for b in blocks if b[1].startswith(("if", "elif"))]
                same = [b for b in ifs if _subject(b[1]) == subject]
                depth = (same or ifs)[-1][0]
            else:
                loops = [b for b in blocks if b[1].startswith("for ") and b[0] < depth]
                if loops and not opened and not (_names(line) & loops[-1][2]):
                    depth = loops[-1][0]
            blocks = [b for b in blocks if b[0] < depth]
            for name in _assigned(line) - seen:
                seen.add(name)
                for block in blocks:
                    block[2].add(name)
            out.append("    " * depth + line)
            opened = line.endswith(":")
            if opened:
                bound = set(re.findall(r"^for\s+(\w+)", line))
                blocks.append((depth, line, bound))
                depth += 1
        brackets += sum(line.count(c) for c in "([{") - sum(line.count(c) for c in ")]}")
    return "\n".join(out) + "\n"


def _subject(line: str) -> str:
    match = re.match(r"^(?:if|elif)\s+(.+?)\s*(?:==|!=|:)", line)
    return match.group(1) if match else ""


def _names(line: str) -> set[str]:
    return set(re.findall(r"[A-Za-z_]\w*", line))


def _assigned(line: str) -> set[str]:
    return set(re.findall(r"^(\w+)\s*[+]?=", line))


def _transcripts(lines: list[str]) -> list[tuple[int, Transcript]]:
    found: list[tuple[int, Transcript]] = []
    i = 0
    while i < len(lines):
        if not lines[i].startswith("event: "):
            i += 1
            continue
        start = i
        events: list[tuple[str, str]] = []
        while i < len(lines) and (lines[i].startswith(("event: ", "data: ")) or lines[i].startswith("...")):
            if lines[i].startswith("event: ") and i + 1 < len(lines) and lines[i + 1].startswith("data: "):
                events.append((lines[i][len("event: ") :].strip(), lines[i + 1][len("data: ") :].strip()))
                i += 2
            else:
                i += 1
        if len(events) > 2:  # single-event illustrations are not transcripts
            found.append((start, Transcript(tuple(events))))
    return found


def sections() -> list[Section]:
    """Each Python example with the transcript that follows it before the next example."""
    lines = guide_path().read_text(encoding="utf-8").splitlines()
    snippets = _python_snippets(lines)
    transcripts = _transcripts(lines)
    result: list[Section] = []
    for n, (start, code) in enumerate(snippets):
        end = snippets[n + 1][0] if n + 1 < len(snippets) else len(lines)
        inside = [t for at, t in transcripts if start < at < end]
        result.append(Section(snippet=code, transcript=inside[0] if inside else None))
    return result


class ReplayServer:
    """A local HTTP server that answers every request with one transcript, byte for byte.

    It records each request's method, path, headers and JSON body, so tests can check what the
    client sent as well as what it made of the answer."""

    def __init__(self, transcript: Transcript) -> None:
        import http.server
        import threading

        body = transcript.sse_bytes()
        requests: list[dict[str, Any]] = []
        self.requests = requests

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                requests.append(
                    {
                        "method": "POST",
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": json.loads(raw) if raw else None,
                    }
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self._server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), daemon=True)

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/proxy"

    def __enter__(self) -> ReplayServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


PREAMBLE = "from google import genai\nclient = genai.Client()\n"


def with_client(snippet: str, flavour: str, base_url: str, api_key: str) -> str:
    """The snippet with only the client construction changed (and, for async, awaited calls)."""
    if not snippet.startswith(PREAMBLE):
        raise ValueError("the guide's snippets start by constructing a client")
    body = snippet[len(PREAMBLE) :]
    if flavour == "sync":
        head = "from gemini_interactions import Client\n"
        head += f"client = Client(api_key={api_key!r}, base_url={base_url!r})\n"
        return head + body
    body = body.replace("client.interactions.create(", "await client.interactions.create(")
    body = re.sub(r"^(\s*)for (\w+) in ", r"\1async for \2 in ", body, flags=re.M)
    lines = ["import asyncio", "from gemini_interactions_async import AsyncClient", "async def _snippet():"]
    lines.append(f"    client = AsyncClient(api_key={api_key!r}, base_url={base_url!r})")
    lines.append("    async with client:")
    lines += ["        " + line for line in body.splitlines()]
    lines.append("asyncio.run(_snippet())")
    return "\n".join(lines) + "\n"
