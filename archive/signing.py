"""PDF signatures with pyHanko: validating every signature of a file, and the archive's seal.

Validation (``check_signatures``) uses the configured trust roots plus the archive's own
certificate (as :func:`archive.certificates.validation_context`), no network, revocation
checking soft-fail. The trust roots are indexed once (:func:`validation_context` keeps
pyHanko's trust manager while the roots stay the same); every signature still gets a fresh
validation context, so its certificate path, validity period ("now") and revocation are
checked anew each time: nothing about one document's signer is remembered for the next. A signature counts as *tampered* when its bytes no longer match (not intact), its
cryptography fails, its coverage is unclear, or the document was changed after signing in a
way its modification policy forbids. It counts as *valid* when it is also trusted.

The seal (``seal_pdf``) is a PAdES signature with a visible stamp, added as an incremental
update so earlier signatures stay valid. pyHanko's default stamp font has no Chinese glyphs;
the stamp uses a small OpenType subset of Noto Sans CJK SC (``archive.stampfont``), because
pyHanko cannot load a font out of a .ttc collection and subsetting the whole 16 MB face on
every seal would dominate the cost of a push.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import threading
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from django.conf import settings

from archive import certificates, signing_speedups, stampfont

log = logging.getLogger(__name__)

SEAL_FIELD = "HedangSeal"
SEAL_TITLE = "电子档案归档章"


class PdfUnreadable(ValueError):
    """The bytes are not a PDF pyHanko can read (or it is encrypted)."""

    def __init__(self, message: str, code: str = "not_pdf") -> None:
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class SignatureCheck:
    """What pyHanko says about one signature."""

    field: str
    signer: str | None
    intact: bool
    cryptographically_valid: bool
    trusted: bool
    coverage: str | None
    modification_level: str | None
    docmdp_ok: bool | None
    signing_time: str | None
    summary: str
    error: str | None = None

    @property
    def tampered(self) -> bool:
        return (
            self.error is not None
            or not self.intact
            or not self.cryptographically_valid
            or self.coverage in (None, "UNCLEAR")
            or self.docmdp_ok is False
        )

    @property
    def valid(self) -> bool:
        return not self.tampered and self.trusted

    def as_dict(self) -> dict:
        # Shallow: every field is a str, bool or None (dataclasses.asdict deep-copies).
        values = {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}
        return {**values, "tampered": self.tampered, "valid": self.valid}


@dataclass(frozen=True)
class SignatureReport:
    signatures: tuple[SignatureCheck, ...]

    @property
    def present(self) -> bool:
        return bool(self.signatures)

    @property
    def tampered(self) -> bool:
        return any(s.tampered for s in self.signatures)

    @property
    def valid(self) -> bool:
        return self.present and all(s.valid for s in self.signatures)

    @property
    def signer(self) -> str | None:
        """The signer of the newest signature (the one that covers the whole file)."""
        return self.signatures[-1].signer if self.signatures else None

    def receipt(self) -> dict:
        return {"present": self.present, "valid": self.valid, "signer": self.signer}


def _reader(data: bytes):
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.pdf_utils.reader import PdfFileReader

    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise PdfUnreadable("文件不是 PDF（缺少 %PDF- 文件头）")
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        encrypted = reader.encrypted
        reader.root  # noqa: B018  (parses the catalogue: a broken file fails here)
    except (PdfError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise PdfUnreadable(f"PDF 无法解析：{exc}") from exc
    except Exception as exc:  # anything else a malformed file makes the parser throw
        log.info("unreadable PDF: %r", exc)
        raise PdfUnreadable(f"PDF 无法解析：{type(exc).__name__}") from exc
    if encrypted:
        raise PdfUnreadable("PDF 已加密，不能归档", code="encrypted")
    return reader


def _signer_name(cert) -> str | None:
    if cert is None:
        return None
    native = cert.subject.native
    name = native.get("common_name") or native.get("organization_name")
    if isinstance(name, list):
        name = name[-1]
    return str(name) if name else cert.subject.human_friendly


def _name(value) -> str | None:
    return getattr(value, "name", None) if value is not None else None


_trust = threading.Lock()
_trust_managers: dict[tuple, object] = {}


def validation_context():
    """A fresh pyHanko ValidationContext (validation time now, no fetching, revocation
    soft-fail) over a trust manager built once per set of roots: indexing the roots was
    ≈1 ms of every push. The manager is only read once built."""
    from pyhanko_certvalidator import ValidationContext
    from pyhanko_certvalidator.registry import SimpleTrustManager

    roots = certificates.trust_roots() + [certificates.archive_certificate()]
    key = tuple(root.sha256 for root in roots)
    with _trust:
        manager = _trust_managers.get(key)
        if manager is None:
            _trust_managers.clear()
            manager = _trust_managers[key] = SimpleTrustManager.build(trust_roots=roots)
    return ValidationContext(
        trust_manager=manager, allow_fetching=False, revocation_mode="soft-fail"
    )


def check_signatures(data: bytes) -> SignatureReport:
    """Validate every signature in the PDF; raises :class:`PdfUnreadable`."""
    from pyhanko.sign.validation import validate_pdf_signature

    signing_speedups.install()
    reader = _reader(data)
    try:
        embedded = list(reader.embedded_regular_signatures)
    except Exception as exc:  # a malformed AcroForm or signature dictionary
        raise PdfUnreadable(f"PDF 签名域无法解析：{exc}", code="signature_invalid") from exc
    checks = []
    for sig in embedded:
        field = sig.field_name or ""
        try:
            status = validate_pdf_signature(sig, validation_context())
        except Exception as exc:
            log.info("signature %s could not be validated: %s", field, exc)
            checks.append(_broken(field, sig, exc))
            continue
        checks.append(
            SignatureCheck(
                field=field,
                signer=_signer_name(status.signing_cert),
                intact=bool(status.intact),
                cryptographically_valid=bool(status.valid),
                trusted=bool(status.trusted),
                coverage=_name(status.coverage),
                modification_level=_name(status.modification_level),
                docmdp_ok=status.docmdp_ok,
                signing_time=_iso(status.signer_reported_dt),
                summary=status.summary(),
            )
        )
    return SignatureReport(tuple(checks))


def _broken(field: str, sig, exc: Exception) -> SignatureCheck:
    try:
        signer = _signer_name(sig.signer_cert)
    except Exception:
        signer = None
    return SignatureCheck(
        field=field,
        signer=signer,
        intact=False,
        cryptographically_valid=False,
        trusted=False,
        coverage=None,
        modification_level=None,
        docmdp_ok=None,
        signing_time=None,
        summary="INVALID",
        error=f"{type(exc).__name__}: {exc}",
    )


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------------------------------------
# The archive's seal
# ---------------------------------------------------------------------------------------------


def stamp_lines(agency_name: str, when: datetime) -> list[str]:
    """The stamp's words: the agency, 电子档案归档章 and the filing date. The date, not the
    time: one appearance per agency and day is drawn once and reused (the signature itself
    carries the exact signing time)."""
    local = when.astimezone(ZoneInfo(settings.TIME_ZONE))
    return [agency_name, SEAL_TITLE, local.strftime("%Y-%m-%d")]


class _Appearances:
    """Finished stamp appearances (form XObjects with their subset CJK font), one per text
    and box size, each drawn once with pyHanko in a scratch PDF and then copied into every
    sealed file: laying out the text and subsetting the font was a third of a seal's cost."""

    LIMIT = 256

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._made: dict[tuple, tuple] = {}

    def import_into(self, writer, text: str, font: str, width: float, height: float):
        from pyhanko.pdf_utils.reader import PdfFileReader

        key = (text, font, round(width, 2), round(height, 2))
        with self._lock:  # the cached reader is not thread-safe
            made = self._made.get(key)
            if made is None:
                if len(self._made) >= self.LIMIT:
                    self._made.clear()
                drawn = _draw_appearance(text, font, width, height)
                reader = PdfFileReader(io.BytesIO(drawn))
                made = self._made[key] = (reader, reader.root.raw_get("/HedangStamp"))
            return writer.import_object(made[1])


