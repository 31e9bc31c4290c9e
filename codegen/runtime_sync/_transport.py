"""HTTP for the sync client, on requests: one attempt at a request, reading bodies, and the words requests needs.

The retry loop's decisions are `_retry.Attempts`'; `Transport.send` only drives it."""

from __future__ import annotations

import collections
import heapq
import http.client
import itertools
import operator
import os
import queue
import socket
import threading
import time
import urllib.parse
import weakref
import zlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any, TypeAlias

import requests
import requests.auth
import requests.utils
import urllib3
import urllib3.connection
from requests.adapters import HTTPAdapter
from urllib3.exceptions import EmptyPoolError

from ._connection_errors import connection_error
from ._credentials import authorized
from ._exceptions import APIConnectionError, APIError, ClientClosedError
from ._request import PreparedRequest, status_error
from ._retry import Attempts
from ._sse import BlockParser, sseclient_block_parser
from ._transfer_codings import TransferDecoding, ends_chunked, transfer_codings, transfer_decoding

HTTPResponse: TypeAlias = requests.Response  # what RawResponse.http_response and Stream.response hold
status_of: Callable[[HTTPResponse], int] = operator.attrgetter("status_code")  # an HTTPResponse's status

READ_SIZE = 64 * 1024
# The de-chunker's first read, and its least: the socket reader's own buffer. A read that comes back
# full doubles the next (up to READ_SIZE), one under half full halves it, so a burst grows to large
# reads within a few and a stream of small events keeps small ones: a read allocates what it asks
# for, in the calling thread's malloc arena, and many threads each asking 64 KiB for a few KiB of
# events added ~15 KiB per open stream.
FIRST_READ_SIZE = 8 * 1024


# The pool wait of the request being sent on this thread: requests gives urllib3 no pool timeout of its own.
_pool_wait: ContextVar[float | None] = ContextVar("pool_wait", default=None)


class _DeadlineWatch:
    """An attempt's deadline over the connection it is sent on. requests' timeouts bound each read,
    so a server trickling bytes could hold an answer (its head, a unary body, a stream) past the
    call's deadline: at the deadline the watchdog shuts the connection's socket down, and the read
    blocked on it returns. The pool disarms the watch when the connection comes back to it."""

    __slots__ = ("at", "connection", "armed", "fired")

    def __init__(self, at: float) -> None:
        self.at = at
        self.connection: Any = None
        self.armed = True
        self.fired = False  # the socket was shut down: what was read since may look whole and is not


class _Watchdog:
    """One daemon thread for every armed deadline of the process, started on first use."""

    def __init__(self) -> None:
        self._changed = threading.Condition()
        self._due: list[tuple[float, int, _DeadlineWatch]] = []
        self._order = itertools.count()
        self._thread: threading.Thread | None = None

    def arm(self, watch: _DeadlineWatch) -> None:
        with self._changed:
            heapq.heappush(self._due, (watch.at, next(self._order), watch))
            if len(self._due) > 256:  # disarmed watches of long deadlines pile up under the next one
                self._due = [entry for entry in self._due if entry[2].armed]
                heapq.heapify(self._due)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="gemini-interactions-deadlines", daemon=True)
                self._thread.start()
            self._changed.notify()

    def disarm(self, watch: _DeadlineWatch) -> None:
        with self._changed:
            watch.armed = False
            watch.connection = None

    def _run(self) -> None:
        with self._changed:
            while True:
                while self._due and not self._due[0][2].armed:
                    heapq.heappop(self._due)
                left = self._due[0][0] - time.monotonic() if self._due else None
                if left is None or left > 0:
                    self._changed.wait(left)
                    continue
                watch = heapq.heappop(self._due)[2]
                watch.fired = True
                sock = getattr(watch.connection, "sock", None)
                if sock is None and watch.connection is not None and time.monotonic() < watch.at + 1:
                    # Still connecting (each connect is bounded by the time left): look again shortly.
                    heapq.heappush(self._due, (time.monotonic() + 0.01, next(self._order), watch))
                    continue
                watch.armed = False
                if sock is not None:
                    try:
                        sock.shutdown(socket.SHUT_RDWR)
                    except OSError:  # closed meanwhile
                        pass


