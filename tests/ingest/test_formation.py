"""No silent guesses: an item's formation date comes from the form, else from its case, else a
person gives it in review — never the day of ingest — and the item says where it came from."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from archive import identifiers
from archive.filing import file_item
from archive.models import Case, Item, Subtype
from archive.pdf import text_pdf
from ingest import dating, pipeline, review
from ingest.models import Document
from ingest.text import Found

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 7)


def _case(household, serial: int, accepted=None, reported=None) -> Case:
    agency = household.agency
    return Case.objects.create(
        household=household,
        agency=agency,
        business_type="aa",
        report_number=identifiers.format_report_number(
            agency.region_code, 2023, 5, serial, "aa", "f", 1
        ),
        authorization_number=identifiers.format_authorization_number(
            agency.region_code, 2023, serial
        ),
        accepted_on=accepted,
        reported_on=reported,
    )


def test_the_forms_own_date_comes_first(make_household):
    household = make_household("420102")
    _case(household, 1, accepted=dt.date(2023, 5, 4))
    dated = dating.date_item(Found(dates=(dt.date(2023, 6, 1),)), household, "process", TODAY)
    assert (dated.date, dated.source) == (dt.date(2023, 6, 1), "form")
    # A date in the future is not the paper's formation date.
    future = dating.date_item(Found(dates=(dt.date(2027, 1, 1),)), household, "process", TODAY)
    assert (future.date, future.source) == (dt.date(2023, 5, 4), "case")


def test_without_a_date_the_case_gives_it(make_household):
    household = make_household("420102")
    case = _case(household, 1, accepted=dt.date(2023, 5, 4), reported=dt.date(2023, 5, 20))
    dated = dating.date_item(Found(), household, "process", TODAY)
    assert (dated.date, dated.source, dated.case) == (dt.date(2023, 5, 4), "case", case)
    assert dated.provenance() == {"formation_date": "case", "year": "case", "case": case.pk}
    # A report takes the report date of its case.
    assert dating.date_item(Found(), household, "report", TODAY).date == dt.date(2023, 5, 20)


def test_a_case_without_dates_gives_the_date_of_its_filed_items(make_household, make_item):
    household = make_household("420102")
    case = _case(household, 1)
    authorization = make_item(household, "SQS", formation_date=dt.date(2023, 4, 28))
    authorization.case = case
    file_item(authorization)
    dated = dating.date_item(Found(), household, "process", TODAY)
    assert (dated.date, dated.source) == (dt.date(2023, 4, 28), "case")


def test_a_number_on_the_paper_picks_its_case_among_several(make_household):
    household = make_household("420102")
    first = _case(household, 1, accepted=dt.date(2023, 5, 4))
    second = _case(household, 2, accepted=dt.date(2025, 9, 1))
    # Two cases and nothing naming one: which is a person's call.
    ambiguous = dating.date_item(Found(), household, "process", TODAY)
    assert (ambiguous.date, ambiguous.source, ambiguous.case) == (None, "review", None)
    assert ambiguous.note == dating.NO_DATE
    named = Found(authorization_numbers=(first.authorization_number,))
    assert dating.date_item(named, household, "process", TODAY).date == dt.date(2023, 5, 4)
    named = Found(report_numbers=(second.report_number,))
    assert dating.date_item(named, household, "process", TODAY).case == second


def test_no_household_no_case_means_review(make_household):
    assert dating.date_item(Found(), None, "process", TODAY).source == "review"
    household = make_household("420102")
    assert dating.date_item(Found(), household, "process", TODAY).date is None


def _undated_home_visit(household) -> bytes:
    return text_pdf(
        "居民家庭经济状况入户核查表",
        [
            f"户主姓名：{household.head_name}  身份证号码：{household.head_id_number}",
            "邻里访问情况：邻居反映家庭生活困难。",
        ],
    )


def _run(batch, name, data) -> Document:
    (document,) = pipeline.submit(batch, name, data)
    return pipeline.process(document.pk)


@pytest.mark.slow
def test_an_undated_form_takes_its_cases_date_and_the_item_page_says_so(
    make_household, batch_for, client, make_user
):
    household = make_household("420102")
    case = _case(household, 1, accepted=dt.date(2023, 5, 4))
    document = _run(batch_for("420102"), "visit.pdf", _undated_home_visit(household))
    assert document.status == Document.Status.FILED, document.error
    item = document.item
    assert (item.formation_date, item.year, item.case) == (dt.date(2023, 5, 4), 2023, case)
    assert item.fields["provenance"]["formation_date"] == "case"
    client.force_login(make_user("420102"))
    page = client.get(reverse("archive_item:detail", args=[item.pk])).content.decode()
    assert "2023-05-04（来源：案卷）" in page and "2023（来源：案卷）" in page


@pytest.mark.slow
def test_an_undated_form_without_a_case_waits_in_review_with_the_reason(
    make_household, batch_for, make_user
):
    household = make_household("420102")
    document = _run(batch_for("420102"), "visit.pdf", _undated_home_visit(household))
    assert document.status == Document.Status.REVIEW, document.error
    item = document.item
    assert item.household == household and item.formation_date is None
    assert item.archive_number is None and dating.NO_DATE in item.status_detail
    assert item.fields["provenance"]["formation_date"] == "review"
    user = make_user("420102")
    subtype = Subtype.objects.get(code="RHB")
    with pytest.raises(review.ReviewError, match="缺少形成日期"):
        review.accept(item, household=household, category="process", subtype=subtype, user=user)
    with pytest.raises(review.ReviewError, match="不能晚于今天"):
        review.accept(
            item,
            household=household,
            category="process",
            subtype=subtype,
            user=user,
            formation_date=dt.date.today() + dt.timedelta(days=2),
        )
    item.refresh_from_db()
    assert item.status == Item.Status.REVIEW and item.formation_date is None
    filed = review.accept(
        item,
        household=household,
        category="process",
        subtype=subtype,
        user=user,
        formation_date=dt.date(2023, 3, 6),
    )
    filed.refresh_from_db()
    assert (filed.status, filed.formation_date, filed.year) == ("filed", dt.date(2023, 3, 6), 2023)
    assert filed.fields["provenance"]["formation_date"] == "review"


@pytest.mark.slow
def test_the_review_page_takes_the_formation_date(make_household, batch_for, client, make_user):
    household = make_household("420102")
    document = _run(batch_for("420102"), "visit.pdf", _undated_home_visit(household))
    item = document.item
    client.force_login(make_user("420102"))
    url = reverse("ingest:review", args=[item.pk])
    assert 'name="formation_date"' in client.get(url).content.decode()
    subtype = Subtype.objects.get(code="RHB")
    post = {"household": household.pk, "category": "process", "subtype": subtype.pk}
    refused = client.post(url, post)
    assert refused.status_code == 400 and "缺少形成日期" in refused.content.decode()
    client.post(url, {**post, "formation_date": "2023-03-06"})
    item.refresh_from_db()
    assert (item.status, item.formation_date) == ("filed", dt.date(2023, 3, 6))
    page = client.get(reverse("archive_item:detail", args=[item.pk])).content.decode()
    assert "2023-03-06（来源：人工）" in page
