# Copied from codegen/runtime/testing/__main__.py by `nox -s generate` - edit it there, not here.
"""`python -m <package>.testing`: run the fake Interactions API in the foreground."""

from __future__ import annotations

import argparse
import signal
import sys
from types import FrameType

from .._version import API_REVISION
from ._faults import Faults
from ._server import InteractionsTestServer


def _build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m gemini_interactions.testing",
        description="Run a fake Gemini Interactions API server for manual and integration testing.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument(
        "--port",
        type=int,
        default=8765,
        help="port to bind; 0 picks a free one (default 8765)",
    )
    parser.add_argument("--scenario", default=None, help="default scenario for every create request")
    parser.add_argument(
        "--scenarios-dir",
        action="append",
        default=[],
        help="load extra .json/.sse scenarios",
    )
    parser.add_argument(
        "--api-key",
        default="test-key",
        help="expected x-goog-api-key (default test-key)",
    )
    parser.add_argument(
        "--no-auth",
        action="store_true",
        help="accept requests without/with any API key",
    )
    parser.add_argument(
        "--revision",
        default=API_REVISION,
        help=f"server Api-Revision (default {API_REVISION})",
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        help="server-wide fault spec, e.g. drop_after=3 or 'status=503;times=2' (repeatable)",
    )
    parser.add_argument(
        "--list-scenarios",
        action="store_true",
        help="print the scenario names and exit",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _build_parser().parse_args(argv)
    faults = Faults()
    for spec in args.fault:
        faults = faults.merged(Faults.parse(spec))
    server = InteractionsTestServer(
        args.scenarios_dir,
        api_key=None if args.no_auth else args.api_key,
        revision=args.revision,
        host=args.host,
        port=args.port,
        default_scenario=args.scenario,
        faults=faults,
    )
    if args.list_scenarios:
        for name, scenario in sorted(server.scenarios.items()):
            print(f"{name}\t{scenario.description}")
        return 0
    if args.scenario and args.scenario not in server.scenarios:
        print(
            f"unknown scenario {args.scenario!r}; known: {', '.join(sorted(server.scenarios))}",
            file=sys.stderr,
        )
        return 2

    def _terminate(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, _terminate)
    server.start()
    print(server.base_url, flush=True)
    print(
        f"Interactions API fake serving at {server.base_url}/v1beta/interactions "
        f"(scenarios: {', '.join(sorted(server.scenarios))}); Ctrl-C to stop.",
        file=sys.stderr,
        flush=True,
    )
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
