# Copied from codegen/runtime/_docstrings.py by `nox -s generate` - edit it there, not here.
"""What a function's docstring says about it: the description, and one line per parameter.

Google (`Args:`), NumPy (`Parameters` over a dashed rule) and reST (`:param x:`) styles are read;
a docstring in none of them is all description."""

from __future__ import annotations

import inspect
import re
from dataclasses import dataclass, field

# Section headings that end the description (Google style, and NumPy's above a dashed rule).
_GOOGLE_PARAMS = frozenset({"args", "arguments", "parameters", "params", "keyword args", "keyword arguments"})
_GOOGLE_SECTIONS = _GOOGLE_PARAMS | frozenset(
    {"returns", "return", "yields", "yield", "raises", "examples", "example", "notes", "note", "see also", "attributes"}
)
_NUMPY_RULE = re.compile(r"^\s*-{3,}\s*$")
_REST_FIELD = re.compile(r"^:(\w+)(?:\s+([^:]*?))?:\s*(.*)$")
_GOOGLE_ITEM = re.compile(r"^\*{0,2}(\w+)\s*(?:\([^)]*\))?\s*:\s*(.*)$")
_NUMPY_ITEM = re.compile(r"^\*{0,2}(\w+)\s*(?::.*)?$")


@dataclass(frozen=True)
class Docstring:
    description: str = ""
    params: dict[str, str] = field(default_factory=dict)


def parse_docstring(doc: str | None) -> Docstring:
    if not doc or not doc.strip():
        return Docstring()
    lines = inspect.cleandoc(doc).splitlines()
    description: list[str] = []
    params: dict[str, str] = {}
    i = 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        heading = stripped.rstrip(":").lower()
        if stripped.endswith(":") and heading in _GOOGLE_SECTIONS and not line.startswith((" ", "\t")):
            block, i = _indented_block(lines, i + 1)
            if heading in _GOOGLE_PARAMS:
                params.update(_items(block, _GOOGLE_ITEM))
            continue
        if i + 1 < len(lines) and _NUMPY_RULE.match(lines[i + 1]) and stripped:
            block, i = _numpy_block(lines, i + 2)
            if heading in _GOOGLE_PARAMS:
                params.update(_items(block, _NUMPY_ITEM, same_line=False))
            continue
        rest = _REST_FIELD.match(stripped)
        if rest:
            kind, argument, text = rest.groups()
            block, i = _indented_block(lines, i + 1)
            if kind in ("param", "parameter", "arg", "argument", "key", "keyword") and argument:
                name = argument.split()[-1]
                params[name] = _join([text, *block])
            continue
        description.append(line)
        i += 1
    return Docstring(description="\n".join(description).strip(), params=params)


def _indented_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """The lines from `start` that are indented (or blank between indented ones), dedented; and where they end."""
    block: list[str] = []
    i = start
    while i < len(lines) and (lines[i].startswith((" ", "\t")) or (not lines[i].strip() and _more_indented(lines, i))):
        block.append(lines[i])
        i += 1
    return _dedent(block), i


def _more_indented(lines: list[str], i: int) -> bool:
    return i + 1 < len(lines) and lines[i + 1].startswith((" ", "\t"))


def _numpy_block(lines: list[str], start: int) -> tuple[list[str], int]:
    """A NumPy section's body: up to the next heading (a line above a dashed rule) or the end."""
    i = start
    while i < len(lines) and not (i + 1 < len(lines) and _NUMPY_RULE.match(lines[i + 1]) and lines[i].strip()):
        i += 1
    return lines[start:i], i


def _dedent(block: list[str]) -> list[str]:
    indents = [len(line) - len(line.lstrip()) for line in block if line.strip()]
    cut = min(indents, default=0)
    return [line[cut:] for line in block]


def _items(block: list[str], item: re.Pattern[str], *, same_line: bool = True) -> dict[str, str]:
    """`name: text` entries (Google) or `name : type` over indented text (NumPy), continuation lines joined."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in block:
        match = item.match(line) if line and not line.startswith((" ", "\t")) else None
        if match:
            current = found[match.group(1)] = [match.group(2)] if same_line else []
        elif current is not None:
            current.append(line)
    return {name: _join(parts) for name, parts in found.items()}


def _join(parts: list[str]) -> str:
    return " ".join(part.strip() for part in parts if part.strip())
