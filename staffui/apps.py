from django.apps import AppConfig


class StaffUIConfig(AppConfig):
    """The staff admin as an archive application: the CMS parts hidden, the dashboard's
    worklist, 统计, 档案盒, list exports and the 帮助 (操作手册) pages.

    It sits on top of the other apps (it reads ingest's and scanning's figures for 统计) and
    nothing imports it.
    """

    name = "staffui"
    label = "staffui"
    verbose_name = "工作台"
    hedang_role_permissions: dict[str, list[str]] = {}

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from staffui.cms import remove_cms_groups, rename_permissions

        post_migrate.connect(remove_cms_groups, dispatch_uid="staffui_cms_groups")
        post_migrate.connect(rename_permissions, dispatch_uid="staffui_permission_names")