_watchdog = _Watchdog()
# The deadline watch of the request being sent on this thread, for the pool to attach its connection to.
_deadline_watch: ContextVar[_DeadlineWatch | None] = ContextVar("deadline_watch", default=None)


class _Waiter:
    __slots__ = ("served", "connection")

    def __init__(self) -> None:
        self.served = threading.Lock()
        self.served.acquire()  # released when a connection is handed over
        self.connection: Any = None


class FairQueue(queue.LifoQueue[Any]):
    """urllib3's queue of idle connections, with threads that wait for one served first come, first
    served: a connection given back goes straight to the longest waiter. With the LifoQueue a thread
    that gives one back takes it again on its next call, and a woken waiter finds it gone: with more
    threads than `max_connections`, some waited 50-150x the median stream. Idle connections are still
    reused most recent first, before a None (a connection not opened yet).

    urllib3 puts a None in for each connection it may open and takes them all out when it closes the
    pool (1,000 each way for the default `max_connections`): they are counted, not stored, each put
    is one short locked step, and closing takes out only the idle connections (the Queue's own calls
    took ~3 ms a client). A put never blocks: urllib3 puts with block=False and drops a connection
    the full queue refuses."""

    def __init__(self, maxsize: int = 0) -> None:
        super().__init__(maxsize)
        self.waiters: collections.deque[_Waiter] = collections.deque()

    def _init(self, maxsize: int) -> None:
        super()._init(maxsize)
        self.unopened = 0

    def _qsize(self) -> int:
        return len(self.queue) + self.unopened

    def get(self, block: bool = True, timeout: float | None = None) -> Any:
        with self.mutex:
            if not self.waiters:
                if self.queue:
                    return self.queue.pop()
                if self.unopened and block:
                    self.unopened -= 1
                    return None
            if not block:
                # Only the idle connections: urllib3 takes them out without blocking when it closes the
                # pool (the Nones need not come out one by one), and a pool that does not block opens a
                # connection for an Empty as it would for a None.
                raise queue.Empty
            waiter = _Waiter()
            self.waiters.append(waiter)
        if waiter.served.acquire(timeout=-1 if timeout is None else timeout):
            return waiter.connection
        with self.mutex:
            if waiter in self.waiters:  # not served in time
                self.waiters.remove(waiter)
                raise queue.Empty
        return waiter.connection  # served between the timeout and taking the mutex

    def put(self, item: Any, block: bool = True, timeout: float | None = None) -> None:
        with self.mutex:
            if self.waiters:
                waiter = self.waiters.popleft()
                waiter.connection = item
                waiter.served.release()
            elif 0 < self.maxsize <= len(self.queue) + self.unopened:
                raise queue.Full
            elif item is None:
                self.unopened += 1
            else:
                self.queue.append(item)


class _InterimSkippingResponse(http.client.HTTPResponse):
    """http.client's response, past every interim (1xx) answer to the final one. RFC 9110 section 15.2
    has a client parse any number of them (103 Early Hints, 102 Processing) before the final answer;
    http.client skips only 100 Continue, and takes any other 1xx for the answer itself."""

    def _read_status(self) -> tuple[str, int, str]:
        version, status, reason = super()._read_status()  # type: ignore[misc]
        if 100 < status < 200 and status != 101:  # 101 switches protocols: nothing to skip to
            return version, http.client.CONTINUE, reason  # begin() then skips its header lines, as for 100
        return version, status, reason


class _HTTPConnection(urllib3.connection.HTTPConnection):
    response_class = _InterimSkippingResponse


class _HTTPSConnection(urllib3.connection.HTTPSConnection):
    response_class = _InterimSkippingResponse


