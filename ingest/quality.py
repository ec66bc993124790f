"""Image quality of scanned pages (DA/T 31-2017): resolution, colour, residual skew, blank pages.

- resolution: below 200 dpi the page is refused; below 300 dpi it is warned (small or dense
  text needs 300 dpi). The dpi is the file's own (an image header, or for a PDF the size the
  scan is printed at). Without one — or with 72 or 96, the values software writes when it
  does not know — it is estimated from the pixel size as if the page were A4. That guess is
  wrong for anything not A4 (a receipt, an A5 slip, a photo), so an estimate does not refuse a
  page once it is stored: below 200 dpi it is a warning asking the archivist to check. At the
  door one case is refused all the same: an image shaped like an A4 page (its sides in the
  ratio √2, within 3 %) whose pixels cannot hold A4 at 200 dpi (e.g. 595×842 px marked 72
  dpi) — whatever size the paper was, those pixels are too few for it.
- station profile: a page whose dpi (a real one, not an estimate) or colour mode differs from
  the station's is warned: the scanner is not set as the station says.
- residual skew after deskew: more than 3° is flagged.
- blank pages: flagged; in a duplex scan a blank back (every even page) is dropped.
- page order: pages keep the order given; ``number`` is the scanned page, ``page`` the page
  of the item once blank backs are dropped (kept pages numbered 1..n).

These functions are pure; ingest.scanprep runs them on every scanned page at ingest and
scanning.quality on an item's stored scans on demand.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import Any

from PIL import Image

from ingest.deskew import best_angle, grey_of, ink_ratio, thumbnail
from ingest.pdfscans import pdf_scans

MIN_DPI = 200
GOOD_DPI = 300
MAX_SKEW = 3.0
# Share of dark pixels (inside the margins) below which a page is blank. One short line of text
# on A4 inks about 0.02 %, so this is low on purpose: a dropped duplex back must be empty, and
# a page in doubt is kept (specks and bleed-through are lighter than the ink threshold).
BLANK_INK_RATIO = 0.0001
A4_SHORT_INCHES = 210 / 25.4
PLACEHOLDER_DPI = (72, 96)  # what software writes when it does not know the scan's size
DPI_TOLERANCE = 0.03  # a page within 3 % of the station's dpi matches it

REFUSED, WARNING, FLAGGED = "refused", "warning", "flagged"
LEVEL_NAMES = {REFUSED: "拒收", WARNING: "警告", FLAGGED: "标记"}
COLOUR, GREY, BITONAL = "colour", "grey", "bitonal"
COLOUR_NAMES = {COLOUR: "彩色", GREY: "灰度", BITONAL: "黑白"}


@dataclass(frozen=True)
class Profile:
    """What the station that scanned the batch is set to (ingest.models.Station)."""

    dpi: int | None = None
    colour_mode: str = ""
    duplex: bool = False

    @classmethod
    def of_station(cls, station) -> Profile:
        if station is None:
            return cls()
        return cls(dpi=station.dpi, colour_mode=station.colour_mode, duplex=station.duplex)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


NO_PROFILE = Profile()


@dataclass(frozen=True)
class Measure:
    """What was measured on one page image, before any rule is applied."""

    number: int
    dpi: float
    dpi_estimated: bool
    colour: str
    ink_ratio: float
    skew: float  # the skew left on the page as it is kept
    corrected: float = 0.0  # the rotation deskew applied


@dataclass
class Finding:
    rule: str  # "resolution", "profile", "skew", "blank", "unreadable"
    level: str  # REFUSED, WARNING or FLAGGED
    message: str


@dataclass
class PageQuality:
    number: int  # 1-based, in the order the pages were scanned
    dpi: float = 0.0
    dpi_estimated: bool = False
    colour: str = ""
    skew: float = 0.0
    corrected: float = 0.0
    ink_ratio: float = 0.0
    blank: bool = False
    dropped: bool = False
    page: int | None = None  # the item's page number once dropped pages are left out
    findings: list[Finding] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return any(f.level == REFUSED for f in self.findings)

    @property
    def level(self) -> str:
        levels = {f.level for f in self.findings}
        for level in (REFUSED, WARNING, FLAGGED):
            if level in levels:
                return level
        return "ok"

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "level": self.level}


# --------------------------------------------------------------------------- measuring


def open_image(source) -> Image.Image:
    if isinstance(source, Image.Image):
        return source
    if isinstance(source, bytes | bytearray):
        return Image.open(io.BytesIO(source))
    return Image.open(source)


def _declared_dpi(info: dict) -> float | None:
    dpi = info.get("dpi")
    try:
        value = float(min(dpi[0], dpi[1])) if dpi else 0.0
    except (TypeError, ValueError, IndexError):
        return None
    if value <= 1 or round(value) in PLACEHOLDER_DPI:
        return None
    return round(value, 1)


def page_dpi(image: Image.Image) -> tuple[float, bool]:
    """(dpi, estimated): the file's own resolution, else one estimated for an A4 page."""
    declared = _declared_dpi(image.info)
    if declared is not None:
        return declared, False
    return round(min(image.size) / A4_SHORT_INCHES, 1), True


