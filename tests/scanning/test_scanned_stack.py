"""Done when: a scanned stack (sheets made by ``cover_sheet``, rasterised, degraded like a
scan, between the form pages of several households) is filed item by item, without review."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest
from django.core.management import call_command

from archive.models import Case, Household, Item
from ingest.models import Document, DocumentPart
from tests.synthetic import make_households, render_form
from tests.synthetic.degrade import blur, degrade, jpeg, skew
from tests.synthetic.scans import write_jpeg, write_pdf_from_images

pytestmark = [pytest.mark.django_db, pytest.mark.slow]

# (form, subtype code) per household, in the stack's order.
PLAN = [("authorization", "SQS"), ("report", "HDB"), ("home_visit", "RHB")]


def _sheet_image(tmp_path, household: Household, subtype: str, angle: float):
    out = tmp_path / f"sheet-{subtype}.pdf"
    call_command(
        "cover_sheet", "--household", household.head_id_number, "--subtype", subtype, "-o", out
    )
    (page,) = pdfium.PdfDocument(out.read_bytes())
    image = page.render(scale=300 / 72, grayscale=True).to_pil()
    image.info["dpi"] = (300, 300)
    return jpeg(blur(skew(image, angle), 0.8), 75)


def _build_stack(tmp_path, hubei):
    """The pages of the stack in order, and per household the (subtype, pages) expected."""
    synthetic = make_households(len(PLAN), seed=11)
    pages, expected = [], []
    for index, ((form, code), hh) in enumerate(zip(PLAN, synthetic, strict=True)):
        household = Household.objects.create(
            agency=hubei[hh.region_code], head_id_number=hh.head_id, head_name=hh.head_name
        )
        # Its case's date dates the 入户核查表, which prints none (ingest.dating).
        Case.objects.create(
            household=household,
            agency=household.agency,
            business_type=hh.business_type,
            accepted_on=hh.authorization_date,
            reported_on=hh.report_date,
        )
        angle = (1.0, -1.5, 2.0)[index]
        pages.append(_sheet_image(tmp_path, household, code, angle))
        rendered = render_form(form, hh, dpi=300)
        pages += [
            degrade(img, "scan", seed=index * 10 + n) for n, img in enumerate(rendered.images)
        ]
        expected.append((household.head_id_number, code, rendered.page_count))
    return pages, expected


def _check(documents: list[Document], expected) -> None:
    for document in documents:
        assert document.status == Document.Status.FILED, document.error
    parts = DocumentPart.objects.filter(document__in=documents).select_related(
        "item__household", "item__subtype"
    )
    got = [(p.item.household.head_id_number, p.item.subtype.code, p.item.page_count) for p in parts]
    assert got == expected
    for part in parts:
        assert part.item.status == Item.Status.FILED and part.item.archive_number
        assert not part.item.fields.get("proposed_split")


def test_a_scanned_stack_as_one_pdf_is_filed_item_by_item(hubei, tmp_path, capsys):
    pages, expected = _build_stack(tmp_path, hubei)
    path = write_pdf_from_images(pages, tmp_path / "stack.pdf", dpi=300, quality=85)
    capsys.readouterr()
    call_command("ingest", str(path), "--sync", "--json")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["status"] == "filed", line
    _check(list(Document.objects.filter(original_name="stack.pdf")), expected)


def test_a_scanned_stack_as_a_folder_of_jpegs_is_filed_item_by_item(hubei, tmp_path, capsys):
    pages, expected = _build_stack(tmp_path, hubei)
    folder = tmp_path / "drop"
    folder.mkdir()
    for number, image in enumerate(pages, start=1):
        write_jpeg(image, folder / f"scan-{number:04d}.jpg", dpi=300)
    capsys.readouterr()
    call_command("ingest_stack", str(folder), "--sync", "--json")
    line = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert line["status"] == "filed", line
    assert [(i["household"], i["pages"]) for i in line["items"]] == [
        (household, count) for household, _code, count in expected
    ]
    _check(list(Document.objects.filter(pk=line["document"])), expected)