class _WaitingPool(urllib3.HTTPConnectionPool):
    QueueCls = FairQueue
    ConnectionCls: type[urllib3.connection.HTTPConnection] = _HTTPConnection

    def _get_conn(self, timeout: float | None = None) -> Any:
        connection: Any = super()._get_conn(_pool_wait.get() if timeout is None else timeout)
        watch = _deadline_watch.get()
        if watch is not None:
            watch.connection = connection
            connection.deadline_watch = watch
        return connection

    def _put_conn(self, conn: Any) -> None:
        # The answer was read to its end (or the connection was dropped): its deadline is no longer
        # this connection's, which the next request may take.
        watch = getattr(conn, "deadline_watch", None)
        if watch is not None:
            conn.deadline_watch = None
            _watchdog.disarm(watch)
        super()._put_conn(conn)


class _WaitingHTTPSPool(_WaitingPool, urllib3.HTTPSConnectionPool):  # _WaitingPool's _get_conn, over TLS
    ConnectionCls = _HTTPSConnection


class _PoolAdapter(HTTPAdapter):
    """At most `max_connections` connections per host, kept for reuse; a request past them waits for
    one to come free (requests' default opens more, then drops them: "Connection pool is full")."""

    def __init__(self, max_connections: int) -> None:
        super().__init__(pool_maxsize=max_connections, pool_block=True)

    def init_poolmanager(self, connections: int, maxsize: int, block: bool = False, **pool_kwargs: Any) -> None:
        super().init_poolmanager(connections, maxsize, block, **pool_kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _WaitingPool, "https": _WaitingHTTPSPool}


class _HeadersAsSent(requests.auth.AuthBase):
    """Auth that leaves the request as it is. Given on each request of the client's own session, it keeps
    requests from looking up ~/.netrc (two file checks a request, each a GIL release that a thread
    waits behind the others to get back) and from replacing the client's credentials with its entry."""

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request


_STREAM: dict[str, Any] = {"stream": True}


def _query(params: dict[str, str]) -> str:
    """The query string of `params`, as requests would encode them. Given as a str, it is taken as it
    is: a dict is merged and encoded through isinstance checks against requests' runtime protocols
    (~10-20 us each on requests 2.34, four a request)."""
    return urllib.parse.urlencode(params) if params else ""


class _Environment:
    """What requests takes from the environment for a request (HTTP(S)_PROXY and NO_PROXY, the
    REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE file), read once per origin, as the async flavour's proxies
    are: requests reads it again on every request, scanning os.environ twice (~0.2 ms holding the GIL)."""

    def __init__(self) -> None:
        self._by_origin: dict[tuple[str, str], dict[str, Any]] = {}

    def settings(self, url: str) -> dict[str, Any]:
        """The stream, proxies and verify arguments of Session.send for a request to `url`."""
        parts = urllib.parse.urlsplit(url)
        origin = (parts.scheme, parts.netloc)
        found = self._by_origin.get(origin)
        if found is None:
            bundle = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
            found = {"stream": True, "proxies": requests.utils.get_environ_proxies(url), "verify": bundle or True}
            self._by_origin[origin] = found
        return found


def new_session(max_connections: int) -> requests.Session:
    session = requests.Session()
    adapter = _PoolAdapter(max_connections)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


