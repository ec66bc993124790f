"""Crawl the admin as one user: every menu entry and the pages one link away from it, and
report the English UI text found (outside a small allow-list)."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

SIDEBAR = re.compile(r'id="wagtail-sidebar-props"[^>]*>(.*?)</script>', re.S)
SKIP_LINK = re.compile(
    r"/admin/bulk/|logout|download|/pdf/|\.zip|\.xlsx|\.csv|format=|delete|export|/image/"
)
WORD = re.compile(r"[A-Za-z][A-Za-z'’]{2,}")
# Abbreviations and names that are Chinese UI practice, keyboard keys, and the test users.
ALLOWED_WORDS = set(
    """PDF CSV XLSX OCR API URL DPI dpi QR JSON SHA PNG JPEG TIFF JPG ZIP GB DA Esc Ctrl Alt
    Shift JavaScript English Hedang archivist inspector admin MD5 CA HTTPS PEM CRL""".split()
)
# Data, not UI: hashes, paths, file names, media types, time-zone names (帐号 settings).
DATA = re.compile(
    r"[0-9a-f]{12,}|/[\w/.<>-]+|[\w.-]+\.(?:py|csv|pdf|png|jpg|json|zip)\b|"
    r"\b(?:application|image|text)/[\w.+-]+|\b[A-Z][A-Za-z_]+/[A-Za-z_/+-]+|\bUTC\b|GMT[+-]?\d*"
)


VOID = {"input", "img", "br", "hr", "meta", "link", "source", "area", "col", "embed", "wbr"}


class _Text(HTMLParser):
    def __init__(self):
        super().__init__()
        self.texts: list[str] = []
        self.links: list[str] = []
        self._skip = 0
        self._tz = 0
        self._hidden = 0
        self._hidden_tag = ""

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self._hidden:
            self._hidden += tag == self._hidden_tag
            return
        if "hidden" in a and tag not in VOID:  # not shown (e.g. the CMS permission panels)
            self._hidden, self._hidden_tag = 1, tag
            return
        if tag in ("script", "style", "svg", "code"):  # <code>: commands and data, not UI
            self._skip += 1
        if tag == "select" and (a.get("name") or "").endswith("current_time_zone"):
            self._tz += 1
        for name in ("placeholder", "title", "aria-label", "alt"):
            if a.get(name):
                self.texts.append(a[name])
        if tag == "input" and a.get("type") in ("submit", "button") and a.get("value"):
            self.texts.append(a["value"])
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])

    def handle_endtag(self, tag):
        if self._hidden:
            self._hidden -= tag == self._hidden_tag
            return
        if tag in ("script", "style", "svg", "code") and self._skip:
            self._skip -= 1
        if tag == "select" and self._tz:
            self._tz -= 1

    def handle_data(self, data):
        if not self._hidden and not self._skip and not self._tz and data.strip():
            self.texts.append(data.strip())


def english_words(texts: list[str]) -> set[str]:
    found = set()
    for text in texts:
        for word in WORD.findall(DATA.sub(" ", text)):
            if word not in ALLOWED_WORDS:
                found.add(word)
    return found


def menu_urls(client) -> list[str]:
    html = client.get("/admin/").content.decode()
    props = json.loads(SIDEBAR.search(html).group(1))
    return sorted(set(re.findall(r'"url": "(/admin/[^"]*)"', json.dumps(props))))


def _shape(url: str) -> str:
    """One page per URL shape: /admin/items/12/ and /admin/items/13/ are the same screen."""
    path = url.split("?")[0]
    return re.sub(r"/\d+/", "/N/", path) + ("?" if "?" in url else "")


def crawl(client, limit: int = 80) -> tuple[dict[str, set[str]], dict[str, int], list[str]]:
    """(english words per URL, non-200 statuses per URL, the menu URLs)."""
    menu = menu_urls(client)
    queue = [("/admin/", 0)] + [(u, 0) for u in menu]
    seen, shapes, english, errors = set(), set(), {}, {}
    while queue and len(seen) < limit:
        url, depth = queue.pop(0)
        if url in seen or (depth and _shape(url) in shapes):
            continue
        seen.add(url)
        shapes.add(_shape(url))
        response = client.get(url)
        if response.status_code != 200:
            if response.status_code not in (301, 302):
                errors[url] = response.status_code
            continue
        if "text/html" not in response.get("Content-Type", ""):
            continue
        parser = _Text()
        parser.feed(response.content.decode())
        words = english_words(parser.texts)
        # Wagtail's online help (guide.wagtail.org, docs.wagtail.org) is English and outside.
        words |= {link for link in parser.links if "wagtail.org" in link or "wagtail.io" in link}
        if words:
            english[url] = words
        if depth == 0:
            for link in parser.links:
                link = link.split("#")[0]
                if link.startswith("/admin/") and not SKIP_LINK.search(link):
                    queue.append((link, 1))
    return english, errors, menu
