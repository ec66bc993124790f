"""/api/v1/ (mounted by config/urls.py), with the main platform's push endpoints."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from archive.api import docs
from archive.api.errors import NotFoundView
from archive.api.item_views import ItemViewSet
from archive.api.platform_views import MaterialPushView, ReportPushView
from archive.api.signature_views import ItemSignaturesView, PrintTaskViewSet
from archive.api.views import AgencyViewSet, AuditEntryViewSet, HouseholdViewSet, MemberViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("items", ItemViewSet, basename="item")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("audit", AuditEntryViewSet, basename="audit")
router.register("print-tasks", PrintTaskViewSet, basename="print-task")

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", docs.DocsView.as_view(), name="docs"),
    path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
    path("reports", ReportPushView.as_view(), name="reports"),
    path("materials", MaterialPushView.as_view(), name="materials"),
    path("items/<str:key>/signatures", ItemSignaturesView.as_view(), name="item-signatures"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404, never an HTML page.
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