class Transport:
    """The session requests go through; closed for good by `close()`.

    `trust_env` says whether a session the transport makes itself reads HTTP_PROXY, HTTPS_PROXY and
    NO_PROXY (and requests' other environment settings but ~/.netrc), once for each origin; a session
    passed in keeps its own setting."""

    def __init__(
        self, session: requests.Session | None = None, *, trust_env: bool = True, max_connections: int
    ) -> None:
        self._owns_session = session is None
        self.session: requests.Session = session if session is not None else new_session(max_connections)
        # The transport's own session reads the environment through _Environment, once per origin.
        self._environment = _Environment() if self._owns_session and trust_env else None
        if self._owns_session:
            self.session.trust_env = False
        self._auth = _HeadersAsSent() if self._owns_session else None  # a session passed in keeps its own auth
        self._closed = False
        _live_transports.add(self)

    def _settings(self, url: str) -> dict[str, Any]:
        """The environment's arguments of Session.send for a request to `url` (stream, proxies, verify...)."""
        if self._environment is not None:
            return self._environment.settings(url)
        if self._owns_session:
            return _STREAM  # send() resolves no proxies from the environment with trust_env False
        # A session passed in: its own rules, as Session.request would apply them.
        return dict(self.session.merge_environment_settings(url, {}, True, None, None))

    def close(self) -> None:
        self._closed = True
        if self._owns_session:
            self.session.close()

    def forget_connections(self) -> None:
        """Drop the pooled connections without touching their sockets' other owners (a forked child's parent)."""
        for adapter in self.session.adapters.values():
            adapter.close()  # empties urllib3's pools; new connections are made on the next request

    def send(self, request: PreparedRequest) -> requests.Response:
        """A response with a success status, after retrying what is worth retrying; the body is not read yet."""
        request = authorized(request)
        attempts = Attempts(request)
        while True:
            try:
                return self._attempt(attempts)
            except APIError as error:
                delay = attempts.retry_delay(error)
                if delay is None:
                    raise
            sleep(delay)
            renew = attempts.renewal()
            if renew is not None:
                renew()

    def _attempt(self, attempts: Attempts) -> requests.Response:
        """Send once: the response of a success, else the typed error of what went wrong."""
        request = attempts.request
        if self._closed:
            raise ClientClosedError(f"{request.describe()}: the client was closed; create a new one")
        attempts.sending()
        waiting = _pool_wait.set(request.timeout.pool)
        watch = None if request.deadline_at is None else _DeadlineWatch(request.deadline_at)
        if watch is not None:
            _watchdog.arm(watch)
        watching = _deadline_watch.set(watch)
        response = None
        session = self.session
        try:
            # What Session.request does, with the environment read once per origin (see _Environment).
            prepared = session.prepare_request(
                requests.Request(
                    request.method,
                    request.url,
                    headers=request.headers,
                    # A session's own params (yours may have some) merge only with a dict.
                    params=request.params if session.params else _query(request.params),
                    data=request.content,
                    auth=self._auth,
                )
            )
            response = session.send(
                prepared,
                timeout=(request.timeout.connect, request.timeout.read),
                allow_redirects=False,  # _retry.Attempts follows same-origin redirects only
                **self._settings(request.url),
            )
        except EmptyPoolError as exc:
            raise connection_error(request, exc, timeout="pool") from exc
        except requests.ConnectTimeout as exc:
            raise connection_error(request, exc, timeout="connect") from exc
        except requests.Timeout as exc:
            raise connection_error(request, exc, timeout="read") from exc
        except requests.RequestException as exc:
            raise connection_error(request, exc, proxy=isinstance(exc, requests.exceptions.ProxyError)) from exc
        finally:
            _pool_wait.reset(waiting)
            _deadline_watch.reset(watching)
            if watch is not None and response is None:  # no answer: its connection was dropped
                _watchdog.disarm(watch)
        response.owner_pid = os.getpid()  # type: ignore[attr-defined]  # see close_response
        response.deadline_watch = watch  # type: ignore[attr-defined]  # see cut_at_deadline
        cut_at_deadline(response, request)
        if attempts.succeeded(response.status_code):
            return response
        try:
            body = read_body(response, request)
        except APIConnectionError:
            body = b""
        raise status_error(request, response.status_code, response.headers, body)


# Every live transport, so that a forked child can drop the connections it shares with its parent:
# two processes reading one socket would each get some of the other's answers.
_live_transports: weakref.WeakSet[Transport] = weakref.WeakSet()


def _forget_connections_in_child() -> None:
    global _watchdog
    for transport in list(_live_transports):
        transport.forget_connections()
    _watchdog = _Watchdog()  # the parent's thread is not in the child, and its lock may have been held


if hasattr(os, "register_at_fork"):  # not on Windows, which has no fork
    os.register_at_fork(after_in_child=_forget_connections_in_child)