def _draw_appearance(text: str, font: str, width: float, height: float) -> bytes:
    from pyhanko.pdf_utils import layout
    from pyhanko.pdf_utils.generic import pdf_name
    from pyhanko.pdf_utils.writer import PdfFileWriter
    from pyhanko.stamp import TextStamp

    scratch = PdfFileWriter()
    stamp = TextStamp(
        scratch,
        _stamp_style(font),
        text_params={"stamp": text},
        box=layout.BoxConstraints(width=width, height=height),
    )
    scratch.root[pdf_name("/HedangStamp")] = stamp.register()
    out = io.BytesIO()
    scratch.write(out)
    return out.getvalue()


def _stamp_style(font: str):
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.stamp import TextStampStyle

    return TextStampStyle(
        stamp_text="%(stamp)s",
        text_box_style=_text_box_style(GlyphAccumulatorFactory(font, font_size=9)),
        border_width=2,
        border_color=(0.8, 0.1, 0.1),
    )


_appearances = _Appearances()


def _cached_stamp_style(font: str):
    """A pyHanko stamp style whose appearance is the cached one for the text and box.
    ``font`` is the stamp font's path, found beforehand: pyHanko calls the style from its
    event loop, where the database (the agencies' names) may not be read."""
    from pyhanko.pdf_utils.content import AppearanceContent
    from pyhanko.stamp import BaseStampStyle

    class CachedStamp(AppearanceContent):
        def __init__(self, writer, box, text: str) -> None:
            super().__init__(writer=writer, box=box)
            self.text = text

        def register(self):
            box = self.box
            return _appearances.import_into(self.writer, self.text, font, box.width, box.height)

    class CachedStampStyle(BaseStampStyle):
        def create_stamp(self, writer, box, text_params):
            return CachedStamp(writer, box, text_params["stamp"])

    return CachedStampStyle()


