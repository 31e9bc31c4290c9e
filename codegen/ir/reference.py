"""The type reference each package's README lists: every open union, a row per variant."""

from __future__ import annotations

from .nodes import Model, OpenUnion, ReferenceRow, ReferenceSection
from .types import OpenEnum

LONGEST_ENUM_SHOWN = 4  # values; a longer enum reads `str (N known values)`


def _markdown_cell(text: str) -> str:
    return text.replace("|", "\\|")


def _abridged(enum: OpenEnum) -> str | None:
    count = len(enum.values)
    return f"str ({count} known values)" if count > LONGEST_ENUM_SHOWN else None


def reference_sections(unions: tuple[OpenUnion, ...], models: tuple[Model, ...]) -> tuple[ReferenceSection, ...]:
    """The type reference of every open union, in spec order: events, steps, deltas, content, tools, ..."""
    by_name = {m.name: m for m in models}
    sections = []
    for union in unions:
        rows = []
        for variant in union.variants:
            model = by_name[variant.model]
            fields = ", ".join(
                f"`{f.name}`{'' if f.required else '?'}: {_markdown_cell(f.type.render(_abridged))}"
                for f in model.fields
                if f.name != union.discriminator
            )
            rows.append(
                ReferenceRow(
                    tag=variant.tag,
                    model=variant.model,
                    fields=fields or "(none)",
                    description=_markdown_cell(model.description),
                )
            )
        sections.append(
            ReferenceSection(
                union=union.name,
                discriminator=union.discriminator,
                description=union.description,
                unknown_model=union.unknown_model,
                rows=tuple(rows),
            )
        )
    return tuple(sections)
