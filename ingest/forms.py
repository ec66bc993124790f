"""Forms of the ingest screens: upload, review decision and scanning stations.

A household is always named by its head's resident ID and looked up in the user's
jurisdiction only; one outside it answers exactly like one that does not exist.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from wagtail.admin.forms import WagtailAdminModelForm

from archive import identifiers
from archive.categories import Category
from archive.forms import visible_agencies
from archive.masking import shown_id_number
from archive.models import Household
from ingest.models import Station
from ingest.review import subtypes_for_user, usable_subtypes

CATEGORY_CHOICES = [("", "（自动识别）"), *Category.choices]
MIN_STATION_DPI, MAX_STATION_DPI = 200, 1200
NOT_FOUND = "辖区内没有户主身份证号为 {} 的户"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field. Empty files pass: the pipeline refuses them with a reason."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"multiple": True}))
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, (list, tuple)):
            files = [single(f, initial) for f in data if f]
        else:
            files = [single(data, initial)] if data else []
        if self.required and not files:
            raise forms.ValidationError("请选择至少一个文件", code="required")
        return files


class SubtypeSelect(forms.Select):
    """Options carry their category, so the page can show only the chosen category's."""

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        instance = getattr(value, "instance", None)
        if instance is not None:
            option["attrs"]["data-category"] = instance.category
        return option


class SubtypeChoiceField(forms.ModelChoiceField):
    widget = SubtypeSelect

    def label_from_instance(self, obj):
        return f"{obj.name}"


def find_household(user, value: str):
    """(household, denied_id): the visible household whose head has this ID.

    ``denied_id`` is the pk of a household outside the jurisdiction with that head, for the
    operation log only; the user is told the same as for an unknown ID.
    """
    try:
        id_number = identifiers.parse_resident_id(value).value
    except identifiers.IdentifierError as exc:
        raise forms.ValidationError(f"身份证号无效：{exc}", code="invalid") from None
    household = Household.objects.visible_to(user).filter(head_id_number=id_number).first()
    if household is not None:
        return household, None
    denied = Household.objects.filter(head_id_number=id_number).values_list("pk", flat=True)
    return None, denied.first()


class _CategorySubtypeMixin:
    def _setup_category_fields(self, user, subtypes=None):
        self.fields["category"] = forms.ChoiceField(
            label="材料类别", choices=CATEGORY_CHOICES, required=False
        )
        self.fields["subtype"] = SubtypeChoiceField(
            label="子类",
            queryset=subtypes if subtypes is not None else subtypes_for_user(user),
            required=False,
            empty_label="（自动识别）",
        )

    def _clean_category_subtype(self, cleaned):
        category, subtype = cleaned.get("category") or "", cleaned.get("subtype")
        if subtype is not None:
            if category and subtype.category != category:
                self.add_error(
                    "subtype", f"子类「{subtype.name}」不属于「{Category(category).label}」"
                )
            else:
                cleaned["category"] = subtype.category
        return cleaned