def _seal_box(reader) -> tuple[int, int, int, int]:
    """Bottom right of page 1, inside its crop box."""
    page_ref, _ = reader.find_page_for_modification(0)
    page = page_ref.get_object()
    box = page.get("/CropBox") or page.get("/MediaBox") or [0, 0, 595, 842]
    x0, y0, x1, y1 = (float(v) for v in box)
    width, height = 190, 64
    margin = 24
    right = int(x1 - margin)
    bottom = int(y0 + margin)
    return (max(int(x0), right - width), bottom, right, min(int(y1), bottom + height))


def _field_name(reader) -> str:
    from pyhanko.sign.fields import enumerate_sig_fields

    taken = {name for name, _value, _ref in enumerate_sig_fields(reader)}
    name, n = SEAL_FIELD, 1
    while name in taken:
        n += 1
        name = f"{SEAL_FIELD}{n}"
    return name


def seal_pdf(data: bytes, lines: list[str]) -> bytes:
    """The PDF with the archive's visible PAdES seal added as an incremental update."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    signing_speedups.install()
    signer = certificates.archive_signer()
    text = "\n".join(lines)
    style = _cached_stamp_style(stampfont.font_for(text))
    writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=False)
    name = _field_name(writer.prev)
    meta = signers.PdfSignatureMetadata(
        field_name=name,
        subfilter=fields.SigSeedSubFilter.PADES,
        reason="归档",
        location=settings.HEDANG_SEAL_LOCATION,
        md_algorithm="sha256",
    )
    pdf_signer = signers.PdfSigner(
        meta,
        signer,
        stamp_style=style,
        new_field_spec=fields.SigFieldSpec(name, on_page=0, box=_seal_box(writer.prev)),
    )
    reserved = _bytes_reserved(signer)
    try:
        out = pdf_signer.sign_pdf(
            writer, bytes_reserved=reserved, appearance_text_params={"stamp": text}
        )
    except SigningError as exc:
        # e.g. a certification signature that allows no change: seal a rewritten copy (the
        # original bytes, with the platform's signature, are kept as they came).
        log.warning("incremental seal refused (%s); sealing a rewritten copy", exc)
        from pyhanko.pdf_utils.writer import copy_into_new_writer

        fresh = copy_into_new_writer(writer.prev)
        buf = io.BytesIO()
        fresh.write(buf)
        writer = IncrementalPdfFileWriter(io.BytesIO(buf.getvalue()), strict=False)
        out = pdf_signer.sign_pdf(
            writer, bytes_reserved=reserved, appearance_text_params={"stamp": text}
        )
    return out.getvalue()


def _bytes_reserved(signer) -> int:
    """Room for the CMS signature, in hex digits. Without it pyHanko signs every document twice
    (a dry run to measure the size), which was a third of the cost of a push. The CMS holds the
    certificates, the signed attributes and the signature value: their size plus a generous
    allowance, doubled for hex."""
    certs = [signer.signing_cert, *getattr(signer, "cert_registry", ())]
    size = sum(len(c.dump()) for c in certs) + 8192
    return 2 * size


def _text_box_style(font):
    from pyhanko.pdf_utils.text import TextBoxStyle

    return TextBoxStyle(font=font, font_size=9, leading=12, text_color=(0.8, 0.1, 0.1))
