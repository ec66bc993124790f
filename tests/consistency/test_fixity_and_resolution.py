"""Fixity (a flipped byte found, alarmed, refused on reading), the resolution workflow
(versions, audit, holds), inventory reconciliation and the staff pages."""

from __future__ import annotations

import pytest
from django.urls import reverse
from wagtail import hooks

from archive.models import AuditEntry, File, Item, Member
from archive.storage import StorageIntegrityError, archive_storage, blob_name, read_blob
from consistency import fixity
from consistency.check import key_of
from consistency.models import Discrepancy, FixityFailure, FixityRun, RecordVersion
from consistency.resolve import ResolutionError, resolve

pytestmark = pytest.mark.django_db


def _flip_byte(sha256: str) -> None:
    path = archive_storage().path(blob_name(sha256))
    with open(path, "r+b") as fh:
        fh.seek(10)
        byte = fh.read(1)
        fh.seek(10)
        fh.write(bytes([byte[0] ^ 0x01]))


def test_fixity_finds_a_flipped_byte_and_the_object_is_refused(make_household, make_item):
    items = [make_item(make_household("420102", name)) for name in ("张伟", "李娜", "王芳")]
    damaged = items[1].files.get(role=File.Role.ORIGINAL).sha256
    _flip_byte(damaged)
    # In slices of one object: the run is resumable and keeps its cursor.
    first = fixity.run_fixity(limit=1)
    assert not first.done and first.run.checked == 1
    outcome = fixity.run_fixity()
    assert outcome.done
    run = FixityRun.objects.get()
    assert (run.total, run.checked, run.failed) == (3, 3, 1)
    failure = FixityFailure.objects.get()
    assert failure.sha256 == damaged and failure.actual and failure.actual != damaged
    alarm = AuditEntry.objects.filter(action=AuditEntry.Action.ALARM).get()
    assert alarm.detail["sha256"] == damaged
    assert list(fixity.open_alarms()) == [failure]
    with pytest.raises(StorageIntegrityError):
        read_blob(damaged, verify=True)
    # A new run checks everything again; intact objects stay quiet.
    assert fixity.run_fixity().run.pk != run.pk


def _content_discrepancy(
    item, paper_item, field="id_number", electronic="", paper=""
) -> Discrepancy:
    return Discrepancy.objects.create(
        key=key_of("content", item.pk, paper_item.pk, field, electronic, paper, 1),
        kind=Discrepancy.Kind.CONTENT,
        item=item,
        paper_item=paper_item,
        field=field,
        electronic=electronic,
        paper=paper,
        page=1,
        confidence=0.9,
    )


def test_electronic_wrong_makes_a_new_version_marked_paper_prevails(
    make_household, make_item, make_user
):
    household = make_household("420102")
    member = household.members.get()
    electronic, paper = make_item(household), make_item(household)
    wrong, right = member.id_number, member.id_number[:-2] + "00"
    d = _content_discrepancy(electronic, paper, electronic=wrong, paper=right)
    archivist = make_user("420102")
    held = dict(h for hook in hooks.get_hooks("hedang_retention_holds") for h in hook())
    assert electronic.pk in held and paper.pk in held
    with pytest.raises(ResolutionError):
        resolve(d, "electronic_wrong", "  ", archivist)
    assert Discrepancy.objects.get(pk=d.pk).is_open
    resolve(d, "electronic_wrong", "已核对纸质报告，身份证号以纸质为准", archivist)
    d.refresh_from_db()
    assert d.status == Discrepancy.Status.ELECTRONIC_CORRECTED and d.decided_by == archivist
    v1, v2 = RecordVersion.objects.filter(item=electronic).order_by("number")
    assert v2.previous == v1 and v2.basis == "以纸质为准" and v1.sha256 != v2.sha256
    assert v2.data["corrections"][0]["paper"] == right
    assert Member.objects.get(pk=member.pk).id_number == right
    electronic.refresh_from_db()
    assert electronic.fields["consistency_corrections"][0]["basis"] == "以纸质为准"
    entry = AuditEntry.objects.filter(action=AuditEntry.Action.CORRECT).get()
    assert entry.detail["new_version"]["sha256"] == v2.sha256
    held = dict(h for hook in hooks.get_hooks("hedang_retention_holds") for h in hook())
    assert electronic.pk not in held
    with pytest.raises(ResolutionError):
        resolve(d, "paper_wrong", "again", archivist)


