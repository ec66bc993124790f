"""The ``wagtailusers`` app config with Hedang's user viewset (see Wagtail's "Custom user models").

Settings: replace ``"wagtail.users"`` in INSTALLED_APPS with
``"archive.users_app.HedangUsersAppConfig"``. The app keeps its label ``wagtailusers``.
"""

from wagtail.users.apps import WagtailUsersAppConfig


class HedangUsersAppConfig(WagtailUsersAppConfig):
    user_viewset = "archive.views.users.HedangUserViewSet"
