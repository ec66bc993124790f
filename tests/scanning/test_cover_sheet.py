"""Separator sheets: the payload, the ``cover_sheet`` command, reading the codes back."""

from __future__ import annotations

import json

import pypdfium2 as pdfium
import pytest
import zxingcpp
from django.core.management import call_command
from django.core.management.base import CommandError

from scanning.payload import InvalidPayload, Separator, check_value, decode, encode, is_ours
from scanning.separators import PageCode, plan

ID = "420102198503151234"


def test_payload_round_trip_and_check():
    payload = encode(ID, "rhb")
    assert payload == f"HD1:{ID}:RHB:{check_value(f'HD1:{ID}:RHB:')}"
    assert len(payload) <= 40 and payload.isascii() and payload == payload.upper()
    assert decode(payload) == Separator(ID, "RHB")
    assert decode(payload.lower()) == Separator(ID, "RHB")
    assert is_ours(payload) and not is_ours("https://example.org")


@pytest.mark.parametrize(
    "bad",
    [
        f"HD1:{ID}:RHB:AAAA",  # wrong check
        f"HD1:{ID[:-1]}5:RHB:" + check_value(f"HD1:{ID}:RHB:"),  # one digit misread
        f"HD1:{ID}:RHB",  # no check
        f"HD2:{ID}:RHB:AAAA",
    ],
)
def test_payload_rejects_misreads(bad):
    with pytest.raises(InvalidPayload):
        decode(bad)


def test_encode_refuses_what_it_cannot_carry():
    with pytest.raises(ValueError):
        encode("not-an-id", "RHB")


def _sep(household=ID, subtype="RHB"):
    return PageCode(separator=Separator(household, subtype))


def test_plan_cuts_at_every_sheet_and_drops_the_sheets():
    page = PageCode()
    stack = plan([_sep(), page, page, _sep(subtype="SQS"), page])
    assert stack.certain and stack.separators == [1, 4]
    assert [(p.first_page, p.last_page, p.subtype) for p in stack.parts] == [
        (2, 3, "RHB"),
        (5, 5, "SQS"),
    ]
    assert plan([page, page]) is None


def test_plan_is_uncertain_about_loose_pages_broken_and_empty_sheets():
    page = PageCode()
    assert "之前有材料页" in plan([page, _sep(), page]).problems[0]
    broken = plan([_sep(), page, PageCode(error="校验值不符"), page])
    assert not broken.certain and broken.parts[1].household is None
    assert "之后没有材料页" in plan([_sep(), _sep(), page]).problems[0]


def _render(pdf: bytes, dpi: int = 150) -> list:
    document = pdfium.PdfDocument(pdf)
    return [page.render(scale=dpi / 72).to_pil() for page in document]


@pytest.mark.django_db
def test_cover_sheet_command_makes_a_readable_qr_of_at_least_2_cm(make_household, tmp_path):
    household = make_household("420102", "张伟")
    out = tmp_path / "sheet.pdf"
    call_command(
        "cover_sheet", "--household", household.head_id_number, "--subtype", "入户核查表", "-o", out
    )
    (image,) = _render(out.read_bytes(), 150)
    (page,) = pdfium.PdfDocument(out.read_bytes())
    text = page.get_textpage().get_text_range()
    assert "分隔页" in text and household.head_name in text and "入户核查表" in text
    assert household.head_id_number not in text  # masked on paper; only the QR carries it
    (code,) = zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    assert decode(code.text) == Separator(household.head_id_number, "RHB")
    assert code.ec_level in ("M", "Q", "H")
    pos = code.position
    width_px = max(pos.top_right.x, pos.bottom_right.x) - min(pos.top_left.x, pos.bottom_left.x)
    assert width_px / 150 * 25.4 >= 25.0  # mm, printed ≥ 2 cm with room to spare


@pytest.mark.django_db
def test_cover_sheet_missing_makes_one_page_per_subtype_without_an_item(
    make_household, make_item, tmp_path, capsys
):
    household = make_household("420102", "李娜")
    make_item(household, "RHB")
    out = tmp_path / "missing.pdf"
    call_command(
        "cover_sheet", "--household", household.head_id_number, "--missing", "-o", out, "--json"
    )
    report = json.loads(capsys.readouterr().out)
    codes = [s["code"] for s in report["sheets"]]
    assert "RHB" not in codes and "SQS" in codes and "HDB" in codes
    assert len(pdfium.PdfDocument(out.read_bytes())) == len(codes)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args",
    [
        ["--household", "420102198001010000", "--subtype", "RHB"],
        ["--household", "{id}", "--subtype", "没有这种子类"],
        ["--household", "{id}"],
    ],
)
def test_cover_sheet_usage_errors_exit_2(make_household, tmp_path, args):
    household = make_household("420102", "王五")
    args = [a.replace("{id}", household.head_id_number) for a in args]
    with pytest.raises(CommandError) as exc:
        call_command("cover_sheet", *args, "-o", tmp_path / "x.pdf")
    assert exc.value.returncode == 2


@pytest.mark.django_db
def test_household_page_download_of_cover_sheets_is_scoped(make_household, make_user, client):
    household = make_household("420102", "张伟")
    client.force_login(make_user("420102"))
    url = f"/admin/scanning/households/{household.pk}/cover-sheet/"
    one = client.get(url, {"subtype": "RHB"})
    assert one.status_code == 200 and one["Content-Type"] == "application/pdf"
    assert len(pdfium.PdfDocument(one.content)) == 1
    checklist = client.get(url)
    assert checklist.status_code == 200 and len(pdfium.PdfDocument(checklist.content)) > 1
    client.force_login(make_user("420103", username="other-county"))
    assert client.get(url, {"subtype": "RHB"}).status_code in (403, 404)
