"""Home-visit evidence (入户核查, §6.3.3.4): the rules for photos and video, and their storage.

At least 3 photos, JPG or PNG, each at least 12 megapixels; a video, where taken, MP4 at
least 1080p (read with ffprobe). A set that breaks any rule is refused whole, every broken
rule named; nothing is stored then.

The files are stored with role PHOTO or VIDEO on the 入户核查表 item. A File row has no room
for what was read from them, so ``item.fields["home_visit_media"]`` keeps one entry per file
(keyed by ``file_id``): EXIF time (DateTimeOriginal) and place (GPS), size and megapixels of a
photo; resolution, codec and duration of a video.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from fractions import Fraction
from pathlib import Path
from typing import Any

from django.db import transaction
from PIL import ExifTags, Image, UnidentifiedImageError

from archive import audit
from archive.models import File, Item
from archive.storage import store_bytes

MIN_PHOTOS = 3
MIN_PIXELS = 12_000_000
PHOTO_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png"}
VIDEO_LONG, VIDEO_SHORT = 1920, 1080
# ISO base-media brands of MP4 files; "qt  " (QuickTime .mov) shares ffprobe's demuxer.
MP4_BRANDS = {"isom", "iso2", "iso3", "iso4", "iso5", "iso6", "mp41", "mp42", "avc1", "m4v", "dash"}
HOME_VISIT_SUBTYPE = "RHB"  # 入户核查表
FIELD = "home_visit_media"


class HomeVisitMediaError(ValueError):
    """The set breaks one or more rules; ``problems`` names each in Chinese."""

    def __init__(self, problems: list[str]):
        super().__init__("；".join(problems))
        self.problems = problems


@dataclass
class MediaCheck:
    name: str
    kind: str  # "photo" or "video"
    problems: list[str] = field(default_factory=list)
    media_type: str = ""
    width: int = 0
    height: int = 0
    metadata: dict[str, Any] = field(default_factory=dict)
    data: bytes = field(default=b"", repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def role(self) -> str:
        return File.Role.PHOTO if self.kind == "photo" else File.Role.VIDEO

    def describe(self) -> dict[str, Any]:
        info = asdict(self)
        info.pop("data")
        info.pop("problems")
        if self.kind == "photo":
            info["megapixels"] = round(self.width * self.height / 1_000_000, 1)
        else:
            info["resolution"] = video_resolution(self.width, self.height)
        return info


def video_resolution(width: int, height: int) -> str:
    """E.g. "1920×1080（1080p）": the short side gives the line count, in either orientation."""
    return f"{width}×{height}（{min(width, height)}p）" if width and height else ""


def _read(source) -> tuple[str, bytes]:
    """(name, bytes) of bytes, a (name, bytes) pair, a path, or a file object."""
    if isinstance(source, tuple):
        return str(source[0]), bytes(source[1])
    if isinstance(source, bytes | bytearray):
        return "", bytes(source)
    if isinstance(source, str | os.PathLike):
        path = Path(source)
        return path.name, path.read_bytes()
    if hasattr(source, "seek"):
        source.seek(0)
    return Path(getattr(source, "name", "") or "").name, source.read()


# --------------------------------------------------------------------------- photos


def _rational(value) -> float:
    if isinstance(value, tuple) and len(value) == 2:  # (numerator, denominator)
        return float(Fraction(value[0], value[1])) if value[1] else 0.0
    return float(value)


def _degrees(dms, ref) -> float | None:
    try:
        d, m, s = (_rational(v) for v in dms)
    except (TypeError, ValueError, ZeroDivisionError):
        return None
    value = d + m / 60 + s / 3600
    if str(ref).upper().startswith(("S", "W")):
        value = -value
    return round(value, 7)


def exif_metadata(image: Image.Image) -> dict[str, Any]:
    """EXIF DateTimeOriginal, camera and GPS position of ``image``, where present."""
    exif = image.getexif()
    info: dict[str, Any] = {}
    sub = exif.get_ifd(ExifTags.IFD.Exif)
    taken = sub.get(ExifTags.Base.DateTimeOriginal) or exif.get(ExifTags.Base.DateTime)
    if taken:
        info["taken_at"] = str(taken).strip("\x00 ")
    for tag, key in ((ExifTags.Base.Make, "make"), (ExifTags.Base.Model, "model")):
        if exif.get(tag):
            info[key] = str(exif[tag]).strip("\x00 ")
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    if gps:
        lat = gps.get(ExifTags.GPS.GPSLatitude)
        lon = gps.get(ExifTags.GPS.GPSLongitude)
        place: dict[str, Any] = {}
        if lat and lon:
            place["latitude"] = _degrees(lat, gps.get(ExifTags.GPS.GPSLatitudeRef, "N"))
            place["longitude"] = _degrees(lon, gps.get(ExifTags.GPS.GPSLongitudeRef, "E"))
        altitude = gps.get(ExifTags.GPS.GPSAltitude)
        if altitude is not None:
            try:
                place["altitude"] = round(_rational(altitude), 2)
            except (TypeError, ValueError, ZeroDivisionError):
                pass
        stamp = gps.get(ExifTags.GPS.GPSDateStamp)
        if stamp:
            place["date"] = str(stamp)
        if place:
            info["gps"] = place
    return info


def check_photo(source) -> MediaCheck:
    name, data = _read(source)
    check = MediaCheck(name=name, kind="photo", data=data)
    label = f"照片“{name}”" if name else "照片"
    try:
        with Image.open(io.BytesIO(data)) as image:
            fmt = image.format
            check.width, check.height = image.size
            check.metadata = exif_metadata(image)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        check.problems.append(f"{label}不是 JPG 或 PNG（无法识别为图像）")
        return check
    if fmt not in PHOTO_FORMATS:
        check.problems.append(f"{label}不是 JPG 或 PNG（是 {fmt}）")
        return check
    check.media_type = PHOTO_FORMATS[fmt]
    pixels = check.width * check.height
    if pixels < MIN_PIXELS:
        check.problems.append(
            f"{label}像素不足 1200 万：{check.width}×{check.height} = {pixels / 10_000:.0f} 万"
        )
    return check


def check_photos(files) -> list[MediaCheck]:
    """One check per photo; the count rule is ``photo_set_problems``'."""
    return [check_photo(f) for f in files]


