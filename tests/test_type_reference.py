"""The generated type reference (in each package's README) lists every variant of every union of the spec."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from codegen.project import PACKAGE_PROJECTS

from .conftest import REPO, current_spec

SCHEMAS: dict[str, Any] = current_spec()["components"]["schemas"]
UNIONS = {name: schema for name, schema in SCHEMAS.items() if "discriminator" in schema}
READMES = [REPO / project / "README.md" for project in PACKAGE_PROJECTS]


def sections(readme: Path) -> dict[str, str]:
    """`### \\`Union\\`` heading -> the text under it."""
    text = readme.read_text(encoding="utf-8")
    reference = text.split("## Type reference", 1)[1]
    parts = re.split(r"^### `(\w+)`.*$", reference, flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


@pytest.mark.parametrize("readme", READMES, ids=lambda p: p.parent.name)
def test_every_union_variant_is_listed_with_its_description(readme: Path) -> None:
    found = sections(readme)
    assert list(found) == list(UNIONS)  # spec order: events, steps, deltas first
    for union, schema in UNIONS.items():
        rows = {
            cells[0].strip(" `"): cells
            for line in found[union].splitlines()
            if line.startswith("| `") and len(cells := line.strip("|").split(" | ")) == 4 and cells[1] != "class"
        }
        mapping = schema["discriminator"]["mapping"]
        assert sorted(rows) == sorted(mapping), union
        for tag, ref in mapping.items():
            variant = ref.rsplit("/", 1)[1]
            assert rows[tag][1].strip() == f"`{variant}`"
            assert rows[tag][3].strip() == " ".join(SCHEMAS[variant]["description"].split()).replace("|", "\\|")
            for prop in SCHEMAS[variant]["properties"]:
                if prop != schema["discriminator"]["propertyName"]:
                    assert f"`{prop}`" in rows[tag][2], f"{union}.{tag}: {prop}"
        assert f"`Unknown{union}`" in found[union]


def test_the_repository_readme_links_the_reference() -> None:
    assert "(generated/sync/README.md#type-reference)" in (REPO / "README.md").read_text(encoding="utf-8")