def colour_of(image: Image.Image) -> str:
    """The scanner's colour mode, from the image mode (a palette of greys is grey)."""
    if image.mode == "1":
        return BITONAL
    if image.mode in ("L", "LA", "I", "I;16", "F"):
        return GREY
    if image.mode == "P":
        palette = image.getpalette() or []
        triples = [palette[i : i + 3] for i in range(0, len(palette), 3)]
        if all(r == g == b for r, g, b in triples):
            return BITONAL if len({r for r, _g, _b in triples}) <= 2 else GREY
    return COLOUR


def measure(image: Image.Image, number: int = 1) -> Measure:
    """Measure a page image as it is (its skew is the skew it has now)."""
    dpi, estimated = page_dpi(image)
    small = thumbnail(grey_of(image))
    return Measure(
        number=number,
        dpi=dpi,
        dpi_estimated=estimated,
        colour=colour_of(image),
        ink_ratio=round(ink_ratio(small), 5),
        skew=round(best_angle(small), 2),
    )


# --------------------------------------------------------------------------- rules


def _resolution(number: int, dpi: float, estimated: bool) -> Finding | None:
    if estimated and dpi < MIN_DPI:
        return Finding(
            "resolution",
            WARNING,
            f"第 {number} 页没有分辨率信息，按 A4 估算约 {dpi:.0f} dpi，可能低于 {MIN_DPI} dpi，请核对",
        )
    if dpi < MIN_DPI:
        return Finding(
            "resolution", REFUSED, f"第 {number} 页分辨率低于 {MIN_DPI} dpi：{dpi:.0f} dpi"
        )
    if dpi < GOOD_DPI:
        shown = f"{dpi:.0f} dpi" + ("（按 A4 估算）" if estimated else "")
        return Finding(
            "resolution",
            WARNING,
            f"第 {number} 页分辨率 {shown}，低于 {GOOD_DPI} dpi：小字或密集文字应以 300 dpi 扫描",
        )
    return None


def _profile(measured: Measure, profile: Profile) -> list[Finding]:
    findings, number = [], measured.number
    if profile.dpi and not measured.dpi_estimated:
        if abs(measured.dpi - profile.dpi) > profile.dpi * DPI_TOLERANCE:
            findings.append(
                Finding(
                    "profile",
                    WARNING,
                    f"第 {number} 页分辨率 {measured.dpi:.0f} dpi，与站点设定的 {profile.dpi} dpi 不符",
                )
            )
    if profile.colour_mode and measured.colour and measured.colour != profile.colour_mode:
        got = COLOUR_NAMES.get(measured.colour, measured.colour)
        want = COLOUR_NAMES.get(profile.colour_mode, profile.colour_mode)
        findings.append(Finding("profile", WARNING, f"第 {number} 页为{got}图像，站点设定为{want}"))
    return findings


