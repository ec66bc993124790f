"""The user admin with 审批备案 and 三员分立 on top of archive's (archive.views.users).

With HEDANG_ACCOUNT_APPROVAL a new user is saved inactive and without roles, and a change of
roles, agency or the superuser flag is put back, each as an :class:`AccountRequest` that another
security administrator approves (accounts.approval).
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from wagtail.users.views import users

from accounts import approval
from accounts.gates import setting
from archive.forms import HedangUserCreationForm, HedangUserEditForm
from archive.views.users import HedangUserIndexView, HedangUserViewSet


class _SeparatedRolesMixin:
    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups") or []
        conflict = approval.separated_conflict([g.name for g in groups])
        if conflict:
            raise forms.ValidationError(conflict)
        return cleaned


class AccountsUserCreationForm(_SeparatedRolesMixin, HedangUserCreationForm):
    pass


class AccountsUserEditForm(_SeparatedRolesMixin, HedangUserEditForm):
    pass


class AccountsCreateView(users.CreateView):
    def save_instance(self):
        instance = super().save_instance()
        if setting("HEDANG_ACCOUNT_APPROVAL"):
            approval.hold_new_user(instance, request=self.request)
            messages.info(self.request, "新账号已提交审批，须由另一名安全管理员批准后才能使用。")
        return instance


class AccountsEditView(users.EditView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.previous = approval.snapshot(self.object)

    def save_instance(self):
        instance = super().save_instance()
        if setting("HEDANG_ACCOUNT_APPROVAL"):
            if approval.hold_change(instance, self.previous, request=self.request):
                messages.info(self.request, "角色、机构或超级管理员的变更已提交审批，批准后生效。")
        return instance


class AccountsUserViewSet(HedangUserViewSet):
    index_view_class = HedangUserIndexView
    add_view_class = AccountsCreateView
    edit_view_class = AccountsEditView

    def get_form_class(self, for_update=False):
        return AccountsUserEditForm if for_update else AccountsUserCreationForm
