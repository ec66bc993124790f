"""Destruction reaches ingest through ``hedang_item_destroyed``: the documents' page texts
and extracted forms of destroyed items are dropped; a living item's are kept."""

from __future__ import annotations

import datetime as dt

import pytest

pytestmark = pytest.mark.django_db


def test_page_texts_of_destroyed_items_are_dropped(world):
    from ingest.models import Batch, Document, FormResult
    from retention import destruction
    from retention.appraisal import Choice, appraise
    from retention.sweep import fill_appraisal_list

    u, i = world.users, world.items
    batch = Batch.objects.create(source="command", agency=i["李明-2014"].agency)
    docs = {}
    for key in ("李明-2014", "张伟-2020"):
        docs[key] = Document.objects.create(
            batch=batch,
            original_name=f"{key}.pdf",
            status="filed",
            item=i[key],
            page_texts=[f"{key} 页文字 穿山甲"],
            page_quality={"1": "ok"},
        )
        FormResult.objects.create(document=docs[key], form={"户主": key})
    fill_appraisal_list(dt.date(2025, 1, 1))
    appraise(
        world.households["李明"],
        [Choice(i["李明-2014"], "destroy")],
        appraisers="王芳",
        reason="期满",
        user=u["档案员"],
    )
    b = destruction.propose([i["李明-2014"]], title="第1批", reason="期满", user=u["档案员"])
    destruction.approve(b, user=u["负责人"])
    destruction.supervise(b, user=u["监销甲"])
    destruction.supervise(b, user=u["监销乙"])
    destruction.execute(b, user=u["档案员"])
    gone, kept = (Document.objects.get(pk=docs[k].pk) for k in ("李明-2014", "张伟-2020"))
    assert gone.page_texts == [] and gone.page_quality == {}
    assert not FormResult.objects.filter(document=gone).exists()
    assert kept.page_texts == ["张伟-2020 页文字 穿山甲"]
    assert FormResult.objects.filter(document=kept).exists()
