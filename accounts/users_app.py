"""The ``wagtailusers`` app config with the accounts app's user viewset (审批备案 on top of
archive's user admin). Settings put it in INSTALLED_APPS in place of archive's."""

from archive.users_app import HedangUsersAppConfig


class AccountsUsersAppConfig(HedangUsersAppConfig):
    user_viewset = "accounts.views.users.AccountsUserViewSet"
