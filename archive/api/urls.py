"""/api/v1/ (mounted by config/urls.py); the platform push mounts its own (push/api/urls.py)."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.routers import SimpleRouter

from archive.api import docs
from archive.api.errors import NotFoundView
from archive.api.item_views import ItemViewSet
from archive.api.views import AgencyViewSet, AuditEntryViewSet, HouseholdViewSet, MemberViewSet

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("households", HouseholdViewSet, basename="household")
router.register("members", MemberViewSet, basename="member")
router.register("items", ItemViewSet, basename="item")
router.register("agencies", AgencyViewSet, basename="agency")
router.register("audit", AuditEntryViewSet, basename="audit")

urlpatterns = [
    path("schema", SpectacularAPIView.as_view(), name="schema"),
    path("docs", docs.DocsView.as_view(), name="docs"),
    path("docs/assets/<str:name>", docs.asset, name="docs-asset"),
    path("", include(router.urls)),
    # Anything else under /api/v1/ is a JSON 404, never an HTML page.
    re_path(r"^.*$", NotFoundView.as_view(), name="not-found"),
]
