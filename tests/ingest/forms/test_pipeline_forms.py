"""The pipeline with HEDANG_OCR_TABLES: a 委托书 with its 花名册 is linked to every listed
household, the extracted form is stored with the item, the PDF/A keeps a text layer."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import override_settings

from archive.models import File
from archive.storage import read_blob
from ingest.models import Document, ItemHousehold
from ingest.sniff import pdf_page_texts
from tests.ingest.conftest import register_synthetic
from tests.ingest.forms.conftest import needs_tesseract
from tests.synthetic import render_form
from tests.synthetic.degrade import degrade
from tests.synthetic.scans import write_tiff

pytestmark = [pytest.mark.django_db, pytest.mark.slow, needs_tesseract]


@override_settings(HEDANG_OCR_TABLES=True)
def test_roster_links_one_item_to_all_its_households(hubei, households, tmp_path):
    listed = households[:3]
    registered = [register_synthetic(h, hubei, case=False) for h in listed]
    rendered = render_form("commission", listed)
    pages = [degrade(img, "scan", seed=n) for n, img in enumerate(rendered.images)]
    write_tiff(pages, tmp_path / "commission.tif")

    call_command("ingest", str(tmp_path), "--sync", stdout=io.StringIO())

    item = Document.objects.get(original_name="commission.tif").item
    form = item.fields["form"]
    assert form["template"] == "commission"
    heads = [r["head_id"] for r in form["fields"]["roster"]]
    assert heads == [h.head_id for h in listed]
    assert len(form["pages"]) == 2 and form["pages"][1]["cells"]
    links = ItemHousehold.objects.filter(item=item)
    assert {link.household_id for link in links} == {h.pk for h in registered}
    assert item.household_id == registered[0].pk
    assert item.status != item.Status.REVIEW, item.status_detail
    # The access copy (PDF/A) carries the text layer of the table-aware OCR.
    access = File.objects.get(item=item, role=File.Role.ACCESS)
    layer = pdf_page_texts(read_blob(access.sha256))[1].replace(" ", "")
    assert listed[1].head_id in layer


@override_settings(HEDANG_OCR_TABLES=True)
def test_landscape_home_visit_filed_with_title_and_address(hubei, tmp_path):
    """A 入户核查表 printed landscape inside an outer frame (title and header line inside it),
    scanned at 300 dpi elsewhere: filed in its household, title and address in the text."""
    from tests.synthetic import make_households
    from tests.synthetic.printed import render_printed

    person = make_households(5, seed=2024)[4]
    # The form prints no date: the household's case dates it (else it would wait in review).
    household = register_synthetic(person, hubei)
    form = render_printed("home_visit_landscape", person)
    write_tiff([degrade(form.images[0], "scan", seed=3)], tmp_path / "visit.tif")

    call_command("ingest", str(tmp_path), "--sync", stdout=io.StringIO())

    document = Document.objects.get(original_name="visit.tif")
    item = document.item
    assert item.household_id == household.pk
    assert item.subtype.name == "入户核查表", item.status_detail
    assert item.status != item.Status.REVIEW, item.status_detail
    text = document.page_texts[0].replace(" ", "")
    assert "居民家庭经济状况入户核查表" in text
    a = person.address
    assert f"{a.town}{a.community}" in text
    assert item.fields["form"]["fields"]["head_name"] == person.head_name
    assert item.formation_date == person.authorization_date
    assert item.fields["provenance"]["formation_date"] == "case"


@override_settings(HEDANG_OCR_TABLES=True)
def test_subtype_from_the_template_when_the_title_is_not_read(hubei, tmp_path):
    """The title torn off (not on the scan): the tables still say 入户核查表, and the item
    says the subtype came from them."""
    from PIL import ImageDraw

    from tests.synthetic import make_households
    from tests.synthetic.printed import render_printed

    person = make_households(5, seed=2024)[4]
    household = register_synthetic(person, hubei, case=False)
    page = render_printed("home_visit_landscape", person).images[0].copy()
    ImageDraw.Draw(page).rectangle((0, 0, page.width, int(25 / 25.4 * 300)), fill="white")
    write_tiff([degrade(page, "scan", seed=4)], tmp_path / "untitled.tif")

    call_command("ingest", str(tmp_path), "--sync", stdout=io.StringIO())

    document = Document.objects.get(original_name="untitled.tif")
    item = document.item
    assert "入户核查表" not in document.page_texts[0].replace(" ", "")
    assert item.household_id == household.pk
    assert item.subtype.name == "入户核查表"
    assert "子类依表格识别" in item.status_detail
