"""Choosing an agency from the province → city → county tree instead of a flat list of 119.

Without JavaScript it is one <select> grouped by city (the province first); with it, three
chained selects (省 → 市（州） → 县（市、区）) fill that select, which stays the submitted field.
"""

from __future__ import annotations

from django import forms

from archive.models import Agency


def grouped_choices(queryset) -> list:
    """Choices grouped by city: [("", "---------"), (city name, [(id, label), …]), …]."""
    agencies = list(queryset.order_by("region_code"))
    by_id = {a.pk: a for a in agencies}
    groups: dict[str, list] = {}
    for agency in agencies:
        if agency.level == Agency.Level.PROVINCE:
            groups.setdefault(agency.name, []).append((agency.pk, agency.name))
        elif agency.level == Agency.Level.CITY:
            groups.setdefault(agency.region_name, []).append((agency.pk, f"{agency.name}（本级）"))
        else:
            parent = by_id.get(agency.parent_id)
            group = parent.region_name if parent else "其他"
            groups.setdefault(group, []).append((agency.pk, agency.name))
    return [("", "---------"), *groups.items()]


def tree_data(queryset) -> list[dict]:
    return [
        {
            "id": a.pk,
            "name": a.name,
            "region": a.region_name,
            "level": a.level,
            "parent": a.parent_id,
        }
        for a in queryset.order_by("region_code")
    ]


class AgencyTreeSelect(forms.Select):
    template_name = "archive/widgets/agency_tree.html"

    def __init__(self, *args, queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.queryset = queryset

    def set_queryset(self, queryset) -> None:
        self.queryset = queryset
        self.choices = grouped_choices(queryset)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["tree"] = tree_data(self.queryset) if self.queryset is not None else []
        context["tree_id"] = f"{context['widget']['attrs'].get('id', name)}-tree"
        context["data_id"] = context["tree_id"] + "-data"
        return context