def assess(
    measured: Measure, *, duplex_back: bool = False, profile: Profile = NO_PROFILE
) -> PageQuality:
    """Apply the rules to what was measured on one page."""
    number = measured.number
    result = PageQuality(
        number=number,
        dpi=measured.dpi,
        dpi_estimated=measured.dpi_estimated,
        colour=measured.colour,
        skew=measured.skew,
        corrected=round(measured.corrected, 2),
        ink_ratio=measured.ink_ratio,
    )
    resolution = _resolution(number, measured.dpi, measured.dpi_estimated)
    result.findings += [resolution] if resolution else []
    result.findings += _profile(measured, profile)
    result.blank = measured.ink_ratio < BLANK_INK_RATIO
    if result.blank:
        result.dropped = duplex_back
        note = "，双面扫描的空白背面已剔除" if duplex_back else ""
        result.findings.append(Finding("blank", FLAGGED, f"第 {number} 页为空白页{note}"))
        result.skew = 0.0  # a page without lines has no skew to speak of
        return result
    if abs(measured.skew) > MAX_SKEW:
        result.findings.append(
            Finding(
                "skew",
                FLAGGED,
                f"第 {number} 页纠偏后仍倾斜 {abs(measured.skew):.1f}°，超过 {MAX_SKEW:.0f}°",
            )
        )
    return result


def unreadable(number: int, exc: Exception) -> PageQuality:
    result = PageQuality(number=number)
    result.findings.append(Finding("unreadable", REFUSED, f"第 {number} 页图像无法打开：{exc}"))
    return result


def check_page(
    source, number: int = 1, *, duplex_back: bool = False, profile: Profile = NO_PROFILE
) -> PageQuality:
    """The quality of one page image (bytes, a path or a PIL image), measured as it is."""
    try:
        image = open_image(source)
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as exc:
        return unreadable(number, exc)
    return assess(measure(image, number), duplex_back=duplex_back, profile=profile)


def is_duplex_back(number: int, profile: Profile) -> bool:
    return profile.duplex and number % 2 == 0


def check_pages(
    pages, *, duplex: bool = False, profile: Profile | None = None
) -> list[PageQuality]:
    """Every page in the order given; in a duplex scan the even pages are backs."""
    profile = profile or Profile(duplex=duplex)
    return [
        check_page(page, number, duplex_back=is_duplex_back(number, profile), profile=profile)
        for number, page in enumerate(pages, start=1)
    ]


def kept_pages(results: list[PageQuality]) -> list[int]:
    """The numbers of the pages kept (blank duplex backs dropped), in their original order."""
    return [r.number for r in results if not r.dropped]


def summary(results: list[PageQuality], profile: Profile | None = None) -> dict[str, Any]:
    """What to store on the item (``item.fields["page_quality"]``) and show with it."""
    page = 0
    for result in results:
        if not result.dropped:
            page += 1
            result.page = page
    return _summarise([r.as_dict() for r in results], profile.as_dict() if profile else None)


def _summarise(pages: list[dict], profile: dict | None) -> dict[str, Any]:
    findings = [f for p in pages for f in p["findings"]]
    result = {
        "pages": pages,
        "kept": [p["number"] for p in pages if not p["dropped"]],
        "dropped": [p["number"] for p in pages if p["dropped"]],
        "refused": [p["number"] for p in pages if p["level"] == REFUSED],
        "warnings": [f["message"] for f in findings if f["level"] != REFUSED],
        "problems": [f["message"] for f in findings if f["level"] == REFUSED],
        "scanned": sum(1 for p in pages if p["dpi"]),
    }
    if profile is not None:
        result["profile"] = profile
    return result


