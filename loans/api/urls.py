"""/api/v1/ endpoints of the loans app (mounted by config/urls.py before archive's catch-all)."""

from __future__ import annotations

from django.urls import path

from loans.api import views

urlpatterns: list = [
    path("loans", views.LoanListCreateView.as_view(), name="loans"),
    path("loans/register", views.RegisterView.as_view(), name="loans-register"),
    path("loans/<int:pk>", views.LoanDetailView.as_view(), name="loan"),
    path("loans/<int:pk>/approve", views.ApproveView.as_view(), name="loan-approve"),
    path("loans/<int:pk>/refuse", views.RefuseView.as_view(), name="loan-refuse"),
    path("loans/<int:pk>/issue", views.IssueView.as_view(), name="loan-issue"),
    path("loans/<int:pk>/return", views.ReturnView.as_view(), name="loan-return"),
    path(
        "loans/<int:pk>/incidents/<int:incident_id>/resolve",
        views.ResolveView.as_view(),
        name="loan-incident-resolve",
    ),
]
