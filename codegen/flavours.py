"""The two client flavours. Templates shared by both use these words where sync and async code differ."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flavour:
    name: str  # folder under generated/ and under codegen/templates/
    package: str
    distribution: str
    client_class: str
    stream_class: str
    dependencies: tuple[str, ...]
    is_async: bool
    response_type: str  # the HTTP library's response class, as written in annotations
    status_attr: str  # its attribute holding the HTTP status
    read_body: str  # expression reading a whole `response` body as bytes
    sse_block_parser: str  # the SSE field parser this flavour hands framed events to (see _sse.py)
    session_type: str
    console_scripts: tuple[tuple[str, str], ...] = ()  # (command, "module:function") installed with the package
    # pip extras: google-auth for Client(credentials=<google-auth Credentials>), imported only when used
    extras: tuple[tuple[str, tuple[str, ...]], ...] = (("google-auth", ("google-auth[requests]>=2.20,<3",)),)

    @property
    def async_(self) -> str:
        return "async " if self.is_async else ""

    @property
    def await_(self) -> str:
        return "await " if self.is_async else ""

    @property
    def iterator(self) -> str:
        return "AsyncIterator" if self.is_async else "Iterator"

    @property
    def iter_method(self) -> str:
        return "__aiter__" if self.is_async else "__iter__"

    @property
    def enter_method(self) -> str:
        return "__aenter__" if self.is_async else "__enter__"

    @property
    def exit_method(self) -> str:
        return "__aexit__" if self.is_async else "__exit__"

    @property
    def for_(self) -> str:
        return "async for" if self.is_async else "for"

    @property
    def with_(self) -> str:
        return "async with" if self.is_async else "with"

    def yield_each(self, iterable: str) -> str:
        """Statement(s) passing on every item of `iterable` from a generator (indent with Jinja's `indent`)."""
        if self.is_async:
            return f"for item in {iterable}:\n    yield item"  # an async generator has no `yield from`
        return f"yield from {iterable}"

    @property
    def raw_response_wrapper(self) -> str:
        """The _response.py function that turns a resource method into its with_raw_response twin."""
        return "async_to_raw_response_wrapper" if self.is_async else "to_raw_response_wrapper"

    @property
    def runtime_dir(self) -> str:
        return f"runtime_{self.name}"


COMMON_DEPENDENCIES = ("pydantic>=2.11,<3", "typing-extensions>=4.12")

SYNC = Flavour(
    name="sync",
    package="gemini_interactions",
    distribution="gemini-interactions",
    client_class="Client",
    stream_class="Stream",
    dependencies=("requests>=2.32", "urllib3>=2", "sseclient-py>=1.8", *COMMON_DEPENDENCIES),
    is_async=False,
    response_type="requests.Response",
    status_attr="status_code",
    read_body="response.content",
    sse_block_parser="sseclient_block_parser()",
    console_scripts=(("gemini-interactions", "gemini_interactions.cli:main"),),
    session_type="requests.Session",
)

ASYNC = Flavour(
    name="async",
    package="gemini_interactions_async",
    distribution="gemini-interactions-async",
    client_class="AsyncClient",
    stream_class="AsyncStream",
    dependencies=("aiohttp>=3.10", *COMMON_DEPENDENCIES),
    is_async=True,
    response_type="aiohttp.ClientResponse",
    status_attr="status",
    read_body="await response.read()",
    sse_block_parser="parse_block",
    session_type="aiohttp.ClientSession",
)

FLAVOURS = (SYNC, ASYNC)
