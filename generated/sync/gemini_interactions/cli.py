# Copied from codegen/runtime_sync/cli.py by `nox -s generate` - edit it there, not here.
"""`gemini-interactions`: ask the Gemini Interactions API from a terminal and watch the answer stream in.

    gemini-interactions "Count to 25" --model gemini-3-flash-preview
    echo "What is the GCD of 1071 and 462?" | gemini-interactions - --thinking
    gemini-interactions "Research quantum computing" --agent deep-research-preview-04-2026 --json

Exit codes: 0 done, 1 the API or the stream failed, 2 usage error or no API key, 130 interrupted.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import sys
from collections.abc import Sequence
from typing import Any, TextIO

from . import types
from ._client import Client
from ._config import API_KEY_ENV_VARS
from ._exceptions import APIStatusError, GeminiInteractionsError, MissingAPIKeyError
from ._version import API_REVISION, __version__

DEFAULT_MODEL = "gemini-3-flash-preview"
POLL_INTERVAL = 1.0  # seconds between get() calls while a --no-stream background interaction runs
EXIT_ERROR, EXIT_USAGE, EXIT_INTERRUPTED = 1, 2, 130


class CLIError(Exception):
    """A failure reported on stderr with exit code 1."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gemini-interactions",
        description="Send a prompt to the Gemini Interactions API and stream the answer to stdout.",
        epilog="The API key comes from --api-key, else GEMINI_API_KEY, else GOOGLE_API_KEY.",
    )
    parser.add_argument("prompt", help='the prompt; "-" reads it from stdin')
    who = parser.add_mutually_exclusive_group()
    who.add_argument("-m", "--model", help=f"model to ask (default {DEFAULT_MODEL})")
    who.add_argument("--agent", help="agent to run instead of a model (runs in the background, e.g. deep research)")
    parser.add_argument("-s", "--system-instruction", help="system instruction for the model")
    parser.add_argument("--thinking", action="store_true", help="request and show thought summaries (dimmed)")
    parser.add_argument(
        "--tool",
        action="append",
        default=[],
        metavar="TYPE",
        help="enable a built-in tool, e.g. google_search, code_execution, url_context (repeatable)",
    )
    parser.add_argument("--json", action="store_true", help="print every event as one JSON object per line")
    parser.add_argument("--no-stream", action="store_true", help="wait for the interaction and print its final text")
    parser.add_argument("--api-key", help="API key (default: GEMINI_API_KEY, then GOOGLE_API_KEY)")
    parser.add_argument("--base-url", help="API base URL (default https://generativelanguage.googleapis.com)")
    parser.add_argument("--api-version", help="API version path segment (default v1beta)")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__} (API revision {API_REVISION})")
    return parser


def request_params(args: argparse.Namespace, prompt: str) -> dict[str, Any]:
    """Keyword arguments of `client.interactions.create` for the command line."""
    params: dict[str, Any] = {"input": prompt}
    if args.agent:
        params["agent"] = args.agent
        params["background"] = True  # agents such as deep research only run in the background
        if args.thinking:
            params["agent_config"] = {"type": "deep-research", "thinking_summaries": "auto"}
    else:
        params["model"] = args.model or DEFAULT_MODEL
        if args.thinking:
            params["generation_config"] = {"thinking_summaries": "auto"}
    if args.system_instruction:
        params["system_instruction"] = args.system_instruction
    if args.tool:
        params["tools"] = [{"type": name} for name in args.tool]
    return params


class Renderer:
    """Writes stream events to a terminal: text inline, thoughts dimmed, tool calls on lines of their own."""

    def __init__(self, out: TextIO, *, show_thoughts: bool, color: bool, quiet: bool = False) -> None:
        self.out = out
        self.quiet = quiet  # --json: only track the status and errors
        self.show_thoughts = show_thoughts
        self.color = color
        self.status: str | None = None
        self.error: str | None = None
        self._arguments: dict[int, str] = {}  # accumulated arguments_delta per function_call step
        self._names: dict[int, str] = {}
        self._in_thought = False
        self._line_start = True

    def feed(self, event: types.InteractionSSEEvent) -> None:
        if isinstance(event, types.StepStart):
            step = event.step
            if isinstance(step, types.FunctionCallStep):
                self._names[event.index] = step.name
                self._arguments[event.index] = json.dumps(step.arguments) if step.arguments else ""
            elif isinstance(step, types.GoogleSearchCallStep) and step.arguments and step.arguments.queries:
                self._line(f"[google_search: {'; '.join(step.arguments.queries)}]")
        elif isinstance(event, types.StepDelta):
            self._delta(event.index, event.delta)
        elif isinstance(event, types.StepStop):
            self._end_thought()
            if event.index in self._names:
                name = self._names.pop(event.index)
                arguments = self._arguments.pop(event.index, "") or "{}"
                self._line(f"[call {name}({arguments})]")
        elif isinstance(event, (types.InteractionCompletedEvent, types.InteractionCreatedEvent)):
            self.status = event.interaction.status
        elif isinstance(event, types.InteractionStatusUpdate):
            self.status = event.status
        elif isinstance(event, types.ErrorEvent):
            error = event.error
            self.error = f"{(error.code if error else None) or 'error'}: {(error.message if error else None) or ''}"

    def _delta(self, index: int, delta: types.StepDeltaData) -> None:
        if isinstance(delta, types.TextDelta):
            self._end_thought()
            self._write(delta.text)
        elif isinstance(delta, types.ThoughtSummaryDelta):
            if self.show_thoughts and isinstance(delta.content, types.TextContent):
                self._in_thought = True
                self._write(self._dim(delta.content.text))
        elif isinstance(delta, types.ArgumentsDelta):
            if index in self._arguments:
                # A step.start that carried whole arguments is superseded by streamed ones.
                previous = self._arguments[index] if self._arguments[index] != "{}" else ""
                self._arguments[index] = previous + (delta.arguments or "")
        elif isinstance(delta, types.GoogleSearchCallDelta) and delta.arguments.queries:
            self._line(f"[google_search: {'; '.join(delta.arguments.queries)}]")
        elif isinstance(delta, types.ImageDelta):
            size = len(base64.b64decode(delta.data)) if delta.data else 0
            self._line(f"[image: {size} bytes]")

    def finish(self) -> None:
        self._end_thought()
        if not self._line_start:
            self._write("\n")

    def _end_thought(self) -> None:
        if self._in_thought:
            self._in_thought = False
            if not self._line_start:
                self._write("\n")

    def _line(self, text: str) -> None:
        self._end_thought()
        if not self._line_start:
            self._write("\n")
        self._write(text + "\n")

    def _dim(self, text: str) -> str:
        return f"\x1b[2m{text}\x1b[0m" if self.color and text else text

    def _write(self, text: str) -> None:
        if text and not self.quiet:
            self._line_start = text.removesuffix("\x1b[0m").endswith("\n")
            self.out.write(text)
            self.out.flush()


