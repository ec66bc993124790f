"""操作手册: the Chinese user guide in docs/manual/*.md, rendered for the 帮助 menu.

Pages are Markdown (CommonMark with tables). ``index.md`` is the first page; the others follow
in ``ORDER`` and then by file name. Links to ``other.md`` and images under ``img/`` are
rewritten to the admin's own URLs, so the guide works offline inside the admin.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.urls import reverse
from markdown_it import MarkdownIt

MANUAL_DIR = Path(settings.BASE_DIR) / "docs" / "manual"
IMAGE_DIR = MANUAL_DIR / "img"
IMAGE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.(png|jpg|jpeg|svg)$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
ORDER = [
    "index",
    "dashboard",
    "ingest",
    "scanning",
    "review",
    "search",
    "lists",
    "boxes",
    "printing",
    "statistics",
    "loans",
    "retention",
    "consistency",
    "accounts",
]


@dataclass(frozen=True)
class ManualPage:
    slug: str
    title: str
    path: Path


def _title(path: Path) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    return path.stem


def pages() -> list[ManualPage]:
    found = {
        p.stem: ManualPage(p.stem, _title(p), p)
        for p in MANUAL_DIR.glob("*.md")
        if SLUG.match(p.stem)
    }
    rank = {slug: n for n, slug in enumerate(ORDER)}
    return sorted(found.values(), key=lambda p: (rank.get(p.slug, len(ORDER)), p.slug))


def find(slug: str) -> ManualPage | None:
    return next((p for p in pages() if p.slug == slug), None)


_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")
_IMG = re.compile(r'src="(?:\./)?img/([^"]+)"')
_LINK = re.compile(r'href="(?:\./)?([a-z0-9][a-z0-9_-]*)\.md(#[^"]*)?"')


def render(page: ManualPage) -> str:
    """The page as HTML; raw HTML in the Markdown is escaped (html=False)."""
    return _render(str(page.path), page.path.stat().st_mtime)


@lru_cache(maxsize=64)
def _render(path: str, mtime: float) -> str:
    html = _md.render(Path(path).read_text(encoding="utf-8"))
    html = _IMG.sub(lambda m: f'src="{reverse("staffui:manual_image", args=(m[1],))}"', html)
    return _LINK.sub(
        lambda m: f'href="{reverse("staffui:manual_page", args=(m[1],))}{m[2] or ""}"', html
    )


def image_path(name: str) -> Path | None:
    if not IMAGE_NAME.match(name):
        return None
    path = IMAGE_DIR / name
    return path if path.is_file() else None