def cut_at_deadline(response: requests.Response, request: PreparedRequest) -> None:
    """Raise the deadline's APITimeoutError when the watchdog cut this answer: a head or body cut
    short by the shut-down socket can look complete (http.client takes the end of the stream for
    the end of the header lines, and a body read until the close simply ends)."""
    watch = getattr(response, "deadline_watch", None)
    if watch is not None and watch.fired:
        response.close()
        raise connection_error(request, TimeoutError("the socket was shut down at the deadline"), timeout="deadline")


def read_body(response: requests.Response, request: PreparedRequest) -> bytes:
    """The whole body; the connection is released afterwards."""
    try:
        decoding = _transfer_decoding(response, request)
        body = response.content
        if decoding is not None:
            body = decoding.whole(body)
    except requests.RequestException as exc:
        raise connection_error(request, exc, reading=True) from exc
    except zlib.error as exc:
        raise connection_error(request, exc, reading=True, malformed=exc) from exc
    finally:
        response.close()
    cut_at_deadline(response, request)
    return body


def _transfer_decoding(response: requests.Response, request: PreparedRequest) -> TransferDecoding | None:
    headers = response.headers
    return transfer_decoding(request, headers.get("Transfer-Encoding", ""), headers.get("Content-Encoding", ""))


def sse_block_parser() -> BlockParser:
    """The SSE field parser for a new stream: sseclient-py's, behind the shared framer (see _sse.py)."""
    return sseclient_block_parser()


def iter_bytes(response: requests.Response, request: PreparedRequest) -> Iterator[bytes]:
    """Body bytes as soon as they arrive, whatever the framing (chunked, Content-Length, or read-until-close)."""
    decoding = _transfer_decoding(response, request)
    if decoding is None:
        yield from _body_bytes(response, request)
        return
    try:
        for piece in _body_bytes(response, request):
            yield from decoding.decode(piece)
        yield from decoding.flush()
    except zlib.error as exc:
        raise connection_error(request, exc, reading=True, malformed=exc) from exc


def _body_bytes(response: requests.Response, request: PreparedRequest) -> Iterator[bytes]:
    """The body's bytes as the HTTP framing delivers them (see iter_bytes)."""
    raw = response.raw
    try:
        fp = _chunked_socket_reader(response)
        if fp is not None:
            # The transfer coding undone in bulk over the socket's buffered reader: whatever has
            # arrived is delivered, however the server cut it into chunks (urllib3 waits for each
            # chunk's end, which holds complete events back and loses them when the connection
            # drops mid-chunk), and a read holding many chunks costs one pass, not one call each.
            yield from _dechunk(fp, raw)
            cut_at_deadline(response, request)
            return
        if getattr(raw, "chunked", False) and hasattr(raw, "read_chunked"):
            # urllib3 parses the chunked coding itself here (~1 µs a chunk); read1 goes through
            # http.client's (~4 µs a chunk), and an API stream is often one chunk per event. A chunk
            # is yielded as soon as it (or READ_SIZE of it) has arrived.
            yield from raw.read_chunked(READ_SIZE, decode_content=True)
            cut_at_deadline(response, request)
            return
        while True:
            chunk = raw.read1(READ_SIZE, decode_content=True) if hasattr(raw, "read1") else raw.read(READ_SIZE)
            if not chunk:
                cut_at_deadline(response, request)
                return
            yield chunk
    except APIError:
        raise  # cut_at_deadline's, already typed
    except Exception as exc:
        # urllib3's and http.client's own errors arrive here unwrapped by requests.
        timed_out = "Timeout" in type(exc).__name__ or isinstance(exc, TimeoutError)
        raise connection_error(request, exc, timeout="read" if timed_out else None, reading=True) from exc


