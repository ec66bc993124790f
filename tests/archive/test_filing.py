"""档号 allocation: format, gap-free numbering per class, retention dates, concurrency."""

from __future__ import annotations

import datetime as dt
import multiprocessing
import threading
import time

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, connections, transaction

from archive.filing import (
    FilingError,
    appraisal_due,
    file_item,
    next_number,
    retention_start,
)
from archive.identifiers import archive_number_pattern
from archive.models import ArchiveNumberCounter, Case, Item, Subtype

DAT22_PATTERN = "{fonds}-{doc_class}·{year}-{retention}-{org}-{number:04d}"


def _numbers(items) -> list[str]:
    return [item.archive_number for item in items]


# --- format and classes ------------------------------------------------------------------


@pytest.mark.django_db
def test_default_pattern(make_household, make_item):
    household = make_household("420102")
    item = file_item(make_item(household, "RHB"))
    assert item.archive_number == "Z420102-HD·2024-D10-GC-0001"
    item.refresh_from_db()
    assert item.archive_number == "Z420102-HD·2024-D10-GC-0001"
    assert item.class_key == "Z420102-HD·2024-D10-GC-"
    assert item.item_number == 1
    assert item.year == 2024
    assert item.retention == "D10"
    assert item.status == Item.Status.FILED
    assert item.filed_at is not None
    assert item.retention_start == dt.date(2025, 1, 1)


@pytest.mark.django_db
def test_each_category_has_its_code(make_household, make_item):
    household = make_household("420102")
    got = {
        code: file_item(make_item(household, code)).archive_number
        for code in ("SQS", "SRZ", "HDB", "SPC")
    }
    assert got == {
        "SQS": "Z420102-HD·2024-D10-GC-0001",
        "SRZ": "Z420102-HD·2024-D10-ZM-0001",
        "HDB": "Z420102-HD·2024-D10-BG-0001",
        "SPC": "Z420102-HD·2024-D10-YY-0001",
    }


@pytest.mark.django_db
def test_gap_free_per_class(make_household, make_item):
    zhang = make_household("420102", "张伟")
    li = make_household("420102", "李娜")
    liu = make_household("420105", "刘洋")
    filed = [
        file_item(make_item(zhang, "SQS")),
        file_item(make_item(li, "RHB")),  # another household, same class
        file_item(make_item(zhang, "SRZ")),  # another category
        file_item(make_item(zhang, "RHB", formation_date=dt.date(2023, 11, 2))),  # another year
        file_item(make_item(liu, "RHB")),  # another agency
        file_item(make_item(zhang, "WTS")),
        file_item(make_item(li, "CCZ")),
        file_item(make_item(zhang, "SQS", formation_date=dt.date(2023, 5, 1))),
    ]
    assert _numbers(filed) == [
        "Z420102-HD·2024-D10-GC-0001",
        "Z420102-HD·2024-D10-GC-0002",
        "Z420102-HD·2024-D10-ZM-0001",
        "Z420102-HD·2023-D10-GC-0001",
        "Z420105-HD·2024-D10-GC-0001",
        "Z420102-HD·2024-D10-GC-0003",
        "Z420102-HD·2024-D10-ZM-0002",
        "Z420102-HD·2023-D10-GC-0002",
    ]
    counters = dict(ArchiveNumberCounter.objects.values_list("class_key", "last_number"))
    assert counters == {
        "Z420102-HD·2024-D10-GC-": 3,
        "Z420102-HD·2024-D10-ZM-": 2,
        "Z420102-HD·2023-D10-GC-": 2,
        "Z420105-HD·2024-D10-GC-": 1,
    }


@pytest.mark.django_db
def test_fonds_code_of_the_agency_is_used(hubei, make_household, make_item):
    agency = hubei["420102"]
    agency.fonds_code = "Z109"
    agency.save()
    household = make_household("420102")
    household.agency.refresh_from_db()
    item = make_item(household, "RHB")
    item.agency.refresh_from_db()
    assert file_item(item).archive_number == "Z109-HD·2024-D10-GC-0001"


@pytest.mark.django_db
def test_filing_twice_changes_nothing(make_household, make_item):
    item = file_item(make_item(make_household("420102"), "RHB"))
    again = file_item(Item.objects.get(pk=item.pk))
    assert again.archive_number == item.archive_number
    assert ArchiveNumberCounter.objects.get().last_number == 1


