"""/api/v1/ endpoints of the retention app (mounted by config/urls.py before archive's catch-all)."""

from __future__ import annotations

from django.urls import path

from retention.api import views

urlpatterns: list = [
    path("retention/due", views.DueView.as_view(), name="api-retention-due"),
    path("retention/holds", views.HoldsView.as_view(), name="api-retention-holds"),
    path("retention/holds/<int:pk>/lift", views.LiftView.as_view(), name="api-retention-lift"),
    path("retention/appraisals", views.AppraisalsView.as_view(), name="api-retention-appraisals"),
    path("retention/batches", views.BatchesView.as_view(), name="api-retention-batches"),
    path("retention/batches/<int:pk>", views.BatchView.as_view(), name="api-retention-batch"),
    path(
        "retention/batches/<int:pk>/<str:kind>.pdf",
        views.BatchPdfView.as_view(),
        name="api-retention-pdf",
    ),
    path(
        "retention/batches/<int:pk>/<str:step>",
        views.BatchStepView.as_view(),
        name="api-retention-step",
    ),
]