def final_text(interaction: types.Interaction) -> str:
    """The text of an interaction's model_output steps."""
    parts: list[str] = []
    for step in interaction.steps or []:
        if isinstance(step, types.ModelOutputStep):
            parts.extend(c.text for c in step.content or [] if isinstance(c, types.TextContent))
    return "".join(parts)


def run_stream(client: Client, params: dict[str, Any], args: argparse.Namespace, out: TextIO) -> None:
    color = out.isatty() and "NO_COLOR" not in os.environ
    renderer = Renderer(out, show_thoughts=args.thinking, color=color, quiet=args.json)
    with client.interactions.create(**params, stream=True) as stream:
        for event in stream:
            if args.json:
                out.write(json.dumps(event.to_dict(), ensure_ascii=False) + "\n")
                out.flush()
            renderer.feed(event)
    renderer.finish()
    if renderer.error:
        raise CLIError(f"the stream reported an error: {renderer.error}")
    if renderer.status in ("failed", "cancelled", "incomplete"):
        raise CLIError(f"the interaction ended with status {renderer.status}")


def run_once(client: Client, params: dict[str, Any], args: argparse.Namespace, out: TextIO) -> None:
    if params.get("background"):
        # A background run (an agent): waited for while queued or in progress, cancelled on Ctrl-C.
        foreground = {k: v for k, v in params.items() if k != "background"}
        interaction = client.interactions.create_and_wait(
            **foreground, poll_interval=POLL_INTERVAL, on_update=lambda i: _status(i, args)
        )
    else:
        interaction = client.interactions.create(**params)
    if args.json:
        out.write(json.dumps(interaction.to_dict(), ensure_ascii=False) + "\n")
    else:
        text = final_text(interaction)
        out.write(text if text.endswith("\n") or not text else text + "\n")
    out.flush()
    if interaction.status in ("failed", "cancelled", "incomplete", "budget_exceeded"):
        raise CLIError(f"the interaction ended with status {interaction.status}")


def _status(interaction: types.Interaction, args: argparse.Namespace) -> None:
    """A background run's status changes, on stderr (stdout keeps only the answer)."""
    if not args.json:
        print(f"gemini-interactions: {interaction.id}: {interaction.status}", file=sys.stderr, flush=True)


def _redact(message: str, secret: str | None) -> str:
    return message.replace(secret, "***") if secret else message


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    key = args.api_key or next((os.environ[v] for v in API_KEY_ENV_VARS if os.environ.get(v)), None)
    try:
        prompt: str = sys.stdin.read() if args.prompt == "-" else args.prompt
        if not prompt.strip():
            parser.error("the prompt is empty")
        try:
            client = Client(api_key=args.api_key, base_url=args.base_url, api_version=args.api_version)
        except MissingAPIKeyError as exc:
            print(f"gemini-interactions: {exc} On the command line: --api-key KEY.", file=sys.stderr)
            return EXIT_USAGE
        params = request_params(args, prompt)
        with client:
            if args.no_stream:
                run_once(client, params, args, sys.stdout)
            else:
                run_stream(client, params, args, sys.stdout)
    except KeyboardInterrupt:
        sys.stdout.flush()
        print("\ngemini-interactions: interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except APIStatusError as exc:
        code = f" {exc.code}" if exc.code else ""
        print(f"gemini-interactions: API error {exc.status_code}{code}: {_redact(exc.message, key)}", file=sys.stderr)
        return EXIT_ERROR
    except (GeminiInteractionsError, CLIError) as exc:
        print(f"gemini-interactions: {type(exc).__name__}: {_redact(str(exc), key)}", file=sys.stderr)
        return EXIT_ERROR
    except BrokenPipeError:
        # The reader went away (e.g. `| head`): stop quietly, without a second error at exit.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_ERROR
    return 0


if __name__ == "__main__":
    sys.exit(main())