@pytest.mark.django_db
def test_number_beyond_the_pattern_width_is_refused(make_household, make_item):
    household = make_household("420102")
    ArchiveNumberCounter.objects.create(class_key="Z420102-HD·2024-D10-GC-", last_number=9998)
    assert file_item(make_item(household, "RHB")).archive_number.endswith("-9999")
    # 件号 is 4 digits: the 10000th item of a class cannot get a valid 档号, and says so.
    with pytest.raises(ValueError):
        file_item(make_item(household, "RHB"))
    assert ArchiveNumberCounter.objects.get().last_number == 9999


# --- rolled back filings give their number back -------------------------------------------


class _Abort(Exception):
    pass


@pytest.mark.django_db
def test_rolled_back_filing_gives_its_number_back(make_household, make_item):
    household = make_household("420102")
    first = make_item(household, "RHB")
    second = make_item(household, "SQS")
    with pytest.raises(_Abort), transaction.atomic():
        assert file_item(first).archive_number.endswith("-0001")
        raise _Abort
    first.refresh_from_db()
    assert first.archive_number is None
    assert first.status == Item.Status.REVIEW
    assert file_item(second).archive_number == "Z420102-HD·2024-D10-GC-0001"
    assert file_item(first).archive_number == "Z420102-HD·2024-D10-GC-0002"


@pytest.mark.django_db(transaction=True)
def test_rolled_back_filing_gives_its_number_back_outside_a_test_transaction(
    make_household, make_item
):
    household = make_household("420102")
    file_item(make_item(household, "RHB"))  # 0001 committed, the counter row exists
    doomed = make_item(household, "RHB")
    with pytest.raises(_Abort), transaction.atomic():
        file_item(doomed)
        raise _Abort
    nxt = file_item(make_item(household, "RHB"))
    assert nxt.archive_number == "Z420102-HD·2024-D10-GC-0002"
    numbers = sorted(Item.objects.exclude(item_number=None).values_list("item_number", flat=True))
    assert numbers == [1, 2]


@pytest.mark.django_db
def test_failed_filing_leaves_the_item_unfiled(make_household, make_item):
    """When the filing transaction fails, the in-memory item must not keep the number: a
    retry with the same object would otherwise return early as if filed."""
    household = make_household("420102")
    file_item(make_item(household, "RHB"))
    ArchiveNumberCounter.objects.all().delete()  # the counter lost: 0001 would be reused
    item = make_item(household, "RHB")
    with pytest.raises(IntegrityError), transaction.atomic():
        file_item(item)
    assert item.archive_number is None
    assert item.item_number is None
    assert item.status == Item.Status.REVIEW
    assert item.filed_at is None
    item.refresh_from_db()
    assert item.archive_number is None


@pytest.mark.django_db(transaction=True)
def test_next_number_refuses_to_run_outside_a_transaction():
    with pytest.raises(RuntimeError):
        next_number("Z420102-HD·2024-D10-GC-")
    assert not ArchiveNumberCounter.objects.exists()


# --- retention -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("formed", "start", "due"),
    [
        (dt.date(2024, 3, 6), dt.date(2025, 1, 1), dt.date(2035, 1, 1)),
        (dt.date(2024, 1, 1), dt.date(2025, 1, 1), dt.date(2035, 1, 1)),
        (dt.date(2024, 12, 31), dt.date(2025, 1, 1), dt.date(2035, 1, 1)),
        (dt.date(2024, 2, 29), dt.date(2025, 1, 1), dt.date(2035, 1, 1)),
    ],
)
def test_retention_starts_1_january_after_formation(formed, start, due):
    assert retention_start(formed) == start
    assert appraisal_due(retention_start(formed)) == due


def test_retention_from_the_formation_date_when_configured(settings):
    settings.HEDANG_RETENTION_START = "formation_date"
    assert retention_start(dt.date(2024, 3, 6)) == dt.date(2024, 3, 6)
    assert appraisal_due(dt.date(2024, 3, 6)) == dt.date(2034, 3, 6)
    # A 29 February start has no anniversary in 2034: due the day after 28 February, so a
    # full ten years have passed.
    assert appraisal_due(dt.date(2024, 2, 29)) == dt.date(2034, 3, 1)


def test_retention_years_is_a_setting(settings):
    settings.HEDANG_RETENTION_YEARS = 30
    assert appraisal_due(dt.date(2025, 1, 1)) == dt.date(2055, 1, 1)