def _chunked_socket_reader(response: requests.Response) -> Any:
    """The buffered socket reader under a chunked body not read yet, with no content coding; else None."""
    original = getattr(response.raw, "_fp", None)
    if not isinstance(original, http.client.HTTPResponse):
        return None
    if original.chunked:
        if original.chunk_left is not None:
            return None
    # http.client frames a body as chunked only for a Transfer-Encoding of exactly "chunked"; one that
    # lists other codings before it is chunked too (RFC 9112 section 6.1), and http.client would read
    # it to the connection's close, framing and all.
    elif original.length is not None or not ends_chunked(
        transfer_codings(response.headers.get("Transfer-Encoding", ""))
    ):
        return None
    if response.headers.get("Content-Encoding", "identity").strip().lower() not in ("", "identity"):
        return None
    fp = original.fp
    return fp if fp is not None and hasattr(fp, "read1") else None


def _dechunk(fp: Any, raw: Any) -> Iterator[bytes]:
    """The payload of a chunked body (RFC 9112 section 7.1) as its bytes arrive."""
    read1 = fp.read1
    head = b""  # an unfinished size line (or chunk-ending CRLF / trailer line)
    left = 0  # payload bytes still to come in the current chunk
    crlf = False  # a chunk's payload ended: its CRLF comes next
    trailers = False  # the last chunk came: trailer lines until an empty one
    wanted = FIRST_READ_SIZE
    ended = False  # the empty line after the last chunk came: the body is whole
    while not ended:
        data = read1(wanted)
        if not data:
            raise http.client.IncompleteRead(b"", left or None)
        if len(data) == wanted:
            wanted = min(READ_SIZE, 2 * wanted)
        elif len(data) < wanted // 2:
            wanted = max(FIRST_READ_SIZE, wanted // 2)
        pieces = []
        at, end = 0, len(data)
        while at < end:
            if left:
                if at == 0 and end <= left:
                    pieces.append(data)  # the whole read is payload
                    left -= end
                    crlf = not left
                    break
                piece = data[at : at + left]
                pieces.append(piece)
                left -= len(piece)
                at += len(piece)
                crlf = not left
                continue
            lf = data.find(b"\n", at)
            if lf < 0:
                head += data[at:]
                if len(head) > 4096:
                    raise http.client.HTTPException("a chunk size line is over 4 KiB")
                break
            line = (head + data[at:lf]) if head else data[at:lf]
            head = b""
            at = lf + 1
            if crlf:
                crlf = False
                if line.strip():
                    raise http.client.HTTPException(f"bytes after a chunk's payload: {line[:40]!r}")
                continue
            if trailers:
                ended = not line.strip()
                if ended:
                    break
                continue
            size = line.split(b";", 1)[0].strip()
            try:
                left = int(size, 16)
            except ValueError:
                raise http.client.HTTPException(f"invalid chunk size line {line[:40]!r}") from None
            if left < 0:
                raise http.client.HTTPException(f"invalid chunk size line {line[:40]!r}")
            trailers = left == 0
        if pieces:
            payload = pieces[0] if len(pieces) == 1 else b"".join(pieces)
            # Not held while the caller handles the payload: with many streams in many threads, the
            # read and its pieces would each add a copy of it to every stream in progress.
            del data, pieces
            yield payload
    _finished(raw)


def _finished(raw: Any) -> None:
    """The body was read to its end: the connection goes back to the pool, as urllib3 would do."""
    original = raw._fp
    original.chunk_left = 0
    original._close_conn()  # http.client's own end of a body: the socket stays open for reuse
    raw.release_conn()


def close_response(response: requests.Response) -> None:
    """Close the connection under a response; an unread body is dropped, not drained.

    The socket is shut down first: a read blocked on it in another thread returns at once (closing
    alone waits for that read, which holds the buffered reader's lock)."""
    sock = _socket_of(response)
    # Only in the process that opened it: a forked child's shutdown would cut its parent's stream too.
    if sock is not None and getattr(response, "owner_pid", None) == os.getpid():
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already closed or never connected
    response.close()


def _socket_of(response: requests.Response) -> socket.socket | None:
    connection = getattr(response.raw, "_connection", None)  # None once the body was read and released
    sock = getattr(connection, "sock", None)
    return sock if isinstance(sock, socket.socket) else None


def sleep(seconds: float) -> None:
    time.sleep(seconds)
