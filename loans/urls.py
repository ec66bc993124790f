"""Admin URLs of the loans app, mounted under /admin/loans/ by loans.wagtail_hooks."""

from __future__ import annotations

from django.urls import path

from loans.views import desk, inspect, reading, register

app_name = "loans"

urlpatterns = [
    path("", desk.DeskView.as_view(), name="desk"),
    path("new/", desk.LoanCreateView.as_view(), name="request"),
    path("<int:pk>/", desk.LoanDetailView.as_view(), name="detail"),
    path("<int:pk>/letter/", desk.letter, name="letter"),
    path("<int:pk>/incidents/<int:incident_id>/resolve/", desk.resolve_incident, name="resolve"),
    path("<int:pk>/<slug:step>/", desk.loan_step, name="step"),
    path("register/", register.RegisterView.as_view(), name="register"),
    path("register/<slug:fmt>/", register.export, name="register_export"),
    path("read/<int:pk>/", reading.ReaderView.as_view(), name="read"),
    path("read/<int:pk>/page/<int:number>/", reading.page_image, name="read_page"),
    path("read/<int:pk>/download/", reading.download, name="read_download"),
    path("read/<int:pk>/print/", reading.print_copy, name="read_print"),
    path("inspect/", inspect.InspectView.as_view(), name="inspect"),
    path("inspect/events/", inspect.EventsView.as_view(), name="inspect_events"),
]