class UploadForm(_CategorySubtypeMixin, forms.Form):
    files = MultipleFileField(
        label="文件", help_text="可一次选择多个：PDF、JPEG、PNG、TIFF，或装有它们的 ZIP。"
    )
    household_id_number = forms.CharField(
        label="户主身份证号",
        required=False,
        max_length=30,
        help_text="可不填：系统从文件中识别身份证号、报告编号等，自动归入对应的户。",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.household = None
        self.denied_household_id = None
        self._setup_category_fields(user)

    def clean_household_id_number(self):
        value = (self.cleaned_data.get("household_id_number") or "").strip()
        if value:
            self.household, self.denied_household_id = find_household(self.user, value)
            if self.household is None:
                raise forms.ValidationError(NOT_FOUND.format(value), code="not_found")
        return value

    def clean(self):
        return self._clean_category_subtype(super().clean())


class ReviewForm(_CategorySubtypeMixin, forms.Form):
    """The one decision on a review item: which household, which category and subtype."""

    household = forms.TypedChoiceField(
        label="建议的户", coerce=int, required=False, widget=forms.RadioSelect, empty_value=None
    )
    other_id_number = forms.CharField(
        label="其他户的户主身份证号",
        required=False,
        max_length=30,
        help_text="建议的户都不对时，填写应归入的户的户主身份证号。",
    )
    formation_date = forms.DateField(
        label="形成日期",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="表单和所属案卷都没有日期时必填：按纸质文件上的日期填写。",
    )

    def __init__(self, *args, user, item, candidates, **kwargs):
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("formation_date", item.formation_date)
        initial.setdefault("category", item.category)
        initial.setdefault("subtype", item.subtype_id)
        preset = item.household_id if item.household_id else None
        if preset is None and len(candidates) == 1:
            preset = candidates[0].pk
        initial.setdefault("household", preset)
        super().__init__(*args, **kwargs)
        self.user = user
        self.household_obj = None
        self.denied_household_id = None
        self.fields["household"].choices = [
            (h.pk, f"{h.head_name}户（户主身份证号 {shown_id_number(user, h.head_id_number)}）")
            for h in candidates
        ]
        self._setup_category_fields(user)
        self.fields["category"].choices = [("", "（请选择）"), *Category.choices]
        self.fields["category"].required = True
        self.fields["subtype"].required = True
        self.fields["subtype"].empty_label = "（请选择）"
        self.candidates = {h.pk: h for h in candidates}

    def clean(self):
        cleaned = super().clean()
        other = (cleaned.get("other_id_number") or "").strip()
        if other:
            try:
                household, self.denied_household_id = find_household(self.user, other)
            except forms.ValidationError as exc:
                self.add_error("other_id_number", exc)
                return cleaned
            if household is None:
                self.add_error("other_id_number", NOT_FOUND.format(other))
            self.household_obj = household
        elif cleaned.get("household") is not None:
            self.household_obj = self.candidates.get(cleaned["household"])
        elif "household" not in self.errors:
            self.add_error("household", "请选择建议的户，或填写其他户的户主身份证号")
        if self.household_obj is not None and cleaned.get("subtype") is not None:
            allowed = usable_subtypes(self.household_obj.agency)
            if not allowed.filter(pk=cleaned["subtype"].pk).exists():
                self.add_error("subtype", "该子类不能用于此户所属机构")
        return self._clean_category_subtype(cleaned)


class StationForm(WagtailAdminModelForm):
    """A scanning station: agency limited to the user's jurisdiction, household by head ID."""

    default_household_id_number = forms.CharField(
        label="默认户（户主身份证号）",
        required=False,
        max_length=30,
        help_text="可不填。填写后，本站点扫描的文件都归入这一户。",
    )

    class Meta:
        model = Station
        fields = [
            "name",
            "label",
            "agency",
            "default_category",
            "default_subtype",
            "dpi",
            "colour_mode",
            "duplex",
            "stack_folders",
            "active",
        ]
        widgets = {"default_subtype": SubtypeSelect}

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        self.user = for_user
        self.fields["agency"].queryset = visible_agencies(for_user)
        if not self.instance.pk and for_user is not None and for_user.agency_id:
            self.fields["agency"].initial = for_user.agency_id
        if for_user is not None:
            self.fields["default_subtype"].queryset = subtypes_for_user(for_user)
        name = self.fields["name"]
        name.help_text = (
            f"只用小写英文字母、数字和连字符。热文件夹为 {settings.HEDANG_INBOX_DIR}/<站点名>/"
        )
        self.fields["default_category"].choices = [("", "（无）"), *Category.choices]
        self.fields["default_subtype"].empty_label = "（无）"
        self.order_fields(
            ["name", "label", "agency", "default_household_id_number", "default_category"]
        )
        # A form posted without the scanning profile (an older page) keeps the defaults.
        for name in ("dpi", "colour_mode"):
            self.fields[name].required = False
        self.fields["dpi"].widget.attrs.update(min=MIN_STATION_DPI, max=MAX_STATION_DPI, step=1)
        household = self.instance.default_household if self.instance.pk else None
        if household is not None:
            self.fields["default_household_id_number"].initial = household.head_id_number

    def clean_default_household_id_number(self):
        value = (self.cleaned_data.get("default_household_id_number") or "").strip()
        self.default_household = None
        if value:
            household, _ = find_household(self.user, value)
            if household is None:
                raise forms.ValidationError(NOT_FOUND.format(value), code="not_found")
            self.default_household = household
        return value

    def clean_dpi(self):
        value = self.cleaned_data.get("dpi")
        if value in (None, ""):
            return self.instance.dpi or Station._meta.get_field("dpi").default
        if value < MIN_STATION_DPI:
            raise forms.ValidationError(
                f"扫描分辨率不得低于 {MIN_STATION_DPI} dpi（DA/T 31-2017）", code="min_value"
            )
        if value > MAX_STATION_DPI:
            raise forms.ValidationError(f"扫描分辨率不超过 {MAX_STATION_DPI} dpi", code="max_value")
        return value

    def clean_colour_mode(self):
        value = self.cleaned_data.get("colour_mode")
        return value or self.instance.colour_mode or Station._meta.get_field("colour_mode").default

    def clean(self):
        cleaned = super().clean()
        agency, household = cleaned.get("agency"), getattr(self, "default_household", None)
        if agency is not None and household is not None:
            if household.agency_id not in agency.jurisdiction_ids():
                self.add_error("default_household_id_number", f"该户不属于{agency.name}的辖区")
        category, subtype = cleaned.get("default_category"), cleaned.get("default_subtype")
        if subtype is not None:
            if category and subtype.category != category:
                self.add_error("default_subtype", f"子类「{subtype.name}」不属于所选材料类别")
            else:
                cleaned["default_category"] = subtype.category
        return cleaned

    def save(self, commit=True):
        self.instance.default_household = getattr(self, "default_household", None)
        return super().save(commit=commit)


def record_denied_household(request, form, **detail) -> None:
    """The 越权访问 entry for a household the form was asked for that the user may not see."""
    from archive.models import Household
    from archive.views.access import record_denied

    if form.denied_household_id is not None:
        record_denied(
            request, Household, form.denied_household_id, reason="out_of_scope_or_missing", **detail
        )