def photo_set_problems(checks: list[MediaCheck]) -> list[str]:
    problems = []
    if len(checks) < MIN_PHOTOS:
        problems.append(f"照片少于 {MIN_PHOTOS} 张（只有 {len(checks)} 张）")
    for check in checks:
        problems += check.problems
    return problems


# --------------------------------------------------------------------------- video


def ffprobe(path: str | os.PathLike) -> dict[str, Any]:
    result = subprocess.run(
        ["ffprobe", "-v", "error", "-print_format", "json", "-show_format", "-show_streams", path],
        capture_output=True,
        timeout=60,
        check=False,
    )
    if result.returncode != 0:
        raise ValueError(result.stderr.decode(errors="replace").strip() or "ffprobe 失败")
    return json.loads(result.stdout or b"{}")


def _rotation(stream: dict) -> int:
    for side in stream.get("side_data_list", []):
        if "rotation" in side:
            return abs(int(side["rotation"])) % 180
    return abs(int(stream.get("tags", {}).get("rotate", 0) or 0)) % 180


def check_video(source) -> MediaCheck:
    """ffprobe the video: an MP4 container with a video stream of at least 1920×1080.

    Portrait video (1080×1920) passes too. Codec, duration, creation time and location
    tags are kept in the metadata.
    """
    name, data = _read(source)
    check = MediaCheck(name=name, kind="video", data=data)
    label = f"视频“{name}”" if name else "视频"
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffix or ".bin") as tmp:
        tmp.write(data)
        tmp.flush()
        try:
            probe = ffprobe(tmp.name)
        except (ValueError, subprocess.TimeoutExpired, json.JSONDecodeError):
            check.problems.append(f"{label}不是 MP4（无法读取）")
            return check
    fmt = probe.get("format", {})
    tags = {k.lower(): v for k, v in fmt.get("tags", {}).items()}
    brand = str(tags.get("major_brand", "")).strip().lower()
    if "mp4" not in fmt.get("format_name", "").split(",") or brand not in MP4_BRANDS:
        check.problems.append(f"{label}不是 MP4（{brand or fmt.get('format_name', '未知格式')}）")
    videos = [s for s in probe.get("streams", []) if s.get("codec_type") == "video"]
    if not videos:
        check.problems.append(f"{label}没有视频流")
        return check
    stream = max(videos, key=lambda s: int(s.get("width", 0)) * int(s.get("height", 0)))
    width, height = int(stream.get("width", 0)), int(stream.get("height", 0))
    if _rotation(stream) == 90:
        width, height = height, width
    check.width, check.height = width, height
    check.media_type = "video/mp4"
    if max(width, height) < VIDEO_LONG or min(width, height) < VIDEO_SHORT:
        check.problems.append(f"{label}分辨率低于 1080p：{width}×{height}")
    check.metadata = {
        "codec": stream.get("codec_name", ""),
        "container": fmt.get("format_name", ""),
        "brand": brand,
        "duration": round(float(fmt.get("duration", 0) or 0), 3),
    }
    if tags.get("creation_time"):
        check.metadata["taken_at"] = tags["creation_time"]
    location = tags.get("location") or tags.get("com.apple.quicktime.location.iso6709")
    if location:
        check.metadata["location"] = location
    return check


