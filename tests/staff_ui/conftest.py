"""Fixtures for the staff UI (staffui) tests: a seeded archive and the three roles."""

from __future__ import annotations

import datetime as dt
import hashlib
from types import SimpleNamespace

import pytest

from tests.ingest.ui.conftest import make_review_item, thumbnail_png  # noqa: F401


@pytest.fixture
def seeded(make_user, make_household, make_item, make_review_item, hubei):  # noqa: F811
    """An archive in 江岸区 and 汉阳区: filed items of two years, one item waiting in 待确认
    (a household the archive does not know), one document still waiting for OCR, and the
    archivist (江岸区), the inspector (武汉市, 监督检查) and the administrator (superuser)."""
    from archive.filing import file_item
    from archive.models import Item, Member, User
    from ingest.models import Batch, Document

    users = SimpleNamespace(
        archivist=make_user("420102", "档案管理员", username="archivist", real_name="王档案"),
        inspector=make_user("420100", "监督检查", username="inspector", real_name="赵监督"),
        admin=User.objects.create_superuser(
            username="admin",
            password="pw-Hedang-2026",
            real_name="系统管理员",
            agency=hubei["420000"],
        ),
    )
    zhang = make_household("420102", "张伟", address="武汉市江岸区台北路 88 号")
    Member.objects.create(household=zhang, name="李娜", relation="配偶")
    liu = make_household("420105", "刘洋", birth="19660808")
    filed = []
    for household, code, date in (
        (zhang, "SQS", dt.date(2024, 3, 6)),
        (zhang, "RHB", dt.date(2024, 3, 8)),
        (zhang, "HDB", dt.date(2024, 4, 1)),
        (zhang, "SQS", dt.date(2025, 2, 10)),
        (liu, "SQS", dt.date(2024, 5, 6)),
    ):
        filed.append(file_item(make_item(household, code, formation_date=date)))
    # A report for a household nobody has entered yet: the review queue's hard case.
    stranger = make_household("420102", "陈静", birth="19900101")
    unknown = make_review_item(stranger, region_code="420102", subtype_code="HDB")
    stranger.delete()  # the report names a household the archive does not know
    batch = Batch.objects.create(source=Batch.Source.UPLOAD, agency=hubei["420102"])
    Document.objects.create(
        batch=batch,
        original_name="waiting.pdf",
        sha256=hashlib.sha256(b"waiting").hexdigest(),
        size=1,
        media_type="application/pdf",
        status=Document.Status.QUEUED,
    )
    return SimpleNamespace(
        users=users, zhang=zhang, liu=liu, filed=filed, unknown=Item.objects.get(pk=unknown.pk)
    )


@pytest.fixture
def login(client):
    def do(user):
        client.force_login(user)
        return client

    return do
