"""/api/v1/ endpoints of the platform push (mounted by config/urls.py before archive's
catch-all JSON 404): reports, materials, print tasks and an item's signature check."""

from __future__ import annotations

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from push.api.platform_views import MaterialPushView, ReportPushView
from push.api.signature_views import ItemSignaturesView, PrintTaskViewSet

app_name = "push"

router = SimpleRouter(trailing_slash=False)
router.register("print-tasks", PrintTaskViewSet, basename="print-task")

urlpatterns = [
    path("reports", ReportPushView.as_view(), name="reports"),
    path("materials", MaterialPushView.as_view(), name="materials"),
    path("items/<str:key>/signatures", ItemSignaturesView.as_view(), name="item-signatures"),
    path("", include(router.urls)),
]
