"""Generated paper–electronic pairs: one synthetic household's verification report filed
born-digital (as a platform push files it) and the scan of its printed copy, stamped with the
electronic item's 归档章, printed from a possibly altered household, degraded like a scanner
and read by real OCR. Used by the tests and by bench/consistency."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
import re

import pypdfium2 as pdfium
from PIL import Image

from archive.filing import file_item
from archive.models import File, Household, Item, Member, Page, PrintTask, Subtype
from archive.storage import store_bytes
from push.printing import FilingStamp, stamped_copy
from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import degrade
from tests.synthetic.ocr import tesseract

DPI = 300


def pdf_texts(pdf: bytes) -> list[str]:
    doc = pdfium.PdfDocument(pdf)
    try:
        return [doc[i].get_textpage().get_text_bounded().strip() for i in range(len(doc))]
    finally:
        doc.close()


def scan_pages(pdf: bytes, preset: str = "scan", seed: int = 0) -> list[Image.Image]:
    doc = pdfium.PdfDocument(pdf)
    out = []
    try:
        for i in range(len(doc)):
            image = doc[i].render(scale=DPI / 72).to_pil().convert("RGB")
            image.info["dpi"] = (DPI, DPI)
            page = degrade(image, preset, seed=seed * 10 + i)
            page.info["dpi"] = (DPI, DPI)
            out.append(page)
    finally:
        doc.close()
    return out


# --- alterations of the paper copy ---------------------------------------------------------


def change_member_id(hh, index: int = -1):
    """One digit of one member's ID changed (the check digit left as it was)."""
    members = list(hh.members)
    m = members[index]
    pos = 12
    digit = str((int(m.id_number[pos]) + 3) % 10)
    members[index] = dataclasses.replace(
        m, id_number=m.id_number[:pos] + digit + m.id_number[pos + 1 :]
    )
    return dataclasses.replace(hh, members=tuple(members)), members[index].id_number, m.id_number


def change_amount(hh):
    """One digit of the first amount in the report's findings changed."""
    findings = list(hh.findings)
    for n, f in enumerate(findings):
        m = re.search(r"\d[\d,]*\.\d{2}", f.result)
        if m:
            value = m.group(0)
            k = value.index(".") - 1  # the units digit
            new = value[:k] + str((int(value[k]) + 4) % 10) + value[k + 1 :]
            findings[n] = dataclasses.replace(
                f, result=f.result[: m.start()] + new + f.result[m.end() :]
            )
            return dataclasses.replace(hh, findings=tuple(findings)), new, value
    raise ValueError("no amount in the findings")


def change_name(hh, index: int = -1):
    """One character of a member's name changed (everywhere the paper prints it)."""
    members = list(hh.members)
    m = members[index]
    new_name = m.name[:-1] + ("强" if m.name[-1] != "强" else "刚")
    members[index] = dataclasses.replace(m, name=new_name)
    findings = tuple(
        dataclasses.replace(f, result=f.result.replace(m.name, new_name)) for f in hh.findings
    )
    return dataclasses.replace(hh, members=tuple(members), findings=findings), new_name, m.name


# --- filing both sides ---------------------------------------------------------------------


def file_household(hh, agencies) -> Household:
    agency = agencies.get(hh.region_code) or agencies["420102"]
    household = Household.objects.create(
        agency=agency, head_id_number=hh.head_id, head_name=hh.head_name
    )
    for m in hh.everyone:
        Member.objects.create(
            household=household,
            name=m.name,
            id_number=m.id_number,
            relation=m.relation,
            co_resident=m.co_resident,
        )
    return household


def _file(item: Item, role: str, data: bytes, media_type: str, page=None) -> File:
    blob = store_bytes(data)
    return File.objects.create(
        item=item,
        role=role,
        sha256=blob.sha256,
        size=blob.size,
        media_type=media_type,
        page_number=page,
    )


