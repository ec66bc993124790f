"""JSON bodies bounded in depth: a body nested 100,000 deep made Python's json module raise
RecursionError, a 500. Deeper than ``HEDANG_API_MAX_JSON_DEPTH`` is a 400 before parsing."""

from __future__ import annotations

import io
import re

from django.conf import settings
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_NOT_BRACKETS = re.compile(r"[^\[\]{}]+")


def json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in ``text`` (strings ignored)."""
    brackets = _NOT_BRACKETS.sub("", _STRINGS.sub("", text))
    depth = deepest = 0
    for ch in brackets:
        if ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth -= 1
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        raw = stream.read() if stream is not None else b""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError("请求体不是 UTF-8 编码的 JSON") from exc
        limit = getattr(settings, "HEDANG_API_MAX_JSON_DEPTH", 64)
        if json_depth(text) > limit:
            raise ParseError(f"JSON 嵌套层数超过 {limit} 层")
        try:
            return super().parse(io.BytesIO(raw), media_type, parser_context)
        except RecursionError as exc:  # belt and braces: never a 500
            raise ParseError(f"JSON 嵌套层数超过 {limit} 层") from exc