@pytest.mark.django_db
def test_filed_item_carries_retention_start(make_household, make_item):
    item = file_item(
        make_item(make_household("420102"), "HDB", formation_date=dt.date(2024, 12, 31))
    )
    assert item.retention_start == dt.date(2025, 1, 1)
    assert item.year == 2024


# --- what filing refuses -------------------------------------------------------------------


@pytest.mark.django_db
def test_item_without_household_is_refused(hubei):
    subtype = Subtype.objects.get(code="RHB")
    item = Item.objects.create(
        agency=hubei["420102"],
        category=subtype.category,
        subtype=subtype,
        title="无主扫描件",
        formation_date=dt.date(2024, 3, 6),
    )
    with pytest.raises(FilingError):
        file_item(item)
    item.refresh_from_db()
    assert item.archive_number is None
    assert not ArchiveNumberCounter.objects.exists()


@pytest.mark.django_db
def test_item_without_formation_date_is_refused(make_household, make_item):
    item = make_item(make_household("420102"), "RHB", formation_date=None)
    with pytest.raises(FilingError):
        file_item(item)
    assert not ArchiveNumberCounter.objects.exists()


@pytest.mark.django_db
def test_item_without_subtype_is_refused(make_household):
    household = make_household("420102")
    item = Item.objects.create(
        household=household,
        agency=household.agency,
        title="未分类的件",
        formation_date=dt.date(2024, 3, 6),
    )
    with pytest.raises(FilingError):
        file_item(item)
    assert not ArchiveNumberCounter.objects.exists()


def test_filing_error_is_a_value_error():
    assert issubclass(FilingError, ValueError)


# --- the pattern is a setting ------------------------------------------------------------


@pytest.mark.django_db
def test_dat22_pattern_and_parse_back(settings, make_household, make_item):
    settings.HEDANG_ARCHIVE_NUMBER_PATTERN = DAT22_PATTERN
    household = make_household("420102")
    items = [file_item(make_item(household, code)) for code in ("RHB", "SQS", "HDB")]
    assert _numbers(items) == [
        "Z420102-HD·2024-D10-GC-0001",
        "Z420102-HD·2024-D10-GC-0002",
        "Z420102-HD·2024-D10-BG-0001",
    ]
    pattern = archive_number_pattern()
    assert pattern.template == DAT22_PATTERN
    for item in items:
        parsed = pattern.parse(item.archive_number)
        assert parsed.value == item.archive_number
        assert parsed.number == item.item_number
        assert parsed.class_key == item.class_key
        assert parsed.fields["fonds"] == "Z420102"
        assert parsed.fields["doc_class"] == "HD"
        assert parsed.fields["year"] == "2024"
        assert parsed.fields["retention"] == "D10"
    assert pattern.parse(items[2].archive_number).fields["org"] == "BG"


@pytest.mark.django_db
def test_pattern_by_business_type(settings, make_household, make_item):
    settings.HEDANG_ARCHIVE_NUMBER_PATTERN = (
        "{fonds}·{year}-{retention}-{business_type}-{number:05d}"
    )
    household = make_household("420102")
    case_aa = Case.objects.create(household=household, agency=household.agency, business_type="aa")
    case_ah = Case.objects.create(household=household, agency=household.agency, business_type="ah")

    def item_of(case, code):
        item = make_item(household, code)
        item.case = case
        item.save()
        return file_item(item)

    got = [
        item_of(case_aa, "RHB"),
        item_of(case_aa, "HDB"),  # business type classes, not categories
        item_of(case_ah, "RHB"),
        item_of(None, "SQS"),  # no case yet: 其他 (QT)
    ]
    assert _numbers(got) == [
        "Z420102·2024-D10-AA-00001",
        "Z420102·2024-D10-AA-00002",
        "Z420102·2024-D10-AH-00001",
        "Z420102·2024-D10-QT-00001",
    ]
    parsed = archive_number_pattern().parse("Z420102·2024-D10-AA-00002")
    assert parsed.number == 2
    assert parsed.fields["business_type"] == "AA"


