"""The loopback server: pre-built streams sent with one `sendall`, so it is never the bottleneck.

Run as `python -m bench.server`: it prints its port, then serves until its standard input closes.
The first path segment names the stream (`/text-event/v1beta/interactions`), so any client gets a
stream through its base_url option alone."""

from __future__ import annotations

import json
import socket
import socketserver
import sys
import threading
import time

from . import workloads as w

HEAD = b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nConnection: close\r\n%s\r\n"
CHUNKED = b"Transfer-Encoding: chunked\r\n"


def build_streams() -> dict[str, bytes]:
    """Route -> the whole response (head and body), built before the first request."""
    text = w.text_events(w.TEXT_EVENTS)
    small = w.text_events(w.SMALL_TEXT_EVENTS)
    image = w.image_events(w.IMAGE_BYTES)
    streams = {
        "text-event": w.chunked(text),
        "text-64k": w.chunked(w.split(b"".join(text), w.CHUNK_64K)),
        "text-event-small": w.chunked(small),
        "text-64k-small": w.chunked(w.split(b"".join(small), w.CHUNK_64K)),
        "image": w.chunked(w.split(b"".join(image), w.CHUNK_64K)),
        "warm-text": w.chunked(w.text_events(200)),
        "warm-image": w.chunked(w.split(b"".join(w.image_events(256 * 1024)), w.CHUNK_64K)),
        "cold": w.chunked(w.text_events(w.COLD_EVENTS)),
        "final-text": w.chunked(w.split(b"".join(w.text_events(w.FINAL_EVENTS)), w.CHUNK_64K)),
        "final-audio": w.chunked(w.split(b"".join(w.audio_events(w.AUDIO_BYTES, w.AUDIO_DELTA)), w.CHUNK_64K)),
    }
    # The continuation hops of the text stream: "text-hops" serves the hop its request's token names.
    for hop, events in enumerate(w.text_hops(w.TEXT_EVENTS, w.HOPS)):
        streams[f"text-hops/{hop}"] = w.chunked(w.split(b"".join(events), w.CHUNK_64K))
    return {route: HEAD % CHUNKED + body for route, body in streams.items()}


def hop_of(body: bytes) -> int:
    """Which hop of "text-hops" a create asks for: 0 without a continuation token."""
    token = json.loads(body or b"{}").get("continuation_token")
    return 0 if token is None else int(str(token).rsplit("-", 1)[1])


class Handler(socketserver.BaseRequestHandler):
    server: Server

    def handle(self) -> None:
        sock: socket.socket = self.request
        rfile = sock.makefile("rb")
        request_line = rfile.readline().decode("latin-1")
        length = 0
        while (line := rfile.readline()) not in (b"\r\n", b"\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        body = rfile.read(length)
        route = request_line.split(" ")[1].lstrip("/").split("/")[0].split("?")[0]
        if route == "text-hops":
            route = f"text-hops/{hop_of(body)}"
        if route.startswith("latency-"):
            self._paced(sock, chunked=route == "latency-chunked")
        elif route in self.server.streams:
            sock.sendall(self.server.streams[route])
        else:
            sock.sendall(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        sock.shutdown(socket.SHUT_WR)
        rfile.close()

    def _paced(self, sock: socket.socket, *, chunked: bool) -> None:
        # Each delta's text is the moment it was sent (time.monotonic_ns, one clock for all processes here).
        sock.sendall(HEAD % (CHUNKED if chunked else b""))
        events = w.opening()
        for _ in range(w.LATENCY_EVENTS):
            events.append(w.text_delta(str(time.monotonic_ns())))
            self._send(sock, b"".join(events), chunked)
            events = []
            time.sleep(w.LATENCY_PAUSE_S)
        self._send(sock, b"".join(w.closing()), chunked)
        if chunked:
            sock.sendall(b"0\r\n\r\n")

    @staticmethod
    def _send(sock: socket.socket, data: bytes, chunked: bool) -> None:
        sock.sendall(b"%x\r\n%s\r\n" % (len(data), data) if chunked else data)


class Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        self.streams = build_streams()
        super().__init__(("127.0.0.1", 0), Handler)


def main() -> None:
    server = Server()
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    print(server.server_address[1], flush=True)
    sys.stdin.read()  # until the parent closes our stdin
    server.shutdown()
    server.server_close()


if __name__ == "__main__":
    main()
