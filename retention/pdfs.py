"""The destruction register (销毁清册) and destruction report (销毁报告) as PDFs signed with
the archive's certificate (pyHanko), in the CJK font the other printouts use."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from archive.certificates import archive_signer
from archive.pdf import register_cjk_font

REGISTER_COLUMNS = [
    "序号",
    "档号",
    "户主/题名",
    "形成年度",
    "保管期限",
    "到期日",
    "件数/页数",
    "载体",
    "鉴定意见",
]


def _local(value) -> str:
    if value is None:
        return "—"
    return value.astimezone(ZoneInfo(settings.TIME_ZONE)).strftime("%Y-%m-%d %H:%M")


def _styles():
    font = register_cjk_font()
    return (
        ParagraphStyle("title", fontName=font, fontSize=16, leading=22, alignment=1),
        ParagraphStyle("body", fontName=font, fontSize=9, leading=12),
        ParagraphStyle("cell", fontName=font, fontSize=8, leading=10, wordWrap="CJK"),
    )


def _people(batch) -> list[str]:
    sups = "、".join(str(s.user) for s in batch.supervisions.select_related("user"))
    return [
        f"申请人：{batch.proposed_by}（{_local(batch.proposed_at)}）",
        f"批准人（机构负责人）：{batch.approved_by or '—'}（{_local(batch.approved_at)}）",
        f"监销人：{sups or '—'}",
        f"执行人：{batch.executed_by or '—'}（{_local(batch.executed_at)}）",
    ]


def register_pdf(batch) -> bytes:
    title, body, cell = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(
        buf,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title="销毁清册",
    )
    rows = [[Paragraph(c, cell) for c in REGISTER_COLUMNS]]
    for n, line in enumerate(batch.lines.all(), start=1):
        values = [
            n,
            line.archive_number,
            line.title,
            line.year or "",
            line.retention,
            line.due_on.isoformat(),
            f"1/{line.pages}",
            line.carrier,
            line.opinion,
        ]
        rows.append([Paragraph(str(v), cell) for v in values])
    widths = [10, 48, 62, 16, 16, 22, 18, 18, 63]
    table = Table(rows, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("GRID", (0, 0), (-1, -1), 0.4, colors.black),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    head = [
        Paragraph(f"{batch.agency.name} 档案销毁清册", title),
        Spacer(1, 4 * mm),
        Paragraph(f"批次：#{batch.pk} {batch.title}　共 {batch.lines.count()} 件", body),
        Paragraph(f"销毁理由：{batch.reason}", body),
        Paragraph(
            f"销毁方式：{batch.method}　地点：{batch.place or '—'}　时间：{_local(batch.executed_at)}",
            body,
        ),
        Spacer(1, 3 * mm),
    ]
    tail = [Spacer(1, 4 * mm)] + [Paragraph(p, body) for p in _people(batch)]
    doc.build(head + [table] + tail)
    return sign(buf.getvalue(), "销毁清册")


def report_pdf(batch) -> bytes:
    title, body, _cell = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, title="销毁报告")
    paper = (
        f"纸质档案：{batch.paper_method}，地点 {batch.paper_place}，时间 {_local(batch.paper_destroyed_at)}"
        if batch.paper_method
        else "纸质档案：尚未登记销毁"
    )
    parts = [
        Paragraph(f"{batch.agency.name} 档案销毁报告", title),
        Spacer(1, 6 * mm),
        Paragraph(f"批次：#{batch.pk} {batch.title}", body),
        Paragraph(
            f"销毁件数：{batch.lines.count()} 件；删除存储对象 {batch.objects_removed} 个"
            f"（另有 {batch.objects_kept} 个内容相同且仍被未销毁档案使用的对象保留）",
            body,
        ),
        Paragraph(
            f"电子档案销毁方式：{batch.method}（原件、利用副本、页图像、缩略图及其全部版本）", body
        ),
        Paragraph(paper, body),
        Paragraph("被销毁档案的目录信息作为“已销毁”记录及其全部操作日志永久保存。", body),
        Spacer(1, 4 * mm),
    ] + [Paragraph(p, body) for p in _people(batch)]
    parts.append(Paragraph(f"报告生成时间：{_local(timezone.now())}", body))
    doc.build(parts)
    return sign(buf.getvalue(), "销毁报告")


def sign(data: bytes, reason: str) -> bytes:
    """An invisible PAdES signature of the archive over the whole document."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(data))
    meta = signers.PdfSignatureMetadata(
        field_name="HedangRetention",
        reason=reason,
        location=settings.HEDANG_SEAL_LOCATION,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    out = signers.sign_pdf(writer, meta, signer=archive_signer())
    return out.getvalue()
