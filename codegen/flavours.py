"""The two client flavours: the words and names in which sync and async code differ, for the shared templates.

What the HTTP libraries do differently (reading a body, the status, the SSE parser) is code in
codegen/runtime_sync/ and codegen/runtime_async/, which the templates import by one name."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Flavour:
    name: str  # folder under generated/; codegen/runtime_<name>/ holds its transport
    package: str
    distribution: str
    client_class: str
    stream_class: str
    dependencies: tuple[str, ...]
    is_async: bool
    http_library: str  # the module the clients take sessions from and hand responses of
    session_class: str  # its session class, which a client accepts as `session=`
    response_class: str  # its response class, which Stream.response and RawResponse.http_response hold
    console_scripts: tuple[tuple[str, str], ...] = ()  # (command, "module:function") installed with the package
    # pip extras: google-auth for Client(credentials=<google-auth Credentials>), imported only when used
    extras: tuple[tuple[str, tuple[str, ...]], ...] = (("google-auth", ("google-auth[requests]>=2.20,<3",)),)

    @property
    def session_type(self) -> str:
        return f"{self.http_library}.{self.session_class}"

    @property
    def response_type(self) -> str:
        return f"{self.http_library}.{self.response_class}"

    @property
    def credentials_type(self) -> str:
        """What `credentials=` takes: the async client also takes an async callable."""
        return "AsyncCredentialsLike" if self.is_async else "CredentialsLike"

    @property
    def credentials_callable(self) -> str:
        return "a callable or coroutine function" if self.is_async else "a callable"

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

    def named(self, name: str) -> str:
        """A flavour-specific class name, spelled as the client and stream classes are (`AsyncX` in async)."""
        return f"Async{name}" if self.is_async else name

    @property
    def page_class(self) -> str:
        """The base class of list pages (`_pages.py`)."""
        return "AsyncPage" if self.is_async else "Page"

    @property
    def runtime_dir(self) -> str:
        return f"runtime_{self.name}"


# Floors are what `nox -s lowest` installs exactly and runs the runtime tests on; caps at the next major
# where the code relies on more than a documented interface (urllib3's read_chunked/read1, sseclient's events()).
COMMON_DEPENDENCIES = ("pydantic>=2.11,<3", "typing-extensions>=4.12.2")

SYNC = Flavour(
    name="sync",
    package="gemini_interactions",
    distribution="gemini-interactions",
    client_class="Client",
    stream_class="Stream",
    dependencies=(
        "requests>=2.32.4,<3",  # 2.32.0-2.32.3: yanked or CVE-2024-47081 (.netrc credentials leak)
        # 2.2 added HTTPResponse.read1 (below it a stream waits for 64 KiB before an event); before 2.2.3 a
        # proxy's refused CONNECT leaves the socket open on Python < 3.11.4 (urllib3 #3374).
        "urllib3>=2.2.3,<3",
        "sseclient-py>=1.8,<2",
        *COMMON_DEPENDENCIES,
    ),
    is_async=False,
    http_library="requests",
    session_class="Session",
    response_class="Response",
    console_scripts=(("gemini-interactions", "gemini_interactions.cli:main"),),
)

ASYNC = Flavour(
    name="async",
    package="gemini_interactions_async",
    distribution="gemini-interactions-async",
    client_class="AsyncClient",
    stream_class="AsyncStream",
    dependencies=("aiohttp>=3.11,<4", *COMMON_DEPENDENCIES),  # 3.11: ClientSession(proxy=...), as in the README
    is_async=True,
    http_library="aiohttp",
    session_class="ClientSession",
    response_class="ClientResponse",
)

FLAVOURS = (SYNC, ASYNC)