def part_summary(whole: dict | None, first_page: int, last_page: int) -> dict | None:
    """The slice of a stack's summary for the item made of its pages first..last (numbered
    after blank backs were dropped). A dropped back goes with the page it is the back of."""
    if not whole:
        return None
    pages, owner = [], None
    for page in whole.get("pages", []):
        owner = page.get("page") or owner
        if owner is not None and first_page <= owner <= last_page:
            shifted = page.get("page") and page["page"] - first_page + 1
            pages.append({**page, "page": shifted or None})
    result = _summarise(pages, whole.get("profile"))
    result["part"] = {"first_page": first_page, "last_page": last_page}
    return result


# --------------------------------------------------------------------------- at submit


def _declared_resolutions(data: bytes, is_pdf: bool) -> Iterator[tuple[int, float | None]]:
    """(page, declared dpi or None) for every scanned page, from headers only: nothing is
    decoded, so this is cheap enough to run before anything is stored."""
    if is_pdf:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(data)
        try:
            for number, (_page, _image, dpi) in enumerate(pdf_scans(pdf, False), start=1):
                if dpi:
                    yield number, _declared_dpi({"dpi": (dpi, dpi)})
        finally:
            pdf.close()
        return
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            yield index + 1, _declared_dpi(image.info)


A4_RATIO = 297 / 210
A4_RATIO_TOLERANCE = 0.03


def too_few_pixels_for_a4(number: int, size: tuple[int, int], info: dict) -> str | None:
    """The refusal of an A4-shaped image without a real resolution whose pixels cannot hold A4
    at 200 dpi, naming the rule; None for any other image (see the module docstring)."""
    short, long = sorted(size)
    if _declared_dpi(info) is not None or not short:
        return None
    if abs(long / short - A4_RATIO) > A4_RATIO * A4_RATIO_TOLERANCE:
        return None  # not shaped like A4: a receipt, a photo, a slip; the estimate only warns
    dpi = short / A4_SHORT_INCHES
    if dpi >= MIN_DPI:
        return None
    need = (round(A4_SHORT_INCHES * MIN_DPI), round(A4_RATIO * A4_SHORT_INCHES * MIN_DPI))
    raw = info.get("dpi")
    marked = f"标注 {round(min(raw))} dpi（软件默认值，非扫描分辨率）" if raw else "未标注分辨率"
    return (
        f"第 {number} 页分辨率低于 {MIN_DPI} dpi：{size[0]}×{size[1]} 像素的 A4 页面约 "
        f"{dpi:.0f} dpi（{marked}），A4 按 {MIN_DPI} dpi 至少需 {need[0]}×{need[1]} 像素"
    )


def _pixel_refusals(data: bytes, first: int = 1) -> Iterator[str]:
    with Image.open(io.BytesIO(data)) as image:
        for index in range(getattr(image, "n_frames", 1)):
            image.seek(index)
            if message := too_few_pixels_for_a4(first + index, image.size, image.info):
                yield message


def pixels_refusal(data: bytes, number: int = 1) -> str | None:
    """The A4 pixel rule (``too_few_pixels_for_a4``) for one image file that will be page
    ``number`` of a joined document (a stack folder, camera captures); headers only."""
    try:
        return next(_pixel_refusals(data, number), None)
    except Exception:  # not an image PIL reads: sniff and img2pdf name that
        return None


def resolution_refusal(data: bytes, media_type: str, limit: int = 5) -> str | None:
    """Why the file is refused for its resolution, or None: pages below 200 dpi by their own
    stated resolution, and A4-shaped images without one whose pixels cannot hold A4 at 200
    dpi. Other estimated resolutions do not refuse (see the module docstring)."""
    if media_type != "application/pdf" and not media_type.startswith("image/"):
        return None
    try:
        low = [
            _resolution(number, dpi, False).message
            for number, dpi in _declared_resolutions(data, media_type == "application/pdf")
            if dpi is not None and dpi < MIN_DPI
        ]
        if media_type.startswith("image/"):
            low += list(_pixel_refusals(data))
    except Exception:  # sniff took the file; a later step reports what it cannot read
        return None
    if not low:
        return None
    more = f"等共 {len(low)} 页" if len(low) > limit else ""
    return "；".join(low[:limit]) + more
