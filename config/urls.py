from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls

from search.api import SearchApiView

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("accounts/", include("accounts.urls")),
    path("", include("ops.urls")),  # /healthz, /readyz, /metrics
    # Before the archive API: its include ends with a catch-all JSON 404.
    path("api/v1/search", SearchApiView.as_view(), name="api-search"),
    # Each app above archive mounts its own API here, before archive's catch-all JSON 404.
    path("api/v1/", include("push.api.urls")),
    path("api/v1/", include("loans.api.urls")),
    path("api/v1/", include("retention.api.urls")),
    path("api/v1/", include("consistency.api.urls")),
    path("api/v1/", include("accounts.api.urls")),
    path("api/v1/", include("archive.api.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
