"""A small CJK font for the visible seal stamp, cut from a system font collection.

pyHanko's glyph accumulator opens a single OpenType/TrueType face and cannot pick a face out
of a .ttc collection; Debian's fonts-noto-cjk ships only collections. So the stamp font is a
subset of one face (Noto Sans CJK SC by default, WenQuanYi Zen Hei as fallback) holding
ASCII, the stamp's fixed words and every character of the agencies' names, written once to
``$HEDANG_DATA_DIR/fonts/`` and reused. A stamp text with a character outside it gets a new
subset that adds it. Small subsets also keep pyHanko's per-seal subsetting quick.
"""

from __future__ import annotations

import hashlib
import os
import threading
from pathlib import Path

from django.conf import settings

BASE_CHARS = frozenset(
    [chr(c) for c in range(0x20, 0x7F)]
    + list("电子档案归档章核对机构经济状况中心：，。（）·—年月日号")
)

_lock = threading.Lock()
_fonts: list[tuple[frozenset[str], str]] = []


def font_factory(text: str, font_size: int = 9):
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory

    return GlyphAccumulatorFactory(font_for(text), font_size=font_size)


def font_for(text: str) -> str:
    """The path of a subset font that has every character of ``text``."""
    needed = frozenset(text) - {"\n", "\r", "\t"}
    for covered, path in _fonts:
        if needed <= covered:
            return path
    with _lock:
        for covered, path in _fonts:
            if needed <= covered:
                return path
        charset = needed | BASE_CHARS | _agency_chars()
        path = _build(charset)
        _fonts.append((charset, path))
        return path


def _agency_chars() -> frozenset[str]:
    from archive.models import Agency

    names = Agency.objects.values_list("name", flat=True)
    return frozenset("".join(names))


def _source() -> tuple[str, int]:
    """(path, face index) of the first configured face that exists."""
    from fontTools.ttLib import TTCollection

    for path, family in settings.HEDANG_STAMP_FONTS:
        if not Path(path).exists():
            continue
        if not path.lower().endswith((".ttc", ".otc")):
            return path, -1
        collection = TTCollection(path, lazy=True)
        for index, face in enumerate(collection.fonts):
            if not family or face["name"].getDebugName(1) == family:
                return path, index
    raise FileNotFoundError(
        "没有可用于签章的中文字体：" + "、".join(p for p, _ in settings.HEDANG_STAMP_FONTS)
    )


def _build(charset: frozenset[str]) -> str:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    source, index = _source()
    digest = hashlib.sha256(
        f"{source}#{index}\n".encode() + "".join(sorted(charset)).encode()
    ).hexdigest()[:20]
    folder = Path(settings.DATA_DIR) / "fonts"
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"stamp-{digest}.ttf"
    if target.exists():
        return str(target)
    font = TTFont(source, fontNumber=index, lazy=True) if index >= 0 else TTFont(source, lazy=True)
    options = subset.Options()
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.layout_features = []  # horizontal CJK needs no shaping features
    options.drop_tables += ["GSUB", "GPOS", "GDEF", "BASE", "VORG", "vhea", "vmtx", "DSIG"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in charset])
    subsetter.subset(font)
    if "CFF " in font:
        _cff_to_truetype(font)
    tmp = target.with_name(f"{target.name}.{os.getpid()}.{threading.get_ident()}.tmp")
    font.save(str(tmp))
    os.replace(tmp, target)
    return str(target)


def _cff_to_truetype(font) -> None:
    """Replace CFF outlines by quadratic TrueType ones (fontTools' otf2ttf recipe).

    pyHanko re-compiles an embedded CFF font's charstrings on every seal, which costs about
    as much as the rest of the signature; a glyf font is embedded at a fraction of that.
    """
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen
    from fontTools.ttLib import newTable

    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyphs = {}
    for name in order:
        pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = glyphs
    for table in ("CFF ", "VORG"):
        if table in font:
            del font[table]
    glyf.compile(font)
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)
    maxp = newTable("maxp")
    maxp.tableVersion = 0x00010000
    for attr in (
        "maxZones",
        "maxTwilightPoints",
        "maxStorage",
        "maxFunctionDefs",
        "maxInstructionDefs",
        "maxStackElements",
        "maxSizeOfInstructions",
        "maxComponentElements",
    ):
        setattr(maxp, attr, 1 if attr == "maxZones" else 0)
    font["maxp"] = maxp
    maxp.compile(font)
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"