def file_electronic(hh, household: Household) -> tuple[Item, bytes]:
    """The report as the platform files it: original, page texts, 档号, a printed task."""
    pdf = render_form("report", hh, as_pdf=True, images=False).pdf
    texts = pdf_texts(pdf)
    subtype = Subtype.objects.get(code="HDB")
    item = Item.objects.create(
        household=household,
        agency=household.agency,
        category=subtype.category,
        subtype=subtype,
        title=f"{hh.head_name}户核对报告",
        document_number=hh.report_number,
        formation_date=hh.report_date,
        page_count=len(texts),
        carrier=Item.Carrier.ELECTRONIC,
        fields={
            "report_number": hh.report_number,
            "household": {
                "head": {"name": hh.head_name, "id_number": hh.head_id},
                "members": [{"name": m.name, "id_number": m.id_number} for m in hh.members[1:]],
                "obligors": [{"name": m.name, "id_number": m.id_number} for m in hh.obligors],
            },
        },
    )
    _file(item, File.Role.ORIGINAL, pdf, "application/pdf")
    Page.objects.bulk_create(Page(item=item, number=n, text=t) for n, t in enumerate(texts, 1))
    file_item(item)
    item.refresh_from_db()
    copy = stamped_copy(pdf, FilingStamp.of(item))
    print_file = _file(item, File.Role.PRINT, copy, "application/pdf")
    PrintTask.objects.create(
        item=item,
        file=print_file,
        status=PrintTask.Status.PRINTED,
        printed_at=dt.datetime.now(dt.UTC),
    )
    return item, copy


def file_paper(paper_hh, electronic: Item, household: Household, preset="scan", seed=0) -> Item:
    """The scan of the printed copy (of ``paper_hh``: the same household or an altered one),
    stamped with the electronic item's 归档章, as ingest files a scan: an image PDF original,
    OCR'd page texts."""
    pdf = render_form("report", paper_hh, as_pdf=True, images=False).pdf
    printed = stamped_copy(pdf, FilingStamp.of(electronic))
    pages = scan_pages(printed, preset, seed)
    import img2pdf

    blobs = []
    for p in pages:
        buf = io.BytesIO()
        p.convert("L").save(buf, "JPEG", quality=88, dpi=(DPI, DPI))
        blobs.append(buf.getvalue())
    scan_pdf = img2pdf.convert(blobs)
    item = Item.objects.create(
        household=household,
        agency=household.agency,
        category=electronic.category,
        subtype=electronic.subtype,
        title=f"{household.head_name}户核对报告（纸质）",
        formation_date=electronic.formation_date,
        page_count=len(pages),
        carrier=Item.Carrier.PAPER,
    )
    _file(item, File.Role.ORIGINAL, scan_pdf, "application/pdf")
    Page.objects.bulk_create(
        Page(item=item, number=n, text=tesseract(p, lang="chi_sim", psm=4))
        for n, p in enumerate(pages, 1)
    )
    file_item(item)
    return item


def make_pair(agencies, hh, alter=None, preset="scan", seed=0):
    """File ``hh``'s report both ways; ``alter(hh) -> (paper_hh, paper_value, electronic_value)``
    changes the paper copy. Returns (electronic item, paper item, paper value, electronic value)."""
    household = file_household(hh, agencies)
    electronic, _ = file_electronic(hh, household)
    paper_hh, paper_value, electronic_value = (hh, None, None) if alter is None else alter(hh)
    paper = file_paper(paper_hh, electronic, household, preset, seed)
    return electronic, paper, paper_value, electronic_value


def households(n: int, seed: int = 7):
    return make_households(n, seed=seed)


def attach_scan(electronic: Item, paper_hh, preset="scan", seed=0) -> Item:
    """The scan of the printed copy kept in the electronic item itself (page-image files,
    carrier 纸质和电子): an item with both a paper scan and an electronic original."""
    pdf = render_form("report", paper_hh, as_pdf=True, images=False).pdf
    for n, page in enumerate(
        scan_pages(stamped_copy(pdf, FilingStamp.of(electronic)), preset, seed), 1
    ):
        buf = io.BytesIO()
        page.convert("L").save(buf, "PNG", dpi=(DPI, DPI))
        _file(electronic, File.Role.PAGE_IMAGE, buf.getvalue(), "image/png", page=n)
    Item.objects.filter(pk=electronic.pk).update(carrier=Item.Carrier.BOTH)
    electronic.refresh_from_db()
    return electronic