@pytest.mark.django_db
def test_check_identifier_uses_the_configured_pattern(settings, make_household, make_item):
    import json
    from io import StringIO

    settings.HEDANG_ARCHIVE_NUMBER_PATTERN = DAT22_PATTERN
    item = file_item(make_item(make_household("420102"), "RHB"))
    out = StringIO()
    call_command("check_identifier", "--json", item.archive_number, stdout=out)
    result = json.loads(out.getvalue())
    assert result["kind"] == "archive_number"
    assert result["valid"] is True
    assert result["fields"]["org"] == "GC"
    assert result["fields"]["number"] == 1


# --- concurrent filers -------------------------------------------------------------------

FILERS = 8
PER_FILER = 25


def _file_these(item_ids: list[int], barrier) -> None:
    """One filer: wait for the others, then file its items one by one."""
    try:
        barrier.wait(timeout=60)
        for pk in item_ids:
            file_item(Item.objects.get(pk=pk))
    finally:
        connections.close_all()


def _process_filer(item_ids: list[int], barrier) -> None:
    # A forked child: its own OS process and its own database connection (the parent closed
    # its connections before forking, so nothing is shared).
    _file_these(item_ids, barrier)


def _prepare_items(make_household, make_item) -> list[list[int]]:
    groups = []
    for n in range(FILERS):
        household = make_household("420102", f"户主{n}", birth=f"19{60 + n}0101")
        groups.append([make_item(household, "RHB", file=False).pk for _ in range(PER_FILER)])
    return groups


def _file_in_processes(groups: list[list[int]]) -> None:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(len(groups))
    connections.close_all()
    procs = [ctx.Process(target=_process_filer, args=(ids, barrier)) for ids in groups]
    for p in procs:
        p.start()
    for p in procs:
        p.join(timeout=180)
    hung = [p for p in procs if p.is_alive()]
    for p in hung:
        p.kill()
    assert not hung, "a filer hung"
    assert [p.exitcode for p in procs] == [0] * len(procs)


def _file_in_threads(groups: list[list[int]]) -> None:
    barrier = threading.Barrier(len(groups))
    errors: list[BaseException] = []

    def run(ids):
        try:
            _file_these(ids, barrier)
        except BaseException as exc:  # noqa: BLE001 — reported to the main thread
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(ids,)) for ids in groups]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=180)
    assert not any(t.is_alive() for t in threads), "a filer hung"
    assert not errors, errors


def _assert_gap_free(groups: list[list[int]]) -> None:
    total = FILERS * PER_FILER
    items = Item.objects.filter(pk__in=[pk for ids in groups for pk in ids])
    numbers = list(items.values_list("archive_number", flat=True))
    assert None not in numbers
    assert len(numbers) == total
    assert len(set(numbers)) == total, "duplicate 档号"
    item_numbers = sorted(items.values_list("item_number", flat=True))
    assert item_numbers == list(range(1, total + 1)), "gaps or duplicates in 件号"
    assert set(items.values_list("class_key", flat=True)) == {"Z420102-HD·2024-D10-GC-"}
    assert sorted(numbers) == [f"Z420102-HD·2024-D10-GC-{n:04d}" for n in range(1, total + 1)]
    counter = ArchiveNumberCounter.objects.get(class_key="Z420102-HD·2024-D10-GC-")
    assert counter.last_number == total
    from archive.audit import verify_chain

    assert verify_chain().intact


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_filers_postgres_processes(make_household, make_item):
    assert connection.vendor == "postgresql"
    groups = _prepare_items(make_household, make_item)
    started = time.monotonic()
    _file_in_processes(groups)
    print(f"8 processes filed 200 items in {time.monotonic() - started:.2f} s")
    _assert_gap_free(groups)


@pytest.mark.postgres
@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_filers_postgres_threads(make_household, make_item):
    assert connection.vendor == "postgresql"
    groups = _prepare_items(make_household, make_item)
    _file_in_threads(groups)
    _assert_gap_free(groups)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_filers_sqlite_threads(make_household, make_item):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant; PostgreSQL has its own tests")
    groups = _prepare_items(make_household, make_item)
    started = time.monotonic()
    _file_in_threads(groups)
    print(f"8 threads filed 200 items in {time.monotonic() - started:.2f} s")
    _assert_gap_free(groups)


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_concurrent_filers_sqlite_processes(make_household, make_item):
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant; PostgreSQL has its own tests")
    groups = _prepare_items(make_household, make_item)
    started = time.monotonic()
    _file_in_processes(groups)
    print(f"8 processes filed 200 items in {time.monotonic() - started:.2f} s")
    _assert_gap_free(groups)