# --------------------------------------------------------------------------- storage


def validate_home_visit(photos, video=None) -> tuple[list[MediaCheck], MediaCheck | None]:
    """Check the whole set; raise HomeVisitMediaError naming every broken rule."""
    photo_checks = check_photos(photos)
    video_check = check_video(video) if video is not None else None
    problems = photo_set_problems(photo_checks)
    if video_check is not None:
        problems += video_check.problems
    if problems:
        raise HomeVisitMediaError(problems)
    return photo_checks, video_check


def entries(item: Item) -> list[dict[str, Any]]:
    """What is attached, for display: each entry with its megapixels or resolution filled in
    (entries written before those were kept lack them)."""
    shown = []
    for entry in item.fields.get(FIELD, []):
        entry = dict(entry)
        width, height = entry.get("width", 0), entry.get("height", 0)
        if entry.get("kind") == "photo":
            entry.setdefault("megapixels", round(width * height / 1_000_000, 1))
        else:
            entry.setdefault("resolution", video_resolution(width, height))
        shown.append(entry)
    return shown


def _stored_name(item: Item, check: MediaCheck, number: int) -> str:
    suffix = {"image/jpeg": ".jpg", "image/png": ".png", "video/mp4": ".mp4"}[check.media_type]
    base = item.archive_number or f"item{item.pk}"
    kind = "照片" if check.kind == "photo" else "视频"
    return f"{base}-入户{kind}{number:02d}{suffix}"


def attach_home_visit_media(item: Item, photos, video=None, *, user=None) -> list[File]:
    """Check then store the home visit's photos (and video) on its 入户核查表 item.

    Nothing is stored unless the whole set passes. Returns the new File rows.
    """
    if item.subtype_id is None or item.subtype.code != HOME_VISIT_SUBTYPE:
        raise HomeVisitMediaError(["入户照片和视频只能附在入户核查表上"])
    photo_checks, video_check = validate_home_visit(photos, video)
    checks = photo_checks + ([video_check] if video_check else [])
    blobs = [store_bytes(c.data) for c in checks]  # content-addressed: a retry reuses them
    files: list[File] = []
    with transaction.atomic():
        item = Item.objects.select_for_update().get(pk=item.pk)
        entries = list(item.fields.get(FIELD, []))
        # Numbered on from what is there already (entries also cover files stored before the
        # photo/video roles existed, as ACCESS).
        counters = {kind: sum(e["kind"] == kind for e in entries) for kind in ("photo", "video")}
        for check, blob in zip(checks, blobs, strict=True):
            counters[check.kind] += 1
            record = File.objects.create(
                item=item,
                role=check.role,
                sha256=blob.sha256,
                size=blob.size,
                media_type=check.media_type,
                original_name=check.name or _stored_name(item, check, counters[check.kind]),
            )
            files.append(record)
            entries.append(
                {
                    **check.describe(),
                    "file_id": record.pk,
                    "sha256": blob.sha256,
                    "stored_name": _stored_name(item, check, counters[check.kind]),
                }
            )
        item.fields = {**item.fields, FIELD: entries}
        item.save(update_fields=["fields", "updated_at"])
        audit.record(
            audit.Action.CHANGE,
            item,
            user=user,
            detail={
                "home_visit_media": [e["stored_name"] for e in entries[-len(checks) :]],
                "photos": len(photo_checks),
                "video": video_check is not None,
            },
        )
    return files
