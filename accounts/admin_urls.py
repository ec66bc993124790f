"""/admin/accounts/: the staff pages of the accounts app (registered by wagtail_hooks)."""

from django.urls import path

from accounts.views import admin

app_name = "accounts_admin"
urlpatterns = [
    path("", admin.security_index, name="index"),
    path("lockouts/", admin.lockouts, name="lockouts"),
    path("lockouts/unlock/", admin.unlock, name="unlock"),
    path("requests/", admin.requests_index, name="requests"),
    path("requests/<int:pk>/decide/", admin.request_decide, name="decide"),
    path("users/<int:pk>/", admin.user_security, name="user"),
    path("commitments/due/", admin.commitments_due, name="commitments_due"),
]
