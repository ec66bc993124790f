"""/api/v1/ endpoints of the accounts app (mounted by config/urls.py before archive's catch-all)."""

from __future__ import annotations

from django.urls import path

from accounts.api import views

urlpatterns: list = [
    path("accounts/lockouts", views.LockoutsView.as_view(), name="api-accounts-lockouts"),
    path("accounts/requests", views.AccountRequestsView.as_view(), name="api-accounts-requests"),
    path(
        "accounts/requests/<int:pk>/decide",
        views.AccountRequestDecideView.as_view(),
        name="api-accounts-decide",
    ),
    path(
        "accounts/commitments/due",
        views.CommitmentsDueView.as_view(),
        name="api-accounts-commitments-due",
    ),
]
