from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageFont

FONT = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"


def scan_page(lines: list[str], *, skew: float = 1.0, dpi: int = 300, fmt: str = "PNG") -> bytes:
    """An A4 page of Chinese text as a scanner would deliver it (slightly skewed)."""
    width, height = int(8.27 * dpi), int(11.69 * dpi)
    image = Image.new("L", (width, height), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(FONT, int(dpi * 0.14))
    for row, line in enumerate(lines):
        draw.text((int(dpi * 0.8), int(dpi * (1.0 + 0.32 * row))), line, font=font, fill=0)
    image = image.rotate(skew, fillcolor=255)
    buf = io.BytesIO()
    image.save(buf, format=fmt, dpi=(dpi, dpi))
    return buf.getvalue()


@pytest.fixture
def batch_for(hubei):
    from ingest.models import Batch

    def make(region_code: str = "420102", **kw):
        return Batch.objects.create(source=Batch.Source.COMMAND, agency=hubei[region_code], **kw)

    return make


def register_synthetic(synthetic, agencies, *, case: bool = True):
    """A SyntheticHousehold saved as a household with its members (and its case)."""
    from archive.models import Case, Household, Member

    household = Household.objects.create(
        agency=agencies[synthetic.region_code],
        head_id_number=synthetic.head_id,
        head_name=synthetic.head_name,
        address=synthetic.address.full,
    )
    for person in (*synthetic.members, *synthetic.obligors):
        Member.objects.create(
            household=household,
            name=person.name,
            id_number=person.id_number,
            relation=person.relation,
            co_resident=person.co_resident,
        )
    if case:
        Case.objects.create(
            household=household,
            agency=household.agency,
            business_type=synthetic.business_type,
            report_number=synthetic.report_number,
            authorization_number=synthetic.authorization_number,
            # An undated form (the 入户核查表 prints no date) takes its case's date.
            accepted_on=synthetic.authorization_date,
            reported_on=synthetic.report_date,
        )
    return household
