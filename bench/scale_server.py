"""The scale workload's loopback server: asyncio, in its own process, keep-alive HTTP/1.1.

Every request gets the same pre-built stream of SCALE_EVENTS text deltas (chunked, one write), and
the connection stays open for the next request, so a client's pool reuse shows. The first path
segment tags the run (`/scale-ours-async/v1beta/interactions`); `GET /stats/<tag>` answers how many
connections that tag's requests came on, how many requests were served, and the CPU seconds this
process has used so far (read before and after a client: the server's share of the run).

Run as `python -m bench.scale_server`: it prints its port, then serves until its standard input closes."""

from __future__ import annotations

import asyncio
import json
import resource
import sys
from collections import defaultdict

from . import workloads as w

SCALE_EVENTS = 100
HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n"

connections: defaultdict[str, int] = defaultdict(int)
requests: defaultdict[str, int] = defaultdict(int)


def stream() -> bytes:
    return HEAD + w.chunked(w.text_events(SCALE_EVENTS))


async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, body: bytes) -> None:
    counted: set[str] = set()
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            length = next((int(v) for n, _, v in (x.partition(":") for x in lines) if n.lower() == "content-length"), 0)
            if length:
                await reader.readexactly(length)
            tag = lines[0].split(" ")[1].lstrip("/").split("/")[0]
            if tag == "stats":
                name = lines[0].split(" ")[1].split("/")[2]
                cpu = resource.getrusage(resource.RUSAGE_SELF)
                stats = {
                    "connections": connections[name],
                    "requests": requests[name],
                    "cpu": cpu.ru_utime + cpu.ru_stime,
                }
                data = json.dumps(stats).encode()
                writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n%s" % (len(data), data))
            else:
                if tag not in counted:
                    counted.add(tag)
                    connections[tag] += 1
                requests[tag] += 1
                writer.write(body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main() -> None:
    body = stream()
    server = await asyncio.start_server(lambda r, wr: serve(r, wr, body), "127.0.0.1", 0, backlog=4096)
    print(server.sockets[0].getsockname()[1], flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin
    server.close()


if __name__ == "__main__":
    asyncio.run(main())
