"""mkdocs hook: the README sections the pages include link to repository files; on the site those links
point at the page that shows the file, or else at the file in the repository."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

from markdown import Markdown
from markdown.extensions import Extension
from markdown.preprocessors import Preprocessor

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
from codegen import release  # noqa: E402

# Repository files that the site shows as a page of its own (the including pages are all top-level).
PAGES = {
    "CHANGELOG.md": "changelog.md",
    "generated/sync/README.md": "types.md",
    "generated/async/README.md": "types.md",
}
LINK = re.compile(r"\]\((?!https?:|#|mailto:)([^)#\s]+)(#[^)\s]*)?\)")


def _relink(match: re.Match[str]) -> str:
    target, anchor = match.group(1), match.group(2) or ""
    if target in PAGES:
        return f"]({PAGES[target]}{'' if target.endswith('README.md') else anchor})"
    if (REPO / target).exists():
        return f"]({release.REPOSITORY}/blob/main/{target}{anchor})"
    return match.group(0)  # a link between the site's own pages


class _RepositoryLinks(Preprocessor):
    def run(self, lines: list[str]) -> list[str]:
        return [LINK.sub(_relink, line) for line in lines]


class RepositoryLinks(Extension):
    def extendMarkdown(self, md: Markdown) -> None:  # noqa: N802 (Markdown's name)
        # After pymdownx.snippets (priority 32) has pulled the README's text in.
        md.preprocessors.register(_RepositoryLinks(md), "repository_links", 31)


def on_config(config: Any) -> Any:
    config["markdown_extensions"].append(RepositoryLinks())
    return config
