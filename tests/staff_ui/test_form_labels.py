"""Readable forms: every field the form templates extract has a Chinese label."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from archive.templatetags.hedang_admin import FIELD_LABELS, FORM_TEMPLATE_NAMES

TEMPLATES = sorted((Path(settings.BASE_DIR) / "ingest" / "form_templates").glob("*.json"))


def _keys(template: dict) -> set[str]:
    keys = set(template.get("patterns", {})) | set(template.get("values", {}))
    for table in template.get("tables", []):
        keys.add(table["name"])
        keys |= set(table.get("columns", {}))
    for block in template.get("blocks", []):
        keys.add(block["name"])
        keys |= {target for _, target in block.get("rows", [])}
    return keys


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.stem)
def test_every_extracted_field_has_a_chinese_label(path):
    template = json.loads(path.read_text(encoding="utf-8"))
    assert template["name"] in FORM_TEMPLATE_NAMES
    missing = sorted(k for k in _keys(template) if k not in FIELD_LABELS)
    assert not missing, missing


@pytest.mark.django_db
def test_item_page_shows_labels_not_keys(login, seeded):
    from archive.models import Item

    item = seeded.filed[1]
    Item.objects.filter(pk=item.pk).update(
        fields={
            "form": {
                "template": "home_visit",
                "fields": {
                    "head_name": "张伟",
                    "obligor_assets": "无",
                    "total_income": "36000",
                    "per_capita_income": "12000",
                    "members": [{"name": "张伟", "relation": "本人", "age": "39"}],
                },
            }
        }
    )
    page = login(seeded.users.archivist).get(reverse("archive_item:detail", args=(item.pk,)))
    text = page.content.decode()
    assert "表单模板：入户核查表" in text
    for label in ("义务人财产", "总（纯）收入评估", "年人均纯收入评估", "与户主关系"):
        assert label in text
    for key in ("obligor_assets", "total_income", "per_capita_income", "home_visit"):
        assert f">{key}<" not in text and f"：{key}" not in text
