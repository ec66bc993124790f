"""Admin forms for households, members and users.

Choices of related objects are limited to what the user may see: an agency can only file a
household under an agency of its jurisdiction. Resident IDs are stored in canonical form
(half-width, upper-case X); an invalid one is refused by the model's validator with its
Chinese message.
"""

from __future__ import annotations

from django import forms
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.users.forms import UserCreationForm, UserEditForm

from archive import identifiers
from archive.agency_widget import AgencyTreeSelect
from archive.models import Agency, Household, Member


def visible_agencies(user):
    """The agencies in the user's jurisdiction (all of them for the province or a superuser)."""
    ids = user.visible_agency_ids if user is not None else []
    queryset = Agency.objects.order_by("region_code")
    return queryset if ids is None else queryset.filter(pk__in=ids)


def canonical_resident_id(value: str) -> str:
    """The canonical form of a valid ID; anything else is returned for the validator to refuse."""
    value = (value or "").strip()
    if not value:
        return value
    try:
        return identifiers.parse_resident_id(value).value
    except identifiers.IdentifierError:
        return value


class HouseholdForm(WagtailAdminModelForm):
    class Meta:
        model = Household
        fields = ["agency", "head_name", "head_id_number", "address", "phone"]

    def __init__(self, *args, for_user=None, **kwargs):
        super().__init__(*args, for_user=for_user, **kwargs)
        agencies = visible_agencies(for_user)
        self.fields["agency"].queryset = agencies
        if not self.instance.pk and for_user is not None and for_user.agency_id:
            self.fields["agency"].initial = for_user.agency_id

    def clean_head_id_number(self):
        return canonical_resident_id(self.cleaned_data.get("head_id_number", ""))


class MemberForm(WagtailAdminModelForm):
    """A member of the household fixed by the view (``instance.household``)."""

    class Meta:
        model = Member
        fields = ["name", "id_number", "relation", "co_resident"]

    def clean_id_number(self):
        value = canonical_resident_id(self.cleaned_data.get("id_number", ""))
        household_id = self.instance.household_id
        if value and household_id:
            # The unique constraint names the household, which is not a form field, so
            # Django would not check it before saving: check it here.
            clash = Member.objects.filter(household_id=household_id, id_number=value)
            if self.instance.pk:
                clash = clash.exclude(pk=self.instance.pk)
            if clash.exists():
                raise forms.ValidationError("该户已有此身份证号的成员。", code="duplicate")
        return value


class _AgencyFieldsMixin:
    """Agency (from the region tree) and real name on Wagtail's user forms.

    A Chinese real name is one field: Wagtail's 名/姓 are removed. Intranet accounts often have
    no e-mail, so it is optional.
    """

    first_name = None
    last_name = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        agencies = Agency.objects.order_by("region_code")
        field = self.fields["agency"]
        field.queryset = agencies
        field.widget = AgencyTreeSelect()
        field.widget.set_queryset(agencies)
        field.required = False
        field.help_text = "依次选择省、市（州）、县（市、区）；只选到市或省时，账号属于该级机构。"
        self.fields["real_name"].required = True
        if "email" in self.fields:
            self.fields["email"].required = False


NAME_FIELDS = {"first_name", "last_name"}


class HedangUserCreationForm(_AgencyFieldsMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        fields = (UserCreationForm.Meta.fields - NAME_FIELDS) | {"real_name", "agency"}


class HedangUserEditForm(_AgencyFieldsMixin, UserEditForm):
    class Meta(UserEditForm.Meta):
        fields = (UserEditForm.Meta.fields - NAME_FIELDS) | {"real_name", "agency"}
