"""The four properties (四性, DA/T 70) of an item: authenticity, integrity, usability, security.

Each property is a list of checks ``{"name", "ok": True|False|None, "detail"}`` (None: not
applicable or not known). The report is shown on the item page and printed as a PDF for a
whole box or year.
"""

from __future__ import annotations

import io

from django.conf import settings

from archive.models import File, Item
from consistency.models import Discrepancy, FixityFailure

ALLOWED_TYPES = {"application/pdf", "image/jpeg", "image/png", "image/tiff", "video/mp4"}
PROPERTIES = (
    ("authenticity", "真实性"),
    ("integrity", "完整性"),
    ("usability", "可用性"),
    ("security", "安全性"),
)


def _check(name: str, ok: bool | None, detail: str = "") -> dict:
    return {"name": name, "ok": ok, "detail": detail}


def item_report(item: Item) -> dict:
    files = list(item.files.all())
    originals = [f for f in files if f.role == File.Role.ORIGINAL]
    failing = set(
        FixityFailure.objects.filter(
            sha256__in=[f.sha256 for f in files], cleared_at__isnull=True
        ).values_list("sha256", flat=True)
    )
    open_content = Discrepancy.objects.filter(
        item=item, status=Discrepancy.Status.OPEN, kind=Discrepancy.Kind.CONTENT
    ).count()
    sig = (item.fields or {}).get("signature") or {}
    authenticity = [
        _check(
            "电子签名有效",
            (sig.get("valid") if sig.get("present") else None),
            (sig.get("signer") or "") if sig else "无签名信息（扫描件）",
        ),
        _check(
            "元数据与内容一致（纸电比对）", open_content == 0, f"待处理不一致 {open_content} 处"
        ),
        _check("档号已赋予", bool(item.archive_number), item.archive_number or "未归档"),
    ]
    pages = item.pages.count()
    gap = (
        Discrepancy.objects.filter(
            kind=Discrepancy.Kind.NUMBER_GAP, item__class_key=item.class_key, status="open"
        ).exists()
        if item.class_key
        else False
    )
    integrity = [
        _check("有原件", bool(originals), f"{len(originals)} 个"),
        _check(
            "页数与目录相符",
            pages == item.page_count,
            f"目录 {item.page_count} 页，页记录 {pages} 页",
        ),
        _check(
            "存储哈希校验通过", not failing, f"{len(failing)} 个对象不符" if failing else "全部相符"
        ),
        _check("件号连续", not gap, item.class_key or ""),
    ]
    formats = sorted({f.media_type for f in files})
    usability = [
        _check("文件格式在允许范围", all(t in ALLOWED_TYPES for t in formats), "、".join(formats)),
        _check("可以打开", _opens(originals), ""),
        _check("PDF/A 长期保存格式", _pdfa(item, files), ""),
    ]
    security = [
        _check("存储位置", True, _where()),
        _check("没有不应有的内容（脚本、附件）", _no_active_content(originals), ""),
        _check("密级", True, item.security_level or "无"),
    ]
    out = {"item": item.archive_number or str(item), "title": item.title}
    for key, label in PROPERTIES:
        checks = locals()[key]
        out[key] = {
            "label": label,
            "checks": checks,
            "ok": all(c["ok"] is not False for c in checks),
        }
    return out


def _where() -> str:
    backend = settings.STORAGES.get("archive", {}).get("BACKEND", "")
    return "对象存储（S3）" if "s3" in backend.lower() else "本地文件存储（内容寻址，只写一次）"


def _read(f: File) -> bytes | None:
    from archive.storage import StorageIntegrityError, read_blob

    try:
        return read_blob(f.sha256, verify=True)
    except (StorageIntegrityError, OSError):
        return None


def _opens(originals: list[File]) -> bool | None:
    if not originals:
        return None
    for f in originals:
        data = _read(f)
        if data is None:
            return False
        if f.media_type == "application/pdf":
            import pikepdf

            try:
                with pikepdf.open(io.BytesIO(data)):
                    pass
            except pikepdf.PdfError:
                return False
    return True


def _pdfa(item: Item, files: list[File]) -> bool | None:
    pdfs = [
        f
        for f in files
        if f.media_type == "application/pdf" and f.role in ("access", "signed", "original")
    ]
    if not pdfs:
        return None
    import pikepdf

    for f in pdfs:
        data = _read(f)
        if data is None:
            continue
        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                part = pdf.open_metadata().get("pdfaid:part")
                if part:
                    return True
        except pikepdf.PdfError:
            continue
    return False


def _no_active_content(originals: list[File]) -> bool | None:
    if not originals:
        return None
    import pikepdf

    for f in originals:
        if f.media_type != "application/pdf":
            continue
        data = _read(f)
        if data is None:
            return False
        try:
            with pikepdf.open(io.BytesIO(data)) as pdf:
                names = pdf.Root.get("/Names") or {}
                if "/JavaScript" in names or "/EmbeddedFiles" in names:
                    return False
                if "/OpenAction" in pdf.Root and "/JS" in str(pdf.Root.OpenAction):
                    return False
        except pikepdf.PdfError:
            return None  # not readable as a PDF: usability says so
    return True


def pdf_report(items, title: str) -> bytes:
    """The 四性 report of ``items`` as a PDF (reportlab + the CJK font of archive.pdf)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from archive.pdf import register_cjk_font

    font = register_cjk_font()
    buf = io.BytesIO()
    pdf = canvas.Canvas(buf, pagesize=A4, invariant=1)
    width, height = A4
    pdf.setTitle(title)
    y = height - 60

    def line(text: str, size: float = 9, x: float = 50) -> None:
        nonlocal y
        if y < 50:
            pdf.showPage()
            y = height - 50
        pdf.setFont(font, size)
        pdf.drawString(x, y, text[:90])
        y -= size + 5

    line(title, 15)
    line("依据 DA/T 70：真实性、完整性、可用性、安全性检测", 9)
    for item in items:
        report = item_report(item)
        y -= 4
        line(f"{report['item']}  {report['title']}", 10.5)
        for key, label in PROPERTIES:
            prop = report[key]
            line(f"{label}：{'通过' if prop['ok'] else '未通过'}", 9.5, 60)
            for c in prop["checks"]:
                mark = {True: "✓", False: "✗", None: "—"}[c["ok"]]
                line(f"{mark} {c['name']} {c['detail']}", 8.5, 75)
    pdf.showPage()
    pdf.save()
    return buf.getvalue()