def test_paper_wrong_is_recorded(make_household, make_item, make_user):
    household = make_household("420102")
    electronic, paper = make_item(household), make_item(household)
    d = _content_discrepancy(electronic, paper, field="amount", electronic="12.00", paper="13.00")
    resolve(d, "paper_wrong", "纸质打印有误", make_user("420102"))
    assert Discrepancy.objects.get(pk=d.pk).status == Discrepancy.Status.PAPER_WRONG
    assert not RecordVersion.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.RESOLVE).count() == 1


def test_inventory_reconciliation(make_household, make_item):
    from archive.filing import file_item
    from consistency.check import run_check

    household = make_household("420102")
    items = [file_item(make_item(household)) for _ in range(3)]
    unscanned = file_item(make_item(household, file=False))
    Item.objects.filter(pk=unscanned.pk).update(carrier=Item.Carrier.PAPER)
    Item.objects.filter(pk=items[0].pk).update(page_count=5)
    items[2].refresh_from_db()
    # A 件号 gap: the second item's number is taken away.
    Item.objects.filter(pk=items[1].pk).update(item_number=None, class_key="")
    result = run_check(Item.objects.filter(household=household))
    kinds = {(d.kind, d.item_id) for d in result.discrepancies}
    assert (Discrepancy.Kind.PAPER_ONLY, unscanned.pk) in kinds
    assert (Discrepancy.Kind.NUMBER_GAP, items[2].pk) in kinds
    gap = next(d for d in result.discrepancies if d.kind == Discrepancy.Kind.NUMBER_GAP)
    assert gap.detail["missing"] == [2]


def test_discrepancy_page_is_scoped_and_masked(client, make_household, make_item, make_user):
    household = make_household("420102")
    electronic, paper = make_item(household), make_item(household)
    wrong = household.head_id_number
    d = _content_discrepancy(electronic, paper, electronic=wrong, paper=wrong[:-1] + "0")
    inspector_far = make_user("420502", "档案管理员", username="far")
    client.force_login(inspector_far)
    page = client.get(reverse("consistency:discrepancies"))
    assert page.status_code == 200 and wrong not in page.content.decode()
    assert client.get(reverse("consistency:snippet", args=(d.pk,))).status_code == 404
    client.force_login(make_user("420102"))
    page = client.get(reverse("consistency:discrepancies"))
    assert wrong in page.content.decode()
    response = client.post(
        reverse("consistency:resolve", args=(d.pk,)), {"decision": "dismiss", "note": "无误"}
    )
    assert response.status_code == 302
    assert Discrepancy.objects.get(pk=d.pk).status == Discrepancy.Status.DISMISSED
    four = client.get(reverse("consistency:item_fourprops", args=(electronic.pk,)))
    assert four.status_code == 200 and "真实性" in four.content.decode()
    pdf = client.get(reverse("consistency:item_fourprops", args=(electronic.pk,)) + "?format=pdf")
    assert pdf.content[:5] == b"%PDF-"


def test_the_next_fixity_run_waits_for_its_interval(settings, make_household, make_item):
    import datetime as dt

    from django.utils import timezone

    from consistency.tasks import fixity_slice

    make_item(make_household("420102", "张伟"))
    settings.HEDANG_FIXITY_INTERVAL_DAYS = 7
    first = fixity_slice()
    assert first["done"] is True
    assert fixity_slice() == {"run": first["run"], "waiting": True}
    FixityRun.objects.filter(pk=first["run"]).update(
        finished_at=timezone.now() - dt.timedelta(days=8)
    )
    assert fixity_slice()["run"] != first["run"]
