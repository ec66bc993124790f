"""/api/v1/ endpoints of the consistency app (mounted by config/urls.py before archive's catch-all)."""

from __future__ import annotations

from django.urls import path

from consistency.api import views

urlpatterns: list = [
    path("consistency/discrepancies", views.DiscrepancyList.as_view()),
    path("consistency/discrepancies/<int:pk>", views.DiscrepancyDetail.as_view()),
    path("consistency/discrepancies/<int:pk>/resolve", views.DiscrepancyResolve.as_view()),
    path("consistency/fixity", views.FixityStatus.as_view()),
]
