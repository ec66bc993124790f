from django.urls import include, path
from django.views.generic import RedirectView
from wagtail.admin import urls as wagtailadmin_urls

urlpatterns = [
    path("admin/", include(wagtailadmin_urls)),
    path("api/v1/", include("archive.api.urls")),
    path("", RedirectView.as_view(url="/admin/", permanent=False)),
]
